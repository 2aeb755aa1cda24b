"""Bulk import of hotline files: validation, idempotence, not-taken matters, resumption."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files import File
from django.core.management import call_command
from django.utils import timezone

from xinfang.audit.models import AuditRecord
from xinfang.cases.models import Case, Channel, PetitionType
from xinfang.cases.services import PetitionerData
from xinfang.cases.tests.factories import register
from xinfang.hotline.models import HotlineOrder, ImportJob, OrderStatus
from xinfang.hotline.services import import_create, import_resumable, import_run

from .conftest import SAMPLE_CSV, SAMPLE_XLSX, line

pytestmark = pytest.mark.django_db


def run(path, users, *, register_cases=True, batch_size=2000, progress=None):
    with path.open("rb") as fh:
        job = import_create(
            actor=users["clerk"], upload=File(fh), name=path.name, register_cases=register_cases
        )
    kwargs = {"progress": progress} if progress else {}
    return import_run(job_id=job.pk, batch_size=batch_size, **kwargs)


def test_importing_the_sample_file_twice_yields_each_order_once(users, capsys):
    call_command("import_hotline", str(SAMPLE_CSV), "--actor", "clerk")
    first = capsys.readouterr()
    assert "12 imported, 0 already imported, 0 rejected" in first.out
    assert "cases: 12 registered" in first.out
    assert "[##############################] 13/13 rows" in first.err  # the progress bar
    call_command("import_hotline", str(SAMPLE_CSV), "--actor", "clerk")
    assert "0 imported, 12 already imported, 0 rejected" in capsys.readouterr().out
    # the .xlsx sample holds the same orders under Chinese headers
    call_command("import_hotline", str(SAMPLE_XLSX), "--actor", "clerk")
    assert "0 imported, 12 already imported, 0 rejected" in capsys.readouterr().out
    assert HotlineOrder.objects.count() == 12
    assert Case.objects.filter(channel=Channel.HOTLINE).count() == 12
    assert set(HotlineOrder.objects.values_list("status", flat=True)) == {OrderStatus.REGISTERED}


def test_xlsx_sample_imports_with_chinese_headers_and_date_cells(users):
    job = run(SAMPLE_XLSX, users)
    assert (job.state, job.imported, job.rejected, job.registered) == ("done", 12, 0, 12)
    order = HotlineOrder.objects.get(order_number="RX2026030200002")
    assert order.order_type == "help"
    assert order.is_urgent
    assert timezone.localtime(order.received_at).strftime("%Y-%m-%d %H:%M") == "2026-03-02 10:05"
    assert order.due_at == order.received_at + timedelta(hours=2)
    report = HotlineOrder.objects.get(order_number="RX2026030200004")
    assert report.case.petition_type == PetitionType.ACCUSATION


def test_the_uploaded_file_is_deleted_once_imported_and_kept_while_unfinished(users):
    from django.core.files.storage import default_storage

    def stop(phase, done, total):
        raise Interrupted

    with pytest.raises(Interrupted):
        run(SAMPLE_CSV, users, batch_size=5, progress=stop)
    job = ImportJob.objects.get()
    stored = job.file.name
    assert default_storage.exists(stored)
    job = import_run(job_id=job.pk)
    assert job.state == "done"
    assert not job.file
    assert not default_storage.exists(stored)


def test_xlsx_is_read_in_openpyxl_read_only_mode(users, monkeypatch):
    import xinfang.hotline.readers as readers

    calls = []
    original = readers.load_workbook

    def spy(*args, **kwargs):
        calls.append(kwargs)
        return original(*args, **kwargs)

    monkeypatch.setattr(readers, "load_workbook", spy)
    run(SAMPLE_XLSX, users, register_cases=False)
    assert calls
    assert all(c.get("read_only") is True for c in calls)


def test_bad_rows_are_reported_with_row_number_and_reason(users, write_csv):
    earlier = register(users)
    path = write_csv(
        [
            line("A1"),
            line("A2", order_type="gossip"),
            line("A3", received_at="2099-01-01 00:00"),
            line("A4", caller_name=""),
            line("A5", category="astrology"),
            line("A1", title="again"),
            line("A7", legal_procedure="已起诉至法院"),
            line("A8", petition_case=earlier.number),
            line("A 9"),
            line("A10", caller_phone="call me"),
            line("A11", division="110101"),
            line("A12", received_at="next tuesday"),
            line("A13", urgent="maybe"),
            line("A14", order_type="举报", urgent="是"),
        ]
    )
    job = run(path, users, register_cases=False)
    reasons = {e["row"]: (e["order_number"], e["reason"]) for e in job.errors}
    assert sorted(reasons) == [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]
    assert "order_type" in reasons[3][1]
    assert "future" in reasons[4][1]
    assert "caller_name" in reasons[5][1]
    assert "astrology" in reasons[6][1]
    assert "earlier in this file" in reasons[7][1]
    assert "legal procedure" in reasons[8][1]
    assert earlier.number in reasons[9][1]
    assert reasons[9][0] == "A8"
    assert (job.imported, job.rejected) == (2, 12)
    assert set(HotlineOrder.objects.values_list("order_number", flat=True)) == {"A1", "A14"}


def test_a_matter_of_the_same_caller_already_in_handling_is_not_taken(users, write_csv):
    register(users, petitioners=[PetitionerData(name="王伟", phone="13900000000")])
    path = write_csv(
        [
            line("B1"),  # same caller, same category (urban-rural), case in handling
            line("B2", category="labour"),  # same caller, another subject: taken
            line("B3", caller_phone="13900000009"),  # another caller: taken
        ]
    )
    job = run(path, users, register_cases=False)
    assert [e["row"] for e in job.errors] == [2]
    assert "already in the petition channel" in job.errors[0]["reason"]
    assert set(HotlineOrder.objects.values_list("order_number", flat=True)) == {"B2", "B3"}


def test_imported_rows_are_audited_and_registration_clears_caller_data(users):
    job = run(SAMPLE_CSV, users)
    record = AuditRecord.objects.get(action="hotline.order.import")
    assert len(record.after["orders"]) == 12
    assert AuditRecord.objects.filter(action="hotline.order.register").count() == 12
    order = HotlineOrder.objects.select_related("case").get(order_number="RX2026030200001")
    assert order.caller_name == ""
    assert order.caller_phone == ""
    person = order.case.petitioners.get()
    assert (person.name, person.phone) == ("王伟", "13800002001")
    assert order.case.received_on.isoformat() == "2026-03-02"
    assert job.import_seconds > 0
    assert job.register_seconds > 0


class Interrupted(Exception):
    pass


def test_an_interrupted_import_resumes_without_duplicates(users):
    def stop_after_first_batch(phase, done, total):
        if phase == "import" and done > 1:
            raise Interrupted

    with pytest.raises(Interrupted):
        run(SAMPLE_CSV, users, batch_size=5, progress=stop_after_first_batch)
    job = ImportJob.objects.get()
    assert job.state == ImportJob.State.IMPORTING
    assert (job.rows_done, job.imported) == (6, 5)  # header + 5 rows committed
    assert not import_resumable(job)  # its runner might still be alive
    assert import_resumable(job, now=timezone.now() + timedelta(minutes=3))
    job = import_run(job_id=job.pk, batch_size=5)
    assert (job.state, job.imported, job.duplicates, job.registered) == ("done", 12, 0, 12)
    assert HotlineOrder.objects.count() == 12


def test_even_a_lost_checkpoint_cannot_duplicate_orders(users):
    def stop_at_the_end(phase, done, total):
        if done == total:
            raise Interrupted  # every row is in, the job not yet marked done

    with pytest.raises(Interrupted):
        run(SAMPLE_CSV, users, register_cases=False, progress=stop_at_the_end)
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(rows_done=0)
    job = import_run(job_id=job.pk)
    assert (job.imported, job.duplicates) == (12, 12)
    assert HotlineOrder.objects.count() == 12


def test_a_finished_import_has_no_file_left_to_run_again(users):
    job = run(SAMPLE_CSV, users, register_cases=False)
    ImportJob.objects.filter(pk=job.pk).update(state="failed", rows_done=0)
    job = import_run(job_id=job.pk)
    assert job.state == "failed"
    assert "upload it again" in job.message


def test_resume_picks_up_an_interrupted_registration(users):
    job = run(SAMPLE_CSV, users, register_cases=False)
    ImportJob.objects.filter(pk=job.pk).update(register_cases=True, state="registering")
    job = import_run(job_id=job.pk)
    assert (job.state, job.registered, job.to_register) == ("done", 12, 12)
    assert Case.objects.count() == 12


def test_a_file_without_the_required_columns_fails_with_a_message(users, tmp_path):
    path = tmp_path / "wrong.csv"
    path.write_text("number,text\n1,hello\n", encoding="utf-8")
    job = run(path, users)
    assert job.state == ImportJob.State.FAILED
    assert "order_number" in job.message


def test_gb18030_csv_is_read(users, write_csv, tmp_path):
    text = SAMPLE_CSV.read_text(encoding="utf-8")
    path = tmp_path / "gbk.csv"
    path.write_bytes(text.encode("gb18030"))
    job = run(path, users, register_cases=False)
    assert (job.imported, job.rejected) == (12, 0)
    assert HotlineOrder.objects.get(order_number="RX2026030200001").title == "小区楼顶漏水无人维修"


def test_generated_files_import_and_bad_rows_are_counted(users, tmp_path, capsys):
    for suffix in ("csv", "xlsx"):
        path = tmp_path / f"gen.{suffix}"
        call_command(
            "generate_hotline_file",
            str(path),
            "--rows",
            "60",
            "--bad-every",
            "10",
            "--prefix",
            f"G{suffix}",
        )
        job = run(path, users, register_cases=False)
        assert (job.imported, job.rejected, job.total_rows) == (54, 6, 61)
    capsys.readouterr()


def test_only_hotline_staff_may_import(users):
    from xinfang.core.errors import PermissionDeniedError

    with SAMPLE_CSV.open("rb") as fh, pytest.raises(PermissionDeniedError):
        import_create(actor=users["handler"], upload=File(fh), name="x.csv")
    with SAMPLE_CSV.open("rb") as fh, pytest.raises(PermissionDeniedError):
        # a supervisor may import, but only an intake clerk registers cases
        import_create(actor=users["supervisor"], upload=File(fh), name="x.csv")
    with SAMPLE_CSV.open("rb") as fh:
        job = import_create(
            actor=users["supervisor"], upload=File(fh), name="x.csv", register_cases=False
        )
    assert job.created_by == users["supervisor"]
