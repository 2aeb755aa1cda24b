"""Deadlines of the 信访工作条例 on the official Chinese working-day calendar.

Pure Python - no Django settings, no database. Run on its own with:

    .venv/bin/python -m pytest xinfang/cases/tests/test_deadlines.py -p no:django -q

Every expected date below was computed by hand from the State Council's holiday notices
(国务院办公厅关于 2024/2025/2026 年部分节假日安排的通知: 国办发明电〔2023〕7号,
〔2024〕12号, 〔2025〕7号); the comment on each row gives the reasoning. Day 1 is the day after
the start; a limit of N days ends on day N; a rest-day end moves to the next working day.

Holiday schedule used (rest days / make-up working days 调休上班):

2024  New Year 01-01 (Mon) · Spring Festival 02-10..02-17, make-up 02-04 (Sun), 02-18 (Sun)
      Mid-autumn 09-15..09-17, make-up 09-14 (Sat)
      National Day 10-01..10-07, make-up 09-29 (Sun), 10-12 (Sat)
2025  New Year 01-01 (Wed) · Spring Festival 01-28..02-04, make-up 01-26 (Sun), 02-08 (Sat)
      Qingming 04-04..04-06 · National Day + Mid-autumn 10-01..10-08, make-up 09-28 (Sun),
      10-11 (Sat)
2026  New Year 01-01..01-03, make-up 01-04 (Sun)
      Spring Festival 02-15..02-23, make-up 02-14 (Sat), 02-28 (Sat)
      Mid-autumn 09-25..09-27 · National Day 10-01..10-07, make-up 09-20 (Sun), 10-10 (Sat)
"""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xinfang.cases.deadlines import (
    EXTENSION_MAX_DAYS,
    STEP_LIMITS,
    DayRule,
    Step,
    add_working_days,
    due_date,
    is_overdue,
    is_rest_day,
    is_working_day,
    next_working_day_on_or_after,
    step_due_date,
    working_days_remaining,
)

D = date.fromisoformat
CAL = DayRule.CALENDAR
WORK = DayRule.WORKDAYS

# --- the published schedule itself, checked against chinese_calendar -------------------------
# (date, is a working day?) straight from the notices; a failure here means the installed
# chinese_calendar disagrees with the State Council, and every row further down is suspect.
HOLIDAY_FACTS = [
    # 2024
    ("2024-01-01", False),  # 元旦, Monday
    ("2024-02-04", True),  # Sunday, make-up for Spring Festival
    ("2024-02-09", True),  # Friday, 除夕: only "encouraged" off, officially a working day
    ("2024-02-10", False),  # Spring Festival, first day (Saturday)
    ("2024-02-12", False),  # Spring Festival, Monday
    ("2024-02-16", False),  # Spring Festival, Friday
    ("2024-02-17", False),  # Spring Festival, last day (Saturday)
    ("2024-02-18", True),  # Sunday, make-up
    ("2024-09-14", True),  # Saturday, make-up for Mid-autumn
    ("2024-09-29", True),  # Sunday, make-up for National Day
    ("2024-10-01", False),  # National Day
    ("2024-10-07", False),  # National Day, last day (Monday)
    ("2024-10-12", True),  # Saturday, make-up
    # 2025
    ("2025-01-01", False),  # 元旦, Wednesday
    ("2025-01-26", True),  # Sunday, make-up for Spring Festival
    ("2025-01-28", False),  # 除夕, first rest day
    ("2025-02-04", False),  # last rest day (Tuesday)
    ("2025-02-08", True),  # Saturday, make-up
    ("2025-09-28", True),  # Sunday, make-up for National Day
    ("2025-10-01", False),  # National Day
    ("2025-10-08", False),  # last rest day (Wednesday)
    ("2025-10-11", True),  # Saturday, make-up
    # 2026
    ("2026-01-02", False),  # 元旦 holiday, Friday
    ("2026-01-04", True),  # Sunday, make-up for New Year
    ("2026-02-14", True),  # Saturday, make-up for Spring Festival
    ("2026-02-15", False),  # Spring Festival, first day (Sunday)
    ("2026-02-23", False),  # Spring Festival, last day (Monday)
    ("2026-02-28", True),  # Saturday, make-up
    ("2026-09-20", True),  # Sunday, make-up for National Day
    ("2026-09-25", False),  # Mid-autumn (Friday)
    ("2026-10-01", False),  # National Day
    ("2026-10-07", False),  # last rest day (Wednesday)
    ("2026-10-10", True),  # Saturday, make-up
]


@pytest.mark.parametrize(("day", "working"), HOLIDAY_FACTS)
def test_published_schedule_matches_chinese_calendar(day: str, working: bool) -> None:
    assert chinese_calendar.is_workday(D(day)) is working
    assert is_working_day(D(day)) is working
    assert is_rest_day(D(day)) is not working


# --- due dates, computed by hand ---------------------------------------------------------------
# (start, step or number of days, jurisdiction rule, extension days, paused days, expected due)
DUE_CASES = [
    # ---- 2024 ----
    pytest.param(
        # 02-01 +15 = 02-16 Fri (Spring Festival) → 02-17 Sat (holiday) → 02-18 Sun is a
        # make-up working day, so the limit ends on a Sunday.
        "2024-02-01",
        Step.REGISTER_ROUTE,
        CAL,
        0,
        0,
        "2024-02-18",
        id="2024-spring-ends-on-makeup",
    ),
    pytest.param(
        # 01-27 +15 = 02-11 Sun, inside the holiday → 02-12..02-17 holiday → 02-18 (make-up).
        "2024-01-27",
        Step.ACCEPTANCE_NOTICE,
        CAL,
        0,
        0,
        "2024-02-18",
        id="2024-spring-sunday",
    ),
    pytest.param(
        # 01-20 +15 = 02-04, a Sunday but a make-up working day: not moved.
        "2024-01-20",
        15,
        CAL,
        0,
        0,
        "2024-02-04",
        id="2024-makeup-0204-not-moved",
    ),
    pytest.param(
        # 2023-12-15 +15 = 12-30 Sat → 12-31 Sun → 2024-01-01 元旦 → 01-02 Tue.
        "2023-12-15",
        15,
        CAL,
        0,
        0,
        "2024-01-02",
        id="2024-weekend-into-new-year",
    ),
    pytest.param(
        # 03-01 +15 = 03-16 Sat (ordinary weekend) → 03-18 Mon.
        "2024-03-01",
        15,
        CAL,
        0,
        0,
        "2024-03-18",
        id="2024-plain-weekend",
    ),
    pytest.param(
        # 09-20 +15 = 10-05 Sat (National Day) → 10-06, 10-07 holiday → 10-08 Tue.
        "2024-09-20",
        Step.REGISTER_ROUTE,
        CAL,
        0,
        0,
        "2024-10-08",
        id="2024-national-day",
    ),
    pytest.param(
        # 09-27 +15 = 10-12, a Saturday but a make-up working day: not moved.
        "2024-09-27",
        15,
        CAL,
        0,
        0,
        "2024-10-12",
        id="2024-makeup-1012-not-moved",
    ),
    pytest.param(
        # start on the make-up Saturday 09-14; +15 = 09-29, a make-up Sunday: not moved.
        "2024-09-14",
        15,
        CAL,
        0,
        0,
        "2024-09-29",
        id="2024-makeup-0929-not-moved",
    ),
    pytest.param(
        # Handling, 60 days from 2023-12-12: 12-31 is day 19, 01-31 day 50, 02-10 day 60 (Sat,
        # Spring Festival) → moved through the holiday to 02-18 (make-up Sunday).
        "2023-12-12",
        Step.HANDLING,
        CAL,
        0,
        0,
        "2024-02-18",
        id="2024-handling-60",
    ),
    pytest.param(
        # Same, extended by 30: counted from the UNMOVED end 02-10 → 03-11 (leap year: 02-29 is
        # +19, 03-11 is +30), a Monday. Counting from the moved 02-18 would give 03-19.
        "2023-12-12",
        Step.HANDLING,
        CAL,
        30,
        0,
        "2024-03-11",
        id="2024-extension-before-move",
    ),
    pytest.param(
        # Extended by 29: 02-10 +29 = 03-10 Sun → rest-day rule on the extended end → 03-11 Mon.
        "2023-12-12",
        Step.HANDLING,
        CAL,
        29,
        0,
        "2024-03-11",
        id="2024-extension-end-moved",
    ),
    pytest.param(
        # Objection, 5 WORKING days after Wed 02-07: 02-08 (1), 02-09 除夕 Fri (2), 02-10..02-17
        # holiday, 02-18 make-up Sun (3), 02-19 (4), 02-20 Tue (5). Jurisdiction rule ignored.
        "2024-02-07",
        Step.OBJECTION,
        CAL,
        0,
        0,
        "2024-02-20",
        id="2024-objection-spring",
    ),
    pytest.param(
        # Objection after Fri 03-01: Mon 03-04 (1) … Fri 03-08 (5). (Calendar days: 03-06.)
        "2024-03-01",
        Step.OBJECTION,
        CAL,
        0,
        0,
        "2024-03-08",
        id="2024-objection-plain-week",
    ),
    pytest.param(
        # Workdays rule, 15 working days after Thu 02-01: 02-02 (1), 02-04 Sun make-up (2),
        # 02-05..02-09 (3-7), holiday, 02-18 Sun make-up (8), 02-19..02-23 (9-13),
        # 02-26 Mon (14), 02-27 Tue (15).
        "2024-02-01",
        Step.REGISTER_ROUTE,
        WORK,
        0,
        0,
        "2024-02-27",
        id="2024-workdays-spring",
    ),
    # ---- 2025 ----
    pytest.param(
        # 2024-12-17 +15 = 2025-01-01 (元旦, Wed) → 01-02 Thu.
        "2024-12-17",
        15,
        CAL,
        0,
        0,
        "2025-01-02",
        id="2025-new-year",
    ),
    pytest.param(
        # 01-15 +15 = 01-30 Thu (Spring Festival) → 01-31..02-04 holiday → 02-05 Wed.
        "2025-01-15",
        Step.REGISTER_ROUTE,
        CAL,
        0,
        0,
        "2025-02-05",
        id="2025-spring",
    ),
    pytest.param(
        # 01-11 +15 = 01-26, a make-up Sunday: not moved.
        "2025-01-11",
        15,
        CAL,
        0,
        0,
        "2025-01-26",
        id="2025-makeup-0126-not-moved",
    ),
    pytest.param(
        # 01-24 +15 = 02-08, a make-up Saturday: not moved.
        "2025-01-24",
        15,
        CAL,
        0,
        0,
        "2025-02-08",
        id="2025-makeup-0208-not-moved",
    ),
    pytest.param(
        # 01-25 +15 = 02-09, an ordinary Sunday after the make-up Saturday → 02-10 Mon.
        "2025-01-25",
        15,
        CAL,
        0,
        0,
        "2025-02-10",
        id="2025-sunday-after-makeup",
    ),
    pytest.param(
        # Objection after Fri 01-24: Sat 01-25 rest, 01-26 make-up Sun (1), 01-27 Mon (2),
        # 01-28..02-04 holiday, 02-05 (3), 02-06 (4), 02-07 Fri (5).
        "2025-01-24",
        Step.OBJECTION,
        CAL,
        0,
        0,
        "2025-02-07",
        id="2025-objection-spring",
    ),
    pytest.param(
        # Review decision, 30 days from Mon 03-03: 03-31 is day 28, 04-02 Wed day 30.
        "2025-03-03",
        Step.REVIEW_DECISION,
        CAL,
        0,
        0,
        "2025-04-02",
        id="2025-review-decision",
    ),
    pytest.param(
        # Re-review decision with a 2-day hearing not counted: 03-03 +32 = 04-04 (Qingming,
        # Fri) → 04-05, 04-06 holiday → 04-07 Mon.
        "2025-03-03",
        Step.REREVIEW_DECISION,
        CAL,
        0,
        2,
        "2025-04-07",
        id="2025-rereview-paused",
    ),
    pytest.param(
        # 09-20 +15 = 10-05 Sun (National Day) → 10-06..10-08 holiday → 10-09 Thu.
        "2025-09-20",
        Step.ACCEPTANCE_NOTICE,
        CAL,
        0,
        0,
        "2025-10-09",
        id="2025-national-day",
    ),
    pytest.param(
        # 09-13 +15 = 09-28, a make-up Sunday: not moved.
        "2025-09-13",
        15,
        CAL,
        0,
        0,
        "2025-09-28",
        id="2025-makeup-0928-not-moved",
    ),
    pytest.param(
        # 09-26 +15 = 10-11, a make-up Saturday: not moved.
        "2025-09-26",
        15,
        CAL,
        0,
        0,
        "2025-10-11",
        id="2025-makeup-1011-not-moved",
    ),
    pytest.param(
        # Handling from Sat 08-02: 08-31 is day 29, 09-30 day 59, 10-01 day 60 (National Day)
        # → holiday to 10-08 → 10-09 Thu.
        "2025-08-02",
        Step.HANDLING,
        CAL,
        0,
        0,
        "2025-10-09",
        id="2025-handling-60",
    ),
    pytest.param(
        # Extended by 30 from the UNMOVED end 10-01 → 10-31 Fri. (From 10-09 it would be 11-08
        # Sat → 11-10.)
        "2025-08-02",
        Step.HANDLING,
        CAL,
        30,
        0,
        "2025-10-31",
        id="2025-extension-before-move",
    ),
    pytest.param(
        # Objection after Fri 09-26: Sat 09-27 rest, 09-28 make-up Sun (1), 09-29 (2), 09-30 (3),
        # 10-01..10-08 holiday, 10-09 Thu (4), 10-10 Fri (5).
        "2025-09-26",
        Step.OBJECTION,
        WORK,
        0,
        0,
        "2025-10-10",
        id="2025-objection-national",
    ),
    pytest.param(
        # Workdays rule, 5 + 3 extension: after Wed 09-24: 09-25 (1), 09-26 (2), 09-28 make-up
        # Sun (3), 09-29 (4), 09-30 (5) = original due; +3 working days: 10-09 (6), 10-10 (7),
        # 10-11 make-up Sat (8).
        "2025-09-24",
        5,
        WORK,
        3,
        0,
        "2025-10-11",
        id="2025-workdays-extension",
    ),
    # ---- 2026 ----
    pytest.param(
        # 2025-12-17 +15 = 2026-01-01 (元旦) → 01-02, 01-03 holiday → 01-04, a make-up Sunday.
        "2025-12-17",
        15,
        CAL,
        0,
        0,
        "2026-01-04",
        id="2026-new-year-makeup",
    ),
    pytest.param(
        # Workdays rule, 3 working days after 01-01 (a holiday): 01-02, 01-03 holiday, 01-04
        # make-up Sun (1), 01-05 Mon (2), 01-06 Tue (3).
        "2026-01-01",
        3,
        WORK,
        0,
        0,
        "2026-01-06",
        id="2026-workdays-new-year",
    ),
    pytest.param(
        # 02-01 +15 = 02-16 Mon (Spring Festival) → 02-17..02-23 holiday → 02-24 Tue.
        "2026-02-01",
        Step.REGISTER_ROUTE,
        CAL,
        0,
        0,
        "2026-02-24",
        id="2026-spring",
    ),
    pytest.param(
        # 01-30 +15 = 02-14, a make-up Saturday: not moved.
        "2026-01-30",
        15,
        CAL,
        0,
        0,
        "2026-02-14",
        id="2026-makeup-0214-not-moved",
    ),
    pytest.param(
        # 02-13 +15 = 02-28 (not a leap year), a make-up Saturday: not moved.
        "2026-02-13",
        15,
        CAL,
        0,
        0,
        "2026-02-28",
        id="2026-makeup-0228-not-moved",
    ),
    pytest.param(
        # 02-14 +15 = 03-01, an ordinary Sunday → 03-02 Mon.
        "2026-02-14",
        15,
        CAL,
        0,
        0,
        "2026-03-02",
        id="2026-sunday-after-makeup",
    ),
    pytest.param(
        # Review request, 30 days from Sat 01-17: 01-31 is day 14, 02-16 day 30 (Spring
        # Festival) → 02-24 Tue.
        "2026-01-17",
        Step.REVIEW_REQUEST,
        CAL,
        0,
        0,
        "2026-02-24",
        id="2026-review-request",
    ),
    pytest.param(
        # Handling from 2025-12-17: 12-31 is day 14, 01-31 day 45, 02-15 day 60 (first day of
        # the Spring Festival) → 02-24 Tue.
        "2025-12-17",
        Step.HANDLING,
        CAL,
        0,
        0,
        "2026-02-24",
        id="2026-handling-60",
    ),
    pytest.param(
        # Extended by 30 from the UNMOVED end 02-15: 02-28 is +13, 03-17 +30, a Tuesday.
        # (From 02-24 it would be 03-26.)
        "2025-12-17",
        Step.HANDLING,
        CAL,
        30,
        0,
        "2026-03-17",
        id="2026-extension-before-move",
    ),
    pytest.param(
        # Extended by 13: 02-15 +13 = 02-28, the make-up Saturday: a working day, not moved.
        "2025-12-17",
        Step.HANDLING,
        CAL,
        13,
        0,
        "2026-02-28",
        id="2026-extension-on-makeup",
    ),
    pytest.param(
        # Extended by 14: 02-15 +14 = 03-01 Sun → 03-02 Mon.
        "2025-12-17",
        Step.HANDLING,
        CAL,
        14,
        0,
        "2026-03-02",
        id="2026-extension-end-moved",
    ),
    pytest.param(
        # Objection received on the make-up Sat 02-14: 02-15..02-23 holiday, 02-24 (1), 02-25 (2),
        # 02-26 (3), 02-27 (4), 02-28 make-up Sat (5).
        "2026-02-14",
        Step.OBJECTION,
        CAL,
        0,
        0,
        "2026-02-28",
        id="2026-objection-spring",
    ),
    pytest.param(
        # 09-10 +15 = 09-25 (Mid-autumn, Fri) → 09-26, 09-27 → 09-28 Mon.
        "2026-09-10",
        15,
        CAL,
        0,
        0,
        "2026-09-28",
        id="2026-mid-autumn",
    ),
    pytest.param(
        # 09-05 +15 = 09-20, a make-up Sunday: not moved.
        "2026-09-05",
        15,
        CAL,
        0,
        0,
        "2026-09-20",
        id="2026-makeup-0920-not-moved",
    ),
    pytest.param(
        # Start on the make-up Sunday 09-20; +15 = 10-05 (National Day) → 10-06, 10-07 → 10-08.
        "2026-09-20",
        Step.REGISTER_ROUTE,
        CAL,
        0,
        0,
        "2026-10-08",
        id="2026-national-day",
    ),
    pytest.param(
        # Start on Mid-autumn Fri 09-25; +15 = 10-10, a make-up Saturday: not moved.
        "2026-09-25",
        15,
        CAL,
        0,
        0,
        "2026-10-10",
        id="2026-makeup-1010-not-moved",
    ),
    pytest.param(
        # Objection after Wed 09-30: 10-01..10-07 holiday, 10-08 (1), 10-09 (2), 10-10 make-up
        # Sat (3), 10-11 Sun rest, 10-12 (4), 10-13 Tue (5).
        "2026-09-30",
        Step.OBJECTION,
        CAL,
        0,
        0,
        "2026-10-13",
        id="2026-objection-national",
    ),
    # ---- outside chinese_calendar's years: plain weekends (documented fallback) ----
    pytest.param(
        # 2099-06-12 Fri +15 = 06-27 Sat → 06-29 Mon.
        "2099-06-12",
        15,
        CAL,
        0,
        0,
        "2099-06-29",
        id="fallback-2099-weekend",
    ),
    pytest.param(
        # 2099-09-16 +15 = 10-01, a Thursday: no holiday data, so a working day.
        "2099-09-16",
        15,
        CAL,
        0,
        0,
        "2099-10-01",
        id="fallback-2099-no-holidays",
    ),
    pytest.param(
        # 2003-09-16 +15 = 10-01 (Wed), before the package's first year (2004): working day.
        "2003-09-16",
        15,
        CAL,
        0,
        0,
        "2003-10-01",
        id="fallback-2003-no-holidays",
    ),
]


@pytest.mark.parametrize(("start", "limit", "rule", "ext", "paused", "expected"), DUE_CASES)
def test_due_dates_by_hand(
    start: str, limit: Step | int, rule: DayRule, ext: int, paused: int, expected: str
) -> None:
    if isinstance(limit, Step):
        due = step_due_date(
            step=limit, start=D(start), rule=rule, extension_days=ext, paused_days=paused
        )
    else:
        due = due_date(
            start=D(start), days=limit, rule=rule, extension_days=ext, paused_days=paused
        )
    assert due == D(expected)


def test_hand_computed_due_dates_are_working_days_per_chinese_calendar() -> None:
    """Cross-check the table itself: every expected due date inside the package's years is a
    working day according to chinese_calendar directly."""
    for case in DUE_CASES:
        expected = D(case.values[-1])
        if 2004 <= expected.year <= 2026:
            assert chinese_calendar.is_workday(expected), case.id


# --- the step table ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("step", "days", "article"),
    [
        (Step.REGISTER_ROUTE, 15, "第二十二条"),
        (Step.ACCEPTANCE_NOTICE, 15, "第二十三条"),
        (Step.OBJECTION, 5, "第二十三条"),
        (Step.HANDLING, 60, "第三十四条"),
        (Step.REVIEW_REQUEST, 30, "第三十五条"),
        (Step.REVIEW_DECISION, 30, "第三十五条"),
        (Step.REREVIEW_REQUEST, 30, "第三十六条"),
        (Step.REREVIEW_DECISION, 30, "第三十六条"),
    ],
)
def test_step_limits(step: Step, days: int, article: str) -> None:
    limit = STEP_LIMITS[step]
    assert limit.days == days
    assert limit.article == f"信访工作条例 {article}"


def test_every_step_has_a_limit_and_extension_max() -> None:
    assert set(STEP_LIMITS) == set(Step)
    assert EXTENSION_MAX_DAYS == 30
    assert {r.value for r in DayRule} == {"calendar", "workdays"}


def test_only_objection_ignores_the_jurisdiction_rule() -> None:
    # Fri 2024-03-01: calendar rule for 15 days → 03-16 Sat → 03-18; workdays rule → the 15th
    # working day, Fri 03-22. The objection is 03-08 either way.
    start = D("2024-03-01")
    for step in Step:
        cal = step_due_date(step=step, start=start, rule=CAL)
        work = step_due_date(step=step, start=start, rule=WORK)
        assert (cal == work) is (step is Step.OBJECTION), step
    assert step_due_date(step=Step.REGISTER_ROUTE, start=start, rule=WORK) == D("2024-03-22")


# --- helpers -----------------------------------------------------------------------------------
def test_next_working_day_on_or_after() -> None:
    assert next_working_day_on_or_after(D("2025-10-01")) == D("2025-10-09")
    assert next_working_day_on_or_after(D("2025-09-28")) == D("2025-09-28")  # make-up Sunday
    assert next_working_day_on_or_after(D("2025-09-27")) == D("2025-09-28")  # Sat → make-up Sun


def test_add_working_days() -> None:
    assert add_working_days(D("2025-09-30"), 0) == D("2025-09-30")
    assert add_working_days(D("2025-09-30"), 1) == D("2025-10-09")
    assert add_working_days(D("2024-02-09"), 1) == D("2024-02-18")  # make-up Sunday


@pytest.mark.parametrize(
    ("today", "due", "left"),
    [
        ("2025-10-09", "2025-10-09", 0),  # the due day itself
        ("2025-09-30", "2025-10-09", 1),  # one working day left across the 8-day holiday
        # Fri 09-26 → 09-28 make-up Sun, 09-29, 09-30, 10-09.
        ("2025-09-26", "2025-10-09", 4),
        ("2025-10-09", "2025-09-30", -1),  # first working day after the due day
        ("2025-10-03", "2025-09-30", -1),  # a holiday after the due day is already overdue
        ("2025-10-10", "2025-09-30", -2),
    ],
)
def test_working_days_remaining(today: str, due: str, left: int) -> None:
    assert working_days_remaining(today=D(today), due=D(due)) == left


def test_is_overdue() -> None:
    due = D("2025-10-09")
    assert not is_overdue(done_on=due, due=due, today=D("2025-12-01"))  # done on the last day
    assert is_overdue(done_on=D("2025-10-10"), due=due, today=D("2025-10-10"))
    assert not is_overdue(done_on=None, due=due, today=due)  # still the last day
    assert is_overdue(done_on=None, due=due, today=D("2025-10-10"))
    assert not is_overdue(done_on=D("2025-09-01"), due=due, today=D("2026-01-01"))


# --- properties --------------------------------------------------------------------------------
def _oracle_working_day(d: date) -> bool:
    """Independent of the module: chinese_calendar when it knows the year, else Mon-Fri."""
    if 2004 <= d.year <= 2026:
        return bool(chinese_calendar.is_workday(d))
    return d.weekday() < 5


# From before the package's first year to after its last, so the fallback is exercised too.
starts = st.dates(min_value=date(2003, 10, 1), max_value=date(2027, 3, 31))
rules = st.sampled_from(list(DayRule))


@settings(max_examples=300, deadline=None)
@given(
    start=starts,
    days=st.integers(min_value=1, max_value=90),
    rule=rules,
    ext=st.integers(min_value=0, max_value=EXTENSION_MAX_DAYS),
    paused=st.integers(min_value=0, max_value=20),
)
def test_due_date_properties(start: date, days: int, rule: DayRule, ext: int, paused: int) -> None:
    base = due_date(start=start, days=days, rule=rule)
    due = due_date(start=start, days=days, rule=rule, extension_days=ext, paused_days=paused)

    # never a rest day
    assert _oracle_working_day(base)
    assert _oracle_working_day(due)
    # never earlier than start + days (+ extension and pause)
    assert base >= start + timedelta(days=days)
    assert due >= start + timedelta(days=days + ext + paused)
    # an extension (or a pause) only moves it later
    assert due >= base
    if rule is WORK and ext + paused:
        assert due > base

    if rule is CAL:
        # the smallest such day: everything from the raw end up to the due date is a rest day
        raw_end = start + timedelta(days=days + ext + paused)
        d = raw_end
        while d < due:
            assert not _oracle_working_day(d)
            d += timedelta(days=1)
    else:
        # exactly days + ext + paused working days after the start, the last one being the due
        count = sum(
            _oracle_working_day(start + timedelta(days=i)) for i in range(1, (due - start).days + 1)
        )
        assert count == days + ext + paused


@settings(max_examples=200, deadline=None)
@given(start=starts, ext=st.integers(min_value=0, max_value=EXTENSION_MAX_DAYS - 1))
def test_longer_extension_never_earlier(start: date, ext: int) -> None:
    for rule in DayRule:
        shorter = step_due_date(step=Step.HANDLING, start=start, rule=rule, extension_days=ext)
        longer = step_due_date(step=Step.HANDLING, start=start, rule=rule, extension_days=ext + 1)
        assert longer >= shorter
