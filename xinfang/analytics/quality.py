"""Quality inspections (质检) as analytics needs them: (passed, inspected) per period.

xinfang.supervision owns the inspections. This adapter is the only place analytics touches
them, imported only when that app is installed (selectors.quality_available). It looks for the
inspection model and its decision date and result by name, so it keeps working while that app
is being built; if it cannot make sense of the model it says so in the log and reports nothing
(the pages then show "n/a", never an invented number).
"""

from __future__ import annotations

import logging
from typing import Any

from django.apps import apps
from django.db.models import Count, Q, QuerySet

from xinfang.cases.models import Case

from .engine import scoped
from .periods import Filters, Period

log = logging.getLogger(__name__)

MODEL_NAMES = ("QualityInspection", "Inspection", "QualityCheck")
DATE_FIELDS = ("decided_on", "inspected_on", "checked_on", "completed_on", "created_at")
PASS_VALUES = ("pass", "passed", "qualified")


def _model() -> Any | None:
    config = apps.get_app_config("supervision")
    for name in MODEL_NAMES:
        try:
            return config.get_model(name)
        except LookupError:
            continue
    return None


def _fields(model: Any) -> set[str]:
    return {f.name for f in model._meta.get_fields()}


def _passed_q(model: Any) -> Q | None:
    names = _fields(model)
    if "passed" in names:
        return Q(passed=True)
    for name in ("result", "outcome", "verdict"):
        if name in names:
            return Q(**{f"{name}__in": PASS_VALUES})
    return None


def inspection_rows(
    period: Period, filters: Filters, *, cases: QuerySet[Case] | None, by_unit: bool
) -> dict[Any, tuple[int, int]]:
    model = _model()
    if model is None:
        log.warning("analytics: no quality inspection model found in xinfang.supervision")
        return {}
    names = _fields(model)
    date_field = next((f for f in DATE_FIELDS if f in names), None)
    passed = _passed_q(model)
    if date_field is None or passed is None or "case" not in names:
        log.warning("analytics: cannot read %s (date, result or case missing)", model.__name__)
        return {}
    lookup = f"{date_field}__date" if date_field.endswith("_at") else date_field
    qs = model._default_manager.filter(
        **{f"{lookup}__gte": period.start, f"{lookup}__lte": period.end},
        case__in=scoped(cases if cases is not None else Case.objects.all(), filters).values("pk"),
    )
    decided = Q()
    if "status" in names and not ("passed" in names or "result" in names):
        decided = Q(status__in=("done", "decided", "completed"))
    qs = qs.filter(decided)
    aggregates = {"passed": Count("pk", filter=passed), "inspected": Count("pk")}
    if not by_unit:
        row = qs.aggregate(**aggregates)
        return {None: (row["passed"], row["inspected"])}
    rows = qs.values("case__handling_unit_id").annotate(**aggregates)
    return {r["case__handling_unit_id"] or 0: (r["passed"], r["inspected"]) for r in rows}
