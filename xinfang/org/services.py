"""Writes on the organisation: divisions, units, staff. Each write is audited."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction

from xinfang.audit.services import audit_log
from xinfang.core.errors import DomainError

from . import demo
from .models import Division, Role, Unit, User

if TYPE_CHECKING:
    from collections.abc import Callable


def _ensure_division(
    *, code: str, name: str, level: str, parent: Division | None, is_demo: bool = False
) -> Division:
    division, created = Division.objects.get_or_create(
        code=code,
        defaults={"name": name, "level": level, "parent": parent, "is_demo": is_demo},
    )
    if created:
        audit_log(actor=None, action="org.division.create", obj=division, after={"code": code})
    return division


def seed_demo_organisation(*, progress: Callable[[str], None] | None = None) -> dict[str, int]:
    """Create Tonghai County's divisions and units, idempotently (existing rows are kept)."""
    say = progress or (lambda _msg: None)
    with transaction.atomic():
        province = _ensure_division(
            code=demo.PROVINCE[0], name=demo.PROVINCE[1], level="province", parent=None
        )
        city = _ensure_division(code=demo.CITY[0], name=demo.CITY[1], level="city", parent=province)
        county = _ensure_division(
            code=demo.COUNTY[0], name=demo.COUNTY[1], level="county", parent=city
        )
        towns = []
        for code, name in demo.TOWNSHIPS:
            town = _ensure_division(code=code, name=name, level="township", parent=county)
            towns.append(town)
            for i in range(1, demo.DEMO_VILLAGES_PER_TOWNSHIP + 1):
                _ensure_division(
                    code=f"{code}{200 + i:03d}",
                    name=f"{name}演示村{i}",
                    level="village",
                    parent=town,
                    is_demo=True,
                )
        say(f"divisions: {Division.objects.count()}")

        by_code: dict[str, Unit] = {}
        for code, name, short, kind, parent_code in demo.UNITS:
            unit, created = Unit.objects.get_or_create(
                code=code,
                defaults={
                    "name": name,
                    "short_name": short,
                    "kind": kind,
                    "division": county,
                    "parent": by_code.get(parent_code) if parent_code else None,
                },
            )
            if created:
                audit_log(actor=None, action="org.unit.create", obj=unit, after={"code": code})
            by_code[code] = unit
        for town in towns:
            unit, created = Unit.objects.get_or_create(
                code=f"gov-{town.code}",
                defaults={
                    "name": f"{town.name}{'办事处' if town.name.endswith('街道') else '人民政府'}",
                    "short_name": town.name,
                    "kind": Unit.Kind.TOWN_GOVERNMENT,
                    "division": town,
                    "parent": by_code["leadership"],
                },
            )
            if created:
                audit_log(actor=None, action="org.unit.create", obj=unit, after={"code": unit.code})
        say(f"units: {Unit.objects.count()}")
    return {"divisions": Division.objects.count(), "units": Unit.objects.count()}


def seed_demo_users() -> list[tuple[str, str, str]]:
    """One account per role with the published demo password. Refused outside demo mode."""
    if not settings.XINFANG.get("DEMO"):
        raise DomainError(
            "Demo accounts are only created in demo mode (DEBUG or XINFANG_DEMO=1).",
            code="demo_disabled",
        )
    created_rows = []
    with transaction.atomic():
        for username, full_name, role, unit_code in demo.DEMO_USERS:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User(
                    username=username,
                    full_name=full_name,
                    role=role,
                    unit=Unit.objects.get(code=unit_code) if unit_code else None,
                    is_staff=role == Role.ADMIN,
                )
                user.set_password(demo.DEMO_PASSWORD)
                user.save()
                audit_log(actor=None, action="org.user.create", obj=user, after={"role": role})
            created_rows.append((username, str(Role(role).label), full_name))
    return created_rows
