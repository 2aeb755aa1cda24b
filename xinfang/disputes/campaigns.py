"""Writes on special campaigns (专项行动): a period, target problems each with a responsible
unit and leader, progress reports, closure. Atomic and audited like xinfang.disputes.services.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from xinfang.audit.services import audit_log
from xinfang.core.errors import DomainError, PermissionDeniedError
from xinfang.org.models import Unit, User
from xinfang.org.permissions import Capability

from .models import Campaign, CampaignTarget, Dispute, ProgressReport
from .selectors import may_report_progress
from .services import local_today, require_capability, require_centre


def campaign_create(
    *,
    actor: User,
    title: str,
    starts_on: date,
    ends_on: date,
    lead_unit: Unit,
    description: str = "",
) -> Campaign:
    user = require_centre(actor)
    if ends_on < starts_on:
        raise DomainError(_("The campaign ends before it starts."), code="dates", field="ends_on")
    if not title.strip():
        raise DomainError(_("This field is required."), code="empty", field="title")
    with transaction.atomic():
        campaign = Campaign.objects.create(
            title=title.strip(),
            description=description.strip(),
            starts_on=starts_on,
            ends_on=ends_on,
            lead_unit=lead_unit,
            created_by=user,
        )
        audit_log(
            actor=user,
            action="campaign.create",
            obj=campaign,
            after={"from": starts_on, "until": ends_on, "lead_unit": lead_unit.code},
        )
    return campaign


def _open_campaign(campaign: Campaign) -> Campaign:
    locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if locked.status != Campaign.Status.ACTIVE:
        raise DomainError(_("The campaign is closed."), code="campaign_closed")
    return locked


def target_add(
    *,
    actor: User,
    campaign: Campaign,
    title: str,
    responsible_unit: Unit,
    responsible_leader: str,
    due_on: date,
    dispute: Dispute | None = None,
) -> CampaignTarget:
    """A target problem (目标问题) with its responsible unit and leader."""
    user = require_centre(actor)
    if not title.strip() or not responsible_leader.strip():
        raise DomainError(_("Name the problem and the responsible leader."), code="empty")
    with transaction.atomic():
        locked = _open_campaign(campaign)
        if not locked.starts_on <= due_on <= locked.ends_on:
            raise DomainError(
                _("The target must be due within the campaign period."),
                code="due_on",
                field="due_on",
            )
        target = CampaignTarget.objects.create(
            campaign=locked,
            title=title.strip(),
            responsible_unit=responsible_unit,
            responsible_leader=responsible_leader.strip(),
            due_on=due_on,
            dispute=dispute,
        )
        audit_log(
            actor=user,
            action="campaign.target.add",
            obj=target,
            after={"campaign": locked.pk, "unit": responsible_unit.code, "due_on": due_on},
        )
    return target


def progress_report(
    *,
    actor: User,
    target: CampaignTarget,
    progress: int,
    text: str,
    reported_on: date | None = None,
) -> ProgressReport:
    """The responsible unit (or the centre) reports progress on a target (进展情况)."""
    user = require_capability(actor, Capability.MEDIATE)
    if not may_report_progress(user, target):
        raise PermissionDeniedError(_("Only the responsible unit or the centre can report."))
    if not 0 <= progress <= 100:
        raise DomainError(_("Progress runs from 0 to 100 %."), code="progress", field="progress")
    if not text.strip():
        raise DomainError(_("Describe the progress."), code="empty", field="text")
    with transaction.atomic():
        _open_campaign(target.campaign)
        locked = CampaignTarget.objects.select_for_update().get(pk=target.pk)
        if locked.status != CampaignTarget.Status.OPEN:
            raise DomainError(_("This target is closed."), code="target_closed")
        report = ProgressReport.objects.create(
            target=locked,
            reported_on=reported_on or local_today(),
            progress=progress,
            text=text.strip(),
            reported_by=user,
        )
        before = locked.progress
        locked.progress = progress
        locked.save(update_fields=["progress"])
        audit_log(
            actor=user,
            action="campaign.target.progress",
            obj=locked,
            before={"progress": before},
            after={"progress": progress},
        )
    return report


def target_close(
    *, actor: User, target: CampaignTarget, solved: bool, note: str, today: date | None = None
) -> CampaignTarget:
    """The centre closes a target (销号): solved, or closed unsolved and carried on in the
    ledger."""
    user = require_centre(actor)
    if not note.strip():
        raise DomainError(_("Give a closing note."), code="empty", field="note")
    with transaction.atomic():
        _open_campaign(target.campaign)
        locked = CampaignTarget.objects.select_for_update().get(pk=target.pk)
        if locked.status != CampaignTarget.Status.OPEN:
            raise DomainError(_("This target is closed."), code="target_closed")
        locked.status = CampaignTarget.Status.DONE if solved else CampaignTarget.Status.UNSOLVED
        locked.closed_on = local_today(today)
        if solved:
            locked.progress = 100
        locked.save()
        ProgressReport.objects.create(
            target=locked,
            reported_on=locked.closed_on,
            progress=locked.progress,
            text=note.strip(),
            reported_by=user,
        )
        audit_log(
            actor=user,
            action="campaign.target.close",
            obj=locked,
            before={"status": CampaignTarget.Status.OPEN},
            after={"status": locked.status, "closed_on": locked.closed_on},
        )
    return locked


def campaign_close(
    *, actor: User, campaign: Campaign, note: str, today: date | None = None
) -> Campaign:
    """Close the campaign once every target is closed (总结验收)."""
    user = require_centre(actor)
    if not note.strip():
        raise DomainError(_("Write the closing summary."), code="empty", field="note")
    with transaction.atomic():
        locked = _open_campaign(campaign)
        still_open = locked.targets.filter(status=CampaignTarget.Status.OPEN).count()
        if still_open:
            raise DomainError(
                _("%(n)d target(s) are still open; close them first.") % {"n": still_open},
                code="targets_open",
            )
        locked.status = Campaign.Status.CLOSED
        locked.closed_on = local_today(today)
        locked.closing_note = note.strip()
        locked.save()
        audit_log(
            actor=user,
            action="campaign.close",
            obj=locked,
            before={"status": Campaign.Status.ACTIVE},
            after={"status": locked.status, "closed_on": locked.closed_on},
        )
    return locked
