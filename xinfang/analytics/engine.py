"""The indicator engine: counters (definitions.COUNTERS) for a period, filters and one
grouping dimension, computed two ways that must agree:

- ``direct_counters``: pure aggregate queries over any queryset of cases (a unit's cases,
  arbitrary periods, the drill-down's subsets); one query per call (per anchor for months);
- ``rollup_counters``: the same numbers for the whole county from the maintained monthly
  rollup (xinfang.analytics.rollup), for month-aligned periods: what keeps the leader
  dashboard fast with a million cases.

A result maps a dimension value (``None`` without a dimension) to ``{counter: value}``.
"""

# ruff: noqa: S608 -- the SQL of rollup_facets is built from column names of this module and
# definitions.COUNTERS; values go as parameters.
from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

from django.db import connection
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.db.models.functions import Substr, TruncMonth

from xinfang.cases.models import Case

from .definitions import ANCHORS, COUNTERS, PENDING_COUNTERS, Counter
from .models import PendingCell, RollupCell
from .periods import Filters, Period, add_months, month_start

Counts = dict[str, int]
Result = dict[Any, Counts]
DIMENSIONS = ("unit", "town", "category", "channel", "month")
_CASE_DIM = {"unit": "handling_unit_id", "category": "category_id", "channel": "channel"}
_CELL_DIM = {"unit": "unit_id", "town": "town", "category": "category_id", "channel": "channel"}


def empty_counts() -> Counts:
    return dict.fromkeys(COUNTERS, 0)


def _add(into: Result, key: Any, values: Mapping[str, Any], sign: int = 1) -> None:
    row = into.setdefault(key, empty_counts())
    for name, value in values.items():
        if name in row and value:
            row[name] += sign * int(value)


def merge(results: Iterable[Result], signs: Iterable[int]) -> Result:
    out: Result = {}
    for result, sign in zip(results, signs, strict=True):
        for key, values in result.items():
            _add(out, key, values, sign)
    return out


# --- direct -------------------------------------------------------------------------------


def _aggregate(counter: Counter, *, period: Period, today: date) -> Any:
    cond = counter.q(start=period.start, end=period.end, today=today)
    if counter.days_from:
        days = ExpressionWrapper(
            F(counter.anchor) - F(counter.days_from), output_field=DurationField()
        )
        return Sum(days, filter=cond)
    return Count("pk", filter=cond)


def _as_int(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, timedelta):
        return value.days
    return int(value)


def _in_period(anchors: Iterable[str], period: Period) -> Q:
    q = Q()
    for anchor in anchors:
        q |= Q(**{f"{anchor}__gte": period.start, f"{anchor}__lte": period.end})
    return q


def scoped(qs: QuerySet[Case], filters: Filters) -> QuerySet[Case]:
    """``qs`` as a plain set of cases (a scope that joins, e.g. a unit's co-handled cases,
    is turned into an ``id IN (...)`` so nothing is counted twice), with the filters."""
    base: QuerySet[Case] = qs.order_by()
    if base.query.distinct or base.query.combinator:
        base = Case.objects.filter(pk__in=base.values("pk"))
    return base.filter(filters.case_q())


def direct_counters(
    qs: QuerySet[Case],
    *,
    period: Period,
    today: date,
    filters: Filters = Filters(),  # noqa: B008 (frozen dataclass)
    dim: str | None = None,
) -> Result:
    """Every counter for the cases of ``qs`` (one query; one per anchor for ``month``)."""
    base = scoped(qs, filters)
    result: Result = {}
    if dim == "month":
        for anchor in ANCHORS:
            counters = [c for c in COUNTERS.values() if c.anchor == anchor]
            rows: Any = (
                base.filter(_in_period([anchor], period))
                .annotate(m=TruncMonth(anchor))
                .values("m")
                .annotate(**{c.code: _aggregate(c, period=period, today=today) for c in counters})
            )
            for row in rows:
                _add(result, row["m"], {c.code: _as_int(row[c.code]) for c in counters})
        return _nonzero(result)
    aggregates = {c.code: _aggregate(c, period=period, today=today) for c in COUNTERS.values()}
    base = base.filter(_in_period(ANCHORS, period))
    if dim is None:
        total = base.aggregate(**aggregates)
        result[None] = {k: _as_int(v) for k, v in total.items()}
        return result
    grouped: Any
    if dim == "town":
        grouped = base.annotate(key=Substr("division__code", 1, 9)).values("key")
    else:
        grouped = base.annotate(key=F(_CASE_DIM[dim])).values("key")
    for row in grouped.annotate(**aggregates):
        key = row["key"]
        if dim == "town":
            key = key if key and len(key) >= 9 else ""
        elif dim == "unit":
            key = key or 0
        _add(result, key, {k: _as_int(row[k]) for k in COUNTERS})
    return _nonzero(result)


# --- from the rollup ----------------------------------------------------------------------


def rollup_counters(
    *,
    period: Period,
    today: date,
    filters: Filters = Filters(),  # noqa: B008
    dim: str | None = None,
) -> Result:
    """The same as ``direct_counters`` over all cases, from the rollup (month-aligned
    periods only): sums of the monthly cells, less the limits still running (pending cells
    from today on)."""
    if not period.month_aligned:
        raise ValueError("the rollup answers month-aligned periods only")
    cells = RollupCell.objects.filter(
        month__gte=month_start(period.start), month__lte=month_start(period.end)
    ).filter(filters.cell_q())
    sums = {c: Sum(c) for c in COUNTERS}
    result: Result = {}
    if dim is None:
        result[None] = {k: _as_int(v) for k, v in cells.aggregate(**sums).items()}
    else:
        field = "month" if dim == "month" else _CELL_DIM[dim]
        for row in cells.values(field).annotate(**sums):
            _add(result, row[field], {k: _as_int(row[k]) for k in COUNTERS})
    if period.end >= today:
        pending = PendingCell.objects.filter(
            counter__in=PENDING_COUNTERS, due__gte=max(period.start, today), due__lte=period.end
        ).filter(filters.cell_q())
        if dim is None:
            for row in pending.values("counter").annotate(total=Sum("n")):
                _add(result, None, {row["counter"]: row["total"]}, -1)
        elif dim == "month":
            # By day, folded into months here: cheaper than truncating every row in SQL.
            for row in pending.values("counter", "due").annotate(total=Sum("n")):
                _add(result, month_start(row["due"]), {row["counter"]: row["total"]}, -1)
        else:
            grouped = pending.annotate(key=F(_CELL_DIM[dim]))
            for row in grouped.values("counter", "key").annotate(total=Sum("n")):
                _add(result, row["key"], {row["counter"]: row["total"]}, -1)
    if dim is None:
        result.setdefault(None, empty_counts())
    return _nonzero(result)


# Several dimensions from one read of the rollup: a dashboard needs the period by unit, town,
# category and channel; four GROUP BYs read the period's cells four times. PostgreSQL groups
# once with GROUPING SETS; SQLite (no grouping sets) first folds the period's months into one
# row per (unit, town, category, channel) -- a fraction of the cells -- and groups that small
# set by each dimension.
_FACET_COLUMNS = ("unit_id", "town", "category_id", "channel")


def _cell_where(period: Period, filters: Filters) -> tuple[str, list[Any]]:
    """The WHERE clause of ``filters.cell_q()`` and the period's months, as SQL."""
    where = ["month >= %s", "month <= %s"]
    params: list[Any] = [month_start(period.start), month_start(period.end)]
    for column, value in (
        ("unit_id", filters.unit_id),
        ("town", filters.town),
        ("category_id", filters.category_id),
        ("channel", filters.channel),
    ):
        if value:
            where.append(f"{column} = %s")
            params.append(value)
    return " AND ".join(where), params


def _facet_sql(dims: tuple[str, ...], vendor: str) -> str:
    """SELECT dim, key, SUM(counter)... over the cells of ``{where}``, one row per value of
    each dimension of ``dims``."""
    cols = [_CELL_DIM[d] for d in dims]
    sums = ", ".join(f"SUM({c})" for c in COUNTERS)
    if vendor == "postgresql":
        # GROUPING(col) is 0 in the set grouped by that column.
        tag = " ".join(f"WHEN GROUPING({c}) = 0 THEN {i}" for i, c in enumerate(cols))
        key = " ".join(f"WHEN GROUPING({c}) = 0 THEN CAST({c} AS text)" for c in cols)
        return (
            f"SELECT CASE {tag} END, CASE {key} END, {sums} FROM analytics_rollupcell"
            " WHERE {where} GROUP BY GROUPING SETS (" + ", ".join(f"({c})" for c in cols) + ")"
        )
    folded = (
        f"SELECT {', '.join(cols)}, "
        + ", ".join(f"SUM({c}) AS {c}" for c in COUNTERS)
        + " FROM analytics_rollupcell WHERE {where} GROUP BY "
        + ", ".join(cols)
    )
    parts = [f"SELECT {i}, {c}, {sums} FROM k GROUP BY {c}" for i, c in enumerate(cols)]
    return f"WITH k AS MATERIALIZED ({folded}) " + " UNION ALL ".join(parts)


def _facet_key(dim: str, raw: Any) -> Any:
    if dim in ("unit", "category"):
        return int(raw)
    return raw


def rollup_facets(
    *,
    period: Period,
    today: date,
    filters: Filters = Filters(),  # noqa: B008
    dims: tuple[str, ...] = ("unit", "town", "category", "channel"),
) -> dict[str, Result]:
    """``rollup_counters(dim=d)`` for every ``d`` of ``dims`` (not ``month``): one query over
    the cells and one over the pending cells, instead of two per dimension."""
    if not period.month_aligned:
        raise ValueError("the rollup answers month-aligned periods only")
    if not dims:
        return {}
    if "month" in dims:
        raise ValueError("the trend reads the months with rollup_counters(dim='month')")
    vendor = connection.vendor
    where, params = _cell_where(period, filters)
    out: dict[str, Result] = {d: {} for d in dims}
    with connection.cursor() as cur:
        cur.execute(_facet_sql(dims, vendor).replace("{where}", where), params)
        for tag, key, *values in cur.fetchall():
            dim = dims[tag]
            _add(out[dim], _facet_key(dim, key), dict(zip(COUNTERS, values, strict=True)))
    if period.end >= today:
        pending = PendingCell.objects.filter(
            counter__in=PENDING_COUNTERS, due__gte=max(period.start, today), due__lte=period.end
        ).filter(filters.cell_q())
        cols = [_CELL_DIM[d] for d in dims]
        rows = pending.values("counter", *cols).annotate(total=Sum("n"))
        for row in rows:
            for dim, col in zip(dims, cols, strict=True):
                _add(out[dim], row[col], {row["counter"]: row["total"]}, -1)
    return {d: _nonzero(r) for d, r in out.items()}


def _nonzero(result: Result) -> Result:
    """Drop dimension values with nothing to count (keep the total)."""
    return {k: v for k, v in result.items() if k is None or any(v.values())}


def trend_months(period: Period, minimum: int = 12) -> Period:
    """The months shown in a trend: the period's, extended back to at least ``minimum``."""
    months = period.months()
    if len(months) >= minimum:
        return Period(months[0], period.end, "range")
    first = add_months(months[-1], -(minimum - 1))
    return Period(first, Period.month(period.end.year, period.end.month).end, "range")


# --- live counts: overdue and due soon, now -----------------------------------------------

Live = dict[Any, dict[str, int]]


def _live_row(into: Live, key: Any, overdue: int, due_soon: int, sign: int = 1) -> None:
    row = into.setdefault(key, {"overdue": 0, "due_soon": 0})
    row["overdue"] += sign * int(overdue or 0)
    row["due_soon"] += sign * int(due_soon or 0)


def direct_live(
    qs: QuerySet[Case],
    *,
    today: date,
    filters: Filters = Filters(),  # noqa: B008
) -> Live:
    """Overdue and due-soon cases now, by handling unit (0: none), with the case list's own
    queue conditions (xinfang.cases.queues), so the drill-down shows the same cases."""
    from xinfang.cases.queues import QUEUES

    rows = (
        scoped(qs, filters)
        .filter(QUEUES["overdue"].condition(today) | QUEUES["due_soon"].condition(today))
        .values("handling_unit_id")
        .annotate(
            overdue=Count("pk", filter=QUEUES["overdue"].condition(today)),
            due_soon=Count("pk", filter=QUEUES["due_soon"].condition(today)),
        )
    )
    out: Live = {}
    for r in rows:
        _live_row(out, r["handling_unit_id"] or 0, r["overdue"], r["due_soon"])
    return out


def rollup_live(*, today: date, filters: Filters = Filters()) -> Live:  # noqa: B008
    """The same from the trackers kept by the rollup's triggers (definitions.TRACKERS)."""
    overdue = Q(counter="open", due__lt=today)
    soon = Q(counter="soon", due__gte=today)
    rows = (
        PendingCell.objects.filter(overdue | soon)
        .filter(filters.cell_q())
        .values("unit_id")
        .annotate(o=Sum("n", filter=overdue), s=Sum("n", filter=soon))
    )
    out: Live = {}
    for r in rows:
        _live_row(out, r["unit_id"], r["o"], r["s"])
    return {k: v for k, v in out.items() if v["overdue"] or v["due_soon"]}


def merge_live(parts: Iterable[Live], signs: Iterable[int]) -> Live:
    out: Live = {}
    for part, sign in zip(parts, signs, strict=True):
        for key, row in part.items():
            _live_row(out, key, row["overdue"], row["due_soon"], sign)
    return {k: v for k, v in out.items() if v["overdue"] or v["due_soon"]}
