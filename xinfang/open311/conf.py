"""Settings of the Open311 endpoint, with defaults (settings.XINFANG_OPEN311 overrides them)."""

from __future__ import annotations

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # Open311 "jurisdiction_id": optional for a single-jurisdiction endpoint; when a client
    # sends one it must be one of these (the county code, or the site's domain).
    "JURISDICTION_IDS": ["530423"],
    # "realtime": POST answers with the service_request_id; "batch": with a token that
    # GET tokens/<token> turns into the id (GeoReport v2, GET Service List "type").
    "SERVICE_TYPE": "realtime",
    "CONTACT": "",
    "KEY_SERVICE": "",
    "CHANGESET": "2026-01-01T00:00:00+08:00",
    # GeoReport v2, GET Service Requests: "a span of 90 days or first 1000 requests".
    "MAX_DAYS": 90,
    "MAX_RESULTS": 1000,
}


def conf(name: str) -> Any:
    return {**DEFAULTS, **getattr(settings, "XINFANG_OPEN311", {})}[name]
