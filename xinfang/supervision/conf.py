"""Settings of supervision and quality inspection, with their defaults
(settings.XINFANG_SUPERVISION).

No public text fixes these values (DOMAIN.md §4 names the practices, not the numbers): they are
local practice or our own choices, documented in docs/supervision.md. The escalation ladder is
not here: its rules are data (EscalationRule), edited by an administrator.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # Share of answered cases drawn at random for quality inspection (质检抽查), 0..1; cases
    # rated 不满意 and cases answered late are always inspected.
    "QUALITY_SAMPLE_RATE": 0.2,
    # Only cases answered within this many days are considered by the sampling sweep.
    "QUALITY_LOOKBACK_DAYS": 60,
    # Checklist score (out of 100) needed to pass; essential items must be met as well.
    "QUALITY_PASS_MARK": 80,
    # Working days a unit has to rework a failed answer.
    "REWORK_WORKING_DAYS": 10,
    # A case still open this many days after receipt is a backlog case (积案).
    "BACKLOG_OPEN_DAYS": 90,
    # Working days to call back a petitioner who rated 不满意 (回访).
    "FOLLOW_UP_WORKING_DAYS": 5,
}


def conf(name: str) -> Any:
    values = getattr(settings, "XINFANG_SUPERVISION", {}) or {}
    return values.get(name, DEFAULTS[name])
