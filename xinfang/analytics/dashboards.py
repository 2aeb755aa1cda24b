"""The figures of the dashboards (leader, supervisor, unit head) and of the public page,
assembled from the engine: each number with the query string of the case list that shows the
cases behind it (the case list's filters, xinfang.cases.filters, with its ``metric`` filter)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.utils.translation import gettext as _

from xinfang.cases.models import Category, Channel
from xinfang.org.models import Division, Unit

from .definitions import COUNTERS, INDICATORS, RANKING_INDICATORS
from .engine import Counts, Result, empty_counts, trend_months
from .periods import Filters, Period
from .selectors import (
    IndicatorValue,
    RankRow,
    Scope,
    VolumeValue,
    counters_by,
    counters_for,
    indicator_settings,
    indicator_values,
    live_for,
    quality_available,
    quality_by_unit,
    quality_counts,
    rank,
    score,
    volume_values,
)


@dataclass
class Names:
    """Display names and case-list ids for the dimension values (three small queries)."""

    units: dict[int, Unit]
    towns: dict[str, Division]
    categories: dict[int, Category]

    @classmethod
    def load(cls) -> Names:
        return cls(
            units={u.pk: u for u in Unit.objects.all()},
            towns={d.code: d for d in Division.objects.filter(level=Division.Level.TOWNSHIP)},
            categories={c.pk: c for c in Category.objects.all()},
        )

    def unit(self, key: int) -> str:
        unit = self.units.get(key)
        return unit.label if unit else _("Not yet routed")

    def town(self, key: str) -> str:
        town = self.towns.get(key)
        return town.name if town else _("County level")

    def category(self, key: int) -> str:
        category = self.categories.get(key)
        return category.name if category else "?"


def case_list_query(
    filters: Filters,
    names: Names,
    *,
    metric: str = "",
    period: Period | None = None,
    **extra: str,
) -> str:
    """The query string of /cases/ (and /cases/export.xlsx) that selects the cases behind
    a number."""
    params: dict[str, str] = {}
    if metric and period is not None:
        params.update(
            metric=metric, metric_from=period.start.isoformat(), metric_to=period.end.isoformat()
        )
    if filters.unit_id:
        params["unit"] = str(filters.unit_id)
    if filters.town and filters.town in names.towns:
        params["town"] = str(names.towns[filters.town].pk)
    if filters.category_id:
        params["category"] = str(filters.category_id)
    if filters.channel:
        params["channel"] = filters.channel
    params.update(extra)
    return urlencode(params)


@dataclass
class Row:
    """One value of a dimension (a town, a category, a channel, a month) with its counts."""

    key: Any
    label: str
    counts: Counts
    query: str = ""
    indicators: list[IndicatorValue] = field(default_factory=list)

    def get(self, name: str) -> int:
        return self.counts.get(name, 0)


@dataclass
class Dashboard:
    scope: Scope
    period: Period
    filters: Filters
    today: date
    totals: Counts
    indicators: list[IndicatorValue]
    names: Names
    settings: dict[str, Any]
    volumes: list[VolumeValue] = field(default_factory=list)
    channels: list[Row] = field(default_factory=list)
    towns: list[Row] = field(default_factory=list)
    categories: list[Row] = field(default_factory=list)
    trend: list[Row] = field(default_factory=list)
    ranking: list[RankRow] = field(default_factory=list)
    overdue: int = 0
    due_soon: int = 0
    quality_available: bool = False

    def query(self, metric: str = "", **extra: str) -> str:
        return case_list_query(self.filters, self.names, metric=metric, period=self.period, **extra)

    def chart_data(self) -> dict[str, Any]:
        """What the charts draw (the page's JSON data island)."""
        drill = self.scope.can_drill
        return {
            "trend": {
                "months": [r.key.strftime("%Y-%m") for r in self.trend],
                "registered": [r.get("registered") for r in self.trend],
                "answered": [r.get("answered") for r in self.trend],
                "onTime": [_pct(r.get("hnd_on_time"), r.get("hnd_due")) for r in self.trend],
                "timely": [_pct(r.get("acc_on_time"), r.get("acc_due")) for r in self.trend],
                "links": [r.query if drill else "" for r in self.trend],
            },
            "towns": [
                {"name": r.label, "value": r.get("registered"), "link": r.query if drill else ""}
                for r in self.towns
            ],
            "categories": [
                {"name": r.label, "value": r.get("registered"), "link": r.query if drill else ""}
                for r in self.categories
            ],
            "ranking": [
                {"name": r.name, "value": float(r.score) if r.score is not None else None}
                for r in self.ranking
            ],
            "labels": {
                "registered": _("Registered"),
                "answered": _("Answered"),
                "onTime": _("On-time closure rate (%)"),
                "timely": _("Timely acceptance rate (%)"),
                "score": _("Score"),
            },
        }


def _pct(num: int, den: int) -> float | None:
    return round(100 * num / den, 1) if den else None


def _rows(result: Result, *, dim: str, names: Names, filters: Filters, period: Period) -> list[Row]:
    rows = []
    for key, counts in result.items():
        if key is None:
            continue
        if dim == "town":
            label, sub = names.town(key), filters.with_(town=key)
        elif dim == "category":
            label, sub = names.category(key), filters.with_(category_id=key)
        elif dim == "channel":
            label, sub = (
                str(Channel(key).label) if key in Channel.values else key,
                filters.with_(channel=key),
            )
        else:
            label, sub = names.unit(key), filters.with_(unit_id=key or None)
        rows.append(
            Row(key, label, counts, case_list_query(sub, names, metric="registered", period=period))
        )
    rows.sort(key=lambda r: (-r.get("registered"), r.label))
    return rows


def _total(by_unit: Result) -> Counts:
    total = empty_counts()
    for counts in by_unit.values():
        for name in COUNTERS:
            total[name] += counts.get(name, 0)
    return total


def build_dashboard(
    scope: Scope,
    *,
    period: Period,
    filters: Filters,
    today: date,
    facets: tuple[str, ...] = ("channel", "town", "category", "trend", "ranking"),
) -> Dashboard:
    """The figures of a dashboard: indicators vs targets for the period, and the facets
    asked for. Queries: one for the totals, the units, channels, towns and categories
    together (and one for the limits still running), one for the trend, plus names,
    settings, quality and the live overdue counts."""
    settings = indicator_settings()
    names = Names.load()
    dims = ("unit", *(d for d in ("channel", "town", "category") if d in facets))
    facet = counters_by(scope, period=period, today=today, filters=filters, dims=dims)
    by_unit = facet["unit"]
    totals = _total(by_unit)
    has_quality = quality_available()
    quality_units: dict[Any, tuple[int, int]] | None = None
    quality: tuple[int, int] | None = None
    if has_quality and "ranking" in facets:
        # One query: the total is the sum over the units.
        quality_units = quality_by_unit(period, filters, scope=scope)
        quality = (
            sum(p for p, _i in quality_units.values()),
            sum(i for _p, i in quality_units.values()),
        )
    elif has_quality:
        quality = quality_counts(period, filters, scope=scope)
    board = Dashboard(
        scope=scope,
        period=period,
        filters=filters,
        today=today,
        totals=totals,
        indicators=indicator_values(totals, settings=settings, quality=quality),
        quality_available=has_quality,
        names=names,
        settings=settings,
    )
    live = live_for(scope, today=today, filters=filters)
    board.overdue = sum(v["overdue"] for v in live.values())
    board.due_soon = sum(v["due_soon"] for v in live.values())
    if "channel" in facets:
        by_channel = facet["channel"]
        board.channels = _rows(
            by_channel, dim="channel", names=names, filters=filters, period=period
        )
        board.volumes = volume_values(by_channel, period=period, settings=settings)
    if "town" in facets:
        board.towns = _rows(facet["town"], dim="town", names=names, filters=filters, period=period)
    if "category" in facets:
        board.categories = _rows(
            facet["category"], dim="category", names=names, filters=filters, period=period
        )
    if "trend" in facets:
        span = trend_months(period)
        by_month = counters_for(scope, period=span, today=today, filters=filters, dim="month")
        for month in span.months():
            month_period = Period.month(month.year, month.month)
            board.trend.append(
                Row(
                    month,
                    f"{month:%Y-%m}",
                    by_month.get(month) or empty_counts(),
                    case_list_query(filters, names, metric="registered", period=month_period),
                )
            )
    if "ranking" in facets:
        board.ranking = unit_ranking(
            by_unit,
            names=names,
            settings=settings,
            quality=quality_units,
            live=live,
        )
    return board


def unit_ranking(
    by_unit: Result,
    *,
    names: Names,
    settings: dict[str, Any],
    quality: dict[Any, tuple[int, int]] | None,
    live: dict[int, dict[str, int]],
) -> list[RankRow]:
    """考核排名: every handling unit with cases in the period, by weighted score."""
    rows = []
    for key, counts in by_unit.items():
        if key in (None, 0):
            continue
        q = (quality or {}).get(key, (0, 0)) if quality is not None else None
        values = indicator_values(counts, settings=settings, quality=q)
        total, parts = score(values, settings)
        rows.append(
            RankRow(
                key=key,
                name=names.unit(key),
                indicators=values,
                overdue=live.get(key, {}).get("overdue", 0),
                score=total,
                parts=parts,
            )
        )
    return rank(rows)


def indicator_by_code(values: list[IndicatorValue], code: str) -> IndicatorValue:
    return next(v for v in values if v.code == code)


def ranking_weights(settings: dict[str, Any]) -> list[tuple[Any, Decimal]]:
    return [(INDICATORS[c].label, settings[c].weight) for c in RANKING_INDICATORS]
