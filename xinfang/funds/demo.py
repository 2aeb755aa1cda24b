"""Demo data: the two 2022 special funds of 通海县信访局 with the exact figures of the
bureau's 2022 budget disclosure (DOMAIN.md §7), and their performance targets.

The budget, the lines and the targets are the disclosure's. The spending records are not
(the disclosure states no spending): they are demo rows, their vouchers and descriptions
marked 演示, so the self-assessment of the demo year has an execution rate to score.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction

from xinfang.org.models import Unit, User

from . import services
from .models import FundProject

YEAR = 2022
BUREAU = "xfj"  # 通海县信访局, the implementing unit of both

PROJECTS: list[dict[str, Any]] = [
    {
        "name": "信访专项工作经费专项资金",
        "basis": (
            "通海县第十四届人民政府第二十次常务会议（2009年3月20日）研究决定，2009年安排信访"
            "专项工作经费50,000元，以后年度列入财政预算。"
        ),
        "overview": (
            "本项目保障县信访局依法开展信访事项登记、受理、办理、督查督办和群众接待工作，"
            "是县信访局每年度的专项工作经费。"
        ),
        "content": (
            "购置信访接待专用设备（警用执法记录仪），召开信访工作会议，开展信访事项督查督办"
            "和下访约访差旅，保障信访接待日常办公，组织信访干部业务培训。"
        ),
        "plan": (
            "2022年1月至12月按预算执行：设备年内一次购置，会议、差旅、办公、培训按工作需要"
            "分期支出。"
        ),
        "budget": Decimal("30000"),
        "lines": [
            ("equipment", "警用执法记录仪", Decimal("4900")),
            ("meetings", "", Decimal("5000")),
            ("travel", "", Decimal("8100")),
            ("office", "", Decimal("8000")),
            ("training", "", Decimal("4000")),
        ],
        # (kind, name, operator, target, unit, live metric)
        "indicators": [
            ("quantity", "受理信访事项数量", ">=", 100, "件", "petitions_accepted"),
            ("timeliness", "信访事项及时受理率", ">=", 95, "%", "timely_acceptance"),
            ("social", "信访事项办结率", ">=", 80, "%", "closure"),
            ("quality", "信访事项质检合格率", ">=", 90, "%", "quality_pass"),
            ("satisfaction", "信访群众满意率", ">=", 90, "%", "satisfaction"),
        ],
        "spending": [  # demo rows (演示), not the disclosure's
            (
                "equipment",
                "警用执法记录仪",
                "2022-04-12",
                "4900",
                "演示-2022-001",
                "演示：购置警用执法记录仪",
            ),
            ("meetings", "", "2022-06-20", "4200", "演示-2022-002", "演示：全县信访工作会议"),
            ("travel", "", "2022-09-15", "7650", "演示-2022-003", "演示：督查督办、下访约访差旅"),
            ("office", "", "2022-11-30", "7980", "演示-2022-004", "演示：接待大厅日常办公用品"),
            ("training", "", "2022-08-10", "4000", "演示-2022-005", "演示：信访干部业务培训"),
        ],
    },
    {
        "name": "通海县社会矛盾纠纷调处督导中心工作经费专项资金",
        "basis": (
            "中共通海县委第六十四次常委会议（2010年9月20日）研究决定，设立通海县社会矛盾纠纷"
            "调处督导中心（临时机构，挂靠县信访局，在县信访局办公），每年安排工作经费"
            "100,000元。"
        ),
        "overview": (
            "县矛调中心统筹全县社会矛盾纠纷排查调处和12345热线办件的督导工作，本项目保障"
            "中心日常运转。"
        ),
        "content": (
            "委托第三方开展12345热线办件受理和回访等业务，开展矛盾纠纷排查调处督导差旅，"
            "收集社情民意、形成政策建议。"
        ),
        "plan": "2022年1月至12月按预算执行：委托业务按合同分期支付，差旅按工作需要支出。",
        "budget": Decimal("30000"),
        "lines": [
            ("commissioned", "", Decimal("20600")),
            ("travel", "", Decimal("9400")),
        ],
        "indicators": [
            ("quantity", "12345热线办件数量", ">=", 600, "件", "hotline_cases"),
            ("timeliness", "及时受理率", ">=", 95, "%", "timely_acceptance"),
            ("social", "办结率", ">=", 80, "%", "closure"),
            ("quality", "质检合格率", ">=", 90, "%", "quality_pass"),
            ("social", "基于社情民意形成政策建议数量", ">=", 10, "条", "policy_suggestions"),
            ("satisfaction", "群众满意率", ">=", 90, "%", "satisfaction"),
        ],
        "spending": [
            (
                "commissioned",
                "",
                "2022-07-01",
                "10300",
                "演示-2022-101",
                "演示：委托业务费（上半年）",
            ),
            (
                "commissioned",
                "",
                "2022-12-20",
                "10300",
                "演示-2022-102",
                "演示：委托业务费（下半年）",
            ),
            ("travel", "", "2022-10-18", "8870", "演示-2022-103", "演示：矛盾纠纷调处督导差旅"),
        ],
    },
]


@transaction.atomic
def seed_demo_funds() -> list[FundProject]:
    """Load the 2022 projects (idempotent: a project already there is left as it is)."""
    actor = User.objects.get(username="admin")
    unit = Unit.objects.get(code=BUREAU)
    out = []
    for spec in PROJECTS:
        existing = FundProject.objects.filter(year=YEAR, name=spec["name"]).first()
        if existing is not None:
            out.append(existing)
            continue
        project = services.project_create(
            actor=actor,
            year=YEAR,
            name=spec["name"],
            basis=spec["basis"],
            implementing_unit=unit,
            budget=spec["budget"],
            overview=spec["overview"],
            content=spec["content"],
            plan=spec["plan"],
            lines=spec["lines"],
        )
        for kind, name, op, target, unit_text, metric in spec["indicators"]:
            services.indicator_add(
                actor=actor,
                project=project,
                level2=kind,
                name=name,
                operator=op,
                target=target,
                unit=unit_text,
                metric=metric,
            )
        lines = {(ln.classification, ln.detail): ln for ln in project.lines.all()}
        for cls, detail, day, amount, voucher, text in spec["spending"]:
            services.spending_record(
                actor=actor,
                line=lines[(cls, detail)],
                spent_on=date.fromisoformat(day),
                amount=amount,
                voucher=voucher,
                description=text,
            )
        out.append(project)
    return out
