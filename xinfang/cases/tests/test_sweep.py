from __future__ import annotations

from datetime import date

import pytest

from xinfang.cases import services as s
from xinfang.cases.models import Status
from xinfang.cases.sweep import sweep_deadlines
from xinfang.cases.tasks import deadline_sweep
from xinfang.core.models import Notification
from xinfang.org.models import Unit

from .factories import register

pytestmark = pytest.mark.django_db


def test_sweep_flags_due_soon_then_overdue_and_notifies_the_unit_once(users):
    case = s.case_route(
        actor=users["clerk"],
        case=register(users),
        unit=Unit.objects.get(code="zjj"),
        today=date(2026, 3, 3),
    )
    assert case.acceptance_due == date(2026, 3, 18)
    assert sweep_deadlines(today=date(2026, 3, 9))["soon"] == 0
    counts = sweep_deadlines(today=date(2026, 3, 16))  # 2 working days left
    assert counts["soon"] == 1
    case.refresh_from_db()
    assert case.due_flag == "soon"
    notified = set(Notification.objects.values_list("user__username", flat=True))
    assert notified == {"handler", "unithead"}
    assert sweep_deadlines(today=date(2026, 3, 16))["notified"] == 0  # no repeat
    assert sweep_deadlines(today=date(2026, 3, 19))["overdue"] == 1
    case.refresh_from_db()
    assert case.due_flag == "overdue"
    s.case_accept(actor=users["handler"], case=case, today=date(2026, 3, 19))
    assert sweep_deadlines(today=date(2026, 3, 19))["cleared"] == 1


def test_sweep_closes_answered_cases_after_the_windows(users):
    case = s.case_route(
        actor=users["clerk"],
        case=register(users),
        unit=Unit.objects.get(code="zjj"),
        today=date(2026, 3, 3),
    )
    case = s.case_accept(actor=users["handler"], case=case, today=date(2026, 3, 4))
    case = s.case_reply(
        actor=users["handler"],
        case=case,
        outcome="supported",
        text="经查已处理完毕，答复如上。",
        today=date(2026, 3, 20),
    )
    assert deadline_sweep.call(today="2026-04-10")["closed"] == 0
    assert deadline_sweep.call(today="2026-04-25")["closed"] == 1
    case.refresh_from_db()
    assert case.status == Status.CLOSED
