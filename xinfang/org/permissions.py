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
    MEDIATE = "mediate"  # 矛盾纠纷排查调处: disputes, mediation, stability reports (own unit/town)
    VIEW_DISPUTES = "view_disputes"  # read dispute ledgers, campaigns, assessments, suggestions
    HOTLINE = "hotline"  # 12345 work orders: intake, import, status export (bureau staff)
    VIEW_FUNDS = "view_funds"  # 专项资金与预算绩效: read projects, spending, indicators
    MANAGE_FUNDS = "manage_funds"  # record spending, request adjustments, enter indicators
    APPROVE_FUNDS = "approve_funds"  # approve budget adjustments (预算调剂审批)


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


# Disputes, mediation and stability work (xinfang.disputes, xinfang.risk). Unit and town staff
# screen and mediate (scoped to their own unit or town by the selectors); the bureau's
# supervisors act for the mediation centre, which sits at the bureau; leaders and analysts read.
for _role, _extra in {
    Role.HANDLER: {Capability.MEDIATE, Capability.VIEW_DISPUTES},
    Role.UNIT_HEAD: {Capability.MEDIATE, Capability.VIEW_DISPUTES},
    Role.SUPERVISOR: {Capability.MEDIATE, Capability.VIEW_DISPUTES},
    Role.LEADER: {Capability.VIEW_DISPUTES},
    Role.ANALYST: {Capability.VIEW_DISPUTES},
}.items():
    ROLE_CAPABILITIES[_role] = ROLE_CAPABILITIES[_role] | _extra


# 12345 hotline work orders (xinfang.hotline): the bureau's intake clerks take them in and
# import them; supervisors follow the hotline's time limits and report results back.
for _role in (Role.CLERK, Role.SUPERVISOR):
    ROLE_CAPABILITIES[_role] = ROLE_CAPABILITIES[_role] | {Capability.HOTLINE}


# Special funds and performance targets (xinfang.funds). The bureau's administrator and the
# analyst keep the books and the indicators; leaders approve budget adjustments; supervisors
# read the fund dashboard.
for _role, _extra in {
    Role.ADMIN: {Capability.VIEW_FUNDS, Capability.MANAGE_FUNDS},
    Role.ANALYST: {Capability.VIEW_FUNDS, Capability.MANAGE_FUNDS},
    Role.LEADER: {Capability.VIEW_FUNDS, Capability.APPROVE_FUNDS},
    Role.SUPERVISOR: {Capability.VIEW_FUNDS},
}.items():
    ROLE_CAPABILITIES[_role] = ROLE_CAPABILITIES[_role] | _extra


def has_capability(user: User | AnonymousUser, capability: Capability) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return capability in ROLE_CAPABILITIES.get(user.role, frozenset())


def capabilities_of(user: User | AnonymousUser) -> frozenset[Capability]:
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    return ROLE_CAPABILITIES.get(user.role, frozenset())
