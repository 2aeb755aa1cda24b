"""Test helpers: a dispute of a town, reported through the real service."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from xinfang.disputes.models import Dispute, Party
from xinfang.disputes.services import PartyData, dispute_report
from xinfang.org.models import Division


def report(staff: dict[str, Any], username: str = "yangguang", **overrides: Any) -> Dispute:
    actor = staff[username]
    params: dict[str, Any] = {
        "actor": actor,
        "title": "承包地边界纠纷",
        "summary": "两户村民因承包地边界发生争执，多次协商未果。",
        "dispute_type": "land_forest",
        "division": Division.objects.get(code="530423101201"),  # 杨广镇演示村1
        "responsible_unit": actor.unit,
        "responsible_leader": "分管副镇长",
        "found_on": timezone.localdate() - timedelta(days=2),
        "parties": [
            PartyData(
                side=Party.Side.APPLICANT,
                name="张三丰",
                phone="13800001111",
                id_number="530423199001011234",
            ),
            PartyData(side=Party.Side.RESPONDENT, name="李四海", phone="13900002222"),
        ],
    }
    params.update(overrides)
    return dispute_report(**params)


def days_ago(n: int) -> date:
    return timezone.localdate() - timedelta(days=n)
