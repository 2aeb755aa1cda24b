"""Deadlines across the 2024-2026 official holiday calendars, computed by hand from the State
Council's holiday notices (rest periods and make-up working days 调休), then checked here
against the code that uses the chinese_calendar package."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xinfang.cases.deadlines import (
    DayRule,
    Step,
    due_date,
    is_overdue,
    is_rest_day,
    step_due_date,
    working_days_remaining,
)

C, W = DayRule.CALENDAR, DayRule.WORKDAYS
D = date

# (start, rule, days, extension, expected, why)
ROWS = [
    (
        D(2024, 1, 26),
        C,
        15,
        0,
        D(2024, 2, 18),
        "02-10 in 春节 rest 02-10..17; 02-18 Sun is a make-up workday",
    ),
    (D(2024, 2, 3), C, 1, 0, D(2024, 2, 4), "02-04 Sun is a make-up workday: no move"),
    (D(2024, 9, 16), C, 15, 0, D(2024, 10, 8), "10-01 in 国庆 rest 10-01..07"),
    (D(2024, 9, 14), C, 15, 0, D(2024, 9, 29), "09-29 Sun make-up workday"),
    (D(2024, 9, 27), C, 15, 0, D(2024, 10, 12), "10-12 Sat make-up workday"),
    (D(2025, 1, 13), C, 15, 0, D(2025, 2, 5), "01-28 in 春节 rest 01-28..02-04"),
    (D(2025, 1, 11), C, 15, 0, D(2025, 1, 26), "01-26 Sun make-up workday"),
    (D(2025, 1, 24), C, 15, 0, D(2025, 2, 8), "02-08 Sat make-up workday"),
    (D(2025, 9, 16), C, 15, 0, D(2025, 10, 9), "10-01 in 国庆/中秋 rest 10-01..08"),
    (D(2025, 9, 13), C, 15, 0, D(2025, 9, 28), "09-28 Sun make-up workday"),
    (D(2025, 9, 26), C, 15, 0, D(2025, 10, 11), "10-11 Sat make-up workday"),
    (D(2024, 12, 17), C, 15, 0, D(2025, 1, 2), "2025-01-01 元旦 (Wed) -> 01-02"),
    (D(2026, 1, 31), C, 15, 0, D(2026, 2, 24), "02-15 in 春节 rest 02-15..23"),
    (D(2026, 1, 30), C, 15, 0, D(2026, 2, 14), "02-14 Sat make-up workday"),
    (D(2026, 2, 13), C, 15, 0, D(2026, 2, 28), "02-28 Sat make-up workday"),
    (D(2026, 9, 5), C, 15, 0, D(2026, 9, 20), "09-20 Sun make-up workday"),
    (D(2026, 9, 16), C, 15, 0, D(2026, 10, 8), "10-01 in 国庆 rest 10-01..07"),
    (D(2026, 9, 25), C, 15, 0, D(2026, 10, 10), "10-10 Sat make-up workday"),
    (D(2026, 3, 6), C, 15, 0, D(2026, 3, 23), "03-21 Sat -> Mon 03-23"),
    (D(2026, 3, 5), C, 60, 0, D(2026, 5, 6), "05-04 in 劳动节 rest 05-01..05"),
    (D(2024, 8, 2), C, 60, 30, D(2024, 10, 31), "extension from unmoved end 10-01, not from 10-08"),
    (D(2025, 8, 2), C, 60, 10, D(2025, 10, 11), "10-01 + 10 = 10-11, a Sat make-up workday"),
    (D(2026, 2, 12), W, 5, 0, D(2026, 2, 26), "13 Fri, 14 Sat make-up, rest 15..23, 24, 25, 26"),
    (
        D(2025, 9, 26),
        W,
        15,
        0,
        D(2025, 10, 23),
        "28 Sun make-up, 29, 30, rest 10-01..08, 9, 10, 11 Sat ...",
    ),
    (D(2024, 9, 27), W, 5, 0, D(2024, 10, 10), "29 Sun make-up, 30, rest 10-01..07, 8, 9, 10"),
]


@pytest.mark.parametrize(("start", "rule", "days", "ext", "expected", "why"), ROWS)
def test_due_dates_across_holiday_calendars(start, rule, days, ext, expected, why):
    assert due_date(start=start, days=days, rule=rule, extension_days=ext) == expected, why


def test_objection_period_is_five_working_days_whatever_the_rule():
    start = D(2024, 9, 27)
    assert step_due_date(step=Step.OBJECTION, start=start, rule=C) == D(2024, 10, 10)


@pytest.mark.parametrize(
    ("step", "start", "expected"),
    [
        (Step.REGISTER_ROUTE, D(2026, 3, 2), D(2026, 3, 17)),
        (Step.ACCEPTANCE_NOTICE, D(2026, 3, 3), D(2026, 3, 18)),
        (Step.HANDLING, D(2026, 3, 5), D(2026, 5, 6)),
        (Step.REVIEW_REQUEST, D(2026, 4, 10), D(2026, 5, 11)),
        (Step.REVIEW_DECISION, D(2026, 4, 20), D(2026, 5, 20)),
        (Step.REREVIEW_REQUEST, D(2026, 5, 10), D(2026, 6, 9)),
        (Step.REREVIEW_DECISION, D(2026, 5, 25), D(2026, 6, 24)),
    ],
)
def test_every_step_of_the_regulation(step, start, expected):
    assert step_due_date(step=step, start=start, rule=C) == expected


def test_rereview_hearing_time_is_not_counted():
    plain = step_due_date(step=Step.REREVIEW_DECISION, start=D(2026, 5, 25), rule=C)
    with_hearing = step_due_date(
        step=Step.REREVIEW_DECISION, start=D(2026, 5, 25), rule=C, paused_days=7
    )
    assert with_hearing == plain + timedelta(days=7)


def test_a_step_done_on_its_last_day_is_on_time():
    due = D(2026, 3, 17)
    assert not is_overdue(done_on=due, due=due, today=D(2026, 4, 1))
    assert is_overdue(done_on=None, due=due, today=D(2026, 3, 18))
    assert working_days_remaining(today=due, due=due) == 0
    assert working_days_remaining(today=D(2026, 3, 13), due=due) == 2
    assert working_days_remaining(today=D(2026, 3, 18), due=due) == -1


@given(
    start=st.dates(min_value=D(2024, 1, 1), max_value=D(2026, 10, 31)),
    days=st.integers(1, 90),
    ext=st.integers(0, 30),
    rule=st.sampled_from([C, W]),
)
def test_due_date_properties(start, days, ext, rule):
    due = due_date(start=start, days=days, rule=rule)
    assert not is_rest_day(due)
    assert due >= start + timedelta(days=days)
    assert due_date(start=start, days=days, rule=rule, extension_days=ext) >= due
