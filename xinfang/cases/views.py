from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, resolve, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from xinfang.audit.services import audit_log
from xinfang.core.access import AUTHENTICATED, PUBLIC, access_rule_of, requires
from xinfang.core.errors import DomainError
from xinfang.org.models import Unit
from xinfang.org.permissions import Capability, has_capability

from . import services
from .attachments import attachment_add
from .deadlines import working_days_remaining
from .exports import export_cases_xlsx, export_filename
from .filters import CaseFilterForm
from .forms import ACTION_FORMS, RegisterForm, action_form
from .masking import mask_id_number, mask_name, mask_phone
from .models import Case, Review, Status
from .selectors import actions_for, case_timeline, cases_visible_to, earlier_cases
from .transitions import ACTION_LABELS, Action


def _filtered(request: HttpRequest) -> tuple[CaseFilterForm, QuerySet[Case]]:
    form = CaseFilterForm(request.GET or None)
    if not request.GET:
        form = CaseFilterForm({"sort": "-received"})
    cases = form.apply(cases_visible_to(request.user), today=timezone.localdate())  # type: ignore[arg-type]
    return form, cases


@requires(Capability.VIEW_CASES)
def case_list(request: HttpRequest) -> HttpResponse:
    form, cases = _filtered(request)
    page = Paginator(cases.prefetch_related("petitioners"), 30).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cases/case_list.html",
        {
            "page": page,
            "form": form,
            "query": query.urlencode(),
            "batch_units": Unit.objects.filter(is_active=True),
            "can_route": has_capability(request.user, Capability.ROUTE_CASE),
            "can_unmask": has_capability(request.user, Capability.VIEW_PERSONAL_DATA),
        },
    )


@requires(Capability.VIEW_CASES)
def case_export(request: HttpRequest) -> HttpResponse:
    """The filtered list as an .xlsx ledger; personal data masked unless a reason is given."""
    form, cases = _filtered(request)
    try:
        data = export_cases_xlsx(
            actor=request.user,
            cases=cases,
            filters={k: v for k, v in request.GET.items() if k not in {"reason"}},
            unmask_reason=request.GET.get("reason", "") if request.GET.get("unmask") else "",
        )
    except DomainError as exc:
        raise PermissionDenied(exc.message) from exc
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{export_filename()}"'
    return response


@requires(Capability.ROUTE_CASE)
@require_POST
def case_batch(request: HttpRequest) -> HttpResponse:
    """Batch work for clerks: route several cases to one unit, or print their notices."""
    ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
    cases = list(cases_visible_to(request.user).filter(pk__in=ids))  # type: ignore[arg-type]
    if not cases:
        messages.error(request, _("Select at least one case."))
        return redirect("cases:list")
    if request.POST.get("op") == "print":
        return _print_documents(request, cases)
    unit = Unit.objects.filter(pk=request.POST.get("unit") or 0, is_active=True).first()
    if unit is None:
        messages.error(request, _("Choose the unit to route to."))
        return redirect("cases:list")
    done, failed = 0, []
    for case in cases:
        try:
            services.case_route(actor=request.user, case=case, unit=unit)  # type: ignore[arg-type]
            done += 1
        except DomainError as exc:
            failed.append(f"{case.number}: {exc.message}")
    if done:
        messages.success(
            request, _("%(n)d case(s) routed to %(unit)s.") % {"n": done, "unit": unit}
        )
    for line in failed:
        messages.error(request, line)
    return redirect("cases:list")


def _print_documents(request: HttpRequest, cases: list[Case]) -> HttpResponse:
    """The latest notice of each selected case in one PDF, ready to print."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for case in cases:
        document = case.documents.order_by("-created_at", "-id").first()
        if document is None:
            continue
        with document.file.open("rb") as fh:
            writer.append(PdfReader(io.BytesIO(fh.read())))
        audit_log(actor=request.user, action="case.document.print", obj=document)  # type: ignore[arg-type]
    if not writer.pages:
        messages.error(request, _("The selected cases have no documents yet."))
        return redirect("cases:list")
    out = io.BytesIO()
    writer.write(out)
    return HttpResponse(out.getvalue(), content_type="application/pdf")


@requires(Capability.REGISTER_CASE)
def case_register(request: HttpRequest) -> HttpResponse:
    """登记: one form; before saving, earlier cases of the same person or matter are shown
    and the clerk links the new record as a repeat or confirms it is a new matter."""
    form = RegisterForm(request.POST or None, request.FILES or None)
    matches: list[tuple[Case, str]] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        matches = earlier_cases(
            request.user,
            id_number=data["id_number"],
            phone=data["phone"],
            title=data["title"],
        )
        if matches and not data["repeat_checked"]:
            form = RegisterForm(
                {**request.POST.dict(), "repeat_checked": "1"}, request.FILES or None
            )
            form.is_valid()
            return render(request, "cases/case_register.html", {"form": form, "matches": matches})
        repeat_of = next((c for c, _why in matches if c.pk == data["repeat_of"]), None)
        try:
            case = _register_from_form(request, data, repeat_of)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request,
                _("Registered as %(number)s; query code %(code)s.")
                % {"number": case.number, "code": case.query_code},
            )
            return redirect("cases:detail", pk=case.pk)
    return render(
        request,
        "cases/case_register.html",
        {"form": form, "matches": matches},
        status=400 if form.errors else 200,
    )


def _register_from_form(request: HttpRequest, data: dict[str, Any], repeat_of: Case | None) -> Case:
    people = [
        services.PetitionerData(
            name=data["name"],
            id_number=data["id_number"],
            phone=data["phone"],
            address=data["petitioner_address"],
        )
    ]
    people += [
        services.PetitionerData(name=line.strip(), representative=True)
        for line in data["representatives"].splitlines()
        if line.strip()
    ]
    # The case and its files are saved together or not at all.
    with transaction.atomic():
        case = services.case_register(
            actor=request.user,  # type: ignore[arg-type]
            channel=data["channel"],
            petition_type=data["petition_type"],
            category=data["category"],
            title=data["title"],
            content=data["content"],
            request=data["request"],
            division=data["division"],
            address=data["address"],
            received_on=data["received_on"],
            deadline_assigned=data["deadline_assigned"],
            petitioners=people,
            people_count=data["people_count"],
            accused_units=data["accused_units"],
            repeat_of=repeat_of,
        )
        for upload in data["attachments"]:
            attachment_add(
                actor=request.user,  # type: ignore[arg-type]
                case=case,
                name=upload.name,
                stream=upload,
                size=upload.size,
            )
    return case


EVENT_LABELS = {"register": gettext_lazy("Registered")}


def _messages_url(user: Any, case: Case) -> str:
    """The notify app's list of the messages sent to this case's petitioner, for a user its
    view admits (the rule the view declares; it scopes the case as this page does), else ""."""
    try:
        url = reverse("notify:case_messages", args=[case.pk])
    except NoReverseMatch:  # the notify app is not installed
        return ""
    rule = access_rule_of(resolve(url).func)
    allowed = rule in (PUBLIC, AUTHENTICATED) or (
        rule is not None and has_capability(user, Capability(rule))
    )
    return url if allowed else ""


def _case_page(
    request: HttpRequest, case: Case, forms: dict[Action, Any] | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    allowed = actions_for(user, case)
    forms = forms or {}
    # A refused form stays on the page with its errors, even if the case moved on meanwhile.
    shown = allowed + [a for a in forms if a not in allowed]
    action_forms = [(a, ACTION_LABELS[a], forms.get(a) or action_form(a, case)) for a in shown]
    personal = has_capability(user, Capability.VIEW_PERSONAL_DATA)
    petitioners = [
        {
            "name": p.name if personal else mask_name(p.name),
            "role": p.get_role_display(),
            "id_number": p.id_number if personal else mask_id_number(p.id_number),
            "phone": p.phone if personal else mask_phone(p.phone),
            "address": p.address if personal else "",
        }
        for p in case.petitioners.all()
    ]
    if personal:
        audit_log(actor=user, action="case.personal_data.view", obj=case)  # type: ignore[arg-type]
    reviews = list(case.reviews.all())
    review_rows = [
        (
            _("Review decision (30 days, art. 35)")
            if review.level == Review.Level.REVIEW
            else _("Re-review decision (30 days, art. 36)"),
            review.decide_due,
            review.decided_on,
        )
        for review in sorted(reviews, key=lambda r: r.requested_on)
    ]
    # The request limit in force is the re-review's once the review is decided.
    by_level = {review.level: review for review in reviews}
    review = by_level.get(Review.Level.REVIEW)
    pending = by_level.get(Review.Level.REREVIEW) if review and review.decided_on else review
    requested_on = pending.requested_on if pending else None
    deadlines = []
    for label, due, done in [
        (_("Routing (15 days, art. 22)"), case.route_due, case.routed_on),
        (
            _("Acceptance decision (15 days, art. 23)"),
            case.acceptance_due,
            case.acceptance_notified_on,
        ),
        (_("Objection (5 working days, art. 23)"), case.objection_due, case.accepted_on),
        (_("Answer (60 days, art. 34)"), case.handling_due, case.replied_on),
        (_("Rating window"), case.evaluation_due, case.rated_on),
        (_("Request review / re-review (30 days)"), case.review_request_due, requested_on),
        *review_rows,
    ]:
        if due:
            remaining = working_days_remaining(today=today, due=due)
            css = (
                "due-ok"
                if done or remaining > 3
                else ("due-soon" if remaining >= 0 else "due-over")
            )
            deadlines.append(
                {"label": label, "due": due, "done": done, "remaining": remaining, "css": css}
            )
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "petitioners": petitioners,
            "deadlines": deadlines,
            "timeline": [
                {
                    "event": e,
                    "label": EVENT_LABELS.get(e.action) or ACTION_LABELS.get(e.action, e.action),
                    "status": Status(e.to_status).label if e.to_status in Status.values else "",
                }
                for e in case_timeline(case)
            ],
            "documents": case.documents.all(),
            "reviews": reviews,
            "action_forms": action_forms,
            "messages_url": _messages_url(user, case),
        },
        status=status,
    )


@requires(Capability.VIEW_CASES)
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_object_or_404(cases_visible_to(request.user), pk=pk)  # type: ignore[arg-type]
    return _case_page(request, case)


def _run(action: Action, actor: Any, case: Case, d: dict[str, Any]) -> Case:
    v = d.get("version")
    calls: dict[Action, Callable[[], Case]] = {
        Action.ROUTE: lambda: services.case_route(
            actor=actor, case=case, unit=d["unit"], co_units=d["co_units"], expected_version=v
        ),
        Action.JOINT: lambda: services.case_set_joint_handling(
            actor=actor, case=case, lead=d["lead"], co_units=d["co_units"], expected_version=v
        ),
        Action.RETURN: lambda: services.case_return(
            actor=actor, case=case, reason=d["reason"], expected_version=v
        ),
        Action.ACCEPT: lambda: services.case_accept(actor=actor, case=case, expected_version=v),
        Action.NOT_ACCEPT: lambda: services.case_not_accept(
            actor=actor, case=case, reason=d["reason"], expected_version=v
        ),
        Action.EXTEND: lambda: services.case_extend(
            actor=actor, case=case, days=d["days"], reason=d["reason"], expected_version=v
        ),
        Action.REPLY: lambda: services.case_reply(
            actor=actor, case=case, outcome=d["outcome"], text=d["text"], expected_version=v
        ),
        Action.EVALUATE: lambda: services.case_evaluate(
            actor=actor, case=case, rating=d["rating"], comment=d["comment"], expected_version=v
        ),
        Action.REQUEST_REVIEW: lambda: services.case_request_review(
            actor=actor, case=case, reason=d["reason"], expected_version=v
        ),
        Action.DECIDE_REVIEW: lambda: services.case_decide_review(
            actor=actor, case=case, outcome=d["outcome"], text=d["text"], expected_version=v
        ),
        Action.REQUEST_REREVIEW: lambda: services.case_request_rereview(
            actor=actor, case=case, reason=d["reason"], expected_version=v
        ),
        Action.DECIDE_REREVIEW: lambda: services.case_decide_rereview(
            actor=actor,
            case=case,
            outcome=d["outcome"],
            text=d["text"],
            hearing_days=d["hearing_days"],
            expected_version=v,
        ),
        Action.CLOSE: lambda: services.case_close(actor=actor, case=case, expected_version=v),
        Action.MERGE: lambda: services.case_merge(
            actor=actor, case=case, into=d["into"], expected_version=v
        ),
        Action.DIVERT: lambda: services.case_divert(
            actor=actor, case=case, to=d["to"], reason=d["reason"], expected_version=v
        ),
    }
    return calls[action]()


@requires(Capability.VIEW_CASES)
@require_POST
def case_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    case = get_object_or_404(cases_visible_to(request.user), pk=pk)  # type: ignore[arg-type]
    try:
        act = Action(action)
    except ValueError as exc:
        raise Http404 from exc
    if act not in ACTION_FORMS:
        raise Http404
    form = action_form(act, case, request.POST, user=request.user)
    if form.is_valid():
        try:
            case = _run(act, request.user, case, form.cleaned_data)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Done: %(action)s.") % {"action": ACTION_LABELS[act]})
            return redirect("cases:detail", pk=case.pk)
    case.refresh_from_db()
    return _case_page(request, case, {act: form}, status=400)


@requires(Capability.VIEW_CASES)
def case_document(request: HttpRequest, pk: int, doc_pk: int) -> FileResponse:
    case = get_object_or_404(cases_visible_to(request.user), pk=pk)  # type: ignore[arg-type]
    document = get_object_or_404(case.documents, pk=doc_pk)
    audit_log(actor=request.user, action="case.document.download", obj=document)  # type: ignore[arg-type]
    return FileResponse(
        document.file.open("rb"),
        as_attachment=False,
        filename=f"{document.number}.pdf",
        content_type="application/pdf",
    )


@requires(Capability.VIEW_CASES)
def case_attachment(request: HttpRequest, pk: int, att_pk: int) -> FileResponse:
    case = get_object_or_404(cases_visible_to(request.user), pk=pk)  # type: ignore[arg-type]
    attachment = get_object_or_404(case.attachments, pk=att_pk)
    audit_log(actor=request.user, action="case.attachment.download", obj=attachment)  # type: ignore[arg-type]
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
