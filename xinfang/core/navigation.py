"""The navigation menu, by capability: one list, filtered per user."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from xinfang.org.permissions import Capability, capabilities_of


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    capability: Capability | None  # None: every signed-in user


NAV_ITEMS: list[NavItem] = [
    NavItem(_("Home"), "home", None),
    NavItem(_("Cases"), "cases:list", Capability.VIEW_CASES),
    NavItem(_("Register"), "cases:register", Capability.REGISTER_CASE),
    NavItem(_("Organisation"), "org:units", None),
    NavItem(_("Audit trail"), "audit:list", Capability.VIEW_AUDIT),
    NavItem(_("Disputes and stability"), "disputes:home", Capability.VIEW_DISPUTES),
    NavItem(_("Analysis"), "analytics:leader", Capability.VIEW_ANALYTICS),
    NavItem(_("12345 hotline"), "hotline:orders", Capability.HOTLINE),
    NavItem(_("Supervision"), "supervision:home", None),
    NavItem(_("Similar petitions"), "routing:clusters", Capability.SUPERVISE),
    NavItem(_("Special funds"), "funds:dashboard", Capability.VIEW_FUNDS),
]


def menu_for(user: object) -> list[dict[str, str]]:
    caps = capabilities_of(user)  # type: ignore[arg-type]
    items = []
    for item in NAV_ITEMS:
        if item.capability is None or item.capability in caps:
            items.append({"label": str(item.label), "url": reverse(item.url_name)})
    return items
