"""Settings of the citizen portal, with defaults (settings.XINFANG_PORTAL overrides them;
docs/portal.md)."""

from __future__ import annotations

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # The system account the portal registers cases as (信访工作条例 art. 21: online
    # petitions are registered in the petition information system).
    "ACCOUNT_USERNAME": "portal",
    # Cache (settings.CACHES alias) that keeps the attempt counters. Use one shared by every
    # process (the database cache, Redis, Memcached), not a per-process local-memory cache.
    "THROTTLE_CACHE": "default",
    # Query-code look-ups: this many failures within the window lock the client address and
    # the case number for the lock-out time (our choice; no public text fixes it).
    "LOOKUP_FAILURE_LIMIT": 5,
    "LOOKUP_WINDOW_SECONDS": 15 * 60,
    "LOOKUP_LOCKOUT_SECONDS": 15 * 60,
    # Online submissions per client address and hour (against scripted mass submissions;
    # generous, since many phones share one carrier address).
    "SUBMISSIONS_PER_HOUR": 20,
    # Files a citizen may attach online (each within xinfang.cases.attachments' limits).
    "MAX_FILES": 5,
}


def conf(name: str) -> Any:
    return {**DEFAULTS, **getattr(settings, "XINFANG_PORTAL", {})}[name]
