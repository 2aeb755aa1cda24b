"""Registration at the desk: repeat check before saving, attachments, division tree."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from xinfang.cases.models import Case
from xinfang.org.models import Division

from .factories import register

pytestmark = pytest.mark.django_db


def form_data(**overrides):
    from xinfang.cases.models import Category

    data = {
        "channel": "phone",
        "petition_type": "appeal",
        "category": Category.objects.get(code="urban-rural").pk,
        "title": "小区楼顶漏水无人维修",
        "content": "五栋楼顶漏水，物业不管。",
        "division": Division.objects.get(code="530423001").pk,
        "received_on": "2026-11-20",
        "name": "张三",
        "phone": "13800001111",
        "people_count": 1,
    }
    data.update(overrides)
    return data


def test_earlier_cases_are_shown_before_saving_and_can_be_linked(client, users):
    earlier = register(users)  # same phone, same matter
    client.force_login(users["clerk"])
    response = client.post("/cases/register/", form_data())
    assert response.status_code == 200
    html = response.content.decode()
    assert earlier.number in html
    assert Case.objects.count() == 1  # nothing saved yet
    response = client.post("/cases/register/", form_data(repeat_checked="1", repeat_of=earlier.pk))
    assert response.status_code == 302
    new = Case.objects.exclude(pk=earlier.pk).get()
    assert new.repeat_of == earlier
    assert new.is_repeat


def test_a_new_matter_is_confirmed_by_the_clerk(client, users):
    register(users)
    client.force_login(users["clerk"])
    response = client.post("/cases/register/", form_data(repeat_checked="1", repeat_of=""))
    assert response.status_code == 302
    assert Case.objects.filter(is_repeat=False).count() == 2


def test_attachments_are_checked_and_stored_with_the_case(client, users):
    client.force_login(users["clerk"])
    good = SimpleUploadedFile("信件.pdf", b"%PDF-1.4 scanned letter", "application/pdf")
    photo = SimpleUploadedFile("现场.png", b"\x89PNG\r\n\x1a\n....", "image/png")
    response = client.post("/cases/register/", {**form_data(), "attachments": [good, photo]})
    assert response.status_code == 302
    case = Case.objects.get()
    assert sorted(case.attachments.values_list("kind", flat=True)) == ["document", "image"]
    attachment = case.attachments.get(kind="document")
    download = client.get(f"/cases/{case.pk}/attachments/{attachment.pk}/")
    assert b"".join(download.streaming_content) == b"%PDF-1.4 scanned letter"


def test_a_disguised_file_is_refused_and_nothing_is_saved(client, users):
    client.force_login(users["clerk"])
    fake = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00 not a jpeg", "image/jpeg")
    exe = SimpleUploadedFile("tool.exe", b"MZ\x90\x00", "application/octet-stream")
    for upload in (fake, exe):
        response = client.post("/cases/register/", {**form_data(), "attachments": [upload]})
        assert response.status_code == 400
        assert 'role="alert"' in response.content.decode()
    assert not Case.objects.exists()


def test_invalid_id_number_shows_the_error_beside_the_field(client, users):
    client.force_login(users["clerk"])
    response = client.post("/cases/register/", form_data(id_number="12345"))
    assert response.status_code == 400
    assert "18" in response.content.decode()
    assert not Case.objects.exists()


def test_division_tree_feeds_the_picker(client, users):
    client.force_login(users["clerk"])
    data = client.get("/org/divisions.json").json()["divisions"]
    county = next(d for d in data if d["level"] == "county")
    towns = [d for d in data if d["parent"] == county["id"]]
    assert len(towns) == 9
