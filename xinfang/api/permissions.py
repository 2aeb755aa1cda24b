"""The same rules as the web pages: each API view declares the capability it needs
(xinfang.org.permissions), deny by default. Which cases a user may see is decided by
``cases_visible_to`` in the views, so a foreign case answers 404."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from xinfang.core.access import AUTHENTICATED, PUBLIC
from xinfang.org.permissions import Capability, has_capability


def rule_of(view: Any, method: str) -> str | None:
    """The declared rule for ``method``: ``post_rule`` for POST when a view has one, otherwise
    ``access_rule`` (the one the URL x role access matrix reads)."""
    if method == "POST" and getattr(view, "post_rule", None):
        return str(view.post_rule)
    rule = getattr(view, "access_rule", None)
    return str(rule) if rule else None


class DeclaredCapability(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        rule = rule_of(view, request.method or "GET")
        if rule is None:
            return False
        if rule == PUBLIC:
            return True
        if not request.user or not request.user.is_authenticated:
            return False
        if rule == AUTHENTICATED:
            return True
        return has_capability(request.user, Capability(rule))
