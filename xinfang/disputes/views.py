"""Views of the dispute ledger, mediation and campaigns: thin, the services decide."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinfang.audit.services import audit_log
from xinfang.cases.masking import mask_id_number, mask_name, mask_phone
from xinfang.cases.selectors import cases_visible_to
from xinfang.core.access import requires
from xinfang.core.errors import DomainError
from xinfang.org.permissions import Capability, has_capability

from . import campaigns as campaign_services
from . import services
from .exports import XLSX, export_campaign_xlsx, export_disputes_xlsx, export_filename
from .forms import (
    CampaignForm,
    CloseCampaignForm,
    CloseTargetForm,
    DisputeForm,
    FilterForm,
    ProgressForm,
    TargetForm,
    action_form,
)
from .models import Dispute, Party
from .pdf import render_agreement
from .selectors import (
    campaign_board,
    campaigns_visible_to,
    disputes_overdue,
    disputes_visible_to,
    filter_disputes,
    is_centre,
    is_overdue,
    ledger_summary,
    may_act,
    may_report_progress,
)
from .transitions import ACTION_LABELS, Action, allowed_actions


def _filtered(request: HttpRequest) -> tuple[FilterForm, QuerySet[Dispute]]:
    form = FilterForm(request.GET or None)
    qs = disputes_visible_to(request.user)
    if form.is_bound and not form.is_valid():
        return form, qs.none()
    d = form.cleaned_data if form.is_bound else {}
    qs = filter_disputes(
        qs,
        status=d.get("status", ""),
        dispute_type=d.get("dispute_type", ""),
        risk_level=d.get("risk_level", ""),
        town=d.get("town"),
        q=d.get("q", ""),
        overdue_on=timezone.localdate() if d.get("overdue") else None,
    )
    return form, qs


@requires(Capability.VIEW_DISPUTES)
def home(request: HttpRequest) -> HttpResponse:
    """The workbench of the dispute and stability work: the ledger in numbers, what is
    overdue, today's zero reports, campaigns, assessments and suggestions."""
    from xinfang.risk.models import AssessmentStatus
    from xinfang.risk.selectors import (
        SUGGESTIONS_YEARLY_TARGET,
        assessments_visible_to,
        open_flags,
        policy_suggestions_count,
        reports_due_today,
    )

    today = timezone.localdate()
    user = request.user
    return render(
        request,
        "disputes/home.html",
        {
            "summary": ledger_summary(user, today=today),
            "overdue": disputes_overdue(user, today=today).order_by("deadline")[:10],
            "campaigns": [
                campaign_board(c, today=today)
                for c in campaigns_visible_to(user).filter(status="active")[:5]
            ],
            "due_today": reports_due_today(user, today=today),
            "flags": open_flags(user).count(),
            "awaiting_decision": assessments_visible_to(user)
            .filter(status=AssessmentStatus.REPORTED)
            .count(),
            "suggestions": policy_suggestions_count(today.year),
            "suggestions_target": SUGGESTIONS_YEARLY_TARGET,
            "can_mediate": has_capability(user, Capability.MEDIATE),
        },
    )


@requires(Capability.VIEW_DISPUTES)
def dispute_list(request: HttpRequest) -> HttpResponse:
    form, qs = _filtered(request)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    today = timezone.localdate()
    return render(
        request,
        "disputes/list.html",
        {
            "form": form,
            "page": page,
            "rows": [(d, is_overdue(d, today=today)) for d in page],
            "query": query.urlencode(),
            "can_unmask": has_capability(request.user, Capability.VIEW_PERSONAL_DATA),
            "can_mediate": has_capability(request.user, Capability.MEDIATE),
        },
    )


@requires(Capability.VIEW_DISPUTES)
def dispute_export(request: HttpRequest) -> HttpResponse:
    _form, qs = _filtered(request)
    try:
        data = export_disputes_xlsx(
            actor=request.user,
            disputes=qs.select_related("case", "agreement").prefetch_related("parties", "meetings"),
            filters={k: v for k, v in request.GET.items() if k != "reason"},
            unmask_reason=request.GET.get("reason", "") if request.GET.get("unmask") else "",
        )
    except DomainError as exc:
        raise PermissionDenied(exc.message) from exc
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{export_filename("disputes")}"'
    return response


@requires(Capability.MEDIATE)
def dispute_create(request: HttpRequest) -> HttpResponse:
    form = DisputeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        parties = [
            services.PartyData(
                side=side, name=d[f"{p}_name"], kind=d[f"{p}_kind"], phone=d[f"{p}_phone"]
            )
            for p, side in (("a", Party.Side.APPLICANT), ("b", Party.Side.RESPONDENT))
            if d[f"{p}_name"].strip()
        ]
        try:
            dispute = services.dispute_report(
                actor=request.user,  # type: ignore[arg-type]
                title=d["title"],
                summary=d["summary"],
                dispute_type=d["dispute_type"],
                source=d["source"],
                division=d["division"],
                place=d["place"],
                people_involved=d["people_involved"],
                risk_level=d["risk_level"],
                found_on=d["found_on"],
                deadline=d["deadline"],
                responsible_unit=d["responsible_unit"],
                responsible_leader=d["responsible_leader"],
                case_number=d["case_number"],
                parties=parties,
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Entered in the ledger as %(n)s.") % {"n": dispute.number})
            return redirect("disputes:detail", pk=dispute.pk)
    return render(
        request, "disputes/create.html", {"form": form}, status=400 if form.errors else 200
    )


def _detail(
    request: HttpRequest,
    dispute: Dispute,
    forms: dict[Action, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    personal = has_capability(user, Capability.VIEW_PERSONAL_DATA)
    parties = [
        {
            "side": p.get_side_display(),
            "kind": p.get_kind_display(),
            "name": p.name if personal or p.kind != Party.Kind.PERSON else mask_name(p.name),
            "id_number": p.id_number if personal else mask_id_number(p.id_number),
            "phone": p.phone if personal else mask_phone(p.phone),
            "address": p.address if personal else "",
        }
        for p in dispute.parties.all()
    ]
    if personal and parties:
        audit_log(actor=user, action="dispute.personal_data.view", obj=dispute)  # type: ignore[arg-type]
    agreement = getattr(dispute, "agreement", None) if dispute.status != "reported" else None
    actions: list[Action] = []
    if may_act(user, dispute):
        actions = [
            a
            for a in allowed_actions(dispute.status)
            if a != Action.CONFIRMATION
            or (agreement is not None and agreement.confirmation_applied_on is None)
        ]
    forms = forms or {}
    shown = actions + [a for a in forms if a not in actions]
    case = dispute.case if dispute.case_id else None
    return render(
        request,
        "disputes/detail.html",
        {
            "dispute": dispute,
            "overdue": is_overdue(dispute, today=timezone.localdate()),
            "parties": parties,
            "meetings": dispute.meetings.all(),
            "agreement": agreement,
            "confirmation_due": services.confirmation_due(agreement) if agreement else None,
            "case": case,
            "case_visible": case is not None and cases_visible_to(user).filter(pk=case.pk).exists(),  # type: ignore[arg-type]
            "action_forms": [
                (a, ACTION_LABELS[a], forms.get(a) or action_form(a, dispute)) for a in shown
            ],
        },
        status=status,
    )


@requires(Capability.VIEW_DISPUTES)
def dispute_detail(request: HttpRequest, pk: int) -> HttpResponse:
    dispute = get_object_or_404(disputes_visible_to(request.user), pk=pk)
    return _detail(request, dispute)


def _run(action: Action, actor: Any, dispute: Dispute, d: dict[str, Any]) -> Any:
    v = d.get("version")
    calls: dict[Action, Callable[[], Any]] = {
        Action.MEETING: lambda: services.meeting_record(
            actor=actor,
            dispute=dispute,
            held_on=d["held_on"],
            place=d["place"],
            mediators=d["mediators"],
            attendance=d["attendance"],
            content=d["content"],
            result=d["result"],
            expected_version=v,
        ),
        Action.AGREEMENT: lambda: services.agreement_sign(
            actor=actor,
            dispute=dispute,
            committee=d["committee"],
            facts=d["facts"],
            terms=d["terms"],
            performance=d["performance"],
            perform_by=d["perform_by"],
            mediators=d["mediators"],
            signed_on=d["signed_on"],
            expected_version=v,
        ),
        Action.CONFIRMATION: lambda: services.confirmation_record(
            actor=actor, dispute=dispute, applied_on=d["applied_on"], court=d["court"]
        ),
        Action.FULFIL: lambda: services.fulfilment_record(
            actor=actor,
            dispute=dispute,
            fulfilled_on=d["fulfilled_on"],
            note=d["note"],
            expected_version=v,
        ),
        Action.RESOLVE: lambda: services.dispute_resolve(
            actor=actor, dispute=dispute, note=d["note"], expected_version=v
        ),
        Action.REFER: lambda: services.dispute_refer(
            actor=actor,
            dispute=dispute,
            to=d["to"],
            note=d["note"],
            case_number=d["case_number"],
            expected_version=v,
        ),
        Action.UPDATE: lambda: services.dispute_update(
            actor=actor,
            dispute=dispute,
            risk_level=d["risk_level"],
            deadline=d["deadline"],
            responsible_unit=d["responsible_unit"],
            responsible_leader=d["responsible_leader"],
            expected_version=v,
        ),
        Action.PARTY: lambda: services.party_add(
            actor=actor,
            dispute=dispute,
            party=services.PartyData(
                side=d["side"],
                kind=d["kind"],
                name=d["name"],
                id_number=d["id_number"],
                phone=d["phone"],
                address=d["address"],
            ),
        ),
        Action.LINK_CASE: lambda: services.dispute_link_case(
            actor=actor, dispute=dispute, case_number=d["case_number"]
        ),
    }
    return calls[action]()


@requires(Capability.MEDIATE)
@require_POST
def dispute_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    dispute = get_object_or_404(disputes_visible_to(request.user), pk=pk)
    try:
        act = Action(action)
    except ValueError as exc:
        raise Http404 from exc
    form = action_form(act, dispute, request.POST)
    if form.is_valid():
        try:
            _run(act, request.user, dispute, form.cleaned_data)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Done: %(action)s.") % {"action": ACTION_LABELS[act]})
            return redirect("disputes:detail", pk=dispute.pk)
    dispute.refresh_from_db()
    return _detail(request, dispute, {act: form}, status=400)


@requires(Capability.VIEW_DISPUTES)
def agreement_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The signed agreement as stored; masked, rendered afresh, for those who may not see
    personal data."""
    dispute = get_object_or_404(disputes_visible_to(request.user), pk=pk)
    agreement = getattr(dispute, "agreement", None)
    if agreement is None:
        raise Http404
    personal = has_capability(request.user, Capability.VIEW_PERSONAL_DATA)
    if personal:
        with agreement.file.open("rb") as fh:
            data = fh.read()
    else:
        data = render_agreement(services.agreement_data(agreement), masked=True)
    audit_log(
        actor=request.user,  # type: ignore[arg-type]
        action="dispute.agreement.download",
        obj=agreement,
        after={"masked": not personal},
    )
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{dispute.number}-agreement.pdf"'
    return response


# --- campaigns ---------------------------------------------------------------------------------


def _int(value: Any) -> int:
    return int(value) if str(value or "").isdigit() else 0


@requires(Capability.VIEW_DISPUTES)
def campaign_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    return render(
        request,
        "disputes/campaigns.html",
        {
            "boards": [campaign_board(c, today=today) for c in campaigns_visible_to(request.user)],
            "form": CampaignForm() if is_centre(request.user) else None,
        },
    )


@requires(Capability.MEDIATE)
@require_POST
def campaign_create(request: HttpRequest) -> HttpResponse:
    form = CampaignForm(request.POST)
    if form.is_valid():
        try:
            campaign = campaign_services.campaign_create(actor=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Campaign created."))
            return redirect("disputes:campaign", pk=campaign.pk)
    today = timezone.localdate()
    return render(
        request,
        "disputes/campaigns.html",
        {
            "boards": [campaign_board(c, today=today) for c in campaigns_visible_to(request.user)],
            "form": form,
        },
        status=400,
    )


def _campaign_page(
    request: HttpRequest, campaign: Any, forms: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    forms = forms or {}
    board = campaign_board(campaign, today=timezone.localdate())
    centre = is_centre(request.user) and campaign.status == "active"
    rows = []
    for row in board.rows:
        may_report = (
            campaign.status == "active"
            and row.target.status == "open"
            and may_report_progress(request.user, row.target)
        )
        rows.append(
            {
                "row": row,
                "progress_form": ProgressForm(
                    initial={"progress": row.target.progress}, prefix=f"p{row.target.pk}"
                )
                if may_report
                else None,
                "close_form": CloseTargetForm(prefix=f"c{row.target.pk}")
                if centre and row.target.status == "open"
                else None,
            }
        )
    return render(
        request,
        "disputes/campaign.html",
        {
            "board": board,
            "rows": rows,
            "target_form": forms.get("target") or (TargetForm() if centre else None),
            "close_form": forms.get("close") or (CloseCampaignForm() if centre else None),
            "errors": forms.get("errors", []),
        },
        status=status,
    )


@requires(Capability.VIEW_DISPUTES)
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(campaigns_visible_to(request.user), pk=pk)
    return _campaign_page(request, campaign)


@requires(Capability.MEDIATE)
@require_POST
def campaign_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    campaign = get_object_or_404(campaigns_visible_to(request.user), pk=pk)
    user: Any = request.user
    forms: dict[str, Any] = {}
    form: Any
    try:
        if action == "target":
            form = TargetForm(request.POST)
            forms["target"] = form
            if form.is_valid():
                d = form.cleaned_data
                dispute = None
                if d["dispute_number"].strip():
                    dispute = (
                        disputes_visible_to(user).filter(number=d["dispute_number"].strip()).first()
                    )
                    if dispute is None:
                        raise DomainError(
                            _("No such ledger entry that you may see."), field="dispute_number"
                        )
                campaign_services.target_add(
                    actor=user,
                    campaign=campaign,
                    title=d["title"],
                    responsible_unit=d["responsible_unit"],
                    responsible_leader=d["responsible_leader"],
                    due_on=d["due_on"],
                    dispute=dispute,
                )
        elif action in ("progress", "close_target"):
            target = get_object_or_404(campaign.targets, pk=_int(request.POST.get("target")))
            prefix = f"{'p' if action == 'progress' else 'c'}{target.pk}"
            form = (ProgressForm if action == "progress" else CloseTargetForm)(
                request.POST, prefix=prefix
            )
            if form.is_valid():
                d = form.cleaned_data
                if action == "progress":
                    campaign_services.progress_report(
                        actor=user, target=target, progress=d["progress"], text=d["text"]
                    )
                else:
                    campaign_services.target_close(
                        actor=user, target=target, solved=d["solved"], note=d["note"]
                    )
        elif action == "close":
            form = CloseCampaignForm(request.POST)
            forms["close"] = form
            if form.is_valid():
                campaign_services.campaign_close(
                    actor=user, campaign=campaign, note=form.cleaned_data["note"]
                )
        else:
            raise Http404
    except DomainError as exc:
        if exc.field and exc.field in form.fields:
            form.add_error(exc.field, exc.message)
        else:
            form.add_error(None, exc.message)
    if form.is_valid():
        messages.success(request, _("Saved."))
        return redirect("disputes:campaign", pk=campaign.pk)
    forms["errors"] = [e for errs in form.errors.values() for e in errs]
    return _campaign_page(request, campaign, forms, status=400)


@requires(Capability.VIEW_DISPUTES)
def campaign_export(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(campaigns_visible_to(request.user), pk=pk)
    data = export_campaign_xlsx(actor=request.user, campaign=campaign, today=timezone.localdate())
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{export_filename("campaign")}"'
    return response
