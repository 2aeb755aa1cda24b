"""The demo data reproduce the 2022 budget disclosure (DOMAIN.md §7) figure by figure."""

from __future__ import annotations

from decimal import Decimal

import pytest

from xinfang.funds.demo import seed_demo_funds
from xinfang.funds.models import FundProject

pytestmark = pytest.mark.django_db

# DOMAIN.md §7, restated here on purpose (not imported from the demo module): the test
# fails if the demo data drift from the disclosure.
EXPECTED = {
    "信访专项工作经费专项资金": {
        "budget": Decimal("30000"),
        "lines": {
            "专用设备购置费（警用执法记录仪）": Decimal("4900"),
            "会议费": Decimal("5000"),
            "差旅费": Decimal("8100"),
            "办公费": Decimal("8000"),
            "培训费": Decimal("4000"),
        },
        "targets": {
            ("petitions_accepted", ">=", Decimal(100), "件"),
            ("timely_acceptance", ">=", Decimal(95), "%"),
            ("satisfaction", ">=", Decimal(90), "%"),
            ("closure", ">=", Decimal(80), "%"),
            ("quality_pass", ">=", Decimal(90), "%"),
        },
        "basis": ["通海县第十四届人民政府第二十次常务会议", "2009年3月20日", "50,000元"],
    },
    "通海县社会矛盾纠纷调处督导中心工作经费专项资金": {
        "budget": Decimal("30000"),
        "lines": {"委托业务费": Decimal("20600"), "差旅费": Decimal("9400")},
        "targets": {
            ("hotline_cases", ">=", Decimal(600), "件"),
            ("timely_acceptance", ">=", Decimal(95), "%"),
            ("satisfaction", ">=", Decimal(90), "%"),
            ("closure", ">=", Decimal(80), "%"),
            ("quality_pass", ">=", Decimal(90), "%"),
            ("policy_suggestions", ">=", Decimal(10), "条"),
        },
        "basis": ["中共通海县委第六十四次常委会议", "2010年9月20日", "100,000元"],
    },
}


def test_demo_reproduces_every_2022_figure(users):
    seed_demo_funds()
    projects = {p.name: p for p in FundProject.objects.filter(year=2022)}
    assert set(projects) == set(EXPECTED)
    for name, want in EXPECTED.items():
        p = projects[name]
        assert p.implementing_unit.name == "通海县信访局"
        assert p.budget == want["budget"]
        lines = {ln.label: ln.amount for ln in p.lines.all()}
        assert lines == want["lines"]
        assert sum(lines.values()) == want["budget"]
        targets = {(i.metric, i.operator, i.target, i.unit) for i in p.indicators.all()}
        assert targets == want["targets"]
        for text in want["basis"]:
            assert text in p.basis


def test_demo_seeding_is_idempotent(users):
    first = seed_demo_funds()
    second = seed_demo_funds()
    assert [p.pk for p in first] == [p.pk for p in second]
    assert FundProject.objects.count() == 2


def test_demo_spending_is_marked_as_demo(users):
    from xinfang.funds.models import Spending

    seed_demo_funds()
    assert Spending.objects.exists()
    for s in Spending.objects.all():
        assert s.voucher.startswith("演示")
        assert s.description.startswith("演示")
