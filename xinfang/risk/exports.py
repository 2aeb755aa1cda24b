"""Ledgers of assessments, zero reports and suggestions as .xlsx (Chinese headings, audited).
None of them holds personal data: views are counts, reports describe matters."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.utils import timezone

from xinfang.audit.services import audit_log
from xinfang.disputes.exports import write_ledger

from .models import PolicySuggestion, RiskAssessment, ZeroReportPeriod
from .selectors import period_grid

ASSESSMENT_COLUMNS = [
    ("序号", 6),
    ("编号", 12),
    ("评估事项", 36),
    ("事项类别", 18),
    ("决策提出（项目）单位", 22),
    ("评估主体", 22),
    ("所在地", 12),
    ("评估阶段", 18),
    ("方案版本", 8),
    ("风险等级", 8),
    ("评估报告日期", 12),
    ("决策情况", 24),
    ("决策日期", 12),
    ("跟踪次数", 8),
]


def export_assessments_xlsx(*, actor: Any, assessments: Iterable[RiskAssessment]) -> bytes:
    rows = (
        [
            a.number,
            a.title,
            a.get_kind_display(),
            a.proposing_unit.name,
            a.assessing_unit.name,
            a.division.name,
            a.get_status_display(),
            a.revision,
            a.get_risk_level_display() if a.risk_level else "",
            a.reported_on,
            a.get_decision_display() if a.decision else "",
            a.decided_on,
            len(a.follow_ups.all()),
        ]
        for a in assessments
    )
    data, count = write_ledger(
        title="重大事项社会稳定风险评估台账", columns=ASSESSMENT_COLUMNS, rows=rows
    )
    audit_log(
        actor=actor,
        action="risk.assessment.export",
        object_type="risk.riskassessment",
        object_repr=f"{count} rows",
        after={"rows": count},
    )
    return data


ZERO_COLUMNS = [
    ("序号", 6),
    ("日期", 12),
    ("报告单位", 26),
    ("报告情况", 12),
    ("事项数", 8),
    ("最高风险等级", 10),
    ("情况说明", 50),
    ("报送时间", 18),
]
STATE_ZH = {
    "nothing": "无情况（零报告）",
    "matters": "有情况",
    "late": "迟报",
    "missing": "缺报",
    "pending": "待报",
}


def export_zero_reports_xlsx(*, actor: Any, period: ZeroReportPeriod, now: datetime) -> bytes:
    """Every unit and day up to now; report texts only where the user may read them."""
    grid = period_grid(period, actor, now=now)

    def rows() -> Iterable[list[Any]]:
        for row in grid:
            for cell in row.cells:
                if cell.state == "future":
                    continue
                r = cell.report
                yield [
                    cell.day,
                    row.unit.name,
                    STATE_ZH[cell.state],
                    r.matter_count if r else "",
                    r.get_risk_level_display() if r and r.risk_level else "",
                    (r.matters if row.readable else "") if r else "",
                    timezone.localtime(r.submitted_at).strftime("%Y-%m-%d %H:%M") if r else "",
                ]

    data, count = write_ledger(
        title=f"零报告台账 {period.title}", columns=ZERO_COLUMNS, rows=rows()
    )
    audit_log(actor=actor, action="zero_report.export", obj=period, after={"rows": count})
    return data


SUGGESTION_COLUMNS = [
    ("序号", 6),
    ("编号", 12),
    ("标题", 30),
    ("发现的问题", 40),
    ("意见建议", 40),
    ("报送单位", 22),
    ("报送日期", 12),
    ("采纳情况", 12),
    ("反馈日期", 12),
    ("反馈意见", 30),
    ("依据（信访事项、纠纷）", 30),
]


def export_suggestions_xlsx(*, actor: Any, suggestions: Iterable[PolicySuggestion]) -> bytes:
    rows = (
        [
            s.number,
            s.title,
            s.problem,
            s.suggestion,
            s.to_unit.name,
            s.sent_on,
            s.get_status_display(),
            s.response_on,
            s.response,
            "、".join([c.number for c in s.cases.all()] + [d.number for d in s.disputes.all()]),
        ]
        for s in suggestions
    )
    data, count = write_ledger(title="意见建议台账", columns=SUGGESTION_COLUMNS, rows=rows)
    audit_log(
        actor=actor,
        action="suggestion.export",
        object_type="risk.policysuggestion",
        object_repr=f"{count} rows",
        after={"rows": count},
    )
    return data
