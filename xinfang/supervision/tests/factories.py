"""Cases in the states supervision works on, made through the real case services."""

from __future__ import annotations

from datetime import date
from typing import Any

from xinfang.cases.models import Case
from xinfang.cases.services import case_accept, case_reply, case_route
from xinfang.cases.tests.factories import register
from xinfang.org.models import Unit


def routed(
    users: dict[str, Any], *, on: date = date(2026, 3, 2), unit: str = "zjj", **kw: Any
) -> Case:
    case = register(users, received_on=on, **kw)
    return case_route(actor=users["clerk"], case=case, unit=Unit.objects.get(code=unit), today=on)


def answered(
    users: dict[str, Any],
    *,
    on: date = date(2026, 3, 2),
    replied_on: date = date(2026, 3, 20),
    **kw: Any,
) -> Case:
    """A case of 住建局, accepted on ``on`` and answered on ``replied_on``."""
    case = routed(users, on=on, **kw)
    case = case_accept(actor=users["handler"], case=case, today=on)
    return case_reply(
        actor=users["handler"],
        case=case,
        outcome="supported",
        text="经现场核实，已责成物业维修楼顶防水层，预计两周内完工。",
        today=replied_on,
    )
