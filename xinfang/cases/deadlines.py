"""Legal deadlines on the Chinese working-day calendar (信访工作条例, 2022).

Day counting (DOMAIN.md §2, as in Chinese procedural law): the day of receipt is not
counted; a limit of N days ends at the end of day N; if that day is a rest day (weekend or
public holiday, not a make-up working day 调休) it ends at the end of the next working day.
An extension counts from the end of the original limit *before* any rest-day move, and the
rest-day rule is applied to the extended end. A jurisdiction may switch to the "workdays"
rule: only working days after the day of receipt are counted.

Under the workdays rule an extension of E days adds E working days after the original due
date (the end is the (N + E)-th working day after the start), and ``paused_days`` are working
days too. The objection of art. 23 (5个工作日) is always counted in working days.

Rest days and make-up working days come from the maintained ``chinese_calendar`` package.
Outside the years it knows (1.11: 2004-2026; it raises NotImplementedError), we fall back to
plain weekends: Saturday and Sunday are rest days, no public holidays, no make-up days. A
deadline running into a year the installed package does not know is therefore provisional:
upgrade ``chinesecalendar`` when the State Council publishes the next year's notice (usually in
November) and recompute.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache

import chinese_calendar


class DayRule(StrEnum):
    CALENDAR = "calendar"  # count calendar days, move an end on a rest day
    WORKDAYS = "workdays"  # count working days only


class Step(StrEnum):
    REGISTER_ROUTE = "register_route"  # 登记并转送/交办
    ACCEPTANCE_NOTICE = "acceptance_notice"  # 受理告知
    OBJECTION = "objection"  # 异议退回
    HANDLING = "handling"  # 办理答复
    REVIEW_REQUEST = "review_request"  # 申请复查
    REVIEW_DECISION = "review_decision"  # 复查意见
    REREVIEW_REQUEST = "rereview_request"  # 申请复核
    REREVIEW_DECISION = "rereview_decision"  # 复核意见


@dataclass(frozen=True)
class StepLimit:
    days: int
    article: str
    always_workdays: bool = False  # the objection period is in working days by the rule itself


STEP_LIMITS: dict[Step, StepLimit] = {
    Step.REGISTER_ROUTE: StepLimit(15, "信访工作条例 第二十二条"),
    Step.ACCEPTANCE_NOTICE: StepLimit(15, "信访工作条例 第二十三条"),
    Step.OBJECTION: StepLimit(5, "信访工作条例 第二十三条", always_workdays=True),
    Step.HANDLING: StepLimit(60, "信访工作条例 第三十四条"),
    Step.REVIEW_REQUEST: StepLimit(30, "信访工作条例 第三十五条"),
    Step.REVIEW_DECISION: StepLimit(30, "信访工作条例 第三十五条"),
    Step.REREVIEW_REQUEST: StepLimit(30, "信访工作条例 第三十六条"),
    Step.REREVIEW_DECISION: StepLimit(30, "信访工作条例 第三十六条"),
}
# 信访工作条例 art. 34: extended once, by at most 30 days.
EXTENSION_MAX_DAYS = 30


@lru_cache(maxsize=65536)
def is_working_day(d: date) -> bool:
    """Mon-Fri unless a public holiday, plus make-up working days (调休上班); see the module
    docstring for the weekend-only fallback outside chinese_calendar's years.

    Memoized per date: the calendar is static data for the life of the process (a new
    ``chinesecalendar`` release means a restart), and ``chinese_calendar.is_workday`` costs
    about 40 µs a call (it validates the date against every holiday), while
    ``working_days_remaining`` asks for every day between today and a due date - thousands
    of calls for one case page. 65,536 dates are 180 years."""
    try:
        return bool(chinese_calendar.is_workday(d))
    except NotImplementedError:  # year beyond the package's data: weekends only
        return d.weekday() < 5


def is_rest_day(d: date) -> bool:
    """A weekend day that is not a make-up working day, or a public holiday."""
    return not is_working_day(d)


def next_working_day_on_or_after(d: date) -> date:
    """The rest-day rule: an end on a rest day moves to the next working day."""
    while is_rest_day(d):
        d += timedelta(days=1)
    return d


def add_working_days(start: date, n: int) -> date:
    """The n-th working day after ``start`` (``start`` itself is not counted); n=0 is ``start``."""
    if n < 0:
        raise ValueError(f"n must not be negative, got {n}")
    d = start
    counted = 0
    while counted < n:
        d += timedelta(days=1)
        if is_working_day(d):
            counted += 1
    return d


def due_date(
    *,
    start: date,
    days: int,
    rule: DayRule,
    extension_days: int = 0,
    paused_days: int = 0,
) -> date:
    """Last day (inclusive) of a limit of ``days`` counted from ``start``.

    ``extension_days`` lengthen the limit from its unmoved end; ``paused_days`` (e.g. hearing
    time in a re-review, art. 36) are not counted. Under the workdays rule both are counted
    in working days after the original end.

    Raises ValueError unless ``days >= 1``, ``0 <= extension_days <= EXTENSION_MAX_DAYS``
    (art. 34) and ``paused_days >= 0`` - with days=0 the workdays rule would return ``start``,
    which may be a rest day."""
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    if not 0 <= extension_days <= EXTENSION_MAX_DAYS:
        raise ValueError(
            f"extension_days must be 0 to {EXTENSION_MAX_DAYS} (信访工作条例 第三十四条), "
            f"got {extension_days}"
        )
    if paused_days < 0:
        raise ValueError(f"paused_days must not be negative, got {paused_days}")
    if rule == DayRule.WORKDAYS:
        return add_working_days(start, days + extension_days + paused_days)
    raw_end = start + timedelta(days=days + extension_days + paused_days)
    return next_working_day_on_or_after(raw_end)


def step_due_date(
    *,
    step: Step,
    start: date,
    rule: DayRule,
    extension_days: int = 0,
    paused_days: int = 0,
) -> date:
    """Due date of ``step`` started on ``start`` under the jurisdiction's ``rule`` (the
    objection, 信访工作条例 第二十三条, is always in working days); see ``due_date``."""
    limit = STEP_LIMITS[step]
    return due_date(
        start=start,
        days=limit.days,
        rule=DayRule.WORKDAYS if limit.always_workdays else rule,
        extension_days=extension_days,
        paused_days=paused_days,
    )


def working_days_remaining(*, today: date, due: date) -> int:
    """Working days left until ``due`` (0 on the due day, negative when overdue)."""
    if today == due:
        return 0
    step = 1 if due > today else -1
    d = today
    count = 0
    while d != due:
        d += timedelta(days=step)
        if is_working_day(d) or d == due:
            count += step
    return count


def is_overdue(*, done_on: date | None, due: date, today: date) -> bool:
    """A step done on its last day is on time (DOMAIN.md §2)."""
    return (done_on or today) > due
