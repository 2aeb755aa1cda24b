"""Quality inspection of answered cases (质检, DOMAIN.md §4).

Which cases: every case rated 不满意, every case answered after its due date, and a random
sample of the rest at a configurable rate (conf QUALITY_SAMPLE_RATE) - plus any case an
inspector picks, and draws of a whole period ("all" or a random share) from the quality page.

The checklist follows DOMAIN.md §4: facts clear; law and policy applied correctly; answer
complete and reasoned; answered in time; procedure and documents complete; the request
answered point by point. The weights and the pass mark are ours (no public text fixes them).
A failed inspection sends the case back: a rework order (SupervisionItem, kind rework) goes to
the handling unit with the reasons and a due date, runs up the escalation ladder while
unanswered, and the case itself returns to handling with that date (rework.py). The unit's new
answer to the case closes the rework and is inspected again in the next round.
"""

from __future__ import annotations

import hashlib
import random
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xinfang.audit.services import audit_log
from xinfang.cases.deadlines import add_working_days
from xinfang.cases.models import Case, Rating, Status
from xinfang.core.errors import DomainError
from xinfang.org.models import Role, User
from xinfang.org.permissions import Capability

from .conf import conf
from .models import OPEN_STATUSES, ItemKind, ItemStatus, QualityInspection, SupervisionItem
from .rework import reopen_case
from .services import (
    _item_event,
    active_users,
    item_open,
    item_transition,
    notify,
    require,
    today_or,
)

# Answered cases an inspector may check (the brief: replied, evaluated or closed).
ANSWERED_STATUSES = (Status.REPLIED, Status.EVALUATED, Status.CLOSED)


@dataclass(frozen=True)
class ChecklistItem:
    code: str
    label: str | Promise
    weight: int
    essential: bool = False  # failing it fails the inspection whatever the score


CHECKLIST: list[ChecklistItem] = [
    ChecklistItem("facts_clear", gettext_lazy("Facts clear"), 20, essential=True),  # 事实清楚
    ChecklistItem(
        "law_correct", gettext_lazy("Law and policy applied correctly"), 20, essential=True
    ),  # 适用法律政策正确
    ChecklistItem(
        "answer_complete", gettext_lazy("Answer complete and reasoned"), 20
    ),  # 答复完整、说理充分
    ChecklistItem("in_time", gettext_lazy("Answered in time"), 10),  # 按期答复
    ChecklistItem(
        "procedure_complete", gettext_lazy("Procedure followed and documents complete"), 15
    ),  # 程序规范、文书齐全
    ChecklistItem(
        "point_by_point", gettext_lazy("Request answered point by point"), 15
    ),  # 逐项回应诉求
]
CHECKLIST_CODES = [c.code for c in CHECKLIST]


def score_of(checks: dict[str, bool]) -> int:
    return sum(c.weight for c in CHECKLIST if checks.get(c.code))


def passes(checks: dict[str, bool], *, pass_mark: int | None = None) -> bool:
    """Pass: every essential item met and a score of at least the pass mark."""
    mark = int(conf("QUALITY_PASS_MARK")) if pass_mark is None else pass_mark
    essentials = all(checks.get(c.code) for c in CHECKLIST if c.essential)
    return essentials and score_of(checks) >= mark


def answered_in_time(case: Case) -> bool:
    """What the checklist proposes for "in time": answered by the (extended) due date."""
    return bool(case.replied_on and case.handling_due and case.replied_on <= case.handling_due)


def _url(inspection: QualityInspection) -> str:
    return reverse("supervision:quality_inspect", args=[inspection.pk])


def _create(
    *,
    actor: User | None,
    case: Case,
    reason: str,
    today: date,
    rework: SupervisionItem | None = None,
    after_round: int | None = None,
) -> QualityInspection | None:
    """Insert the next round for ``case``; None if a concurrent sweep took that round.

    ``after_round`` is the last round the caller saw when it chose the case (the sweep reads
    its candidates first): the insert is then exactly that round + 1, so a second sweep
    running at the same time collides on (case, round) instead of adding a round of its own.
    """
    if after_round is None:
        after_round = case.quality_inspections.aggregate(m=Max("round"))["m"] or 0
    try:
        with transaction.atomic():
            inspection = QualityInspection.objects.create(
                case=case,
                round=after_round + 1,
                reason=reason,
                selected_on=today,
                rework_of=rework,
            )
    except IntegrityError:
        return None
    audit_log(
        actor=actor,
        action="supervision.quality.select",
        obj=inspection,
        after={"case": case.number, "round": inspection.round, "reason": reason},
    )
    return inspection


def quality_select(*, actor: User, case: Case, today: date | None = None) -> QualityInspection:
    """An inspector picks an answered case for inspection (指定质检)."""
    require(actor, Capability.INSPECT)
    today = today_or(today)
    if case.status not in ANSWERED_STATUSES:
        raise DomainError(
            _("Only answered cases are inspected (this one is “%(status)s”).")
            % {"status": Status(case.status).label},
            code="not_answered",
            field="number",
        )
    if case.quality_inspections.filter(result="").exists():
        raise DomainError(
            _("This case is already waiting for inspection."), code="pending", field="number"
        )
    with transaction.atomic():
        inspection = _create(actor=actor, case=case, reason="manual", today=today)
    if inspection is None:
        raise DomainError(_("Someone selected it at the same moment."), code="conflict")
    return inspection


def _sample_fraction(case_pk: int) -> float:
    """A stable pseudo-random number in [0, 1) per case, keyed with the site's secret so the
    units cannot tell in advance which answers will be drawn. Stable, so running the sweep
    again draws the same cases: the sample is reproducible and never grows by re-running."""
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:quality:{case_pk}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def quality_sample(*, today: date, rate: float | None = None) -> dict[str, int]:
    """The daily draw: every answered case rated 不满意 or answered late, and a random share
    ``rate`` of the others, once each.

    A case already inspected (drawn at random, say, and passed) that is rated 不满意 later is
    inspected again: every unsatisfied answer is checked. The draw is idempotent: a case is
    taken once per reason, and two sweeps at the same moment collide on (case, round)."""
    rate = float(conf("QUALITY_SAMPLE_RATE")) if rate is None else rate
    since = today - timedelta(days=int(conf("QUALITY_LOOKBACK_DAYS")))
    answered = Case.objects.filter(status__in=ANSWERED_STATUSES, replied_on__gte=since)
    fresh = answered.filter(quality_inspections__isnull=True)
    # Rated 不满意 after its inspections were decided, and not inspected as such: no round
    # pending, none decided on or after the rating, no rework of the answer under way.
    inspections = QualityInspection.objects.filter(case=OuterRef("pk"))
    unsatisfied_again = answered.filter(
        Exists(inspections),
        ~Exists(inspections.filter(reason=QualityInspection.Reason.UNSATISFIED)),
        ~Exists(inspections.filter(result="")),
        ~Exists(inspections.filter(decided_on__gte=OuterRef("rated_on"))),
        ~Exists(
            SupervisionItem.objects.filter(
                case=OuterRef("pk"), kind=ItemKind.REWORK, status__in=OPEN_STATUSES
            )
        ),
        rating=Rating.UNSATISFIED,
        rated_on__isnull=False,
    )
    candidates = (
        Case.objects.filter(Q(pk__in=fresh.values("pk")) | Q(pk__in=unsatisfied_again.values("pk")))
        .annotate(last_round=Max("quality_inspections__round"))
        .only("pk", "number", "rating", "replied_on", "handling_due")
        .order_by("pk")
    )
    counts = {"unsatisfied": 0, "overdue": 0, "random": 0}
    for case in candidates:
        last_round = int(getattr(case, "last_round", None) or 0)  # annotated above
        if case.rating == Rating.UNSATISFIED:
            reason = "unsatisfied"
        elif last_round:
            continue
        elif case.handling_due and case.replied_on and case.replied_on > case.handling_due:
            reason = "overdue"
        elif _sample_fraction(case.pk) < rate:
            reason = "random"
        else:
            continue
        with transaction.atomic():
            created = _create(
                actor=None, case=case, reason=reason, today=today, after_round=last_round
            )
            if created is not None:
                counts[reason] += 1
    return counts


def quality_draw(
    *,
    actor: User,
    start: date,
    end: date,
    rate: float,
    today: date | None = None,
    rng: random.Random | None = None,
) -> int:
    """抽检: draw answered cases answered between ``start`` and ``end`` and not yet inspected,
    all of them (rate 1) or a random share; return how many were drawn."""
    require(actor, Capability.INSPECT)
    today = today_or(today)
    if not 0 < rate <= 1:
        raise DomainError(_("A share between 0 and 100 %."), code="invalid_rate", field="rate")
    if end < start:
        raise DomainError(
            _("The period ends before it starts."), code="invalid_period", field="end"
        )
    rng = rng or secrets.SystemRandom()
    pool = list(
        Case.objects.filter(
            status__in=ANSWERED_STATUSES,
            replied_on__gte=start,
            replied_on__lte=end,
            quality_inspections__isnull=True,
        ).order_by("pk")
    )
    chosen = pool if rate >= 1 else [c for c in pool if rng.random() < rate]
    drawn = 0
    with transaction.atomic():
        for case in chosen:
            if _create(actor=actor, case=case, reason="random", today=today) is not None:
                drawn += 1
        audit_log(
            actor=actor,
            action="supervision.quality.draw",
            object_type="supervision.qualityinspection",
            after={"start": start, "end": end, "rate": rate, "pool": len(pool), "drawn": drawn},
        )
    return drawn


def quality_decide(
    *,
    actor: User,
    inspection: QualityInspection,
    checks: dict[str, bool],
    notes: dict[str, str] | None = None,
    comment: str = "",
    today: date | None = None,
) -> QualityInspection:
    """Score the answer on the checklist and pass or fail it. Each unmet item needs a reason;
    a failed case goes back to its handling unit for rework with those reasons."""
    require(actor, Capability.INSPECT)
    today = today_or(today)
    notes = {k: v.strip() for k, v in (notes or {}).items()}
    unknown = set(checks) - set(CHECKLIST_CODES)
    if unknown:
        raise DomainError(_("Unknown checklist item."), code="invalid_checklist")
    for item in CHECKLIST:
        if not checks.get(item.code) and not notes.get(item.code):
            raise DomainError(
                _("Say what falls short: %(item)s.") % {"item": item.label},
                code="missing_reason",
                field=f"note_{item.code}",
            )
    with transaction.atomic():
        locked = (
            QualityInspection.objects.select_for_update(of=("self",))
            .select_related("case", "case__handling_unit")
            .get(pk=inspection.pk)
        )
        if locked.result:
            raise DomainError(_("This inspection has been decided already."), code="decided")
        passed = passes(checks)
        locked.checklist = {
            c.code: {"met": bool(checks.get(c.code)), "note": notes.get(c.code, "")}
            for c in CHECKLIST
        }
        locked.score = score_of(checks)
        locked.result = QualityInspection.Result.PASS if passed else QualityInspection.Result.FAIL
        locked.decided_on = today
        locked.inspector = actor
        locked.comment = comment.strip()
        locked.save()
        audit_log(
            actor=actor,
            action="supervision.quality.decide",
            obj=locked,
            before={"result": ""},
            after={"result": locked.result, "score": locked.score, "checklist": locked.checklist},
        )
        if locked.rework_of is not None and locked.rework_of.status == ItemStatus.ANSWERED:
            # A rework answered on the item (its case was not sent back): the re-inspection
            # closes it. One closed by the case's new answer is done already.
            item_transition(
                locked.rework_of,
                "reinspected",
                actor=actor,
                apply=lambda i: _close_rework(i, today, locked),
                note=_("Re-inspection: %(result)s") % {"result": locked.get_result_display()},
            )
        if not passed:
            _open_rework(actor=actor, inspection=locked, today=today)
    return locked


def _close_rework(item: SupervisionItem, today: date, inspection: QualityInspection) -> None:
    item.done_on = today
    item.close_note = _("Re-inspected: %(result)s, score %(score)s") % {
        "result": inspection.get_result_display(),
        "score": inspection.score,
    }


def rework_reasons(inspection: QualityInspection) -> str:
    lines = [
        f"- {c.label}: {inspection.checklist.get(c.code, {}).get('note', '')}"
        for c in CHECKLIST
        if not inspection.checklist.get(c.code, {}).get("met")
    ]
    if inspection.comment:
        lines.append(inspection.comment)
    return "\n".join(lines)


def _open_rework(*, actor: User, inspection: QualityInspection, today: date) -> SupervisionItem:
    case = inspection.case
    if case.handling_unit is None:  # an answered case always has one; guard the data
        raise DomainError(_("The case has no handling unit to rework it."), code="no_unit")
    item = item_open(
        actor=actor,
        kind=ItemKind.REWORK,
        title=_("Rework the answer to case %(number)s") % {"number": case.number},
        text=_(
            "The quality inspection (round %(round)d, score %(score)s) failed the answer:\n"
            "%(reasons)s\nRework the answer and report the revised answer here."
        )
        % {
            "round": inspection.round,
            "score": inspection.score,
            "reasons": rework_reasons(inspection),
        },
        unit=case.handling_unit,
        due_on=add_working_days(today, int(conf("REWORK_WORKING_DAYS"))),
        case=case,
        inspection=inspection,
        today=today,
    )
    reopen_case(
        actor=actor,
        item=item,
        reason=_("Quality inspection round %(round)d failed the answer (%(item)s):\n%(reasons)s")
        % {"round": inspection.round, "item": item.number, "reasons": rework_reasons(inspection)},
        today=today,
    )
    return item


def reinspection_open(*, rework: SupervisionItem, today: date) -> QualityInspection | None:
    """The unit answered a rework: its revised answer is inspected in the next round."""
    assert rework.case is not None  # noqa: S101 (a rework always belongs to a case)
    inspection = _create(actor=None, case=rework.case, reason="rework", today=today, rework=rework)
    if inspection is not None:
        notify(
            active_users(role=Role.INSPECTOR),
            kind="supervision.reinspect",
            message=_("%(unit)s reworked the answer to case %(number)s; inspect it again.")
            % {"unit": rework.unit.label, "number": rework.case.number},
            url=_url(inspection),
        )
        _item_event(rework, actor=None, action="reinspection", note=str(inspection))
    return inspection


# --- reading ------------------------------------------------------------------------------


def pending_inspections() -> QuerySet[QualityInspection]:
    return QualityInspection.objects.filter(result="").select_related("case", "case__handling_unit")


def open_reworks() -> QuerySet[SupervisionItem]:
    return SupervisionItem.objects.filter(
        kind=ItemKind.REWORK, status__in=[ItemStatus.OPEN, ItemStatus.ANSWERED]
    )


def decided_in(start: date, end: date) -> Q:
    return Q(decided_on__gte=start, decided_on__lte=end) & ~Q(result="")


def initial_checks(case: Case) -> dict[str, Any]:
    """What the form proposes: "in time" from the dates, the rest for the inspector."""
    return {"in_time": answered_in_time(case)}
