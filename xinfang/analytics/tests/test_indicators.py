"""Every indicator on a hand-built set of cases with known answers (tests/scenario.py):
extended cases, returned cases, answers on the last day, unrated cases, limits still
running. Both engines (direct queries and the maintained rollup) must give the answers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from xinfang.analytics.definitions import COUNTERS, INDICATORS
from xinfang.analytics.engine import direct_counters, direct_live, rollup_counters, rollup_live
from xinfang.analytics.periods import Filters, Period
from xinfang.analytics.selectors import (
    indicator_settings,
    indicator_values,
    quality_counts,
)
from xinfang.cases.models import Case
from xinfang.org.models import Unit

from .scenario import DUE_DATES, EXPECTED, LATE, build

pytestmark = pytest.mark.django_db
D = date


@pytest.fixture
def world(users):
    return build(users)


def test_the_lifecycle_gave_the_dates_the_hand_counts_rest_on(world):
    for name, dues in DUE_DATES.items():
        case = world.cases[name]
        for field, expected in dues.items():
            assert getattr(case, field) == expected, (name, field)
    b = world.cases["B"]
    assert b.extension_days == 30
    assert b.replied_on == b.handling_due  # answered on the (extended) last day
    assert b.rating == ""


@pytest.mark.parametrize(("key"), list(EXPECTED), ids=[f"{p}@{t}" for p, t in EXPECTED])
def test_counters_match_the_hand_counts_in_both_engines(world, key):
    code, today = key
    period = Period.parse(code, today=today)
    want = {name: EXPECTED[key].get(name, 0) for name in COUNTERS}
    direct = direct_counters(Case.objects.all(), period=period, today=today)[None]
    assert direct == want
    assert rollup_counters(period=period, today=today)[None] == want


def _values(period_code: str, today: date = LATE, **filters) -> dict[str, object]:
    period = Period.parse(period_code, today=today)
    counts = direct_counters(
        Case.objects.all(), period=period, today=today, filters=Filters(**filters)
    )[None]
    values = indicator_values(counts, settings=indicator_settings(), quality=None)
    return {v.code: v for v in values}


def test_timely_acceptance_rate(world):
    iv = _values("2026-03")["timely_acceptance"]
    assert (iv.numerator, iv.denominator) == (4, 6)
    assert iv.value == Decimal("66.7")
    assert iv.target == Decimal(95)
    assert iv.met is False


def test_on_time_closure_counts_extended_cases_by_the_extended_date(world):
    iv = _values("2026-Q2")["on_time_closure"]
    assert (iv.numerator, iv.denominator) == (2, 4)  # A early, B on its extended last day
    assert iv.value == Decimal("50.0")
    assert iv.target is None
    assert iv.met is None


def test_closure_rate(world):
    iv = _values("2026-03")["closure"]
    assert (iv.numerator, iv.denominator) == (3, 4)
    assert iv.value == Decimal("75.0")
    assert iv.met is False  # target 80 %


def test_participation_counts_unrated_cases_once_the_window_closed(world):
    assert (_values("2026-Q2")["participation"].value) == Decimal("100.0")
    july = _values("2026-07")["participation"]
    assert (july.numerator, july.denominator) == (0, 1)  # B never rated
    assert july.value == Decimal("0.0")
    # Seen before B's window closed, B is not counted yet: nothing to report.
    assert _values("2026-07", today=D(2026, 7, 16))["participation"].value is None


def test_satisfaction_rate(world):
    iv = _values("2026-Q2")["satisfaction"]
    assert (iv.numerator, iv.denominator) == (1, 2)
    assert iv.value == Decimal("50.0")
    assert iv.met is False


def test_repeat_rate(world):
    iv = _values("2026-03")["repeat_rate"]
    assert (iv.numerator, iv.denominator) == (1, 7)
    assert iv.value == Decimal("14.3")


def test_average_days(world):
    values = _values("2026-03")
    assert values["days_to_acceptance"].value == Decimal("11.8")  # 47 / 4
    assert values["days_to_acceptance"].display.startswith("11.8")
    assert _values("2026-Q2")["days_to_answer"].value == Decimal("76.3")  # 229 / 3


def test_quality_pass_rate_is_not_available_without_the_supervision_app(world):
    iv = _values("2026-03")["quality_pass"]
    assert iv.available is False
    assert iv.value is None
    assert str(iv.display) in {"n/a", "不适用"} or iv.display
    assert quality_counts(Period.parse("2026", today=LATE)) == (0, 0)


def test_filters_by_unit_town_category_and_channel(world):
    rsj = Unit.objects.get(code="rsj")
    by_unit = _values("2026-03", unit_id=rsj.pk)["timely_acceptance"]
    assert (by_unit.numerator, by_unit.denominator) == (1, 1)  # D, routed there after return
    hotline = direct_counters(
        Case.objects.all(),
        period=Period.parse("2026", today=LATE),
        today=LATE,
        filters=Filters(channel="hotline"),
    )[None]
    assert hotline["registered"] == 1
    town = direct_counters(
        Case.objects.all(),
        period=Period.parse("2026", today=LATE),
        today=LATE,
        filters=Filters(town="530423002"),
    )[None]
    assert town["registered"] == 1  # H in 九龙街道; the others are in 秀山街道
    by_town = rollup_counters(period=Period.parse("2026", today=LATE), today=LATE, dim="town")
    assert by_town["530423001"]["registered"] == 7
    assert by_town["530423002"]["registered"] == 1


@pytest.mark.parametrize("dim", ["unit", "town", "category", "channel", "month"])
def test_both_engines_agree_on_every_dimension(world, dim):
    for code, today in EXPECTED:
        period = Period.parse(code, today=today)
        direct = direct_counters(Case.objects.all(), period=period, today=today, dim=dim)
        assert rollup_counters(period=period, today=today, dim=dim) == direct, (code, today)


def test_overdue_counts_use_the_case_lists_queue_condition(world):
    # On 2026-03-19 F (acceptance due 03-18, undecided) is overdue.
    live = direct_live(Case.objects.all(), today=D(2026, 3, 19))
    zjj = Unit.objects.get(code="zjj")
    assert live[zjj.pk]["overdue"] == 1
    assert rollup_live(today=D(2026, 3, 19)) == live


def test_every_indicator_is_defined_once_with_a_definition(world):
    for ind in INDICATORS.values():
        assert str(ind.definition)
        assert ind.source == "quality" or ind.numerator in COUNTERS
        assert ind.source == "quality" or ind.denominator in COUNTERS
