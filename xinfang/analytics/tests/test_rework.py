"""A case sent back for rework (返工, xinfang.cases.services.case_reopen_for_rework) is counted
by the answer that stands: the withdrawn answer leaves 办结率, 按期办结率 and the rating
figures, the re-answer comes in against the rework's date. Both engines agree and the
maintained rollup stays equal to a direct count at every step."""

from __future__ import annotations

from datetime import date

import pytest

from xinfang.analytics import rollup
from xinfang.analytics.engine import direct_counters, rollup_counters
from xinfang.analytics.periods import Period
from xinfang.analytics.selectors import indicator_settings, indicator_values
from xinfang.cases import services as s
from xinfang.cases.models import Case

from .scenario import ANSWER, LATE, build

pytestmark = pytest.mark.django_db
D = date


def figures(period_code: str, today: date = LATE) -> dict[str, tuple[int, int]]:
    period = Period.parse(period_code, today=today)
    counts = direct_counters(Case.objects.all(), period=period, today=today)[None]
    assert rollup_counters(period=period, today=today)[None] == counts
    assert rollup.verify() == []
    values = indicator_values(counts, settings=indicator_settings(), quality=None)
    return {v.code: (v.numerator, v.denominator) for v in values}


@pytest.mark.parametrize(("answered_again", "on_time"), [(D(2026, 5, 14), 2), (D(2026, 5, 20), 1)])
def test_a_reworked_case_counts_by_its_re_answer(users, answered_again, on_time):
    world = build(users)
    # As built: A answered 04-10 (due 05-06), rated satisfied 04-12.
    assert figures("2026-03")["closure"] == (3, 4)
    assert figures("2026-Q2")["on_time_closure"] == (2, 4)
    assert figures("2026-Q2")["satisfaction"] == (1, 2)

    a = s.case_reopen_for_rework(
        actor=users["inspector"],
        case=world.cases["A"],
        reason="质检不合格：未逐项回应诉求",
        due_on=D(2026, 5, 15),
        today=D(2026, 4, 20),
    )
    # While it is handled again: not answered (办结率 of March, acceptance month), due 05-15
    # and not answered by then (按期办结率 of Q2), and its withdrawn rating is gone.
    assert figures("2026-03")["closure"] == (2, 4)
    assert figures("2026-Q2")["on_time_closure"] == (1, 4)
    assert figures("2026-Q2")["satisfaction"] == (0, 1)
    # Seen on 05-12 its new limit is still running: not counted as due yet (B and C count,
    # answered by then in this data; D's limit fell on 05-11).
    assert figures("2026-Q2", today=D(2026, 5, 12))["on_time_closure"] == (1, 3)

    s.case_reply(
        actor=users["handler"], case=a, outcome="supported", text=ANSWER, today=answered_again
    )
    assert figures("2026-03")["closure"] == (3, 4)
    assert figures("2026-Q2")["on_time_closure"] == (on_time, 4)
    # The petitioner rates the new answer afresh.
    s.case_evaluate(actor=None, case=a, rating="basically", today=answered_again)
    assert figures("2026-Q2")["satisfaction"] == (1, 2)
