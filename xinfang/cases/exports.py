"""Ledgers (台账) as .xlsx: Chinese headers, one row per case, personal data masked unless
the user may see it and gives a reason; every export is audited."""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from xinfang.audit.services import audit_log
from xinfang.core.errors import DomainError
from xinfang.org.permissions import Capability, has_capability

from .masking import mask_name, mask_phone
from .models import Case


def _columns() -> list[tuple[str, int]]:
    return [
        (_("No."), 6),
        (_("Case number"), 22),
        (_("Received on"), 12),
        (_("Channel"), 10),
        (_("Type"), 12),
        (_("Category"), 12),
        (_("Title"), 36),
        (_("Petitioner"), 10),
        (_("Phone"), 14),
        (_("Place"), 14),
        (_("Handling unit"), 22),
        (_("Status"), 14),
        (_("Accepted on"), 12),
        (_("Answer due"), 12),
        (_("Answered on"), 12),
        (_("Outcome"), 10),
        (_("Rating"), 10),
        (_("Overdue"), 8),
    ]


# Long texts the ledger does not show: not read at all.
UNUSED_TEXTS = (
    "content",
    "request",
    "search_text",
    "extension_reason",
    "reply_text",
    "not_accepted_reason",
    "rating_comment",
)
CHUNK = 2000


def export_cases_xlsx(
    *, actor: Any, cases: Iterable[Case], filters: dict[str, Any], unmask_reason: str = ""
) -> bytes:
    """The ledger as .xlsx bytes. Memory stays flat for large exports: the workbook is
    written in openpyxl's write-only mode, and a queryset is read in chunks of ``CHUNK``
    cases (with their petitioners) without the long texts the ledger does not show."""
    unmask = bool(unmask_reason.strip())
    if unmask and not has_capability(actor, Capability.VIEW_PERSONAL_DATA):
        raise DomainError(_("You may not export personal data."), code="permission_denied")
    if isinstance(cases, QuerySet):
        cases = (
            cases.defer(*UNUSED_TEXTS).prefetch_related("petitioners").iterator(chunk_size=CHUNK)
        )
    today = timezone.localdate()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("Petition ledger"))
    columns = _columns()
    for i, (_title, width) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    title = _("Petition ledger, exported %(when)s") % {
        "when": timezone.localtime().strftime("%Y-%m-%d %H:%M")
    }
    ws.append([title])
    bold = Font(bold=True)
    header = []
    for name, _width in columns:
        cell = _cell(ws, name)
        cell.font = bold
        cell.alignment = Alignment(horizontal="center")
        header.append(cell)
    ws.append(header)
    count = 0
    for count, case in enumerate(cases, start=1):
        person = next(iter(case.petitioners.all()), None)
        name = person.name if person else ""
        phone = person.phone if person else ""
        ws.append(
            [
                count,
                case.number,
                case.received_on,
                case.get_channel_display(),
                case.get_petition_type_display(),
                str(case.category),
                case.title,
                name if unmask else mask_name(name),
                phone if unmask else mask_phone(phone),
                str(case.division),
                str(case.handling_unit or ""),
                case.get_status_display(),
                case.accepted_on,
                case.handling_due,
                case.replied_on,
                case.get_outcome_display() if case.outcome else "",
                case.get_rating_display() if case.rating else "",
                _("yes") if case.due_on and case.due_on < today else "",
            ]
        )
    out = io.BytesIO()
    wb.save(out)
    audit_log(
        actor=actor,
        action="case.export",
        object_type="cases.case",
        object_id="",
        object_repr=f"{count} rows",
        after={"rows": count, "filters": filters, "unmasked": unmask, "reason": unmask_reason},
    )
    return out.getvalue()


def _cell(ws: Any, value: str) -> Any:
    from openpyxl.cell import WriteOnlyCell

    return WriteOnlyCell(ws, value=value)


def export_filename(now: datetime | None = None) -> str:
    now = now or timezone.localtime()
    return f"xinfang-ledger-{now:%Y%m%d-%H%M}.xlsx"
