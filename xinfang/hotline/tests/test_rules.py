"""The hotline's own time limits (DOMAIN.md §2), configurable."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from xinfang.hotline.rules import PETITION_TYPES, due_at

TZ = ZoneInfo("Asia/Shanghai")


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


def test_urgent_orders_need_feedback_within_two_hours():
    assert due_at(order_type="complaint", urgent=True, received_at=at(2026, 3, 6, 22, 30)) == at(
        2026, 3, 7, 0, 30
    )


def test_consultations_within_one_working_day_skipping_the_weekend():
    # Friday 6 March 2026 -> Monday 9 March, end of day
    assert due_at(order_type="consultation", urgent=False, received_at=at(2026, 3, 6, 16, 0)) == at(
        2026, 3, 9, 23, 59, 59
    )


def test_other_orders_within_five_working_days_across_a_public_holiday():
    # Thursday 30 April 2026; 1-5 May is the Labour Day holiday, Saturday 9 May a make-up
    # working day (chinese_calendar): 6, 7, 8, 9, 11 May are the five working days.
    assert due_at(order_type="complaint", urgent=False, received_at=at(2026, 4, 30, 9, 0)) == at(
        2026, 5, 11, 23, 59, 59
    )


def test_limits_are_configurable(settings):
    settings.XINFANG_HOTLINE = {"ORDINARY_WORKING_DAYS": 7, "URGENT_FEEDBACK_HOURS": 1}
    assert due_at(order_type="help", urgent=False, received_at=at(2026, 3, 2, 9, 0)) == at(
        2026, 3, 11, 23, 59, 59
    )
    assert due_at(order_type="help", urgent=True, received_at=at(2026, 3, 2, 9, 0)) == at(
        2026, 3, 2, 10, 0
    )


@pytest.mark.parametrize(
    ("order_type", "petition_type"),
    [("report", "accusation"), ("suggestion", "suggestion"), ("complaint", "appeal")],
)
def test_order_types_map_to_petition_types(order_type, petition_type):
    assert PETITION_TYPES[order_type] == petition_type
