"""Sample objects for the URL x role access matrix: the demo's 2022 projects, a spending
record with a PDF voucher, a pending adjustment and a hand-entered indicator with an evidence
file. Funds have no object-level scope: whoever may view funds sees every project."""

from __future__ import annotations

from typing import Any

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def sample_project(users: dict[str, Any]) -> Any:
    from .demo import seed_demo_funds
    from .models import FundProject

    p = FundProject.objects.filter(year=2022).order_by("pk").first()
    if p is not None:
        return p
    return seed_demo_funds()[0]


def sample_spending(users: dict[str, Any]) -> Any:
    from datetime import date

    from django.core.files.uploadedfile import SimpleUploadedFile

    from .models import Spending
    from .services import spending_record

    s = Spending.objects.exclude(attachment="").order_by("pk").first()
    if s is not None:
        return s
    line = sample_project(users).lines.get(classification="meetings")
    return spending_record(
        actor=users["admin"],
        line=line,
        spent_on=date(2022, 12, 1),
        amount="100",
        voucher="演示-样例-1",
        description="演示：会议资料",
        attachment=SimpleUploadedFile("voucher.pdf", PDF, "application/pdf"),
    )


def sample_adjustment(users: dict[str, Any]) -> Any:
    from .models import BudgetAdjustment
    from .services import adjustment_request

    a = BudgetAdjustment.objects.order_by("pk").first()
    if a is not None:
        return a
    p = sample_project(users)
    return adjustment_request(
        actor=users["admin"],
        line=p.lines.get(classification="travel"),
        source_line=p.lines.get(classification="office"),
        amount="10",
        reason="演示：差旅增加",
    )


def sample_indicator(users: dict[str, Any]) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .models import PerformanceIndicator
    from .services import indicator_add, indicator_enter

    ind = PerformanceIndicator.objects.exclude(evidence_file="").order_by("pk").first()
    if ind is not None:
        return ind
    ind = indicator_add(
        actor=users["admin"],
        project=sample_project(users),
        level2="sustainability",
        name="演示：信访工作制度健全性",
        operator=">=",
        target="1",
        unit="项",
    )
    return indicator_enter(
        actor=users["admin"],
        indicator=ind,
        value="1",
        evidence="演示：制度文件",
        evidence_file=SimpleUploadedFile("evidence.pdf", PDF, "application/pdf"),
    )


URL_KWARGS = {
    "funds:project": lambda users: {"pk": sample_project(users).pk},
    "funds:project_edit": lambda users: {"pk": sample_project(users).pk},
    "funds:line_add": lambda users: {"pk": sample_project(users).pk},
    "funds:spending_add": lambda users: {"pk": sample_project(users).pk},
    "funds:adjustment_request": lambda users: {"pk": sample_project(users).pk},
    "funds:indicator_add": lambda users: {"pk": sample_project(users).pk},
    "funds:assessment_record": lambda users: {"pk": sample_project(users).pk},
    "funds:spending_attachment": lambda users: {"pk": sample_spending(users).pk},
    "funds:adjustment_decide": lambda users: {"pk": sample_adjustment(users).pk},
    "funds:indicator_enter": lambda users: {"pk": sample_indicator(users).pk},
    "funds:indicator_evidence": lambda users: {"pk": sample_indicator(users).pk},
    "funds:assessment": lambda users: {"year": 2022},
    "funds:disclosure": lambda users: {"year": sample_project(users).year, "fmt": "pdf"},
}
POST_ONLY = {
    "funds:line_add",
    "funds:spending_add",
    "funds:adjustment_request",
    "funds:indicator_add",
    "funds:assessment_record",
    "funds:adjustment_decide",
    "funds:indicator_enter",
}
