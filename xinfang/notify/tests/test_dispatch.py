"""The petitioner is told about each step of their case that concerns them, read from the case
timeline after the step is committed; internal steps tell nobody; nothing is sent twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from xinfang.cases.models import CaseEvent, LegalChannel, Outcome
from xinfang.cases.services import (
    case_accept,
    case_decide_rereview,
    case_decide_review,
    case_divert,
    case_extend,
    case_reply,
    case_request_rereview,
    case_request_review,
    case_route,
)
from xinfang.cases.tests.factories import register
from xinfang.notify.dispatch import dispatch_event, dispatch_pending, pending_event_ids
from xinfang.notify.models import Event, EventNotice, Message, MessageStatus
from xinfang.notify.services import contact_set
from xinfang.org.models import Unit

pytestmark = pytest.mark.django_db

ANSWER = "经现场核查，楼顶防水层老化属实，已责成物业公司于本月底前完成维修。"


def sent_events(case) -> list[str]:
    return list(Message.objects.filter(case=case).order_by("id").values_list("event", flat=True))


def test_every_step_that_concerns_the_petitioner_is_told_once_committed(
    users, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = register(users)
    assert sent_events(case) == [Event.REGISTERED]
    with django_capture_on_commit_callbacks(execute=True):
        case = case_route(actor=users["clerk"], case=case, unit=Unit.objects.get(code="zjj"))
    assert sent_events(case) == [Event.REGISTERED]  # routing is internal
    with django_capture_on_commit_callbacks(execute=True):
        case = case_accept(actor=users["handler"], case=case, today=case.routed_on)
        case = case_extend(
            actor=users["unithead"], case=case, days=20, reason="需委托第三方检测屋面"
        )
        case = case_reply(actor=users["handler"], case=case, outcome=Outcome.SUPPORTED, text=ANSWER)
        case = case_request_review(actor=None, case=case, reason="不同意处理意见。")
        case = case_decide_review(
            actor=users["supervisor"], case=case, outcome=Outcome.SUPPORTED, text=ANSWER
        )
        case = case_request_rereview(actor=None, case=case, reason="仍不同意复查意见。")
        case = case_decide_rereview(
            actor=users["supervisor"], case=case, outcome=Outcome.SUPPORTED, text=ANSWER
        )
    assert sent_events(case) == [
        Event.REGISTERED,
        Event.ACCEPTED,
        Event.EXTENDED,
        Event.REPLIED,
        Event.REVIEW_DECIDED,
        Event.REREVIEW_DECIDED,
    ]
    assert set(Message.objects.filter(case=case).values_list("status", flat=True)) == {
        MessageStatus.SENT
    }
    replied = Message.objects.get(case=case, event=Event.REPLIED)
    assert case.evaluation_due.isoformat() in replied.body  # rate by this date
    extended = Message.objects.get(case=case, event=Event.EXTENDED)
    assert case.handling_due.isoformat() in extended.body
    assert users["handler"].full_name not in "".join(
        Message.objects.filter(case=case).values_list("body", flat=True)
    )


def test_a_step_that_is_rolled_back_tells_nobody(users, django_capture_on_commit_callbacks):
    case = case_route(actor=users["clerk"], case=register(users), unit=Unit.objects.get(code="zjj"))

    def failing_request() -> None:
        with transaction.atomic():
            case_accept(actor=users["handler"], case=case, today=case.routed_on)
            raise RuntimeError("the request failed after the step")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        failing_request()
    assert not Message.objects.filter(case=case, event=Event.ACCEPTED).exists()
    assert pending_event_ids() == [
        e.pk for e in CaseEvent.objects.filter(case=case, action="register")
    ]


def test_an_event_is_handled_once_however_often_it_is_dispatched(users):
    case = register(users)  # no on_commit here: the task was "lost"
    event = CaseEvent.objects.get(case=case, action="register")
    assert dispatch_event(event_id=event.pk) == 1
    assert dispatch_event(event_id=event.pk) is None
    assert dispatch_pending() == 0
    assert sent_events(case) == [Event.REGISTERED]
    assert EventNotice.objects.get(case_event=event).messages == 1


def test_the_periodic_catch_up_sends_what_a_lost_task_did_not(users):
    case = register(users)
    case = case_route(actor=users["clerk"], case=case, unit=Unit.objects.get(code="zjj"))
    case_accept(actor=users["handler"], case=case, today=case.routed_on)
    route = CaseEvent.objects.get(case=case, action="route")
    assert route.pk not in pending_event_ids()  # internal steps are not even looked at
    assert dispatch_pending() == 2
    assert sent_events(case) == [Event.REGISTERED, Event.ACCEPTED]


def test_steps_older_than_the_look_back_are_not_notified(users, settings):
    case = register(users)
    settings.XINFANG_NOTIFY = {**settings.XINFANG_NOTIFY, "LOOKBACK_HOURS": 48}
    with time_machine.travel(timezone.now() + timedelta(hours=49)):
        assert pending_event_ids() == []
        assert dispatch_pending() == 0
    assert sent_events(case) == []


def test_a_petitioner_without_a_mobile_is_not_asked_again(users):
    from xinfang.cases.services import PetitionerData

    case = register(users, petitioners=[PetitionerData(name="王五", phone="0877-4567890")])
    assert dispatch_pending() == 0
    assert pending_event_ids() == []  # dealt with, although nothing could be sent
    assert EventNotice.objects.filter(case_event__case=case, messages=0).count() == 1


def diverted(users, **contact):
    case = register(users)
    contact_set(actor=None, case=case, **contact)
    return case_divert(
        actor=users["clerk"],
        case=case,
        to=LegalChannel.LITIGATION,
        reason="属于民事纠纷，请向人民法院起诉。",
    )


def test_a_matter_for_a_legal_procedure_tells_where_to_turn(users):
    case = diverted(users, email="lisi@example.com", sms=False)
    dispatch_pending()
    [message] = Message.objects.filter(case=case, event=Event.DIVERTED)
    assert message.channel == "email"
    assert "诉讼" in message.body  # zh-Hans, the default language


def test_the_message_is_in_the_language_the_petitioner_used(users):
    case = diverted(users, sms=True, language="en")
    dispatch_pending()
    message = Message.objects.get(case=case, event=Event.DIVERTED)
    assert "(Litigation)" in message.body
    assert "诉讼" not in message.body
