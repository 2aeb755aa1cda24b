from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from xinfang.audit.db_guard import remove_guard
from xinfang.audit.models import AuditRecord, AuditTamperError
from xinfang.audit.services import audit_log, verify_chain

pytestmark = pytest.mark.django_db


def _append(n: int) -> list[AuditRecord]:
    return [
        audit_log(
            actor=None,
            action="test.change",
            object_type="test.thing",
            object_id=str(i),
            before={"status": "a"},
            after={"status": "b", "名称": "中文"},
        )
        for i in range(n)
    ]


def test_records_link_to_their_predecessor():
    first, second, third = _append(3)
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    report = verify_chain()
    assert report.ok
    assert report.checked == AuditRecord.objects.count()


def test_verify_command_reports_ok(capsys):
    _append(2)
    call_command("verify_audit")
    assert "audit chain OK" in capsys.readouterr().out


def test_orm_cannot_change_or_delete_records():
    record = _append(1)[0]
    record.action = "forged"
    with pytest.raises(AuditTamperError):
        record.save()
    with pytest.raises(AuditTamperError):
        record.delete()
    with pytest.raises(AuditTamperError):
        AuditRecord.objects.filter(pk=record.pk).update(action="forged")
    with pytest.raises(AuditTamperError):
        AuditRecord.objects.all().delete()


def test_database_trigger_refuses_raw_update():
    record = _append(1)[0]
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE audit_auditrecord SET action = 'forged' WHERE id = %s", [record.pk])


def _drop_triggers() -> None:
    """What a malicious DBA could do; the hash chain still catches the change."""
    remove_guard(connection)


@pytest.mark.django_db(transaction=True)
def test_verify_audit_catches_a_tampered_row():
    records = _append(5)
    _drop_triggers()
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE audit_auditrecord SET after = %s WHERE id = %s",
            ['{"status": "forged"}', records[2].pk],
        )
    with pytest.raises(CommandError, match=f"BROKEN at record {records[2].pk}"):
        call_command("verify_audit")


@pytest.mark.django_db(transaction=True)
def test_verify_audit_catches_a_deleted_row():
    records = _append(5)
    _drop_triggers()
    with connection.cursor() as cur:
        cur.execute("DELETE FROM audit_auditrecord WHERE id = %s", [records[1].pk])
    report = verify_chain()
    assert not report.ok
    assert report.broken_at == records[2].pk


def test_client_address_is_recorded(client, users):
    client.post(
        "/accounts/login/",
        {"username": "clerk", "password": "wrong-password"},
        REMOTE_ADDR="10.1.2.3",
    )
    failed = AuditRecord.objects.filter(action="auth.login_failed").last()
    assert failed is not None
    assert failed.client_address == "10.1.2.3"
    assert failed.object_repr == "clerk"
    assert "wrong-password" not in str(failed.after) + str(failed.before)
