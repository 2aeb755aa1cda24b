"""Live metrics a performance indicator can be bound to.

Each metric reads one figure for a budget year from the areas that own the data, through
their selectors where they have one:

- rates of the analytics engine (xinfang.analytics.definitions.INDICATORS: 及时受理率,
  办结率, 满意率, 质检合格率 ...), county-wide, as on the public statistics page;
- yearly volumes of the analytics engine (VOLUME_TARGETS: petitions accepted, 12345 cases,
  policy suggestions sent);
- 12345 work orders received (xinfang.hotline) and policy suggestions adopted
  (xinfang.risk, 采纳 and 部分采纳);
- the project's own spending (a cost indicator, 成本指标).

All readings of a year come from one ``read_year`` call (a handful of queries), so the
dashboard reads every indicator of every project at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal

from django.apps import apps
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Metric:
    code: str
    label: str | Promise
    unit: str  # "%" for rates; 件, 条, 元 for counts and money
    cumulative: bool  # a running total over the year (forecast by pace), else a rate
    source: str  # which area answers, shown beside the figure


@dataclass
class Reading:
    value: Decimal | None  # None: no data (a rate without a denominator, an absent area)
    numerator: int | None = None
    denominator: int | None = None


METRICS: dict[str, Metric] = {
    m.code: m
    for m in [
        Metric("timely_acceptance", _("Timely acceptance rate"), "%", False, "analytics"),
        Metric("on_time_closure", _("On-time closure rate"), "%", False, "analytics"),
        Metric("closure", _("Closure rate"), "%", False, "analytics"),
        Metric("participation", _("Participation rate"), "%", False, "analytics"),
        Metric("satisfaction", _("Satisfaction rate"), "%", False, "analytics"),
        Metric("quality_pass", _("Quality pass rate"), "%", False, "analytics"),
        Metric("petitions_accepted", _("Petitions accepted (not 12345)"), "件", True, "analytics"),
        Metric("hotline_cases", _("12345 hotline cases"), "件", True, "analytics"),
        Metric("hotline_orders", _("12345 work orders received"), "件", True, "hotline"),
        Metric("policy_suggestions", _("Policy suggestions sent"), "条", True, "risk"),
        Metric("suggestions_adopted", _("Policy suggestions adopted"), "条", True, "risk"),
        Metric("project_spending", _("Spending of this project"), "元", True, "funds"),
    ]
}


def metric_choices() -> list[tuple[str, str]]:
    return [("", str(_("Entered by hand, with evidence")))] + [
        (m.code, f"{m.label} ({m.unit})") for m in METRICS.values()
    ]


@dataclass
class YearReadings:
    """Every county-wide metric for one year, as of ``today``."""

    year: int
    today: date
    values: dict[str, Reading] = field(default_factory=dict)

    @property
    def elapsed(self) -> Decimal:
        """The share of the year gone by (0 before it starts, 1 after it ends)."""
        start, end = date(self.year, 1, 1), date(self.year, 12, 31)
        if self.today < start:
            return Decimal(0)
        if self.today >= end:
            return Decimal(1)
        days = Decimal((end - start).days + 1)
        return Decimal((self.today - start).days + 1) / days

    def get(self, code: str) -> Reading:
        return self.values.get(code, Reading(None))


def _pct(num: int, den: int) -> Decimal | None:
    if not den:
        return None
    return (Decimal(100) * num / den).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _analytics(year: int, today: date, out: dict[str, Reading]) -> None:
    if not apps.is_installed("xinfang.analytics"):
        return
    from xinfang.analytics.dashboards import _total
    from xinfang.analytics.periods import Period
    from xinfang.analytics.selectors import (
        PUBLIC_SCOPE,
        counters_for,
        indicator_settings,
        indicator_values,
        quality_available,
        quality_counts,
        volume_values,
    )

    period = Period.year(year)
    by_channel = counters_for(PUBLIC_SCOPE, period=period, today=today, dim="channel")
    totals = _total(by_channel)
    quality = quality_counts(period) if quality_available() else None
    settings = indicator_settings()
    for iv in indicator_values(totals, settings=settings, quality=quality):
        if iv.code in METRICS:
            out[iv.code] = Reading(iv.value, iv.numerator, iv.denominator)
    for vv in volume_values(by_channel, period=period, settings=settings):
        code = vv.volume.code
        if code in METRICS:
            out[code] = Reading(None if vv.actual is None else Decimal(vv.actual))


def _hotline(year: int, out: dict[str, Reading]) -> None:
    if not apps.is_installed("xinfang.hotline"):
        return
    from xinfang.hotline.models import HotlineOrder

    # The hotline area has no selector for this count; its orders are read as they stand.
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(date(year, 1, 1), time.min), tz)
    end = timezone.make_aware(datetime.combine(date(year + 1, 1, 1), time.min), tz)
    n = HotlineOrder.objects.filter(received_at__gte=start, received_at__lt=end).count()
    out["hotline_orders"] = Reading(Decimal(n))


def _risk(year: int, out: dict[str, Reading]) -> None:
    if not apps.is_installed("xinfang.risk"):
        return
    from xinfang.risk.models import SuggestionStatus
    from xinfang.risk.selectors import policy_suggestions_count, suggestion_adoption

    adoption = suggestion_adoption(year)
    adopted = adoption.get(SuggestionStatus.ADOPTED, 0) + adoption.get(SuggestionStatus.PARTLY, 0)
    out["suggestions_adopted"] = Reading(Decimal(adopted))
    out.setdefault("policy_suggestions", Reading(Decimal(policy_suggestions_count(year))))


def read_year(year: int, *, today: date) -> YearReadings:
    """Every county-wide metric of ``year`` as of ``today`` (DOMAIN.md §5 definitions)."""
    out: dict[str, Reading] = {}
    _analytics(year, today, out)
    _hotline(year, out)
    _risk(year, out)
    return YearReadings(year=year, today=today, values=out)
