from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .navigation import menu_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    if not request.user.is_authenticated:
        return {"nav_items": [], "queue_nav": []}
    return {"nav_items": menu_for(request.user), "queue_nav": _queue_nav(request)}


def _queue_nav(request: HttpRequest) -> list[dict[str, Any]]:
    """The user's work queues with their counts (one aggregate query)."""
    from django.urls import reverse
    from django.utils import timezone

    from xinfang.cases.queues import queue_counts, queues_for

    counts = queue_counts(request.user, today=timezone.localdate())
    base = reverse("cases:list")
    return [
        {
            "code": q.code,
            "label": q.label,
            "count": counts.get(q.code, 0),
            "url": f"{base}?queue={q.code}",
        }
        for q in queues_for(request.user)
    ]
