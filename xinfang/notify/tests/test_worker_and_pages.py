"""The background path end to end (database queue and a real db_worker), and the staff page
listing the messages of a case."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django_tasks import task_backends
from django_tasks_db.models import DBTaskResult

from xinfang.cases.tests.factories import register
from xinfang.notify.models import Event, Message, MessageStatus
from xinfang.notify.services import notify_petitioner

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.mark.django_db(transaction=True)
def test_a_worker_tells_the_petitioner_once_the_registration_is_committed(users):
    with override_settings(TASKS=DB_TASKS):
        assert type(task_backends["default"]).__name__ == "DatabaseBackend"
        with transaction.atomic():
            case = register(users)
            assert DBTaskResult.objects.count() == 0  # enqueued only on commit
        [dispatch] = DBTaskResult.objects.filter(status="READY")
        assert dispatch.task_path == "xinfang.notify.tasks.dispatch_case_event"
        assert not Message.objects.filter(case=case).exists()  # the request queued nothing
        # The worker runs the dispatch, which queues the SMS, and then the send task.
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    results = {r.task_path: r for r in DBTaskResult.objects.all()}
    assert {r.status for r in results.values()} == {"SUCCESSFUL"}
    assert results["xinfang.notify.tasks.dispatch_case_event"].return_value == 1
    assert results["xinfang.notify.tasks.send_message"].return_value == "sent"
    [message] = Message.objects.filter(case=case)
    assert (message.event, message.status) == (Event.REGISTERED, MessageStatus.SENT)
    assert case.query_code in message.body


@pytest.mark.django_db
def test_staff_see_the_messages_of_a_case_masked(client, users):
    case = register(users)
    notify_petitioner(case=case, event=Event.REGISTERED)
    client.force_login(users["clerk"])
    html = client.get(f"/notify/cases/{case.pk}/").content.decode()
    assert "138****1111" in html
    assert "13800001111" not in html
    assert 'data-status="queued"' in html  # sent only after the commit


@pytest.mark.django_db
def test_a_clerk_sends_a_failed_message_again(client, users, django_capture_on_commit_callbacks):
    case = register(users)
    [message] = notify_petitioner(case=case, event=Event.ACCEPTED)
    Message.objects.filter(pk=message.pk).update(status=MessageStatus.FAILED, error="down")
    client.force_login(users["clerk"])
    assert (
        f"/notify/cases/{case.pk}/{message.pk}/retry/"
        in client.get(f"/notify/cases/{case.pk}/").content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/notify/cases/{case.pk}/{message.pk}/retry/")
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    client.force_login(users["handler2"])
    assert client.get(f"/notify/cases/{case.pk}/").status_code == 404
