from __future__ import annotations

from datetime import date
from typing import Any

from xinfang.cases.models import Case, Category, Channel, PetitionType
from xinfang.cases.services import PetitionerData, case_register
from xinfang.org.models import Division, User


def register(users: dict[str, User], **overrides: Any) -> Case:
    params: dict[str, Any] = {
        "actor": users["clerk"],
        "channel": Channel.LETTER,
        "petition_type": PetitionType.APPEAL,
        "category": Category.objects.get(code="urban-rural"),
        "title": "小区楼顶漏水无人维修",
        "content": "秀山街道某小区5栋楼顶漏水两年，多次反映物业未处理。",
        "request": "要求尽快维修楼顶防水层",
        "division": Division.objects.get(code="530423001"),
        "petitioners": [
            PetitionerData(name="张三", id_number="530423199001011234", phone="13800001111")
        ],
        "received_on": date(2026, 3, 2),
    }
    params.update(overrides)
    return case_register(**params)
