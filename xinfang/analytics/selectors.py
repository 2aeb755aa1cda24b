"""Reads for analytics: whose numbers a user sees, indicators with targets, unit ranking,
quality inspections (xinfang.supervision, when installed), overdue counts."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from typing import Any

from django.apps import apps
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from xinfang.cases.models import Case, PetitionType
from xinfang.cases.selectors import COUNTY_WIDE_ROLES, UNIT_ROLES, cases_visible_to
from xinfang.org.models import Role
from xinfang.org.permissions import Capability, has_capability

from .definitions import (
    INDICATORS,
    RANKING_INDICATORS,
    VOLUME_TARGETS,
    Indicator,
    Setting,
    VolumeTarget,
    grade_for,
)
from .engine import (
    Counts,
    Live,
    Result,
    direct_counters,
    direct_live,
    empty_counts,
    merge,
    merge_live,
    rollup_counters,
    rollup_facets,
    rollup_live,
)
from .models import AnalysisReport, EarlyWarning, IndicatorSetting
from .periods import Filters, Period

# --- scope --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """Whose cases a user's numbers count.

    County-wide roles count every case they may see: ``cases_visible_to`` (all cases except
    accusations against their own unit). The analyst (研判分析员) has no access to cases but
    reads the county's figures: the same set, numbers only, without drill-down. Unit heads
    count their unit's cases, lead or co-handled (``cases_visible_to``).

    For speed the same set is also written as the rollup's part plus and minus small direct
    parts: county: all cases - accusations against the own unit; unit: the unit's lead cases
    + cases it co-handles for another lead unit - accusations against it among those."""

    user: Any
    county_wide: bool
    can_drill: bool

    @property
    def own_unit_id(self) -> int | None:
        return getattr(self.user, "unit_id", None)

    @property
    def unit_scoped(self) -> bool:
        return not self.county_wide and getattr(self.user, "role", "") in UNIT_ROLES

    def cases(self) -> QuerySet[Case]:
        if self.user is None:  # the public statistics page: counts only
            return Case.objects.all()
        if getattr(self.user, "role", "") == Role.ANALYST:
            return Case.objects.exclude(excluded_q(self.own_unit_id))
        return cases_visible_to(self.user)

    def rollup_filters(self, filters: Filters) -> Filters | None:
        """The rollup's part of this scope with ``filters`` (None: no rollup part)."""
        if self.county_wide:
            return filters
        unit = self.own_unit_id
        if self.unit_scoped and unit and filters.unit_id in (None, unit):
            return filters.with_(unit_id=unit)
        return None

    def extra(self) -> QuerySet[Case]:
        """Cases a unit co-handles while another unit leads (not in its rollup part)."""
        if not self.unit_scoped or not self.own_unit_id:
            return Case.objects.none()
        return Case.objects.filter(co_units=self.own_unit_id).exclude(
            handling_unit_id=self.own_unit_id
        )

    def excluded(self) -> QuerySet[Case]:
        """Cases left out for this user (confidentiality of accusations against their own
        unit, DOMAIN.md §1)."""
        unit = self.own_unit_id
        if self.user is None or not unit:
            return Case.objects.none()
        hidden = Case.objects.filter(excluded_q(unit))
        if self.unit_scoped:
            co = Case.objects.filter(co_units=unit).values("pk")
            hidden = hidden.filter(Q(handling_unit_id=unit) | Q(pk__in=co))
        return hidden

    @cached_property
    def has_extra(self) -> bool:
        return self.extra().exists()

    @cached_property
    def has_excluded(self) -> bool:
        return self.excluded().exists()


def excluded_q(unit_id: int | None) -> Q:
    """The accusations against ``unit_id``: the rule of xinfang.cases.selectors."""
    if not unit_id:
        return Q(pk__in=[])
    return Q(petition_type=PetitionType.ACCUSATION) & Q(accused_units=unit_id)


def scope_for(user: Any) -> Scope:
    role = getattr(user, "role", "")
    county = role in COUNTY_WIDE_ROLES or role == Role.ANALYST
    return Scope(
        user=user,
        county_wide=county,
        can_drill=has_capability(user, Capability.VIEW_CASES),
    )


PUBLIC_SCOPE = Scope(user=None, county_wide=True, can_drill=False)


def counters_for(
    scope: Scope,
    *,
    period: Period,
    today: date,
    filters: Filters = Filters(),  # noqa: B008
    dim: str | None = None,
) -> Result:
    """The counters a user sees: the rollup's part of their scope (month-aligned periods)
    with the small direct parts added and taken away; all direct otherwise."""
    base = scope.rollup_filters(filters) if period.month_aligned else None
    if base is None:
        return direct_counters(scope.cases(), period=period, today=today, filters=filters, dim=dim)
    parts = [rollup_counters(period=period, today=today, filters=base, dim=dim)]
    signs = [1]
    for qs, sign, present in (
        (scope.extra, 1, scope.has_extra),
        (scope.excluded, -1, scope.has_excluded),
    ):
        if present:
            parts.append(
                direct_counters(qs(), period=period, today=today, filters=filters, dim=dim)
            )
            signs.append(sign)
    result = merge(parts, signs) if len(parts) > 1 else parts[0]
    if dim is None:
        result.setdefault(None, empty_counts())
    return result


def counters_by(
    scope: Scope,
    *,
    period: Period,
    today: date,
    filters: Filters = Filters(),  # noqa: B008
    dims: tuple[str, ...],
) -> dict[str, Result]:
    """``counters_for(dim=d)`` for every ``d`` of ``dims`` (not ``month``) at once: the
    rollup's part in one read (engine.rollup_facets), the small direct parts per dimension."""
    base = scope.rollup_filters(filters) if period.month_aligned else None
    if base is None:
        cases = scope.cases()
        return {
            d: direct_counters(cases, period=period, today=today, filters=filters, dim=d)
            for d in dims
        }
    out = rollup_facets(period=period, today=today, filters=base, dims=dims)
    for qs, sign, present in (
        (scope.extra, 1, scope.has_extra),
        (scope.excluded, -1, scope.has_excluded),
    ):
        if present:
            for d in dims:
                part = direct_counters(qs(), period=period, today=today, filters=filters, dim=d)
                out[d] = merge([out[d], part], [1, sign])
    return out


def live_for(
    scope: Scope,
    *,
    today: date,
    filters: Filters = Filters(),  # noqa: B008
) -> Live:
    """Overdue and due-soon cases now, by handling unit, in the user's scope."""
    base = scope.rollup_filters(filters)
    if base is None:
        return direct_live(scope.cases(), today=today, filters=filters)
    parts = [rollup_live(today=today, filters=base)]
    signs = [1]
    if scope.has_extra:
        parts.append(direct_live(scope.extra(), today=today, filters=filters))
        signs.append(1)
    if scope.has_excluded:
        parts.append(direct_live(scope.excluded(), today=today, filters=filters))
        signs.append(-1)
    return merge_live(parts, signs)


# --- settings: targets and weights --------------------------------------------------------


def indicator_settings() -> dict[str, Setting]:
    """Effective target and ranking weight of every indicator and volume target (code
    defaults from DOMAIN.md §7, overridden by IndicatorSetting rows). One query."""
    out: dict[str, Setting] = {
        code: Setting(target=i.target, weight=i.weight) for code, i in INDICATORS.items()
    }
    for code, v in VOLUME_TARGETS.items():
        out[code] = Setting(target=Decimal(v.yearly_target), weight=Decimal(0))
    for row in IndicatorSetting.objects.all():
        if row.code in out:
            out[row.code] = Setting(target=row.target, weight=row.weight, custom=True)
    return out


# --- quality inspections (xinfang.supervision) and other external counts ------------------


def quality_available() -> bool:
    return apps.is_installed("xinfang.supervision")


def quality_counts(
    period: Period,
    filters: Filters = Filters(),  # noqa: B008
    *,
    cases: QuerySet[Case] | None = None,
    scope: Scope | None = None,
) -> tuple[int, int]:
    """(passed, inspected) quality inspections (质检) decided in the period, of the cases in
    ``scope`` (or of the queryset ``cases``; all cases without either) matching ``filters``.
    (0, 0) while xinfang.supervision is not installed; the pages then show "n/a" rather than
    a number."""
    rows = _quality_rows(period, filters, cases=cases, scope=scope, by_unit=False)
    return rows.get(None, (0, 0))


def quality_by_unit(
    period: Period,
    filters: Filters = Filters(),  # noqa: B008
    *,
    cases: QuerySet[Case] | None = None,
    scope: Scope | None = None,
) -> dict[Any, tuple[int, int]]:
    return _quality_rows(period, filters, cases=cases, scope=scope, by_unit=True)


def _quality_rows(
    period: Period,
    filters: Filters,
    *,
    cases: QuerySet[Case] | None,
    scope: Scope | None,
    by_unit: bool,
) -> dict[Any, tuple[int, int]]:
    """From the maintained cells (xinfang.analytics.quality) for a scope and a month-aligned
    period, with the scope's small direct parts added and taken away as for the counters;
    counted from the inspections otherwise."""
    if not quality_available():
        return {}
    from . import quality

    if cases is not None and scope is None:
        return quality.inspection_rows(period, filters, cases=cases, by_unit=by_unit)
    scope = scope or PUBLIC_SCOPE
    base = scope.rollup_filters(filters) if period.month_aligned else None
    if base is None or not quality.maintained():
        return quality.inspection_rows(period, filters, cases=scope.cases(), by_unit=by_unit)
    out = quality.cell_rows(period, base, by_unit=by_unit)
    for qs, sign, present in (
        (scope.extra, 1, scope.has_extra),
        (scope.excluded, -1, scope.has_excluded),
    ):
        if present:
            part = quality.inspection_rows(period, filters, cases=qs(), by_unit=by_unit)
            for key, (passed, inspected) in part.items():
                was = out.get(key, (0, 0))
                out[key] = (was[0] + sign * passed, was[1] + sign * inspected)
    return out


CountSource = Callable[[Period], int | None]
COUNT_SOURCES: dict[str, CountSource] = {}


def register_count_source(name: str, source: CountSource) -> None:
    """Other areas (e.g. policy suggestions, 社情民意) register a yearly-target count here."""
    COUNT_SOURCES[name] = source


# --- indicators ---------------------------------------------------------------------------


@dataclass
class IndicatorValue:
    indicator: Indicator
    numerator: int
    denominator: int
    target: Decimal | None
    available: bool = True

    @property
    def code(self) -> str:
        return self.indicator.code

    @property
    def value(self) -> Decimal | None:
        if not self.available or not self.denominator:
            return None
        if self.indicator.kind == "average":
            ratio = Decimal(self.numerator) / Decimal(self.denominator)
        else:
            ratio = Decimal(100) * self.numerator / self.denominator
        return ratio.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def met(self) -> bool | None:
        value = self.value
        if value is None or self.target is None:
            return None
        if self.indicator.higher_is_better:
            return value >= self.target
        return value <= self.target

    @property
    def display(self) -> str:
        value = self.value
        if value is None:
            return _("n/a")
        if self.indicator.kind == "average":
            return _("%(days)s days") % {"days": value}
        return f"{value}%"


def indicator_values(
    counts: Counts,
    *,
    settings: Mapping[str, Setting],
    quality: tuple[int, int] | None,
) -> list[IndicatorValue]:
    out = []
    for code, ind in INDICATORS.items():
        target = settings[code].target if code in settings else ind.target
        if ind.source == "quality":
            passed, inspected = quality or (0, 0)
            out.append(IndicatorValue(ind, passed, inspected, target, quality is not None))
        else:
            out.append(
                IndicatorValue(ind, counts.get(ind.numerator, 0), counts[ind.denominator], target)
            )
    return out


@dataclass
class VolumeValue:
    volume: VolumeTarget
    actual: int | None
    yearly_target: Decimal | None
    period: Period

    @property
    def expected(self) -> Decimal | None:
        """The yearly target pro rata for the period (a year: the target itself)."""
        if self.yearly_target is None:
            return None
        if self.period.kind == "year":
            return self.yearly_target
        share = Decimal(self.period.days) / Decimal(365)
        return (self.yearly_target * share).quantize(Decimal("1"), rounding=ROUND_HALF_UP)

    @property
    def met(self) -> bool | None:
        if self.actual is None or self.expected is None:
            return None
        return self.actual >= self.expected


def volume_values(
    by_channel: Result, *, period: Period, settings: Mapping[str, Setting]
) -> list[VolumeValue]:
    out = []
    for code, vol in VOLUME_TARGETS.items():
        actual: int | None
        if vol.source != "cases":
            source = COUNT_SOURCES.get(vol.source)
            actual = source(period) if source else None
        else:
            actual = sum(
                counts[vol.counter]
                for channel, counts in by_channel.items()
                if channel is not None
                and (not vol.channels or channel in vol.channels)
                and channel not in vol.exclude_channels
            )
        out.append(VolumeValue(vol, actual, settings[code].target, period))
    return out


# --- ranking (考核排名) -------------------------------------------------------------------


@dataclass
class RankRow:
    key: Any
    name: str
    indicators: list[IndicatorValue]
    overdue: int = 0
    score: Decimal | None = None
    rank: int = 0
    parts: dict[str, Decimal] = field(default_factory=dict)

    @property
    def grade(self) -> str:
        return grade_for(self.score)

    @property
    def shown(self) -> list[IndicatorValue]:
        return [iv for iv in self.indicators if iv.code in RANKING_INDICATORS]


def score(values: list[IndicatorValue], settings: Mapping[str, Setting]) -> tuple[Any, Any]:
    """Weighted score out of 100 (DOMAIN.md §7 self-assessment rule): a ">=" indicator earns
    actual / target of its points, a "<=" one target / actual, capped at its points; a rate
    without a target earns its own value; an indicator without data is dropped and the
    others rescaled. (score or None, {indicator: points earned})."""
    earned: dict[str, Decimal] = {}
    possible = Decimal(0)
    for iv in values:
        weight = settings[iv.code].weight if iv.code in settings else Decimal(0)
        value = iv.value
        if weight <= 0 or value is None:
            continue
        target = iv.target
        if target is not None and target > 0:
            if iv.indicator.higher_is_better:
                fraction = value / target
            else:
                fraction = target / value if value > 0 else Decimal(1)
        elif iv.indicator.kind == "rate":
            fraction = value / 100 if iv.indicator.higher_is_better else 1 - value / 100
        else:
            continue
        fraction = max(Decimal(0), min(Decimal(1), fraction))
        earned[iv.code] = (weight * fraction).quantize(Decimal("0.01"))
        possible += weight
    if possible == 0:
        return None, earned
    total = Decimal(100) * sum(earned.values(), Decimal(0)) / possible
    return total.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP), earned


def rank(rows: list[RankRow]) -> list[RankRow]:
    """Highest score first; rows without a score last; equal scores share a rank."""
    rows.sort(key=lambda r: (r.score is None, -(r.score or 0), r.name))
    previous: Decimal | None = None
    for position, row in enumerate(rows, start=1):
        if row.score is None:
            row.rank = 0
            continue
        row.rank = position if row.score != previous else rows[position - 2].rank
        previous = row.score
    return rows


# --- warnings -----------------------------------------------------------------------------


def warnings_visible_to(user: Any) -> QuerySet[EarlyWarning]:
    """County-wide roles see every warning; a unit head those about their own unit."""
    qs = EarlyWarning.objects.select_related("unit", "assigned_to")
    scope = scope_for(user)
    if scope.county_wide:
        return qs
    if scope.own_unit_id:
        return qs.filter(unit_id=scope.own_unit_id)
    return qs.none()


def reports_visible_to(user: Any) -> QuerySet[AnalysisReport]:
    """County-wide roles see the county's reports and their own; others their own."""
    qs = AnalysisReport.objects.select_related("requested_by", "scope_unit")
    if scope_for(user).county_wide:
        return qs.filter(Q(scope_unit__isnull=True) | Q(requested_by=user))
    return qs.filter(requested_by=user)
