"""Demo accounts for the dispute work: the mediation centre's mediator and two town
governments' staff (so towns can be seen reporting through the system, each seeing only its
own town). Demo mode only, idempotent; run by ``manage.py seed_disputes_demo``."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from xinfang.audit.services import audit_log
from xinfang.core.errors import DomainError
from xinfang.org.demo import DEMO_PASSWORD
from xinfang.org.models import Role, Unit, User

# (username, full name, role, unit code); town units are "gov-<township code>".
DEMO_DISPUTE_USERS: list[tuple[str, str, str, str]] = [
    ("mediator", "孙调解", Role.HANDLER, "mtzx"),  # 县矛调中心
    ("yangguang", "钱镇干", Role.HANDLER, "gov-530423101"),  # 杨广镇人民政府
    ("hexi", "吴镇干", Role.HANDLER, "gov-530423102"),  # 河西镇人民政府
]


def seed_demo_dispute_users() -> list[tuple[str, str, str]]:
    """Create the accounts that do not exist yet (existing ones are kept as they are).
    Needs the demo organisation (``manage.py seed_demo``) first."""
    if not settings.XINFANG.get("DEMO"):
        raise DomainError(
            "Demo accounts are only created in demo mode (DEBUG or XINFANG_DEMO=1).",
            code="demo_disabled",
        )
    rows = []
    with transaction.atomic():
        for username, full_name, role, unit_code in DEMO_DISPUTE_USERS:
            unit = Unit.objects.filter(code=unit_code).first()
            if unit is None:
                raise DomainError(
                    f"Unit {unit_code} is missing: run manage.py seed_demo first.",
                    code="demo_org_missing",
                )
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User(username=username, full_name=full_name, role=role, unit=unit)
                user.set_password(DEMO_PASSWORD)
                user.save()
                audit_log(
                    actor=None,
                    action="org.user.create",
                    obj=user,
                    after={"role": role, "unit": unit_code},
                )
            rows.append((username, str(Role(role).label), f"{full_name} · {unit.name}"))
    return rows
