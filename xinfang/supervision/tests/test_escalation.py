"""The escalation ladder on the working-day calendar: each rung fires once and only once.

The dates cross the 2026 Mid-Autumn and National Day holidays (9-25, 10-1..10-7 rest days;
Saturday 10-10 a make-up working day), so the rung dates only come out right on the real
calendar of xinfang.cases.deadlines.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from xinfang.audit.models import AuditRecord
from xinfang.cases.services import case_accept
from xinfang.core.models import Notification
from xinfang.supervision.escalation import due_steps, escalation_fire, plan_escalations
from xinfang.supervision.models import EscalationNotice, EscalationRule, ItemKind, Step
from xinfang.supervision.rules import fire_date, working_days_before
from xinfang.supervision.services import (
    ensure_default_rules,
    item_answer,
    item_open,
    item_send_back,
    rule_save,
)
from xinfang.supervision.tasks import run_sweep, supervision_sweep

from .factories import routed

pytestmark = pytest.mark.django_db
LOCAL = ZoneInfo("Asia/Shanghai")

OPENED = date(2026, 9, 21)
DUE = date(2026, 9, 30)
# The default ladder against a due date of 2026-09-30:
EXPECTED = {
    Step.REMINDER: date(2026, 9, 28),  # 2 working days before (9-29, 9-28)
    Step.WARNING: date(2026, 10, 8),  # 1st working day after: the holiday week is skipped
    Step.UNIT_HEAD: date(2026, 10, 10),  # 3rd: 10-8, 10-9, Saturday 10-10 (make-up day)
    Step.LEADER: date(2026, 10, 13),  # 5th: ..., 10-12, 10-13
}


def days(start: date, end: date):
    d = start
    while d <= end:
        yield d
        d += timedelta(days=1)


@pytest.fixture
def order(users, zjj):
    ensure_default_rules()
    return item_open(
        actor=users["supervisor"],
        kind=ItemKind.ORDER,
        title="督办：楼顶漏水",
        text="请报告维修进展。",
        unit=zjj,
        due_on=DUE,
        today=OPENED,
    )


def test_rung_dates_follow_the_working_day_calendar():
    assert working_days_before(DUE, 2) == date(2026, 9, 28)
    assert working_days_before(date(2026, 9, 28), 1) == date(2026, 9, 24)  # 9-25..27 rest
    for step, rule_offset in [
        (Step.REMINDER, -2),
        (Step.WARNING, 1),
        (Step.UNIT_HEAD, 3),
        (Step.LEADER, 5),
    ]:
        assert fire_date(due=DUE, offset_days=rule_offset) == EXPECTED[step]
    assert fire_date(due=DUE, offset_days=0) == DUE


def test_each_rung_fires_once_on_its_day_even_when_the_sweep_runs_twice_a_day(users, order):
    fired_on: dict[str, list[date]] = {}
    for day in days(OPENED, date(2026, 10, 31)):
        for _run in range(2):  # the sweep runs every hour; twice a day is enough to show it
            before = set(EscalationNotice.objects.values_list("pk", flat=True))
            run_sweep(today=day)
            for notice in EscalationNotice.objects.exclude(pk__in=before):
                fired_on.setdefault(notice.step, []).append(day)
    assert fired_on == {step: [d] for step, d in EXPECTED.items()}
    assert EscalationNotice.objects.filter(item=order).count() == 4
    order.refresh_from_db()
    assert order.escalation_level == 4

    def told(step: str) -> list[str]:
        return sorted(
            Notification.objects.filter(kind=f"supervision.{step}").values_list(
                "user__username", flat=True
            )
        )

    # Who is told, per the default rules: each person once per rung.
    assert told("reminder") == ["handler"]
    assert told("warning") == ["handler", "supervisor", "unithead"]
    assert told("unit_head") == ["supervisor", "unithead"]
    assert told("leader") == ["leader", "supervisor", "unithead"]
    # Each rung is audited once, against the item.
    actions = list(
        AuditRecord.objects.filter(action__startswith="supervision.escalation.").values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == sorted(f"supervision.escalation.{s}" for s in EXPECTED)
    assert [e.action for e in order.events.all()] == [
        "open",
        "escalation.reminder",
        "escalation.warning",
        "escalation.unit_head",
        "escalation.leader",
    ]


def test_nothing_fires_before_its_day(order):
    assert due_steps(today=date(2026, 9, 25)) == []  # rest day, before the reminder
    assert [p.fire_on for p in due_steps(today=date(2026, 9, 28))] == [EXPECTED[Step.REMINDER]]
    # 10-1..10-7 are rest days: overdue, but the warning waits for the first working day.
    run_sweep(today=date(2026, 9, 28))
    assert due_steps(today=date(2026, 10, 7)) == []


def test_a_sweep_that_was_down_catches_up_without_stale_reminders(order):
    """Nothing ran from 9-21 to 10-12: the reminder is no use any more, the three later rungs
    fire in order, once."""
    run_sweep(today=date(2026, 10, 12))
    assert list(EscalationNotice.objects.order_by("fire_on").values_list("step", flat=True)) == [
        Step.WARNING,
        Step.UNIT_HEAD,
    ]
    run_sweep(today=date(2026, 10, 13))
    run_sweep(today=date(2026, 10, 13))
    assert EscalationNotice.objects.count() == 3
    assert not EscalationNotice.objects.filter(step=Step.REMINDER).exists()


def test_an_answer_stops_the_ladder(users, order):
    run_sweep(today=date(2026, 10, 8))  # the warning (the reminder is stale by then)
    item_answer(
        actor=users["handler"], item=order, answer="已维修完毕，业主确认。", today=date(2026, 10, 9)
    )
    for day in days(date(2026, 10, 9), date(2026, 10, 31)):
        run_sweep(today=day)
    assert set(EscalationNotice.objects.values_list("step", flat=True)) == {Step.WARNING}


def test_sent_back_with_a_new_date_the_ladder_runs_again_for_that_date(users, order):
    for day in days(OPENED, date(2026, 10, 8)):
        run_sweep(today=day)
    order = item_answer(
        actor=users["handler"], item=order, answer="已安排维修。", today=date(2026, 10, 8)
    )
    item_send_back(
        actor=users["supervisor"],
        item=order,
        reason="未说明完工时间。",
        due_on=date(2026, 10, 16),
        today=date(2026, 10, 9),
    )
    for day in days(date(2026, 10, 9), date(2026, 10, 31)):
        run_sweep(today=day)
    by_due = set(EscalationNotice.objects.values_list("due_on", "step", "sent_on"))
    assert by_due == {
        (DUE, Step.REMINDER, date(2026, 9, 28)),
        (DUE, Step.WARNING, date(2026, 10, 8)),
        (date(2026, 10, 16), Step.REMINDER, date(2026, 10, 14)),
        (date(2026, 10, 16), Step.WARNING, date(2026, 10, 19)),
        (date(2026, 10, 16), Step.UNIT_HEAD, date(2026, 10, 21)),
        (date(2026, 10, 16), Step.LEADER, date(2026, 10, 23)),
    }


def test_two_workers_firing_the_same_rung_store_one_notice(users, order):
    """The race of two workers, interleaved: both planned the rung before either fired."""
    today = EXPECTED[Step.WARNING]
    run_sweep(today=today - timedelta(days=1))
    plans_a = due_steps(today=today)
    plans_b = due_steps(today=today)
    assert plans_a == plans_b
    assert len(plans_a) == 1
    p = plans_a[0]
    first = escalation_fire(
        rule_id=p.rule_id, subject_key=p.subject_key, due_on=p.due_on, today=today
    )
    second = escalation_fire(
        rule_id=p.rule_id, subject_key=p.subject_key, due_on=p.due_on, today=today
    )
    assert first is not None
    assert second is None
    assert EscalationNotice.objects.filter(step=Step.WARNING).count() == 1
    assert Notification.objects.filter(kind="supervision.warning").count() == 3


def test_a_switched_off_rule_does_not_fire_and_an_edited_one_moves(users, order):
    reminder = EscalationRule.objects.get(code="item-reminder")
    rule_save(
        actor=users["admin"],
        rule=reminder,
        name=reminder.name,
        subject=reminder.subject,
        kind="",
        step=reminder.step,
        offset_days=-2,
        recipients=reminder.recipients,
        is_active=False,
    )
    warning = EscalationRule.objects.get(code="item-warning")
    rule_save(
        actor=users["admin"],
        rule=warning,
        name="当日预警",
        subject=warning.subject,
        kind="",
        step=warning.step,
        offset_days=0,
        recipients=["unit_staff"],
    )
    for day in days(OPENED, date(2026, 10, 7)):
        run_sweep(today=day)
    assert list(EscalationNotice.objects.values_list("step", "sent_on")) == [(Step.WARNING, DUE)]


def test_a_rule_for_one_kind_leaves_the_other_kinds_alone(users, order, zjj):
    rule_save(
        actor=users["admin"],
        rule=None,
        code="instruction-day-before",
        name="批示到期前一日提醒领导",
        subject="item",
        kind=ItemKind.INSTRUCTION,
        step=Step.REMINDER,
        offset_days=-1,
        recipients=["leader"],
    )
    instruction = item_open(
        actor=users["leader"],
        kind=ItemKind.INSTRUCTION,
        title="县长批示：尽快解决",
        text="请住建局一周内解决。",
        unit=zjj,
        due_on=DUE,
        today=OPENED,
    )
    run_sweep(today=date(2026, 9, 29))
    notices = EscalationNotice.objects.filter(rule__code="instruction-day-before")
    assert [n.item_id for n in notices] == [instruction.pk]
    assert notices.get().recipients == ["leader"]  # the assigning leader


def test_an_overdue_case_gets_one_supervision_order_from_the_rule(users):
    ensure_default_rules()
    case = routed(users, on=date(2026, 9, 1))  # acceptance decision due 9-16
    assert case.due_on == date(2026, 9, 16)
    for day in days(date(2026, 9, 1), date(2026, 9, 30)):
        run_sweep(today=day)
        run_sweep(today=day)
    notice = EscalationNotice.objects.get(rule__code="case-overdue-order")
    # 3rd working day after 9-16: 9-17, 9-18 and Sunday 9-20, a make-up working day.
    assert notice.sent_on == date(2026, 9, 20)
    order = notice.opened_item
    assert order.kind == ItemKind.ORDER
    assert order.case == case
    assert order.rule == notice.rule
    assert order.unit.code == "zjj"
    assert order.opened_by is None
    assert order.due_on == date(2026, 9, 28)  # 5 working days; 9-25 is Mid-Autumn
    assert case.supervision_items.count() == 1
    # ... and the order itself then climbs the item ladder.
    assert EscalationNotice.objects.filter(item=order, step=Step.REMINDER).exists()
    assert (
        AuditRecord.objects.filter(
            action="supervision.escalation.open_order", object_id=str(case.pk)
        ).count()
        == 1
    )


def test_a_case_overdue_on_its_rework_gets_no_second_order(users):
    from xinfang.cases.services import case_reply
    from xinfang.supervision.quality import CHECKLIST_CODES, quality_decide, quality_select

    ensure_default_rules()
    case = case_accept(
        actor=users["handler"], case=routed(users, on=date(2026, 9, 1)), today=date(2026, 9, 2)
    )
    case = case_reply(
        actor=users["handler"],
        case=case,
        outcome="supported",
        text="经现场核实，已责成物业维修楼顶防水层。",
        today=date(2026, 9, 7),
    )
    checks = {**dict.fromkeys(CHECKLIST_CODES, True), "facts_clear": False}
    quality_decide(
        actor=users["inspector"],
        inspection=quality_select(actor=users["inspector"], case=case, today=date(2026, 9, 8)),
        checks=checks,
        notes={"facts_clear": "事实未查清"},
        today=date(2026, 9, 8),
    )
    case.refresh_from_db()
    # The rework's date: 10 working days (Sunday 9-20 is a make-up working day).
    assert case.due_on == date(2026, 9, 21)
    for day in days(date(2026, 9, 8), date(2026, 10, 20)):
        run_sweep(today=day)
    rework = case.supervision_items.get()
    assert rework.kind == ItemKind.REWORK
    notice = EscalationNotice.objects.get(rule__code="case-overdue-order")
    assert notice.opened_item == rework
    assert EscalationNotice.objects.filter(item=rework, step=Step.WARNING).exists()


def test_a_case_accepted_in_time_gets_no_order(users):
    ensure_default_rules()
    case = routed(users, on=date(2026, 9, 1))
    case = case_accept(actor=users["handler"], case=case, today=date(2026, 9, 2))
    for day in days(date(2026, 9, 1), date(2026, 10, 31)):
        run_sweep(today=day)
    assert case.handling_due == date(2026, 11, 2)  # 60 days, moved off Sunday 11-1
    assert not EscalationNotice.objects.exists()


def test_the_sweep_task_uses_todays_local_date(users, order):
    """No ``today``: the task reads the (frozen) clock, in the county's time zone."""
    with time_machine.travel(datetime(2026, 10, 8, 0, 30, tzinfo=LOCAL), tick=False):
        result = supervision_sweep.enqueue()
    assert result.return_value["escalations_enqueued"] == 1  # the warning, no stale reminder
    assert list(EscalationNotice.objects.values_list("step", "sent_on")) == [
        (Step.WARNING, date(2026, 10, 8))
    ]


def test_plan_enqueues_one_task_per_rung(order):
    assert plan_escalations(today=date(2026, 10, 10)) == 2  # warning and unit head
    assert plan_escalations(today=date(2026, 10, 10)) == 0
