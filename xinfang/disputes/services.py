"""Writes on disputes, mediation and special campaigns (矛盾纠纷排查调处, 专项行动).

Each service is atomic: it locks the row, checks the actor's right (capability and scope,
xinfang.disputes.selectors) and the state machine (xinfang.disputes.transitions), applies the
change and appends an audit record with the old and new values. A refused action raises a
DomainError and changes nothing. Parties' identifiers never go into the audit trail.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfang.audit.services import audit_log, diff
from xinfang.cases.deadlines import DayRule, due_date
from xinfang.cases.models import Case
from xinfang.cases.selectors import cases_visible_to
from xinfang.cases.services import next_number
from xinfang.core.errors import ConflictError, DomainError, PermissionDeniedError
from xinfang.core.models import Notification
from xinfang.org.models import Division, Role, Unit, User
from xinfang.org.permissions import ROLE_CAPABILITIES, Capability, has_capability

from .conf import conf
from .models import (
    RISK_ORDER,
    Dispute,
    DisputeType,
    MediationAgreement,
    MediationRecord,
    Party,
    ReferralTarget,
    RiskLevel,
    Source,
)
from .pdf import AgreementData, PartyLine, render_agreement
from .selectors import CENTRE_UNIT_KINDS, in_town, is_centre, may_act, town_of
from .transitions import Action, check

# 人民调解法 art. 33: the parties may jointly apply for judicial confirmation within 30 days
# of the agreement taking effect. Counted as procedural law counts (民事诉讼法 art. 85): the
# first day is not counted, an end on a rest day moves to the next working day.
JUDICIAL_CONFIRMATION_DAYS = 30


@dataclass(frozen=True)
class PartyData:
    side: str
    name: str
    kind: str = Party.Kind.PERSON
    id_number: str = ""
    phone: str = ""
    address: str = ""


def local_today(today: date | None = None) -> date:
    return today or timezone.localdate()


def require_capability(actor: User | None, capability: Capability) -> User:
    if actor is None or not has_capability(actor, capability):
        raise PermissionDeniedError(_("You are not allowed to do this."))
    return actor


def require_centre(actor: User | None) -> User:
    user = require_capability(actor, Capability.MEDIATE)
    if not is_centre(user):
        raise PermissionDeniedError(_("Only the mediation centre can do this."))
    return user


def _require_on(actor: User | None, dispute: Dispute) -> User:
    user = require_capability(actor, Capability.MEDIATE)
    if not may_act(user, dispute):
        raise PermissionDeniedError(_("This dispute is not in your town or unit."))
    return user


def mediating_roles() -> list[str]:
    return [role for role, caps in ROLE_CAPABILITIES.items() if Capability.MEDIATE in caps]


def centre_staff() -> list[User]:
    return list(
        User.objects.filter(
            unit__kind__in=CENTRE_UNIT_KINDS, role__in=mediating_roles(), is_active=True
        )
    )


def unit_staff(unit: Unit) -> list[User]:
    return list(User.objects.filter(unit=unit, role__in=mediating_roles(), is_active=True))


def notify(users: Iterable[User], *, kind: str, message: str, url: str = "") -> int:
    seen: set[int] = set()
    for user in users:
        if user.pk in seen:
            continue
        seen.add(user.pk)
        Notification.objects.create(user=user, kind=kind, message=message[:300], url=url)
    return len(seen)


def _snapshot(d: Dispute) -> dict[str, Any]:
    fields = [
        "status",
        "risk_level",
        "deadline",
        "responsible_unit_id",
        "responsible_leader",
        "referred_to",
        "case_id",
        "closed_on",
    ]
    return {f: getattr(d, f) for f in fields}


def _transition(
    dispute: Dispute,
    action: Action,
    *,
    actor: User,
    expected_version: int | None,
    apply: Callable[[Dispute], None],
    extra: dict[str, Any] | None = None,
) -> Dispute:
    """Lock, check scope and state, apply, audit. Raises (changing nothing) when refused."""
    with transaction.atomic():
        locked = Dispute.objects.select_for_update().get(pk=dispute.pk)
        _require_on(actor, locked)
        if expected_version is not None and locked.version != expected_version:
            raise ConflictError(
                _("Someone else changed this dispute meanwhile. Reload it and try again.")
            )
        target = check(action, locked.status)
        before = _snapshot(locked)
        apply(locked)
        locked.status = target
        locked.version += 1
        locked.save()
        old, new = diff(before, _snapshot(locked))
        audit_log(
            actor=actor,
            action=f"dispute.{action}",
            obj=locked,
            before=old,
            after={**new, **(extra or {})},
        )
    return locked


def _check_parties(parties: Sequence[PartyData]) -> None:
    for p in parties:
        if not p.name.strip():
            raise DomainError(_("Every party needs a name."), code="party_name", field="parties")
        if p.side not in Party.Side.values or p.kind not in Party.Kind.values:
            raise DomainError(_("Unknown party side or kind."), code="party_kind")


def _visible_case(actor: User, number: str) -> Case:
    case = cases_visible_to(actor).filter(number=number.strip()).first()
    if case is None:
        raise DomainError(
            _("No petition case %(number)s that you may see.") % {"number": number},
            code="case_not_found",
            field="case_number",
        )
    return case


# --- the ledger -------------------------------------------------------------------------------


def dispute_report(
    *,
    actor: User,
    title: str,
    summary: str,
    dispute_type: str,
    division: Division,
    responsible_unit: Unit,
    responsible_leader: str,
    risk_level: str = RiskLevel.LOW,
    found_on: date | None = None,
    deadline: date | None = None,
    place: str = "",
    people_involved: int = 2,
    source: str = Source.ROUTINE,
    parties: Sequence[PartyData] = (),
    case_number: str = "",
    today: date | None = None,
) -> Dispute:
    """Enter a dispute found by screening (常态化排查) in the ledger.

    Town staff report for their own town only (属地管理); a department for any place."""
    user = require_capability(actor, Capability.MEDIATE)
    if user.unit is None:
        raise PermissionDeniedError(_("Your account has no unit."))
    today = local_today(today)
    found_on = found_on or today
    if division.level not in (Division.Level.TOWNSHIP, Division.Level.VILLAGE):
        raise DomainError(_("Choose the town or village."), code="division", field="division")
    town = town_of(user)
    if town is not None and not in_town(division, town):
        raise DomainError(
            _("Town staff report disputes of their own town (%(town)s) only.") % {"town": town},
            code="other_town",
            field="division",
        )
    if found_on > today:
        raise DomainError(_("The date found is in the future."), code="future", field="found_on")
    deadline = deadline or found_on + timedelta(days=int(conf("RESOLVE_DAYS")))
    if deadline < found_on:
        raise DomainError(
            _("The deadline is before the date found."), code="deadline", field="deadline"
        )
    if dispute_type not in DisputeType.values or risk_level not in RiskLevel.values:
        raise DomainError(_("Unknown type or risk level."), code="choice")
    if not responsible_leader.strip():
        raise DomainError(
            _("Name the responsible leader."), code="leader", field="responsible_leader"
        )
    _check_parties(parties)
    case = _visible_case(user, case_number) if case_number.strip() else None
    with transaction.atomic():
        n = next_number(f"dispute-{found_on.year}")
        dispute = Dispute.objects.create(
            number=f"JF{found_on.year}-{n:04d}",
            title=title.strip(),
            summary=summary.strip(),
            dispute_type=dispute_type,
            source=Source.PETITION if case and source == Source.ROUTINE else source,
            found_on=found_on,
            division=division,
            place=place.strip(),
            people_involved=max(people_involved, 1),
            risk_level=risk_level,
            reporting_unit=user.unit,
            responsible_unit=responsible_unit,
            responsible_leader=responsible_leader.strip(),
            deadline=deadline,
            case=case,
            created_by=user,
        )
        for p in parties:
            _add_party(dispute, p)
        audit_log(
            actor=user,
            action="dispute.report",
            obj=dispute,
            after={
                "number": dispute.number,
                "type": dispute_type,
                "division": division.code,
                "risk_level": risk_level,
                "responsible_unit": responsible_unit.code,
                "deadline": deadline,
                "parties": len(parties),
                "case": case.number if case else "",
            },
        )
        if risk_level == RiskLevel.HIGH:
            _tell_centre_high_risk(dispute)
    return dispute


def _tell_centre_high_risk(dispute: Dispute) -> None:
    notify(
        centre_staff(),
        kind="dispute.high_risk",
        message=_("High-risk dispute %(number)s: %(title)s")
        % {"number": dispute.number, "title": dispute.title},
        url=reverse("disputes:detail", args=[dispute.pk]),
    )


def _add_party(dispute: Dispute, p: PartyData) -> Party:
    return Party.objects.create(
        dispute=dispute,
        side=p.side,
        kind=p.kind,
        name=p.name.strip(),
        id_number=p.id_number.strip(),
        phone=p.phone.strip(),
        address=p.address.strip(),
    )


def party_add(*, actor: User, dispute: Dispute, party: PartyData) -> Party:
    _check_parties([party])
    created: list[Party] = []
    _transition(
        dispute,
        Action.PARTY,
        actor=actor,
        expected_version=None,
        apply=lambda d: created.append(_add_party(d, party)),
        extra={"party_side": party.side, "party_kind": party.kind},
    )
    return created[0]


def dispute_update(
    *,
    actor: User,
    dispute: Dispute,
    risk_level: str,
    deadline: date,
    responsible_unit: Unit,
    responsible_leader: str,
    expected_version: int | None = None,
) -> Dispute:
    """Re-assess the risk, move the deadline or change who answers for the dispute."""
    if risk_level not in RiskLevel.values:
        raise DomainError(_("Unknown risk level."), code="choice", field="risk_level")
    if deadline < dispute.found_on:
        raise DomainError(
            _("The deadline is before the date found."), code="deadline", field="deadline"
        )
    raised = RISK_ORDER[RiskLevel(risk_level)] > RISK_ORDER[RiskLevel(dispute.risk_level)]

    def apply(d: Dispute) -> None:
        d.risk_level = risk_level
        d.deadline = deadline
        d.responsible_unit = responsible_unit
        d.responsible_leader = responsible_leader.strip() or d.responsible_leader

    updated = _transition(
        dispute, Action.UPDATE, actor=actor, expected_version=expected_version, apply=apply
    )
    if raised and risk_level == RiskLevel.HIGH:
        _tell_centre_high_risk(updated)
    return updated


def dispute_link_case(*, actor: User, dispute: Dispute, case_number: str) -> Dispute:
    """Link the petition case about the same matter (only a case the actor may see)."""
    case = _visible_case(require_capability(actor, Capability.MEDIATE), case_number)

    def apply(d: Dispute) -> None:
        d.case = case

    return _transition(dispute, Action.LINK_CASE, actor=actor, expected_version=None, apply=apply)


# --- mediation --------------------------------------------------------------------------------


def meeting_record(
    *,
    actor: User,
    dispute: Dispute,
    held_on: date,
    mediators: str,
    content: str,
    result: str,
    place: str = "",
    attendance: str = "",
    expected_version: int | None = None,
    today: date | None = None,
) -> MediationRecord:
    """A mediation meeting (调解记录); the first one starts the mediation."""
    if held_on > local_today(today) or held_on < dispute.found_on:
        raise DomainError(
            _("The meeting date must lie between the date found and today."),
            code="date",
            field="held_on",
        )
    if not mediators.strip() or not content.strip():
        raise DomainError(_("Name the mediators and record what was discussed."), code="empty")
    if result not in MediationRecord.Result.values:
        raise DomainError(_("Unknown result."), code="choice", field="result")
    created: list[MediationRecord] = []

    def apply(d: Dispute) -> None:
        created.append(
            MediationRecord.objects.create(
                dispute=d,
                held_on=held_on,
                place=place.strip(),
                mediators=mediators.strip(),
                attendance=attendance.strip(),
                content=content.strip(),
                result=result,
                recorded_by=actor,
            )
        )

    _transition(
        dispute,
        Action.MEETING,
        actor=actor,
        expected_version=expected_version,
        apply=apply,
        extra={"meeting_on": held_on, "result": result},
    )
    return created[0]


def agreement_data(agreement: MediationAgreement) -> AgreementData:
    return AgreementData(
        number=agreement.number,
        committee=agreement.committee,
        parties=[
            PartyLine(p.side, p.name, p.kind, p.id_number, p.phone, p.address)
            for p in agreement.dispute.parties.all()
        ],
        facts=agreement.facts,
        terms=agreement.terms,
        performance=agreement.performance,
        perform_by=agreement.perform_by,
        mediators=agreement.mediators,
        signed_on=agreement.signed_on,
        dispute_number=agreement.dispute.number,
    )


def agreement_sign(
    *,
    actor: User,
    dispute: Dispute,
    committee: str,
    facts: str,
    terms: str,
    performance: str,
    perform_by: date,
    mediators: str,
    signed_on: date | None = None,
    expected_version: int | None = None,
    today: date | None = None,
) -> MediationAgreement:
    """The 人民调解协议书 (人民调解法 art. 28-29): parties, facts and issues, agreed terms, how
    and when performed; the signed PDF is kept with its SHA-256."""
    signed_on = signed_on or local_today(today)
    if signed_on > local_today(today):
        raise DomainError(_("The signing date is in the future."), code="date", field="signed_on")
    if perform_by < signed_on:
        raise DomainError(
            _("Performance cannot be due before the agreement is signed."),
            code="perform_by",
            field="perform_by",
        )
    for value, name in ((facts, "facts"), (terms, "terms"), (performance, "performance")):
        if not value.strip():
            raise DomainError(_("This field is required."), code="empty", field=name)
    if not committee.strip() or not mediators.strip():
        raise DomainError(_("Name the committee and the mediators."), code="empty")
    created: list[MediationAgreement] = []

    def apply(d: Dispute) -> None:
        sides = {p.side for p in d.parties.all()}
        if d.parties.count() < 2 or not {Party.Side.APPLICANT, Party.Side.RESPONDENT} <= sides:
            raise DomainError(
                _("An agreement needs at least party A and party B."), code="parties_missing"
            )
        n = next_number(f"agreement-{signed_on.year}")
        agreement = MediationAgreement(
            dispute=d,
            number=f"{conf('AGREEMENT_PREFIX')}〔{signed_on.year}〕{n}号",
            committee=committee.strip(),
            facts=facts.strip(),
            terms=terms.strip(),
            performance=performance.strip(),
            perform_by=perform_by,
            mediators=mediators.strip(),
            signed_on=signed_on,
            created_by=actor,
        )
        agreement.dispute = d
        pdf = render_agreement(agreement_data(agreement))
        agreement.sha256 = hashlib.sha256(pdf).hexdigest()
        agreement.file.save(f"{agreement.dispute.number}-agreement.pdf", ContentFile(pdf), False)
        agreement.save()
        created.append(agreement)

    _transition(
        dispute,
        Action.AGREEMENT,
        actor=actor,
        expected_version=expected_version,
        apply=apply,
        extra={"agreement_signed_on": signed_on, "perform_by": perform_by},
    )
    agreement = created[0]
    audit_log(
        actor=actor,
        action="dispute.agreement.create",
        obj=agreement,
        after={"number": agreement.number, "sha256": agreement.sha256},
    )
    return agreement


def confirmation_due(agreement: MediationAgreement) -> date:
    """Last day to apply for judicial confirmation (人民调解法 art. 33: within 30 days)."""
    return due_date(
        start=agreement.signed_on, days=JUDICIAL_CONFIRMATION_DAYS, rule=DayRule.CALENDAR
    )


def confirmation_record(
    *,
    actor: User,
    dispute: Dispute,
    applied_on: date,
    court: str,
    today: date | None = None,
) -> MediationAgreement:
    """The parties applied to a court for judicial confirmation (司法确认): only within the
    30-day window of 人民调解法 art. 33."""
    agreement = MediationAgreement.objects.filter(dispute=dispute).first()
    if agreement is None:
        check(Action.CONFIRMATION, dispute.status)  # raises: no agreement in this state
        raise DomainError(_("There is no mediation agreement."), code="no_agreement")
    if agreement.confirmation_applied_on:
        raise DomainError(_("Judicial confirmation is already recorded."), code="recorded")
    last = confirmation_due(agreement)
    if applied_on > local_today(today):
        raise DomainError(_("The date is in the future."), code="date", field="applied_on")
    if applied_on < agreement.signed_on:
        raise DomainError(
            _("The application cannot precede the agreement."), code="date", field="applied_on"
        )
    if applied_on > last:
        raise DomainError(
            _(
                "Judicial confirmation must be applied for within 30 days of the agreement "
                "(人民调解法 art. 33); the window closed on %(last)s."
            )
            % {"last": last.isoformat()},
            code="confirmation_window_passed",
            field="applied_on",
        )
    if not court.strip():
        raise DomainError(_("Name the court."), code="empty", field="court")

    def apply(d: Dispute) -> None:
        MediationAgreement.objects.filter(pk=agreement.pk).update(
            confirmation_applied_on=applied_on, confirmation_court=court.strip()
        )

    _transition(
        dispute,
        Action.CONFIRMATION,
        actor=actor,
        expected_version=None,
        apply=apply,
        extra={"confirmation_applied_on": applied_on, "court": court.strip()},
    )
    agreement.refresh_from_db()
    return agreement


def fulfilment_record(
    *,
    actor: User,
    dispute: Dispute,
    fulfilled_on: date,
    note: str,
    expected_version: int | None = None,
    today: date | None = None,
) -> Dispute:
    """The agreement has been performed (履行完毕): the dispute is settled."""
    if fulfilled_on > local_today(today):
        raise DomainError(_("The date is in the future."), code="date", field="fulfilled_on")

    def apply(d: Dispute) -> None:
        agreement = MediationAgreement.objects.get(dispute=d)
        if fulfilled_on < agreement.signed_on:
            raise DomainError(
                _("Performance cannot precede the agreement."), code="date", field="fulfilled_on"
            )
        agreement.fulfilled_on = fulfilled_on
        agreement.fulfilment_note = note.strip()
        agreement.save(update_fields=["fulfilled_on", "fulfilment_note"])
        d.closed_on = fulfilled_on
        d.outcome_note = note.strip()

    return _transition(
        dispute, Action.FULFIL, actor=actor, expected_version=expected_version, apply=apply
    )


def dispute_resolve(
    *,
    actor: User,
    dispute: Dispute,
    note: str,
    expected_version: int | None = None,
    today: date | None = None,
) -> Dispute:
    """Resolved without a written agreement (oral agreement, 人民调解法 art. 30; or
    explanation and guidance)."""
    if not note.strip():
        raise DomainError(_("Say how it was resolved."), code="empty", field="note")

    def apply(d: Dispute) -> None:
        d.closed_on = local_today(today)
        d.outcome_note = note.strip()

    return _transition(
        dispute, Action.RESOLVE, actor=actor, expected_version=expected_version, apply=apply
    )


def dispute_refer(
    *,
    actor: User,
    dispute: Dispute,
    to: str,
    note: str,
    case_number: str = "",
    expected_version: int | None = None,
    today: date | None = None,
) -> Dispute:
    """Mediation did not settle it, or the agreement is not performed: guide the parties to
    litigation, arbitration or the petition channel (诉访分离). A petition referral links the
    case when it is registered, and tells the bureau's clerks until then."""
    if to not in ReferralTarget.values:
        raise DomainError(_("Choose where to refer it."), code="choice", field="to")
    if not note.strip():
        raise DomainError(_("Give the reason."), code="empty", field="note")
    case = _visible_case(actor, case_number) if case_number.strip() else None

    def apply(d: Dispute) -> None:
        d.referred_to = to
        d.referred_on = local_today(today)
        d.referral_note = note.strip()
        d.closed_on = d.referred_on
        if case is not None:
            d.case = case

    referred = _transition(
        dispute, Action.REFER, actor=actor, expected_version=expected_version, apply=apply
    )
    if to == ReferralTarget.PETITION and case is None:
        notify(
            User.objects.filter(role=Role.CLERK, is_active=True),
            kind="dispute.referred",
            message=_("Dispute %(number)s is referred to the petition channel: %(title)s")
            % {"number": referred.number, "title": referred.title},
            url=reverse("disputes:detail", args=[referred.pk]),
        )
    return referred
