"""Routing suggestions for the registration form (JSON) and the clusters page for supervisors."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from xinfang.core.access import requires
from xinfang.org.models import Division
from xinfang.org.permissions import Capability

from . import services
from .selectors import duplicate_clusters

MAX_TEXT = 20_000  # characters of title + content considered (a long letter is cut)
CLUSTER_CASES_SHOWN = 20


@require_http_methods(["GET", "POST"])
@requires(Capability.REGISTER_CASE)
def suggest(request: HttpRequest) -> HttpResponse:
    """Suggested categories (top 3 with confidence) and earlier related cases, as JSON.

    GET or POST ``title`` and ``content``; personal identifiers (``id_number``, ``phone``,
    ``name`` with ``division``) are read from a POST body only, never from the URL."""
    data = request.POST if request.method == "POST" else request.GET
    personal = request.POST if request.method == "POST" else {}
    division_id = _int(personal.get("division"), default=0, low=0, high=2**62)
    body = services.routing_advice(
        user=request.user,  # type: ignore[arg-type]
        title=data.get("title", "")[:200],
        content=data.get("content", "")[:MAX_TEXT],
        petitioner_id_number=(personal.get("id_number") or "").strip() or None,
        phone=(personal.get("phone") or "").strip() or None,
        name=(personal.get("name") or "").strip() or None,
        division=Division.objects.filter(pk=division_id).first() if division_id else None,
        top=_int(data.get("top"), default=3, low=1, high=7),
        limit=_int(data.get("limit"), default=5, low=0, high=20),
    )
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})


def _int(value: Any, *, default: int, low: int, high: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return max(low, min(high, number))


@requires(Capability.SUPERVISE)
def clusters(request: HttpRequest) -> HttpResponse:
    """Near-identical open petitions from several petitioners, for one coordinated answer."""
    found = duplicate_clusters(request.user)  # type: ignore[arg-type]
    return render(
        request,
        "routing/clusters.html",
        {"clusters": found, "shown": CLUSTER_CASES_SHOWN},
    )
