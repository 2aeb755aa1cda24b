"""The hotline's own rules (DOMAIN.md §2; 国办发〔2020〕53号 and local hotline rules), with
the defaults configurable in settings.XINFANG_HOTLINE.

Time limits, counted from the moment the hotline took the call:
- urgent orders: handled at once, feedback within 2 hours;
- consultations: answered on the call or within 1 working day;
- every other order: a result within 5 working days (Weifang and Jinan rules; Beijing uses
  7 days, 15 for complex matters - set ORDINARY_WORKING_DAYS accordingly).
Working days come from the maintained calendar of xinfang.cases.deadlines; the day of
receipt is not counted and a limit ends at the end of its last working day.

Matters already in the petition channel, or that belong to a legal procedure, are not taken
as hotline orders (DOMAIN.md §2).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.utils import timezone

from xinfang.cases.deadlines import add_working_days
from xinfang.cases.models import PetitionType

from .models import OrderType

DEFAULTS: dict[str, int] = {
    "URGENT_FEEDBACK_HOURS": 2,
    "ORDINARY_WORKING_DAYS": 5,
    "CONSULTATION_WORKING_DAYS": 1,
}

# How a hotline order is classified as a petition (分类处理, 信访工作条例 arts. 30-32).
PETITION_TYPES: dict[str, str] = {
    OrderType.CONSULTATION: PetitionType.APPEAL,
    OrderType.HELP: PetitionType.APPEAL,
    OrderType.COMPLAINT: PetitionType.APPEAL,
    OrderType.REPORT: PetitionType.ACCUSATION,
    OrderType.SUGGESTION: PetitionType.SUGGESTION,
}


def limit(name: str) -> int:
    values: dict[str, Any] = {**DEFAULTS, **getattr(settings, "XINFANG_HOTLINE", {})}
    return int(values[name])


@lru_cache(maxsize=4096)
def _end_of_working_day(day: date, working_days: int, tz_name: str) -> datetime:
    end = add_working_days(day, working_days)
    return datetime.combine(end, time(23, 59, 59), tzinfo=timezone.get_current_timezone())


def due_at(*, order_type: str, urgent: bool, received_at: datetime) -> datetime:
    """The hotline's time limit for an order (module docstring)."""
    if urgent:
        return received_at + timedelta(hours=limit("URGENT_FEEDBACK_HOURS"))
    days = (
        limit("CONSULTATION_WORKING_DAYS")
        if order_type == OrderType.CONSULTATION
        else limit("ORDINARY_WORKING_DAYS")
    )
    local_day = timezone.localtime(received_at).date()
    return _end_of_working_day(local_day, days, str(timezone.get_current_timezone()))
