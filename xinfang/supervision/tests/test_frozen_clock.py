"""Done when (issue 6): a case driven past each deadline on a frozen clock sees each reminder,
warning and escalation happen once and only once, also when the sweep runs several times a day
and when two workers run it at the same moment (PostgreSQL: two threads, two connections).

The sweep here is the real periodic task (tasks.supervision_sweep) with no date given: it reads
the frozen clock in the county's time zone. The dates cross the 2026 Mid-Autumn and National Day
holidays, so every rung date below comes out right only on the real working-day calendar.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.db.models import Count
from django.test import override_settings

from xinfang.audit.models import AuditRecord
from xinfang.cases.models import Case
from xinfang.cases.services import case_accept, case_evaluate, case_reply
from xinfang.core.models import Notification
from xinfang.org.models import Unit
from xinfang.supervision.models import (
    BacklogEntry,
    EscalationNotice,
    FollowUp,
    ItemKind,
    QualityInspection,
    Step,
    SupervisionItem,
)
from xinfang.supervision.quality import _sample_fraction
from xinfang.supervision.services import item_open
from xinfang.supervision.tasks import run_sweep, supervision_sweep

from .factories import answered, routed

LOCAL = ZoneInfo("Asia/Shanghai")
# The sweep runs hourly; three runs a day show the point: just after local midnight (still the
# day before in UTC), in the morning and late in the evening.
RUN_TIMES = (time(0, 30), time(8, 0), time(23, 30))


def days(start: date, end: date) -> Iterator[date]:
    d = start
    while d <= end:
        yield d
        d += timedelta(days=1)


def sweep_on_the_clock(day: date) -> list[tuple[time, int]]:
    """Run the periodic task at each of RUN_TIMES on ``day``; return (time, new notices)."""
    out = []
    for at in RUN_TIMES:
        before = EscalationNotice.objects.count()
        with time_machine.travel(datetime.combine(day, at, tzinfo=LOCAL), tick=False):
            supervision_sweep.enqueue()
        out.append((at, EscalationNotice.objects.count() - before))
    return out


@pytest.mark.django_db
def test_a_case_past_each_deadline_on_a_frozen_clock_sees_each_rung_once(users):
    """Routed on 9-1 and never accepted: the acceptance limit (15 days, 9-16) passes; three
    working days later the rule opens a supervision order (due in 5 working days); the order
    then climbs its ladder: reminder, warning notice, unit head, leader. Each once."""
    case = routed(users, on=date(2026, 9, 1))
    assert case.due_on == date(2026, 9, 16)
    fired: dict[tuple[str, str], list[tuple[date, time]]] = {}
    for day in days(date(2026, 9, 1), date(2026, 10, 31)):
        seen = set(EscalationNotice.objects.values_list("pk", flat=True))
        runs = sweep_on_the_clock(day)
        new = EscalationNotice.objects.exclude(pk__in=seen)
        for notice in new:
            fired.setdefault((notice.subject_key.split(":")[0], notice.step), []).append(
                (day, notice.created_at.astimezone(LOCAL).time())
            )
        # Whatever fires on a day fires at the first run of that day, never at a later one.
        assert [n for _at, n in runs[1:]] == [0, 0], (day, runs)

    order = SupervisionItem.objects.get(case=case, kind=ItemKind.ORDER)
    assert (order.opened_by, order.unit.code, order.due_on) == (None, "zjj", date(2026, 9, 28))
    first_run = RUN_TIMES[0]
    assert fired == {
        # 3rd working day after 9-16: 9-17, 9-18, Sunday 9-20 (a make-up working day).
        ("case", Step.OPEN_ORDER): [(date(2026, 9, 20), first_run)],
        # 2 working days before 9-28 (9-25 Mid-Autumn and the weekend are rest days).
        ("item", Step.REMINDER): [(date(2026, 9, 23), first_run)],
        ("item", Step.WARNING): [(date(2026, 9, 29), first_run)],
        # 3rd working day after 9-28: 9-29, 9-30, then 10-8 after the National Day week.
        ("item", Step.UNIT_HEAD): [(date(2026, 10, 8), first_run)],
        # 5th: 10-9 and Saturday 10-10, a make-up working day.
        ("item", Step.LEADER): [(date(2026, 10, 10), first_run)],
    }
    assert SupervisionItem.objects.filter(case=case).count() == 1
    order.refresh_from_db()
    assert order.escalation_level == 4

    # Who was told, each person once per rung.
    told = Counter(
        Notification.objects.filter(kind__startswith="supervision.").values_list(
            "kind", "user__username"
        )
    )
    assert told == {
        ("supervision.opened", "handler"): 1,
        ("supervision.opened", "unithead"): 1,
        ("supervision.open_order", "handler"): 1,
        ("supervision.open_order", "unithead"): 1,
        ("supervision.open_order", "supervisor"): 1,
        ("supervision.reminder", "handler"): 1,
        ("supervision.warning", "handler"): 1,
        ("supervision.warning", "unithead"): 1,  # opener: none, the rule opened it
        ("supervision.unit_head", "unithead"): 1,
        ("supervision.unit_head", "supervisor"): 1,
        ("supervision.leader", "leader"): 1,  # no assigning leader: the county leaders
        ("supervision.leader", "unithead"): 1,
        ("supervision.leader", "supervisor"): 1,
    }
    # Each rung stored and audited once.
    assert Counter(
        AuditRecord.objects.filter(action__startswith="supervision.escalation.").values_list(
            "action", flat=True
        )
    ) == {f"supervision.escalation.{s}": 1 for s in Step.values}


@pytest.mark.django_db
def test_an_answer_on_the_frozen_clock_stops_what_has_not_fired(users):
    case = routed(users, on=date(2026, 9, 1))
    for day in days(date(2026, 9, 1), date(2026, 9, 29)):
        sweep_on_the_clock(day)
    order = SupervisionItem.objects.get(case=case)
    from xinfang.supervision.services import item_answer

    item_answer(actor=users["handler"], item=order, answer="已受理并告知信访人。")
    for day in days(date(2026, 9, 30), date(2026, 10, 31)):
        sweep_on_the_clock(day)
    assert sorted(EscalationNotice.objects.values_list("step", flat=True)) == sorted(
        [Step.OPEN_ORDER, Step.REMINDER, Step.WARNING]
    )


# --- the whole sweep, everything at once --------------------------------------------------


def _scenario(users: dict[str, Any]) -> dict[str, Any]:
    """Every kind of work the sweep does, on one timeline (9-1 to 10-20, 2026)."""
    zjj = Unit.objects.get(code="zjj")
    order = item_open(
        actor=users["supervisor"],
        kind=ItemKind.ORDER,
        title="督办：楼顶漏水",
        text="请报告维修进展。",
        unit=zjj,
        due_on=date(2026, 9, 30),
        today=date(2026, 9, 1),
    )
    overdue = routed(users, on=date(2026, 9, 1), title="路灯不亮")  # gets an order on 9-20
    backlog = routed(users, on=date(2026, 5, 6), title="拆迁补偿")  # open > 90 days
    backlog = case_accept(actor=users["handler"], case=backlog, today=date(2026, 5, 7))
    unsatisfied = answered(users, on=date(2026, 8, 20), replied_on=date(2026, 9, 2), title="噪音")
    case_evaluate(
        actor=users["clerk"], case=unsatisfied, rating="unsatisfied", today=date(2026, 9, 3)
    )
    late = routed(users, on=date(2026, 6, 1), title="供水")
    late = case_accept(actor=users["handler"], case=late, today=date(2026, 6, 2))
    late = case_reply(
        actor=users["handler"],
        case=late,
        outcome="supported",
        text="经核实，已恢复供水并检修管网。",
        today=date(2026, 9, 2),
    )
    assert late.replied_on > late.handling_due
    others = [
        answered(users, on=date(2026, 8, 20), replied_on=date(2026, 9, 2), title=f"其他{i}")
        for i in range(12)
    ]
    return {
        "order": order,
        "overdue": overdue,
        "backlog": backlog,
        "unsatisfied": unsatisfied,
        "late": late,
        "others": others,
    }


def _assert_everything_happened_once(s: dict[str, Any]) -> None:
    # The ladder: the hand-opened order (4 rungs); each overdue case one order (the rule) and
    # that order's 4 rungs.
    rule_orders = SupervisionItem.objects.filter(kind=ItemKind.ORDER, rule__isnull=False)
    assert Counter(rule_orders.values_list("case_id", flat=True)) == {
        s["overdue"].pk: 1,
        s["backlog"].pk: 1,
    }
    steps = Counter(EscalationNotice.objects.values_list("step", flat=True))
    assert steps == {
        Step.OPEN_ORDER: 2,
        Step.REMINDER: 3,
        Step.WARNING: 3,
        Step.UNIT_HEAD: 3,
        Step.LEADER: 3,
    }
    # Nobody was told anything twice, and each notice told exactly the people it lists.
    duplicates = (
        Notification.objects.values("user", "kind", "message")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    assert list(duplicates) == []
    for notice in EscalationNotice.objects.all():
        assert len(set(notice.recipients)) == len(notice.recipients) > 0
        assert Notification.objects.filter(
            kind=f"supervision.{notice.step}", message=notice.message
        ).values_list("user__username", flat=True).count() == len(notice.recipients)
    # Quality: every unsatisfied and late answer, the keyed share of the rest, one round each.
    inspections = Counter(QualityInspection.objects.values_list("case_id", "reason"))
    share = [c.pk for c in s["others"] if _sample_fraction(c.pk) < 0.5]
    assert inspections == {
        (s["unsatisfied"].pk, "unsatisfied"): 1,
        (s["late"].pk, "overdue"): 1,
        **{(pk, "random"): 1 for pk in share},
    }
    # One follow-up call for the unsatisfied rating; one backlog entry; audited once each.
    assert list(FollowUp.objects.values_list("case_id", flat=True)) == [s["unsatisfied"].pk]
    assert list(BacklogEntry.objects.values_list("case_id", flat=True)) == [s["backlog"].pk]
    audited = Counter(
        AuditRecord.objects.filter(action__startswith="supervision.").values_list(
            "action", flat=True
        )
    )
    assert audited["supervision.quality.select"] == len(inspections)
    assert audited["supervision.follow_up.open"] == 1
    assert audited["supervision.backlog.enrol"] == 1
    assert sum(n for a, n in audited.items() if a.startswith("supervision.escalation.")) == 14
    assert audited["supervision.rule.seed"] == 5


@pytest.mark.django_db
@override_settings(XINFANG_SUPERVISION={"QUALITY_SAMPLE_RATE": 0.5})
def test_the_whole_sweep_run_three_times_a_day_does_everything_once(users):
    s = _scenario(users)
    for day in days(date(2026, 9, 1), date(2026, 10, 20)):
        sweep_on_the_clock(day)
    _assert_everything_happened_once(s)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@override_settings(XINFANG_SUPERVISION={"QUALITY_SAMPLE_RATE": 0.5})
def test_two_workers_running_the_whole_sweep_at_once_do_everything_once(users):
    """Two threads, each with its own PostgreSQL connection, start the sweep of each day at the
    same moment (a barrier) - twice per day - as two db_workers would."""
    assert connection.vendor == "postgresql"
    s = _scenario(users)
    timeline = list(days(date(2026, 9, 1), date(2026, 10, 20)))
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []
    results: list[dict[str, int]] = []

    def worker() -> None:
        try:
            for day in timeline:
                for _run in range(2):
                    barrier.wait(timeout=60)
                    results.append(run_sweep(today=day))
        except BaseException as exc:  # reported below; a dead thread must fail the test
            errors.append(exc)
            barrier.abort()
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(results) == 2 * 2 * len(timeline)
    _assert_everything_happened_once(s)
    # The two workers really did share the work: counted over both, each thing once.
    total = Counter()
    for r in results:
        total.update(r)
    assert total["follow_ups"] == 1
    assert total["backlog_listed"] == 1
    assert total["rules_seeded"] == 5
    assert (
        total["quality_unsatisfied"] + total["quality_overdue"] + total["quality_random"]
        == QualityInspection.objects.count()
    )
    assert Case.objects.filter(pk=s["overdue"].pk).get().supervision_items.count() == 1
