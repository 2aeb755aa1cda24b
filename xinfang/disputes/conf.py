"""Settings of the dispute and stability work, with their defaults (settings.XINFANG_DISPUTES).

Statutory values are constants where they are used (e.g. the 30 days of 人民调解法 art. 33);
the values here are local practice or our own choices, documented in docs/disputes.md.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # Default time to resolve a screened dispute (化解期限), days; the form may change it.
    "RESOLVE_DAYS": 30,
    # Prefix of agreement numbers, e.g. 通调协〔2026〕3号.
    "AGREEMENT_PREFIX": "通调协",
    # A day's zero report is due by this local hour (24: by midnight); after it the day is
    # flagged as missing.
    "ZERO_REPORT_DUE_HOUR": 24,
    # Suggested level of a major matter from the views heard (ours; DOMAIN.md §6 words only):
    # strong opposition above HIGH % of those heard -> high; at least MEDIUM %, or supporters
    # not a majority -> medium; else low.
    "OPPOSE_HIGH_PERCENT": 50,
    "OPPOSE_MEDIUM_PERCENT": 10,
}


def conf(name: str) -> Any:
    values = getattr(settings, "XINFANG_DISPUTES", {}) or {}
    return values.get(name, DEFAULTS[name])
