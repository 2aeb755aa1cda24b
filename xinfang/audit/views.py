from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from xinfang.core.access import requires
from xinfang.org.permissions import Capability

from .models import AuditRecord


@requires(Capability.VIEW_AUDIT)
def audit_list(request: HttpRequest) -> HttpResponse:
    records = AuditRecord.objects.order_by("-id")
    action = request.GET.get("action", "").strip()
    if action:
        records = records.filter(action__startswith=action)
    page = Paginator(records, 50).get_page(request.GET.get("page"))
    return render(request, "audit/audit_list.html", {"page": page, "action": action})
