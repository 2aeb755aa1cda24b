"""One read for several dimensions (engine.rollup_facets, selectors.counters_by): the same
numbers as one query per dimension, and as a direct count of the cases."""

from __future__ import annotations

from datetime import date

import pytest

from xinfang.analytics import rollup
from xinfang.analytics.engine import direct_counters, rollup_counters, rollup_facets
from xinfang.analytics.periods import Filters, Period
from xinfang.analytics.selectors import counters_by, counters_for, scope_for
from xinfang.cases.models import Case, Category
from xinfang.cases.tests.factories import register
from xinfang.org.models import Unit

from .scenario import LATE, build

pytestmark = pytest.mark.django_db
DIMS = ("unit", "town", "category", "channel")


def _filters() -> list[Filters]:
    zjj = Unit.objects.get(code="zjj")
    town = Case.objects.exclude(division=None).values_list("division__code", flat=True).first()
    return [
        Filters(),
        Filters(unit_id=zjj.pk),
        Filters(channel="hotline"),
        Filters(town=(town or "")[:9]),
        Filters(category_id=Category.objects.get(code="labour").pk, channel="visit"),
    ]


@pytest.mark.parametrize("code", ["2026", "2026-03", "2026-Q2", "2026-07", "2025"])
@pytest.mark.parametrize("today", [LATE, Period.parse("2026-03", today=LATE).end])
def test_one_read_gives_what_one_query_per_dimension_gives(users, code, today):
    build(users)
    rollup.compact()  # cells merged, and cells appended after: both kinds are summed
    for i in range(3):
        register(users, title=f"压缩之后 {i}", received_on=date(2026, 3, 2 + i))
    period = Period.parse(code, today=today)
    for filters in _filters():
        together = rollup_facets(period=period, today=today, filters=filters, dims=DIMS)
        assert set(together) == set(DIMS)
        for dim in DIMS:
            alone = rollup_counters(period=period, today=today, filters=filters, dim=dim)
            assert together[dim] == alone, (dim, filters)
            direct = direct_counters(
                Case.objects.all(), period=period, today=today, filters=filters, dim=dim
            )
            assert together[dim] == direct, (dim, filters)
    assert rollup_facets(period=period, today=today, dims=("town",)).keys() == {"town"}


@pytest.mark.parametrize("who", ["leader", "unithead", "analyst", "supervisor"])
def test_counters_by_equals_counters_for_in_every_scope(users, who):
    build(users)
    scope = scope_for(users[who])
    for code in ("2026", "2026-03", "2026-03-05..2026-04-20"):  # the last: direct, unaligned
        period = Period.parse(code, today=LATE)
        for filters in _filters():
            together = counters_by(scope, period=period, today=LATE, filters=filters, dims=DIMS)
            for dim in DIMS:
                alone = counters_for(scope, period=period, today=LATE, filters=filters, dim=dim)
                assert together[dim] == alone, (who, code, dim, filters)


def test_the_trend_is_not_a_facet(users):
    with pytest.raises(ValueError, match="trend"):
        rollup_facets(period=Period.parse("2026", today=LATE), today=LATE, dims=("month",))
    with pytest.raises(ValueError, match="month-aligned"):
        rollup_facets(period=Period.parse("2026-03-05..2026-04-20", today=LATE), today=LATE)
