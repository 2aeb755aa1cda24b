"""Reads of the special funds: money by line and project, indicators against their targets
and the forecast to the year's end at the current pace.

Who may read: every role with ``Capability.VIEW_FUNDS`` sees every project (the funds are
the bureau's and the centre's, published in the budget disclosure anyway); there is no
object-level scope.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import QuerySet, Sum

from .metrics import METRICS, Metric, Reading, YearReadings, read_year
from .models import (
    AdjustmentStatus,
    BudgetAdjustment,
    BudgetLine,
    FundProject,
    Operator,
    PerformanceIndicator,
    Spending,
)

ZERO = Decimal(0)
CENT = Decimal("0.01")
# Ours, not a rule: the dashboard marks a project red when the forecast execution rate at the
# current pace is below this (the self-assessment loses points for anything under 100 %).
EXECUTION_WARNING = Decimal(90)


def projects_for_year(year: int) -> QuerySet[FundProject]:
    return FundProject.objects.filter(year=year).select_related("implementing_unit")


def years() -> list[int]:
    return sorted(set(FundProject.objects.values_list("year", flat=True)), reverse=True)


def pct(part: Decimal, whole: Decimal) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def at_pace(value: Decimal | None, elapsed: Decimal) -> Decimal | None:
    """``value`` so far, carried to the year's end at the pace of the days gone by."""
    if value is None or elapsed <= 0:
        return None
    if elapsed >= 1:
        return value
    return (value / elapsed).quantize(CENT, rounding=ROUND_HALF_UP)


# --- money --------------------------------------------------------------------------------


@dataclass
class LineFigures:
    line: BudgetLine
    budget: Decimal  # 年初预算数
    increases: Decimal = ZERO  # approved adjustments into the line
    decreases: Decimal = ZERO  # approved transfers out of it
    spent: Decimal = ZERO
    forecast: Decimal | None = None

    @property
    def adjusted(self) -> Decimal:  # 全年预算数
        return self.budget + self.increases - self.decreases

    @property
    def available(self) -> Decimal:
        return self.adjusted - self.spent

    @property
    def rate(self) -> Decimal | None:
        return pct(self.spent, self.adjusted)

    @property
    def runs_out(self) -> bool:
        """At the current pace the line would need more than it has."""
        return self.forecast is not None and self.forecast > self.adjusted


@dataclass
class IndicatorStatus:
    indicator: PerformanceIndicator
    metric: Metric | None
    actual: Decimal | None
    forecast: Decimal | None
    numerator: int | None = None
    denominator: int | None = None

    @property
    def live(self) -> bool:
        return self.metric is not None

    @property
    def met(self) -> bool | None:
        return _meets(self.indicator, self.actual)

    @property
    def will_miss(self) -> bool | None:
        """True when the value at the year's end (forecast) misses the target."""
        ok = _meets(self.indicator, self.forecast)
        return None if ok is None else not ok

    @property
    def progress(self) -> Decimal | None:
        """Forecast as a share of the target, for the chart (capped at 150 %)."""
        if self.forecast is None or not self.indicator.target:
            return None
        share = Decimal(100) * self.forecast / self.indicator.target
        return min(share, Decimal(150)).quantize(Decimal("0.1"))


def _meets(ind: PerformanceIndicator, value: Decimal | None) -> bool | None:
    if value is None or not ind.applicable:
        return None
    if ind.operator == Operator.AT_LEAST:
        return value >= ind.target
    return value <= ind.target


@dataclass
class ProjectFigures:
    project: FundProject
    lines: list[LineFigures]
    elapsed: Decimal
    indicators: list[IndicatorStatus] = field(default_factory=list)
    pending_adjustments: int = 0

    @property
    def budget(self) -> Decimal:
        return self.project.budget

    @property
    def adjusted(self) -> Decimal:
        # Transfers between lines leave the total unchanged; additions (no source) raise it.
        return sum((lf.adjusted for lf in self.lines), ZERO) + (
            self.project.budget - sum((lf.budget for lf in self.lines), ZERO)
        )

    @property
    def spent(self) -> Decimal:
        return sum((lf.spent for lf in self.lines), ZERO)

    @property
    def rate(self) -> Decimal | None:
        return pct(self.spent, self.adjusted)

    @property
    def forecast(self) -> Decimal | None:
        """Year-end spending at the current pace; a line cannot spend beyond its budget, so
        each line's forecast counts up to its budget only."""
        if self.elapsed <= 0:
            return None
        return sum((min(lf.forecast or ZERO, lf.adjusted) for lf in self.lines), ZERO)

    @property
    def forecast_rate(self) -> Decimal | None:
        f = self.forecast
        return None if f is None else pct(f, self.adjusted)

    @property
    def execution_at_risk(self) -> bool:
        r = self.forecast_rate
        return r is not None and r < EXECUTION_WARNING

    @property
    def misses(self) -> int:
        return sum(1 for s in self.indicators if s.will_miss)


def line_figures(lines: Iterable[BudgetLine], *, elapsed: Decimal) -> dict[int, LineFigures]:
    """Budget, approved adjustments and spending of each line: three grouped queries."""
    out = {ln.pk: LineFigures(ln, ln.amount) for ln in lines}
    ids = list(out)
    for row in (
        Spending.objects.filter(line_id__in=ids).values("line_id").annotate(total=Sum("amount"))
    ):
        out[row["line_id"]].spent = row["total"] or ZERO
    approved = BudgetAdjustment.objects.filter(status=AdjustmentStatus.APPROVED)
    for row in approved.filter(line_id__in=ids).values("line_id").annotate(total=Sum("amount")):
        out[row["line_id"]].increases = row["total"] or ZERO
    out_rows = (
        approved.filter(source_line_id__in=ids)
        .values("source_line_id")
        .annotate(total=Sum("amount"))
    )
    for out_row in out_rows:
        out[out_row["source_line_id"]].decreases = out_row["total"] or ZERO
    for lf in out.values():
        lf.forecast = at_pace(lf.spent, elapsed)
    return out


def line_state(line: BudgetLine) -> LineFigures:
    """One line's figures now (for the overspending check)."""
    return line_figures([line], elapsed=Decimal(1))[line.pk]


def indicator_status(
    ind: PerformanceIndicator, *, readings: YearReadings, project_spent: Decimal
) -> IndicatorStatus:
    metric = METRICS.get(ind.metric) if ind.metric else None
    if metric is None:
        value = ind.manual_value if ind.applicable else None
        return IndicatorStatus(ind, None, value, value)
    if metric.code == "project_spending":
        reading = Reading(project_spent)
    else:
        reading = readings.get(metric.code)
    value = reading.value if ind.applicable else None
    forecast = at_pace(value, readings.elapsed) if metric.cumulative else value
    if forecast is not None and metric.unit in ("件", "条"):
        forecast = forecast.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return IndicatorStatus(ind, metric, value, forecast, reading.numerator, reading.denominator)


def fund_overview(
    year: int, *, today: date, projects: Iterable[FundProject] | None = None
) -> list[ProjectFigures]:
    """Money and indicators of every project of ``year`` side by side, with the forecast to
    the year's end at the current pace (DOMAIN.md §7 targets)."""
    plist = list(projects if projects is not None else projects_for_year(year))
    readings = read_year(year, today=today)
    lines_by_project: dict[int, list[BudgetLine]] = defaultdict(list)
    all_lines = list(BudgetLine.objects.filter(project__in=plist))
    for ln in all_lines:
        lines_by_project[ln.project_id].append(ln)
    figures = line_figures(all_lines, elapsed=readings.elapsed)
    indicators: dict[int, list[PerformanceIndicator]] = defaultdict(list)
    for ind in PerformanceIndicator.objects.filter(project__in=plist):
        indicators[ind.project_id].append(ind)
    pending: dict[int, int] = defaultdict(int)
    for pid in BudgetAdjustment.objects.filter(
        project__in=plist, status=AdjustmentStatus.PENDING
    ).values_list("project_id", flat=True):
        pending[pid] += 1
    out = []
    for p in plist:
        pf = ProjectFigures(
            p,
            [figures[ln.pk] for ln in lines_by_project[p.pk]],
            readings.elapsed,
            pending_adjustments=pending[p.pk],
        )
        pf.indicators = [
            indicator_status(i, readings=readings, project_spent=pf.spent) for i in indicators[p.pk]
        ]
        out.append(pf)
    return out


def project_figures(project: FundProject, *, today: date) -> ProjectFigures:
    return fund_overview(project.year, today=today, projects=[project])[0]


def chart_data(overview: list[ProjectFigures]) -> dict[str, Any]:
    """The data island of the dashboard's charts (numbers as floats, labels as text)."""
    projects = []
    for pf in overview:
        projects.append(
            {
                "id": pf.project.pk,
                "lines": [lf.line.label for lf in pf.lines],
                "budget": [float(lf.adjusted) for lf in pf.lines],
                "spent": [float(lf.spent) for lf in pf.lines],
                "forecast": [float(lf.forecast or 0) for lf in pf.lines],
                "indicators": [s.indicator.name for s in pf.indicators],
                "progress": [
                    None if s.progress is None else float(s.progress) for s in pf.indicators
                ],
                "miss": [bool(s.will_miss) for s in pf.indicators],
            }
        )
    return {"projects": projects}
