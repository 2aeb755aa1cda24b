"""Pages of supervision items: the supervisor's overview, the unit's queue, the leader's view,
item pages with their actions, and the administrator's escalation rules."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from xinfang.cases.selectors import cases_visible_to
from xinfang.core.access import AUTHENTICATED, requires
from xinfang.core.errors import DomainError
from xinfang.org.permissions import Capability, has_capability

from . import services
from .forms import CREATE_KINDS, ITEM_ACTION_FORMS, ItemForm, RuleForm
from .models import EscalationRule, ItemKind, ItemStatus, Recipient, SupervisionItem
from .rework import answered_on_the_case
from .selectors import (
    item_counts,
    items_visible_to,
    leader_items,
    may_answer,
    may_check,
    notices_of,
    overdue_items,
    pass_rate,
    pass_rate_by_unit,
    unit_queue,
    unit_waiting,
)

ACTION_LABELS = {
    "answer": gettext_lazy("Answer"),
    "accept": gettext_lazy("Accept as done"),
    "send_back": gettext_lazy("Send back"),
    "cancel": gettext_lazy("Cancel the item"),
}


def form_error(form: Any, exc: DomainError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


# --- overview pages ---------------------------------------------------------------------------


@requires(AUTHENTICATED)
def home(request: HttpRequest) -> HttpResponse:
    """The supervision area's landing page: what each role has to do here, with counts."""
    user: Any = request.user
    today = timezone.localdate()
    panels: list[tuple[str, int, str]] = []
    if has_capability(user, Capability.HANDLE_CASE):
        queue = unit_queue(user)
        panels += [
            (_("My unit owes"), queue.count(), reverse("supervision:unit_queue")),
            (
                _("Overdue in my unit"),
                queue.filter(due_on__lt=today).count(),
                reverse("supervision:unit_queue"),
            ),
        ]
    if has_capability(user, Capability.SUPERVISE):
        counts = item_counts(user, today=today)
        panels += [
            (_("Awaiting the units' answers"), counts["open"], reverse("supervision:dashboard")),
            (_("Overdue"), counts["overdue"], reverse("supervision:dashboard")),
            (_("Answered, to check"), counts["answered"], reverse("supervision:dashboard")),
        ]
    if has_capability(user, Capability.INSPECT):
        from .quality import open_reworks, pending_inspections

        panels += [
            (
                _("Waiting for inspection"),
                pending_inspections().count(),
                reverse("supervision:quality"),
            ),
            (_("Reworks under way"), open_reworks().count(), reverse("supervision:quality")),
        ]
    if has_capability(user, Capability.ADMINISTER):
        services.ensure_default_rules()
        panels.append(
            (_("Escalation rules"), EscalationRule.objects.count(), reverse("supervision:rules"))
        )
    return render(request, "supervision/home.html", {"panels": panels})


@requires(Capability.SUPERVISE)
def dashboard(request: HttpRequest) -> HttpResponse:
    """督查督办 overview: counts, what is overdue and escalated, this quarter's pass rate."""
    today = timezone.localdate()
    start = today - timedelta(days=90)
    return render(
        request,
        "supervision/dashboard.html",
        {
            "counts": item_counts(request.user, today=today),  # type: ignore[arg-type]
            "overdue": overdue_items(request.user, today=today)[:20],  # type: ignore[arg-type]
            "answered": items_visible_to(request.user)
            .filter(status=ItemStatus.ANSWERED)
            .order_by("answered_on")[:20],
            "quality": pass_rate(start=start, end=today),
            "quality_units": pass_rate_by_unit(start=start, end=today),
            "quality_start": start,
            "create_kinds": [(k, ItemKind(k).label) for k in CREATE_KINDS],
        },
    )


@requires(Capability.SUPERVISE)
def item_list(request: HttpRequest) -> HttpResponse:
    qs = items_visible_to(request.user).order_by("-created_at", "-pk")
    kind = request.GET.get("kind", "")
    status = request.GET.get("status", "")
    if kind in ItemKind.values:
        qs = qs.filter(kind=kind)
    if status in ItemStatus.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "supervision/item_list.html",
        {
            "page": page,
            "kinds": ItemKind.choices,
            "statuses": ItemStatus.choices,
            "kind": kind,
            "status": status,
        },
    )


@requires(Capability.HANDLE_CASE)
def unit_queue_view(request: HttpRequest) -> HttpResponse:
    """The unit's queue: everything it owes, most urgent first."""
    user: Any = request.user
    return render(
        request,
        "supervision/unit_queue.html",
        {
            "items": unit_queue(user),
            "waiting": unit_waiting(user),
            "today": timezone.localdate(),
        },
    )


@requires(Capability.SUPERVISE)
def leader_view(request: HttpRequest) -> HttpResponse:
    """A leader's instructions and assigned matters until they are done."""
    return render(
        request,
        "supervision/leader.html",
        {"items": leader_items(request.user), "today": timezone.localdate()},  # type: ignore[arg-type]
    )


# --- items ------------------------------------------------------------------------------------


@requires(Capability.SUPERVISE)
def item_create(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in CREATE_KINDS:
        raise Http404
    initial: dict[str, Any] = {"case_number": request.GET.get("case", "")}
    if kind != ItemKind.ORDER and request.user.role == "leader":  # type: ignore[union-attr]
        initial["leader"] = request.user.pk
    form = ItemForm(request.POST or None, kind=kind, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        case = None
        if d["case_number"]:
            case = cases_visible_to(request.user).filter(number=d["case_number"].strip()).first()  # type: ignore[arg-type]
            if case is None:
                form.add_error("case_number", _("No case with this number."))
        unit = d["unit"] or (case.handling_unit if case else None)
        if unit is None and not form.errors:
            form.add_error("unit", _("The case has no handling unit yet: choose the unit."))
        if not form.errors and unit is not None:
            try:
                item = services.item_open(
                    actor=request.user,  # type: ignore[arg-type]
                    kind=kind,
                    title=d["title"],
                    text=d["text"],
                    unit=unit,
                    due_on=d["due_on"],
                    case=case,
                    leader=d.get("leader"),
                    priority=d["priority"],
                )
            except DomainError as exc:
                form_error(form, exc)
            else:
                messages.success(request, _("%(number)s opened.") % {"number": item.number})
                return redirect("supervision:item", pk=item.pk)
    return render(
        request,
        "supervision/item_form.html",
        {"form": form, "kind_label": ItemKind(kind).label},
        status=400 if form.errors else 200,
    )


def _item_forms(user: Any, item: SupervisionItem) -> list[str]:
    actions = []
    if may_answer(user, item):
        actions.append("answer")
    if may_check(user, item):
        actions += ["accept", "send_back"]
    if has_capability(user, Capability.SUPERVISE) and item.status in (
        ItemStatus.OPEN,
        ItemStatus.ANSWERED,
    ):
        actions.append("cancel")
    return actions


def _item_page(
    request: HttpRequest,
    item: SupervisionItem,
    forms: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    forms = forms or {}
    allowed = _item_forms(request.user, item)
    shown = allowed + [a for a in forms if a not in allowed]
    action_forms = [
        (
            a,
            ACTION_LABELS[a],
            forms.get(a) or ITEM_ACTION_FORMS[a](initial={"version": item.version}),
        )
        for a in shown
    ]
    return render(
        request,
        "supervision/item_detail.html",
        {
            "item": item,
            "events": item.events.select_related("actor"),
            "notices": notices_of(item),
            "action_forms": action_forms,
            "today": timezone.localdate(),
            "reinspections": item.reinspections.all(),
            "answered_on_the_case": answered_on_the_case(item),
        },
        status=status,
    )


@requires(Capability.VIEW_CASES)
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(items_visible_to(request.user), pk=pk)
    return _item_page(request, item)


def _run(action: str, actor: Any, item: SupervisionItem, d: dict[str, Any]) -> SupervisionItem:
    v = d.get("version")
    calls: dict[str, Callable[[], SupervisionItem]] = {
        "answer": lambda: services.item_answer(
            actor=actor, item=item, answer=d["answer"], expected_version=v
        ),
        "accept": lambda: services.item_accept(
            actor=actor, item=item, note=d["note"], expected_version=v
        ),
        "send_back": lambda: services.item_send_back(
            actor=actor, item=item, reason=d["reason"], due_on=d["due_on"], expected_version=v
        ),
        "cancel": lambda: services.item_cancel(
            actor=actor, item=item, reason=d["reason"], expected_version=v
        ),
    }
    return calls[action]()


@requires(Capability.VIEW_CASES)
@require_POST
def item_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    item = get_object_or_404(items_visible_to(request.user), pk=pk)
    if action not in ITEM_ACTION_FORMS:
        raise Http404
    form = ITEM_ACTION_FORMS[action](request.POST)
    if form.is_valid():
        try:
            item = _run(action, request.user, item, form.cleaned_data)
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Done: %(action)s.") % {"action": ACTION_LABELS[action]})
            return redirect("supervision:item", pk=item.pk)
    item.refresh_from_db()
    return _item_page(request, item, {action: form}, status=400)


# --- escalation rules (administrators) ---------------------------------------------------------


@requires(Capability.ADMINISTER)
def rule_list(request: HttpRequest) -> HttpResponse:
    services.ensure_default_rules()
    labels = dict(Recipient.choices)
    rules = [(r, [labels.get(c, c) for c in r.recipients]) for r in EscalationRule.objects.all()]
    return render(request, "supervision/rule_list.html", {"rules": rules})


def _rule_page(request: HttpRequest, rule: EscalationRule | None) -> HttpResponse:
    form = RuleForm(request.POST or None, rule=rule)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            saved = services.rule_save(
                actor=request.user,  # type: ignore[arg-type]
                rule=rule,
                code=d.get("code") or "",
                name=d["name"],
                subject=d["subject"],
                kind=d["kind"],
                step=d["step"],
                offset_days=d["offset_days"],
                recipients=list(d["recipients"]),
                feedback_days=d["feedback_days"],
                is_active=d["is_active"],
            )
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Rule “%(name)s” saved.") % {"name": saved.name})
            return redirect("supervision:rules")
    return render(
        request,
        "supervision/rule_form.html",
        {"form": form, "rule": rule},
        status=400 if form.errors else 200,
    )


@requires(Capability.ADMINISTER)
def rule_create(request: HttpRequest) -> HttpResponse:
    return _rule_page(request, None)


@requires(Capability.ADMINISTER)
def rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _rule_page(request, get_object_or_404(EscalationRule, pk=pk))
