"""Reads on disputes and campaigns, always scoped to what the user may see.

Who sees which dispute (one rule, :func:`restrict_disputes`):

- the mediation centre and the petition bureau (staff whose unit is of those kinds), and the
  county-wide readers (supervisors, leaders, analysts) see every dispute of the county;
- a town government's staff see the disputes located in their town, and those their unit
  reported or answers for; a department's staff those their unit reported or answers for;
- everyone else none. A foreign id answers 404.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet

from xinfang.org.models import Division, Role, Unit
from xinfang.org.permissions import Capability, has_capability

from .models import Campaign, CampaignTarget, Dispute, RiskLevel, Status
from .transitions import ACTIVE

# Units that work for the whole county on disputes (the centre sits at the bureau).
CENTRE_UNIT_KINDS = frozenset({Unit.Kind.MEDIATION_CENTRE, Unit.Kind.PETITION_BUREAU})
# Roles that read every ledger of the county.
COUNTY_WIDE_READERS = frozenset({Role.SUPERVISOR, Role.LEADER, Role.ANALYST})


def _unit(user: Any) -> Unit | None:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    unit: Unit | None = user.unit
    return unit


def is_centre(user: Any) -> bool:
    """Mediation-centre (or bureau) staff who may act for the whole county."""
    unit = _unit(user)
    return (
        unit is not None
        and unit.kind in CENTRE_UNIT_KINDS
        and has_capability(user, Capability.MEDIATE)
    )


def sees_all(user: Any) -> bool:
    if not has_capability(user, Capability.VIEW_DISPUTES):
        return False
    unit = _unit(user)
    return user.role in COUNTY_WIDE_READERS or (unit is not None and unit.kind in CENTRE_UNIT_KINDS)


def town_of(user: Any) -> Division | None:
    """The town a town government's staff member reports for (unit.division)."""
    unit = _unit(user)
    if unit is not None and unit.kind == Unit.Kind.TOWN_GOVERNMENT:
        return unit.division
    return None


def in_town(division: Division, town: Division) -> bool:
    return division.pk == town.pk or division.parent_id == town.pk


def unit_condition(user: Any, *unit_fields: str) -> Q | None:
    """None: the user sees all; else the condition "one of these unit fields is mine"
    (an empty match for users without a unit)."""
    if sees_all(user):
        return None
    unit = _unit(user)
    if unit is None or not has_capability(user, Capability.VIEW_DISPUTES):
        return Q(pk__in=[])
    cond = Q()
    for name in unit_fields:
        cond |= Q(**{name: unit.pk})
    return cond


def restrict_disputes(qs: QuerySet[Dispute], user: Any) -> QuerySet[Dispute]:
    cond = unit_condition(user, "reporting_unit", "responsible_unit")
    if cond is None:
        return qs
    town = town_of(user)
    if town is not None:
        cond |= Q(division=town) | Q(division__parent=town)
    return qs.filter(cond)


def disputes_visible_to(user: Any) -> QuerySet[Dispute]:
    return restrict_disputes(
        Dispute.objects.select_related(
            "division", "division__parent", "reporting_unit", "responsible_unit"
        ),
        user,
    )


def disputes_overdue(user: Any, *, today: date) -> QuerySet[Dispute]:
    return disputes_visible_to(user).filter(status__in=ACTIVE, deadline__lt=today)


def is_overdue(dispute: Dispute, *, today: date) -> bool:
    return dispute.status in ACTIVE and dispute.deadline < today


def may_act(user: Any, dispute: Dispute) -> bool:
    """Record mediation, agreements and referrals: MEDIATE and the dispute visible."""
    return (
        has_capability(user, Capability.MEDIATE)
        and restrict_disputes(Dispute.objects.filter(pk=dispute.pk), user).exists()
    )


def filter_disputes(
    qs: QuerySet[Dispute],
    *,
    status: str = "",
    dispute_type: str = "",
    risk_level: str = "",
    town: Division | None = None,
    q: str = "",
    overdue_on: date | None = None,
) -> QuerySet[Dispute]:
    if status == "active":
        qs = qs.filter(status__in=ACTIVE)
    elif status:
        qs = qs.filter(status=status)
    if dispute_type:
        qs = qs.filter(dispute_type=dispute_type)
    if risk_level:
        qs = qs.filter(risk_level=risk_level)
    if town is not None:
        qs = qs.filter(Q(division=town) | Q(division__parent=town))
    if q.strip():
        qs = qs.filter(Q(title__icontains=q.strip()) | Q(number__icontains=q.strip()))
    if overdue_on is not None:
        qs = qs.filter(status__in=ACTIVE, deadline__lt=overdue_on)
    return qs


@dataclass
class LedgerSummary:
    total: int = 0
    active: int = 0
    overdue: int = 0
    high_risk_active: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    by_type: list[tuple[str, int]] = field(default_factory=list)
    by_town: list[tuple[str, int, int]] = field(default_factory=list)  # name, total, active


def ledger_summary(user: Any, *, today: date) -> LedgerSummary:
    """Counts for the workbench: by status, type and town (three aggregate queries)."""
    from .models import DisputeType

    qs = restrict_disputes(Dispute.objects.all(), user)
    by_status = {row["status"]: row["n"] for row in qs.values("status").annotate(n=Count("id"))}
    summary = LedgerSummary(
        total=sum(by_status.values()),
        active=sum(n for s, n in by_status.items() if s in ACTIVE),
        by_status={str(Status(s).label): n for s, n in by_status.items()},
    )
    extra = qs.aggregate(
        overdue=Count("id", filter=Q(status__in=ACTIVE, deadline__lt=today)),
        high=Count("id", filter=Q(status__in=ACTIVE, risk_level=RiskLevel.HIGH)),
    )
    summary.overdue, summary.high_risk_active = extra["overdue"], extra["high"]
    types = Counter(
        {row["dispute_type"]: row["n"] for row in qs.values("dispute_type").annotate(n=Count("id"))}
    )
    summary.by_type = [(str(DisputeType(t).label), n) for t, n in types.most_common()]
    towns: dict[str, list[int]] = {}
    rows = qs.values("division__name", "division__level", "division__parent__name", "status")
    for row in rows.annotate(n=Count("id")):
        name = (
            row["division__parent__name"]
            if row["division__level"] == Division.Level.VILLAGE
            else row["division__name"]
        )
        entry = towns.setdefault(name, [0, 0])
        entry[0] += row["n"]
        if row["status"] in ACTIVE:
            entry[1] += row["n"]
    summary.by_town = sorted(((k, v[0], v[1]) for k, v in towns.items()), key=lambda r: -r[1])
    return summary


# --- campaigns ---------------------------------------------------------------------------------


def campaigns_visible_to(user: Any) -> QuerySet[Campaign]:
    """Campaigns are county-wide actions: everyone who reads the ledgers sees them."""
    if not has_capability(user, Capability.VIEW_DISPUTES):
        return Campaign.objects.none()
    return Campaign.objects.select_related("lead_unit")


def may_report_progress(user: Any, target: CampaignTarget) -> bool:
    return has_capability(user, Capability.MEDIATE) and (
        is_centre(user) or (user.unit_id is not None and user.unit_id == target.responsible_unit_id)
    )


@dataclass
class TargetRow:
    target: CampaignTarget
    overdue: bool
    last_report: Any


@dataclass
class CampaignBoard:
    campaign: Campaign
    rows: list[TargetRow]
    total: int
    done: int
    open: int
    overdue: int
    average_progress: int
    by_unit: list[dict[str, Any]]

    @property
    def done_percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def campaign_board(campaign: Campaign, *, today: date) -> CampaignBoard:
    """The campaign dashboard: every target with its latest report, and totals per unit
    (two queries, whatever the number of targets)."""
    from django.db.models import Prefetch

    from .models import ProgressReport

    targets = list(
        campaign.targets.select_related("responsible_unit", "dispute").prefetch_related(
            Prefetch(
                "reports",
                queryset=ProgressReport.objects.order_by("-reported_on", "-id"),
                to_attr="latest_reports",
            )
        )
    )
    rows = [
        TargetRow(
            t,
            t.status == CampaignTarget.Status.OPEN and t.due_on < today,
            t.latest_reports[0] if t.latest_reports else None,
        )
        for t in targets
    ]
    units: dict[int, dict[str, Any]] = {}
    for t in targets:
        u = units.setdefault(
            t.responsible_unit_id,
            {"unit": t.responsible_unit, "total": 0, "done": 0, "progress": 0},
        )
        u["total"] += 1
        u["done"] += t.status == CampaignTarget.Status.DONE
        u["progress"] += t.progress
    for u in units.values():
        u["progress"] = round(u["progress"] / u["total"])
    total = len(targets)
    return CampaignBoard(
        campaign=campaign,
        rows=rows,
        total=total,
        done=sum(t.status == CampaignTarget.Status.DONE for t in targets),
        open=sum(t.status == CampaignTarget.Status.OPEN for t in targets),
        overdue=sum(r.overdue for r in rows),
        average_progress=round(sum(t.progress for t in targets) / total) if total else 0,
        by_unit=sorted(units.values(), key=lambda u: (-u["progress"], u["unit"].code)),
    )
