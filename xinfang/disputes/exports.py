"""Ledgers (台账) as .xlsx with the official Chinese column headings; parties' personal data
masked unless the user may see it and gives a reason; every export is audited.

The headings are those of the paper ledgers and stay Chinese whatever the interface language;
cell values (types, statuses) are written in Simplified Chinese through the translations.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from xinfang.audit.services import audit_log
from xinfang.cases.masking import mask_name, mask_phone
from xinfang.core.errors import DomainError
from xinfang.org.permissions import Capability, has_capability

from .models import Campaign, Dispute, Party
from .selectors import campaign_board, is_overdue

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def write_ledger(
    *, title: str, columns: Sequence[tuple[str, int]], rows: Iterable[Sequence[Any]]
) -> tuple[bytes, int]:
    """One sheet: a title line, bold centred headings, then the rows (write-only: flat memory)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title[:31])
    for i, (_name, width) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.append([f"{title}（导出时间：{timezone.localtime():%Y-%m-%d %H:%M}）"])
    bold = Font(bold=True)
    header = []
    for name, _width in columns:
        cell = WriteOnlyCell(ws, value=name)
        cell.font = bold
        cell.alignment = Alignment(horizontal="center")
        header.append(cell)
    ws.append(header)
    count = 0
    with translation.override("zh-hans"):
        for count, row in enumerate(rows, start=1):
            ws.append([count, *row])  # rows are generated here, in Chinese
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue(), count


def check_unmask(actor: Any, reason: str) -> bool:
    unmask = bool(reason.strip())
    if unmask and not has_capability(actor, Capability.VIEW_PERSONAL_DATA):
        raise DomainError(_("You may not export personal data."), code="permission_denied")
    return unmask


def party_cells(parties: Iterable[Party], *, unmask: bool) -> tuple[str, str]:
    names, phones = [], []
    for p in parties:
        person = p.kind == Party.Kind.PERSON
        names.append(p.name if unmask or not person else mask_name(p.name))
        if p.phone:
            phones.append(p.phone if unmask else mask_phone(p.phone))
    return "、".join(names), "、".join(phones)


DISPUTE_COLUMNS = [
    ("序号", 6),
    ("编号", 14),
    ("排查日期", 12),
    ("纠纷类型", 14),
    ("纠纷简要情况", 36),
    ("所在乡镇", 12),
    ("地点", 16),
    ("当事人", 16),
    ("联系电话", 16),
    ("涉及人数", 8),
    ("风险等级", 8),
    ("排查单位", 20),
    ("责任单位", 20),
    ("包案领导", 12),
    ("化解期限", 12),
    ("办理状态", 14),
    ("调解次数", 8),
    ("调解协议", 18),
    ("处理结果", 30),
    ("关联信访事项", 22),
    ("是否超期", 8),
]


def export_disputes_xlsx(
    *, actor: Any, disputes: Iterable[Dispute], filters: dict[str, Any], unmask_reason: str = ""
) -> bytes:
    unmask = check_unmask(actor, unmask_reason)
    today = timezone.localdate()

    def rows() -> Iterable[list[Any]]:
        for d in disputes:
            names, phones = party_cells(d.parties.all(), unmask=unmask)
            town = d.division.parent if d.division.level == "village" else d.division
            agreement = getattr(d, "agreement", None)
            result = d.outcome_note
            if d.referred_to:
                result = f"{d.get_referred_to_display()}：{d.referral_note}"
            yield [
                d.number,
                d.found_on,
                d.get_dispute_type_display(),
                d.title,
                town.name if town else "",
                d.place,
                names,
                phones,
                d.people_involved,
                d.get_risk_level_display(),
                d.reporting_unit.name,
                d.responsible_unit.name,
                d.responsible_leader,
                d.deadline,
                d.get_status_display(),
                len(d.meetings.all()),
                agreement.number if agreement else "",
                result,
                d.case.number if d.case else "",
                "是" if is_overdue(d, today=today) else "",
            ]

    data, count = write_ledger(title="矛盾纠纷排查化解台账", columns=DISPUTE_COLUMNS, rows=rows())
    audit_log(
        actor=actor,
        action="dispute.export",
        object_type="disputes.dispute",
        object_repr=f"{count} rows",
        after={"rows": count, "filters": filters, "unmasked": unmask, "reason": unmask_reason},
    )
    return data


CAMPAIGN_COLUMNS = [
    ("序号", 6),
    ("目标问题", 40),
    ("责任单位", 22),
    ("责任领导", 12),
    ("完成时限", 12),
    ("进度(%)", 8),
    ("状态", 12),
    ("最新进展", 40),
    ("关联台账编号", 14),
    ("是否超期", 8),
]


def export_campaign_xlsx(*, actor: Any, campaign: Campaign, today: date) -> bytes:
    board = campaign_board(campaign, today=today)
    rows = (
        [
            r.target.title,
            r.target.responsible_unit.name,
            r.target.responsible_leader,
            r.target.due_on,
            r.target.progress,
            r.target.get_status_display(),
            r.last_report.text if r.last_report else "",
            r.target.dispute.number if r.target.dispute else "",
            "是" if r.overdue else "",
        ]
        for r in board.rows
    )
    data, count = write_ledger(
        title=f"专项行动台账 {campaign.title}", columns=CAMPAIGN_COLUMNS, rows=rows
    )
    audit_log(actor=actor, action="campaign.export", obj=campaign, after={"rows": count})
    return data


def export_filename(kind: str) -> str:
    return f"xinfang-{kind}-{timezone.localtime():%Y%m%d-%H%M}.xlsx"
