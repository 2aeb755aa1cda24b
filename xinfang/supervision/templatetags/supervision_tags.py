"""The supervision area's own sub-navigation, by capability."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from xinfang.org.permissions import Capability, has_capability

register = template.Library()

SUBNAV = [
    (_("Overview"), "supervision:dashboard", Capability.SUPERVISE),
    (_("Unit queue"), "supervision:unit_queue", Capability.HANDLE_CASE),
    (_("Leader's view"), "supervision:leader", Capability.SUPERVISE),
    (_("All items"), "supervision:items", Capability.SUPERVISE),
    (_("Complex cases"), "supervision:complex", Capability.SUPERVISE),
    (_("Backlog"), "supervision:backlog", Capability.SUPERVISE),
    (_("Field inspections"), "supervision:visits", Capability.SUPERVISE),
    (_("Follow-up calls"), "supervision:follow_ups", Capability.SUPERVISE),
    (_("Quality inspection"), "supervision:quality", Capability.INSPECT),
    (_("Pass rates"), "supervision:quality_rates", Capability.INSPECT),
    (_("Escalation rules"), "supervision:rules", Capability.ADMINISTER),
]


@register.simple_tag
def supervision_nav(user: Any) -> list[dict[str, Any]]:
    return [
        {"label": label, "url": reverse(name)}
        for label, name, cap in SUBNAV
        if has_capability(user, cap)
    ]


@register.filter
def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f} %"
