"""Hotline pages: upload (a django-tasks background task; ImmediateBackend in tests),
progress, rejected rows, resume, orders with their time limits."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from xinfang.hotline.models import HotlineOrder, ImportJob

from .conftest import HEADER, SAMPLE_CSV, line

pytestmark = pytest.mark.django_db


def upload(client, path_or_bytes, name="orders.csv", register=True):
    data = path_or_bytes.read_bytes() if hasattr(path_or_bytes, "read_bytes") else path_or_bytes
    form = {"file": SimpleUploadedFile(name, data)}
    if register:
        form["register_cases"] = "on"
    return client.post(reverse("hotline:imports"), form)


def test_upload_runs_the_import_task_and_the_page_shows_the_result(client, users):
    client.force_login(users["clerk"])
    response = upload(client, SAMPLE_CSV)
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("hotline:import_detail", args=[job.pk])
    progress = client.get(reverse("hotline:import_progress", args=[job.pk])).json()
    assert progress["state"] == "done"
    assert progress["finished"] is True
    assert (progress["rows_done"], progress["total_rows"]) == (13, 13)
    assert (progress["imported"], progress["registered"]) == (12, 12)
    page = client.get(reverse("hotline:import_detail", args=[job.pk])).content.decode()
    assert 'id="rows-bar"' in page
    assert 'max="13" value="13"' in page
    assert "hotline/progress.js" in page
    # the same file again: nothing new
    upload(client, SAMPLE_CSV)
    assert ImportJob.objects.latest("pk").duplicates == 12
    assert HotlineOrder.objects.count() == 12
    orders = client.get(reverse("hotline:orders")).content.decode()
    assert "RX2026030200001" in orders
    assert "XF530423-2026-" in orders


def test_rejected_rows_are_listed_and_downloadable(client, users):
    client.force_login(users["clerk"])
    body = (HEADER + line("C1") + "\n" + line("C2", order_type="gossip") + "\n").encode()
    upload(client, body, register=False)
    job = ImportJob.objects.get()
    page = client.get(reverse("hotline:import_detail", args=[job.pk])).content.decode()
    assert "C2" in page
    assert "order_type" in page
    response = client.get(reverse("hotline:import_errors", args=[job.pk]))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == ["row", "order_number", "reason"]
    assert rows[1][:2] == ["3", "C2"]


def test_a_wrong_file_type_is_refused_at_the_form(client, users):
    client.force_login(users["clerk"])
    response = upload(client, b"hello", name="orders.txt")
    assert response.status_code == 200
    assert not ImportJob.objects.exists()


def test_resume_restarts_only_an_unfinished_import(client, users):
    from django.core.files import File

    from xinfang.hotline.services import import_create, import_run

    class Crash(Exception):
        pass

    def crash(phase, done, total):
        raise Crash

    with SAMPLE_CSV.open("rb") as fh:
        job = import_create(actor=users["clerk"], upload=File(fh), name="s.csv")
    with pytest.raises(Crash):
        import_run(job_id=job.pk, batch_size=4, progress=crash)
    ImportJob.objects.filter(pk=job.pk).update(state="failed")  # as a dead worker leaves it
    client.force_login(users["clerk"])
    resume = reverse("hotline:import_resume", args=[job.pk])
    client.post(resume)
    job.refresh_from_db()
    assert (job.state, job.imported, job.duplicates, job.registered) == ("done", 12, 0, 12)
    client.post(resume)  # finished: nothing happens
    assert ImportJob.objects.get().imported == 12
    assert HotlineOrder.objects.count() == 12


def test_overdue_filter_lists_orders_past_the_hotline_limit(client, users):
    client.force_login(users["clerk"])
    upload(client, SAMPLE_CSV)  # received in March 2026, no answer since: all overdue
    client.force_login(users["supervisor"])
    page = client.get(reverse("hotline:orders"), {"status": "overdue"}).content.decode()
    assert page.count("data-order=") == 12
    assert "due-over" in page


def test_samples_are_downloadable(client, users):
    client.force_login(users["clerk"])
    response = client.get(reverse("hotline:sample", args=["xlsx"]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:2] == b"PK"
    assert client.get(reverse("hotline:sample", args=["pdf"])).status_code == 404
