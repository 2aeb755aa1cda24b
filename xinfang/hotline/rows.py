"""The column layout of hotline files and JSON orders, and the validation of one row
(docs/hotline-import.md). Checks that need the database (already imported, already in the
petition channel) are made per batch by the services."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfang.cases.models import Category
from xinfang.org.models import Division

from .models import OrderType


@dataclass(frozen=True)
class Column:
    name: str
    chinese: str
    required: bool


# The documented layout (docs/hotline-import.md), in file order. Headers may be given in
# English or Chinese; unknown columns are ignored.
COLUMNS: list[Column] = [
    Column("order_number", "工单编号", True),
    Column("order_type", "工单类型", True),
    Column("urgent", "是否紧急", False),
    Column("received_at", "受理时间", True),
    Column("caller_name", "来电人", True),
    Column("caller_phone", "联系电话", False),
    Column("category", "诉求分类", True),
    Column("division", "所属区域", False),
    Column("address", "事发地址", False),
    Column("title", "标题", True),
    Column("content", "诉求内容", True),
    Column("request", "具体诉求", False),
    Column("legal_procedure", "涉法涉诉", False),
    Column("petition_case", "信访件编号", False),
]
HEADER_ALIASES: dict[str, str] = {}
for _col in COLUMNS:
    HEADER_ALIASES[_col.name] = _col.name
    HEADER_ALIASES[_col.chinese] = _col.name
REQUIRED = [c.name for c in COLUMNS if c.required]

ORDER_TYPES: dict[str, str] = {
    **{v: v for v in OrderType.values},
    "咨询": OrderType.CONSULTATION,
    "求助": OrderType.HELP,
    "投诉": OrderType.COMPLAINT,
    "举报": OrderType.REPORT,
    "建议": OrderType.SUGGESTION,
}
YES = {"1", "true", "yes", "y", "是", "紧急", "urgent"}
NO = {"", "0", "false", "no", "n", "否", "普通", "ordinary", "一般"}
NONE_WORDS = {"", "0", "false", "no", "n", "否", "无", "none", "-"}
ORDER_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]{0,39}$")
PHONE = re.compile(r"^\+?\d{5,20}$")
MAX_TEXT = 4000
CLOCK_SKEW = timedelta(minutes=5)


class RowError(Exception):
    def __init__(self, reason: str, field: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.field = field


@dataclass(frozen=True)
class OrderRow:
    order_number: str
    order_type: str
    is_urgent: bool
    received_at: datetime
    caller_name: str
    caller_phone: str
    category: Category
    division: Division
    address: str
    title: str
    content: str
    request: str
    petition_case: str


def map_header(cells: list[Any]) -> list[str | None]:
    """Canonical column name for each header cell (None: ignored); raises RowError when a
    required column is missing."""
    names: list[str | None] = []
    for cell in cells:
        key = _text(cell).lstrip("\ufeff")
        names.append(HEADER_ALIASES.get(key.lower()) or HEADER_ALIASES.get(key))
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise RowError(
            _("The header lacks the required columns: %(cols)s (docs/hotline-import.md).")
            % {"cols": ", ".join(missing)}
        )
    return names


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


class RowValidator:
    """Validates rows against the layout; categories and places are loaded once."""

    def __init__(self, *, now: datetime | None = None) -> None:
        self.now = now or timezone.now()
        self.categories: dict[str, Category] = {}
        for category in Category.objects.all():
            self.categories[category.code.lower()] = category
            self.categories[category.name] = category
        county = str(settings.XINFANG["COUNTY_CODE"])
        self.divisions = {d.code: d for d in Division.objects.filter(code__startswith=county)}
        self.county = self.divisions.get(county)

    def _required(self, raw: Mapping[str, Any], name: str, limit: int) -> str:
        value = _text(raw.get(name))
        if not value:
            raise RowError(_("%(col)s is empty.") % {"col": name}, name)
        if len(value) > limit:
            raise RowError(
                _("%(col)s is longer than %(n)d characters.") % {"col": name, "n": limit}, name
            )
        return value

    def _optional(self, raw: Mapping[str, Any], name: str, limit: int) -> str:
        value = _text(raw.get(name))
        if len(value) > limit:
            raise RowError(
                _("%(col)s is longer than %(n)d characters.") % {"col": name, "n": limit}, name
            )
        return value

    def _received_at(self, value: Any) -> datetime:
        if isinstance(value, datetime):
            parsed = value
        elif isinstance(value, date):
            parsed = datetime(value.year, value.month, value.day)  # noqa: DTZ001 (made aware below)
        else:
            text = _text(value).replace("/", "-")
            if not text:
                raise RowError(_("received_at is empty."), "received_at")
            try:
                parsed = datetime.fromisoformat(text)
            except ValueError:
                raise RowError(
                    _("received_at %(v)s is not a date and time like 2026-03-02 09:30.")
                    % {"v": text[:30]},
                    "received_at",
                ) from None
        if timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed)
        if parsed > self.now + CLOCK_SKEW:
            raise RowError(_("received_at lies in the future."), "received_at")
        return parsed

    def validate(self, raw: Mapping[str, Any]) -> OrderRow:
        """One row as a validated order, or RowError with the reason."""
        number = _text(raw.get("order_number"))
        if not ORDER_NUMBER.match(number):
            raise RowError(
                _("order_number must be 1-40 letters, digits, '-' or '_'."), "order_number"
            )
        order_type = ORDER_TYPES.get(_text(raw.get("order_type")).lower())
        if order_type is None:
            raise RowError(
                _(
                    "order_type must be one of consultation, help, complaint, report, "
                    "suggestion (咨询, 求助, 投诉, 举报, 建议)."
                ),
                "order_type",
            )
        urgent_text = _text(raw.get("urgent")).lower()
        if urgent_text not in YES | NO:
            raise RowError(_("urgent must be yes or no (是/否)."), "urgent")
        legal = _text(raw.get("legal_procedure"))
        if legal.lower() not in NONE_WORDS:
            raise RowError(
                _(
                    "The matter belongs to a legal procedure (%(p)s) and is not taken as a "
                    "hotline order; guide the caller there (DOMAIN.md §2)."
                )
                % {"p": legal[:40]},
                "legal_procedure",
            )
        phone = re.sub(r"[\s\-()]", "", _text(raw.get("caller_phone")))
        if phone and not PHONE.match(phone):
            raise RowError(_("caller_phone is not a phone number."), "caller_phone")
        category_text = _text(raw.get("category"))
        category = self.categories.get(category_text.lower()) or self.categories.get(category_text)
        if category is None:
            raise RowError(
                _("category %(v)s is not a known category code or name.") % {"v": category_text},
                "category",
            )
        division_code = _text(raw.get("division"))
        division = self.divisions.get(division_code) if division_code else self.county
        if division is None:
            raise RowError(
                _("division %(v)s is not a division code of this county.")
                % {"v": division_code or "-"},
                "division",
            )
        return OrderRow(
            order_number=number,
            order_type=order_type,
            is_urgent=urgent_text in YES,
            received_at=self._received_at(raw.get("received_at")),
            caller_name=self._required(raw, "caller_name", 40),
            caller_phone=phone,
            category=category,
            division=division,
            address=self._optional(raw, "address", 200),
            title=self._required(raw, "title", 120),
            content=self._required(raw, "content", MAX_TEXT),
            request=self._optional(raw, "request", MAX_TEXT),
            petition_case=self._optional(raw, "petition_case", 32),
        )
