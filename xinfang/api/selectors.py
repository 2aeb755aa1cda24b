"""Reads of the API app."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db.models import Q, QuerySet

from xinfang.cases.filters import SORTS
from xinfang.cases.models import Case
from xinfang.cases.queues import QUEUES

from .models import ApiToken
from .services import TOKEN_PREFIX, token_digest

MAX_KEY_LENGTH = 100


def api_token_for_key(key: str, *, now: datetime) -> ApiToken | None:
    """The live token with this key: not revoked, not expired, of an active account."""
    if not key.startswith(TOKEN_PREFIX) or len(key) > MAX_KEY_LENGTH:
        return None
    return (
        ApiToken.objects.select_related("user", "user__unit")
        .filter(digest=token_digest(key), revoked_at__isnull=True, user__is_active=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .first()
    )


def api_tokens(*, username: str = "") -> QuerySet[ApiToken]:
    tokens = ApiToken.objects.select_related("user").order_by("-created_at", "-id")
    return tokens.filter(user__username=username) if username else tokens


def filter_cases(qs: QuerySet[Case], filters: dict[str, Any], *, today: date) -> QuerySet[Case]:
    """The case list's filters (validated by serializers.CaseFilterSerializer) on cases the
    user may see; the sort orders and work queues are the web list's."""
    for name in ("status", "channel", "petition_type", "category"):
        if filters.get(name):
            qs = qs.filter(**{name: filters[name]})
    if filters.get("unit"):
        qs = qs.filter(handling_unit=filters["unit"])
    if filters.get("division"):
        qs = qs.filter(division__code__startswith=filters["division"].code)
    if filters.get("due_flag"):
        qs = qs.filter(due_flag="" if filters["due_flag"] == "on_time" else filters["due_flag"])
    if filters.get("queue"):
        qs = qs.filter(QUEUES[filters["queue"]].condition(today))
    if filters.get("received_from"):
        qs = qs.filter(received_on__gte=filters["received_from"])
    if filters.get("received_to"):
        qs = qs.filter(received_on__lte=filters["received_to"])
    if filters.get("q"):
        qs = qs.filter(title__icontains=filters["q"])
    return qs.order_by(*SORTS[filters.get("sort") or "-received"])
