"""Messages are stored with the case, sent after commit by the background task, once."""

from __future__ import annotations

import logging

import pytest
from django.db import transaction
from django.utils import translation

from xinfang.audit.models import AuditRecord
from xinfang.cases.services import PetitionerData
from xinfang.cases.tests.factories import register
from xinfang.core.errors import DomainError, PermissionDeniedError
from xinfang.notify.models import Channel, Event, Message, MessageStatus
from xinfang.notify.services import (
    contact_set,
    message_retry,
    message_send,
    mobile_number,
    notify_petitioner,
)

pytestmark = pytest.mark.django_db


def test_sms_to_the_petitioner_is_stored_and_sent_after_commit(
    users, django_capture_on_commit_callbacks
):
    case = register(users)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        [message] = notify_petitioner(case=case, event=Event.REGISTERED)
    assert message.status == MessageStatus.QUEUED  # nothing goes out before the commit
    assert message.channel == Channel.SMS
    assert message.recipient_masked == "138****1111"
    assert case.query_code in message.body
    assert case.number in message.body
    assert len(callbacks) == 1
    callbacks[0]()
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.sent_at is not None
    assert message.recipient == ""  # the full number is not kept once sent
    assert message.backend == "xinfang.notify.backends.LoggingSMSBackend"
    actions = set(
        AuditRecord.objects.filter(object_type="notify.message").values_list("action", flat=True)
    )
    assert actions == {"notify.message.queue", "notify.message.send"}


def test_a_rolled_back_transaction_sends_nothing(users, django_capture_on_commit_callbacks):
    case = register(users)

    def refused_registration() -> None:
        with transaction.atomic():
            notify_petitioner(case=case, event=Event.ACCEPTED)
            raise RuntimeError("registration refused")

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
    ):
        refused_registration()
    assert callbacks == []
    assert Message.objects.count() == 0


def test_each_event_is_sent_once_per_channel(users, django_capture_on_commit_callbacks):
    case = register(users)
    contact_set(actor=None, case=case, email="zhang@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        first = notify_petitioner(case=case, event=Event.REPLIED)
        again = notify_petitioner(case=case, event=Event.REPLIED)
    assert {m.channel for m in first} == {"sms", "email"}
    assert again == []
    assert Message.objects.filter(case=case).count() == 2
    email = Message.objects.get(channel="email")
    assert email.recipient_masked == "z****@example.com"
    assert email.subject
    assert case.number in email.subject


def test_declined_sms_and_landlines_get_no_sms(users):
    case = register(users)
    contact_set(actor=None, case=case, sms=False)
    assert notify_petitioner(case=case, event=Event.ACCEPTED) == []
    landline = register(users, petitioners=[PetitionerData(name="王五", phone="0877-3012345")])
    assert notify_petitioner(case=landline, event=Event.ACCEPTED) == []


def test_the_message_is_written_in_the_petitioner_s_language(users):
    case = register(users)
    with translation.override("zh-hans"):
        [message] = notify_petitioner(case=case, event=Event.REGISTERED, language="en")
    assert "Your query code is" in message.body


def test_the_logging_backend_writes_a_masked_number(users, caplog):
    case = register(users)
    caplog.set_level(logging.INFO, logger="xinfang.notify")
    [message] = notify_petitioner(case=case, event=Event.ACCEPTED)
    message_send(message_id=message.pk)
    assert "138****1111" in caplog.text
    assert "13800001111" not in caplog.text


def test_a_message_is_claimed_once(users):
    case = register(users)
    [message] = notify_petitioner(case=case, event=Event.ACCEPTED)
    assert message_send(message_id=message.pk) is not None
    assert message_send(message_id=message.pk) is None
    message.refresh_from_db()
    assert message.attempts == 1


def test_retry_needs_a_failed_message_and_a_clerk(users):
    case = register(users)
    [message] = notify_petitioner(case=case, event=Event.ACCEPTED)
    with pytest.raises(DomainError):
        message_retry(actor=users["clerk"], message=message)  # queued, not failed
    Message.objects.filter(pk=message.pk).update(status=MessageStatus.FAILED)
    with pytest.raises(PermissionDeniedError):
        message_retry(actor=users["handler"], message=message)
    assert message_retry(actor=users["clerk"], message=message).status in {
        MessageStatus.QUEUED,
        MessageStatus.SENT,
    }


@pytest.mark.parametrize(
    ("phone", "mobile"),
    [
        ("13800001111", "13800001111"),
        ("+86 139-1234-5678", "13912345678"),
        ("0877-3012345", ""),
        ("", ""),
    ],
)
def test_mobile_numbers(phone, mobile):
    assert mobile_number(phone) == mobile


def test_an_invalid_email_is_refused(users):
    with pytest.raises(DomainError):
        contact_set(actor=None, case=register(users), email="not-an-address")
