"""Two workers sweeping at the same moment still flag each silent unit once a day."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection

from xinfang.core.models import Notification
from xinfang.org.models import Unit
from xinfang.risk.models import MissingReportFlag
from xinfang.risk.zero import flag_missing_reports, period_declare

LOCAL = ZoneInfo("Asia/Shanghai")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_sweeps_flag_once(staff):
    start = date(2026, 10, 1)
    with time_machine.travel(datetime(2026, 9, 30, 9, tzinfo=LOCAL), tick=False):
        period_declare(
            actor=staff["mediator"],
            title="并发测试",
            starts_on=start,
            ends_on=start + timedelta(days=1),
            units=Unit.objects.filter(code__in=["gov-530423101", "gov-530423102"]),
        )
    now = datetime(2026, 10, 3, 8, tzinfo=LOCAL)
    barrier = threading.Barrier(3)
    flagged: list[int] = []

    def sweep() -> None:
        try:
            barrier.wait()
            flagged.append(flag_missing_reports(now=now)["flagged"])
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(flagged) == 4  # two units x two days, whoever flagged them
    assert MissingReportFlag.objects.count() == 4
    # Each flag told once, to the town's staff member and the two centre staff.
    assert Notification.objects.filter(kind="zero_report.missing").count() == 4 * 3
