"""Hotline pages (orders, imports with a live progress bar, status export) and the JSON
intake endpoint for the 12345 platform. Thin: the services and selectors decide."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
    StreamingHttpResponse,
)
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from xinfang.audit.services import audit_log
from xinfang.core.access import public, requires
from xinfang.core.errors import DomainError
from xinfang.open311.models import Scope
from xinfang.open311.services import client_for_key
from xinfang.org.permissions import Capability, has_capability

from .forms import OrderFilterForm, UploadForm
from .models import ImportJob
from .rules import limit
from .selectors import (
    hotline_status,
    imports_visible_to,
    is_overdue,
    orders_visible_to,
    status_export_rows,
    with_status,
)
from .services import import_create, import_resumable, order_intake
from .tasks import run_import

SAMPLES = Path(__file__).resolve().parent / "samples"
SAMPLE_FILES = {"csv": "hotline-orders-sample.csv", "xlsx": "hotline-orders-sample.xlsx"}


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_stream(rows: Iterable[list[str]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # Excel opens UTF-8 CSV correctly only with the BOM
    for row in rows:
        yield writer.writerow(row)


@requires(Capability.HOTLINE)
def orders(request: HttpRequest) -> HttpResponse:
    """Hotline orders with the hotline's own time limits (DOMAIN.md §2)."""
    form = OrderFilterForm(request.GET or None)
    qs = with_status(orders_visible_to(request.user)).select_related("division")
    now = timezone.now()
    if form.is_valid():
        status = form.cleaned_data["status"]
        if status == "overdue":
            qs = qs.filter(due_at__lt=now).filter(
                Q(is_urgent=False, answered_at__isnull=True)
                | Q(is_urgent=True, feedback_at__isnull=True)
            )
        elif status:
            qs = qs.filter(status=status)
        q = form.cleaned_data["q"].strip()
        if q:
            qs = qs.filter(Q(order_number__icontains=q) | Q(case__number__icontains=q))
    page = Paginator(qs.order_by("-received_at", "-pk"), 50).get_page(request.GET.get("page"))
    rows = [(o, hotline_status(o), is_overdue(o, now=now)) for o in page]
    limits = {
        "urgent_hours": limit("URGENT_FEEDBACK_HOURS"),
        "consultation_days": limit("CONSULTATION_WORKING_DAYS"),
        "ordinary_days": limit("ORDINARY_WORKING_DAYS"),
    }
    return render(
        request, "hotline/orders.html", {"form": form, "page": page, "rows": rows, **limits}
    )


@requires(Capability.HOTLINE)
def imports(request: HttpRequest) -> HttpResponse:
    """Upload a hotline file; the import runs as a background task."""
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = import_create(
                actor=request.user,  # type: ignore[arg-type]
                upload=upload,
                name=upload.name,
                register_cases=form.cleaned_data["register_cases"],
            )
        except DomainError as exc:
            form.add_error("file", exc.message)
        else:
            run_import.enqueue(job.pk)
            return redirect("hotline:import_detail", pk=job.pk)
    jobs = imports_visible_to(request.user)[:30]
    return render(request, "hotline/imports.html", {"form": form, "jobs": jobs})


def _job(request: HttpRequest, pk: int) -> ImportJob:
    return get_object_or_404(imports_visible_to(request.user), pk=pk)


def _progress(job: ImportJob) -> dict[str, Any]:
    return {
        "state": job.state,
        "state_label": str(job.get_state_display()),
        "total_rows": job.total_rows,
        "rows_done": job.rows_done,
        "imported": job.imported,
        "duplicates": job.duplicates,
        "rejected": job.rejected,
        "to_register": job.to_register,
        "registered": job.registered,
        "registration_failed": job.registration_failed,
        "finished": job.is_finished,
        "resumable": import_resumable(job),
        "message": job.message,
    }


@requires(Capability.HOTLINE)
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    return render(
        request,
        "hotline/import_detail.html",
        {"job": job, "progress": _progress(job), "errors": job.errors[:200]},
    )


@requires(Capability.HOTLINE)
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """Polled by the progress page (hotline/progress.js)."""
    return JsonResponse(_progress(_job(request, pk)))


@requires(Capability.HOTLINE)
def import_errors(request: HttpRequest, pk: int) -> HttpResponseBase:
    job = _job(request, pk)
    rows = [["row", "order_number", "reason"]] + [
        [str(e["row"]), str(e.get("order_number", "")), str(e["reason"])] for e in job.errors
    ]
    response = StreamingHttpResponse(_csv_stream(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="hotline-import-{job.pk}-errors.csv"'
    return response


@requires(Capability.HOTLINE)
@require_POST
def import_resume(request: HttpRequest, pk: int) -> HttpResponse:
    """Start an interrupted import again; it continues after its last committed batch."""
    job = _job(request, pk)
    if import_resumable(job):
        audit_log(actor=request.user, action="hotline.import.resume", obj=job)  # type: ignore[arg-type]
        run_import.enqueue(job.pk)
        messages.success(request, _("The import continues where it stopped."))
    else:
        messages.error(request, _("This import is finished or still running."))
    return redirect("hotline:import_detail", pk=job.pk)


@requires(Capability.HOTLINE)
def export(request: HttpRequest) -> HttpResponseBase:
    """Outbound status export for the hotline (回传): CSV, one row per order."""
    qs = orders_visible_to(request.user)
    since = parse_date(request.GET.get("since", "") or "")
    if since is not None:
        qs = qs.filter(received_at__date__gte=since)
    audit_log(
        actor=request.user,  # type: ignore[arg-type]
        action="hotline.export",
        object_type="hotline.hotlineorder",
        after={"since": since.isoformat() if since else ""},
    )
    response = StreamingHttpResponse(
        _csv_stream(status_export_rows(qs)), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="hotline-status-{stamp}.csv"'
    return response


@requires(Capability.HOTLINE)
def sample(request: HttpRequest, fmt: str) -> HttpResponseBase:
    name = SAMPLE_FILES.get(fmt)
    if name is None:
        raise Http404
    return FileResponse((SAMPLES / name).open("rb"), as_attachment=True, filename=name)


# --- JSON intake for the 12345 platform ----------------------------------------------------


def _api_error(status: int, code: str, message: str, field: str = "") -> JsonResponse:
    body = {"code": code, "message": message}
    if field:
        body["field"] = field
    return JsonResponse(body, status=status)


def _no_view(request: HttpRequest) -> HttpResponse:
    """Stands in for the view in the CSRF check (the real one is exempt for API keys)."""
    return HttpResponse()


def _api_key(request: HttpRequest) -> str:
    auth = request.headers.get("Authorization", "")
    if auth.lower().startswith("api-key "):
        return auth[8:].strip()
    return request.headers.get("X-Api-Key", "").strip()


@csrf_exempt
@public  # authenticated inside: the client system's API key, or a signed-in staff member
@require_POST
def intake(request: HttpRequest) -> HttpResponse:
    """Take in one work order as JSON (fields as the import columns, docs/hotline-import.md).

    201 with the order and its case; 200 with the existing order when the order number was
    taken before (idempotent); 400 for an invalid order or one not taken (DOMAIN.md §2)."""
    key = _api_key(request)
    client = None
    if key:
        client = client_for_key(key, scope=Scope.HOTLINE)
        if client is None:
            return _api_error(
                403, "invalid_api_key", _("The API key is not valid for hotline intake.")
            )
        actor = client.user
    elif request.user.is_authenticated and has_capability(request.user, Capability.HOTLINE):
        # A session is a browser: it must carry the CSRF token like any form.
        csrf = CsrfViewMiddleware(_no_view)
        if csrf.process_view(request, _no_view, (), {}) is not None:
            return _api_error(403, "csrf", _("CSRF check failed."))
        actor = request.user
    else:
        return _api_error(
            403, "not_authenticated", _("Send an API key (Authorization: Api-Key ...).")
        )
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return _api_error(400, "invalid_json", _("The body is not JSON."))
    if not isinstance(data, dict):
        return _api_error(400, "invalid_json", _("Send one order as a JSON object."))
    try:
        order, created = order_intake(actor=actor, data=data, client=client)
    except DomainError as exc:
        return _api_error(400, exc.code, exc.message, exc.field)
    body = {
        "order_number": order.order_number,
        "case_number": order.case.number if order.case else None,
        "query_code": order.case.query_code if order.case and created else None,
        "status": hotline_status(order),
        "due_at": timezone.localtime(order.due_at).isoformat(timespec="seconds"),
        "created": created,
    }
    return JsonResponse(body, status=201 if created else 200)
