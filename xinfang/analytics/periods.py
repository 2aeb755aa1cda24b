"""Reporting periods and the filters every indicator accepts (unit, town, category, channel)."""

from __future__ import annotations

import calendar
import dataclasses
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _


def month_start(d: date) -> date:
    return d.replace(day=1)


def month_end(d: date) -> date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def add_months(d: date, n: int) -> date:
    """The first day of the month ``n`` months after ``d``'s month."""
    index = d.year * 12 + d.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    """A reporting period, both ends inclusive."""

    start: date
    end: date
    kind: str = "range"  # year, quarter, month, range

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("period ends before it starts")

    @property
    def month_aligned(self) -> bool:
        return self.start.day == 1 and self.end == month_end(self.end)

    def months(self) -> list[date]:
        out = []
        m = month_start(self.start)
        while m <= self.end:
            out.append(m)
            m = add_months(m, 1)
        return out

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def code(self) -> str:
        if self.kind == "year":
            return f"{self.start.year}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    @property
    def label(self) -> str:
        if self.kind == "year":
            return _("%(year)d") % {"year": self.start.year}
        if self.kind == "quarter":
            return _("%(year)d Q%(q)d") % {
                "year": self.start.year,
                "q": (self.start.month - 1) // 3 + 1,
            }
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        return f"{self.start.isoformat()} – {self.end.isoformat()}"

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(date(year, 1, 1), date(year, 12, 31), "year")

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        first = date(year, month, 1)
        return cls(first, month_end(first), "month")

    @classmethod
    def quarter(cls, year: int, q: int) -> Period:
        first = date(year, 3 * (q - 1) + 1, 1)
        return cls(first, month_end(add_months(first, 2)), "quarter")

    @classmethod
    def parse(cls, text: str | None, *, today: date) -> Period:
        """``2026``, ``2026-Q1``, ``2026-03`` or ``2026-01-01..2026-03-15``; anything else
        (or nothing) is the current year."""
        text = (text or "").strip()
        try:
            if m := re.fullmatch(r"(\d{4})", text):
                return cls.year(int(m[1]))
            if m := re.fullmatch(r"(\d{4})-Q([1-4])", text, re.IGNORECASE):
                return cls.quarter(int(m[1]), int(m[2]))
            if m := re.fullmatch(r"(\d{4})-(\d{1,2})", text):
                return cls.month(int(m[1]), int(m[2]))
            if m := re.fullmatch(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})", text):
                start, end = date.fromisoformat(m[1]), date.fromisoformat(m[2])
                if (end - start).days <= 366 * 10:
                    return cls(start, end, "range")
        except ValueError:
            pass
        return cls.year(today.year)

    def previous(self) -> Period:
        """The period of the same kind just before (for comparisons in reports)."""
        if self.kind == "year":
            return Period.year(self.start.year - 1)
        if self.kind == "quarter":
            first = add_months(self.start, -3)
            return Period.quarter(first.year, (first.month - 1) // 3 + 1)
        if self.kind == "month":
            first = add_months(self.start, -1)
            return Period.month(first.year, first.month)
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))


@dataclass(frozen=True)
class Filters:
    """Unit (handling unit), town (a township division code: cases placed in it or below),
    category and channel — the same meaning as the case list's filters."""

    unit_id: int | None = None
    town: str = ""
    category_id: int | None = None
    channel: str = ""

    def case_q(self) -> Q:
        q = Q()
        if self.unit_id:
            q &= Q(handling_unit_id=self.unit_id)
        if self.town:
            q &= Q(division__code__startswith=self.town)
        if self.category_id:
            q &= Q(category_id=self.category_id)
        if self.channel:
            q &= Q(channel=self.channel)
        return q

    def cell_q(self) -> Q:
        """The same filter on the rollup's cells."""
        q = Q()
        if self.unit_id:
            q &= Q(unit_id=self.unit_id)
        if self.town:
            q &= Q(town=self.town)
        if self.category_id:
            q &= Q(category_id=self.category_id)
        if self.channel:
            q &= Q(channel=self.channel)
        return q

    def with_(self, **changes: Any) -> Filters:
        return dataclasses.replace(self, **changes)

    @property
    def active(self) -> bool:
        return bool(self.unit_id or self.town or self.category_id or self.channel)
