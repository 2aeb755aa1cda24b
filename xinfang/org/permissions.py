"""What each role may do: one map, deny by default.

Views declare the capability they need with :func:`xinfang.core.access.requires`; object-level
rules (which cases a user may see) live in the selectors of each area, e.g.
``Case.objects.visible_to(user)``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from .models import Role

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from .models import User


class Capability(StrEnum):
    VIEW_CASES = "view_cases"
    REGISTER_CASE = "register_case"  # 登记
    ROUTE_CASE = "route_case"  # 转送/交办
    HANDLE_CASE = "handle_case"  # 受理、办理、答复 (own unit only)
    APPROVE_EXTENSION = "approve_extension"  # 延期审批 (unit head)
    DECIDE_REVIEW = "decide_review"  # 复查/复核
    SUPERVISE = "supervise"  # 督查督办
    INSPECT = "inspect"  # 质检
    VIEW_ANALYTICS = "view_analytics"
    VIEW_PERSONAL_DATA = "view_personal_data"
    VIEW_AUDIT = "view_audit"
    ADMINISTER = "administer"


ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.CLERK: frozenset(
        {
            Capability.VIEW_CASES,
            Capability.REGISTER_CASE,
            Capability.ROUTE_CASE,
            Capability.VIEW_PERSONAL_DATA,
        }
    ),
    Role.HANDLER: frozenset(
        {Capability.VIEW_CASES, Capability.HANDLE_CASE, Capability.VIEW_PERSONAL_DATA}
    ),
    Role.UNIT_HEAD: frozenset(
        {
            Capability.VIEW_CASES,
            Capability.HANDLE_CASE,
            Capability.APPROVE_EXTENSION,
            Capability.VIEW_PERSONAL_DATA,
            Capability.VIEW_ANALYTICS,
        }
    ),
    Role.SUPERVISOR: frozenset(
        {
            Capability.VIEW_CASES,
            Capability.SUPERVISE,
            Capability.DECIDE_REVIEW,
            Capability.ROUTE_CASE,
            Capability.VIEW_ANALYTICS,
        }
    ),
    Role.INSPECTOR: frozenset({Capability.VIEW_CASES, Capability.INSPECT}),
    Role.LEADER: frozenset(
        {
            Capability.VIEW_CASES,
            Capability.VIEW_ANALYTICS,
            Capability.SUPERVISE,
            Capability.DECIDE_REVIEW,
        }
    ),
    Role.ANALYST: frozenset({Capability.VIEW_ANALYTICS}),
    Role.ADMIN: frozenset({Capability.ADMINISTER, Capability.VIEW_AUDIT}),
}


def has_capability(user: User | AnonymousUser, capability: Capability) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return capability in ROLE_CAPABILITIES.get(user.role, frozenset())


def capabilities_of(user: User | AnonymousUser) -> frozenset[Capability]:
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    return ROLE_CAPABILITIES.get(user.role, frozenset())
