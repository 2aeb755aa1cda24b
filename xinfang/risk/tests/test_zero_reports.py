"""Zero reports (零报告): designated units report daily, "nothing to report" included; a
silent unit gets exactly one missing-report flag a day, told to the unit and the centre."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import override_settings
from openpyxl import load_workbook

from xinfang.audit.models import AuditRecord
from xinfang.core.errors import DomainError, PermissionDeniedError
from xinfang.core.models import Notification, PeriodicJobState
from xinfang.core.schedule import PERIODIC_JOBS, enqueue_due_jobs
from xinfang.org.models import Unit
from xinfang.risk.models import MissingReportFlag, ZeroReport
from xinfang.risk.zero import flag_missing_reports, period_declare, zero_report_submit

pytestmark = pytest.mark.django_db

LOCAL = ZoneInfo("Asia/Shanghai")
DECLARED = date(2026, 9, 28)
START, END = date(2026, 10, 1), date(2026, 10, 3)  # three days of the National Day holiday
UNITS = ["gov-530423101", "gov-530423102", "zjj"]  # 杨广镇, 河西镇, 住建局


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LOCAL)


@pytest.fixture
def period(staff):
    with time_machine.travel(at(DECLARED, 9), tick=False):
        return period_declare(
            actor=staff["mediator"],
            title="国庆期间零报告",
            starts_on=START,
            ends_on=END,
            units=Unit.objects.filter(code__in=UNITS),
        )


def submit(staff, period, user, day, when, **kw):
    kw.setdefault("nothing_to_report", True)
    return zero_report_submit(actor=staff[user], period=period, day=day, now=when, **kw)


def test_one_silent_unit_gets_exactly_one_flag_a_day(staff, period):
    """河西镇 never reports; 杨广镇 reports nothing to report; 住建局 reports a matter. The
    sweep runs every hour from the start to two days after the end."""
    for offset in range(3):
        day = START + timedelta(days=offset)
        submit(staff, period, "yangguang", day, at(day, 9))
        submit(
            staff,
            period,
            "handler",
            day,
            at(day, 10),
            nothing_to_report=False,
            matters="某小区业主因停车位问题聚集，已派员疏导。",
            matter_count=1,
            risk_level="medium",
        )
    moment = at(START, 0)
    while moment <= at(END + timedelta(days=2), 23):
        flag_missing_reports(now=moment)
        moment += timedelta(hours=1)

    flags = MissingReportFlag.objects.order_by("day")
    assert [(f.unit.code, f.day) for f in flags] == [
        ("gov-530423102", START),
        ("gov-530423102", START + timedelta(days=1)),
        ("gov-530423102", END),
    ]
    # Each flagged once, just after its day was due (midnight by default).
    assert [f.flagged_at for f in flags] == [
        at(START + timedelta(days=1), 0),
        at(START + timedelta(days=2), 0),
        at(END + timedelta(days=1), 0),
    ]
    told = Notification.objects.filter(kind="zero_report.missing")
    # The town's staff member, and the centre (mediator and the bureau's supervisor): 3 a day.
    assert told.count() == 9
    assert set(told.values_list("user__username", flat=True)) == {"hexi", "mediator", "supervisor"}
    assert AuditRecord.objects.filter(action="zero_report.flag").count() == 3
    assert flag_missing_reports(now=at(END + timedelta(days=2), 23, 30))["flagged"] == 0


def test_the_hourly_job_runs_through_the_scheduler(staff, period):
    """The periodic job registered in xinfang.core.schedule (test settings run tasks at once)."""
    job = next(j for j in PERIODIC_JOBS if j.name == "risk.zero_reports")
    with time_machine.travel(at(START, 12), tick=False):
        assert enqueue_due_jobs(jobs=[job]) == ["risk.zero_reports"]
        assert enqueue_due_jobs(jobs=[job]) == []  # claimed once per hour
    assert not MissingReportFlag.objects.exists()  # nothing due yet
    for hour in range(13, 24 + 12):
        with time_machine.travel(at(START, 0) + timedelta(hours=hour), tick=False):
            assert enqueue_due_jobs(jobs=[job]) == ["risk.zero_reports"]
    assert PeriodicJobState.objects.get(name="risk.zero_reports").last_enqueued_at is not None
    # Only the first day is due by noon of the second: one flag for each of the three units.
    assert MissingReportFlag.objects.filter(day=START).count() == 3
    assert MissingReportFlag.objects.count() == 3


@override_settings(XINFANG_DISPUTES={"ZERO_REPORT_DUE_HOUR": 18})
def test_the_due_hour_is_a_setting(staff, period):
    submit(staff, period, "yangguang", START, at(START, 9))
    submit(staff, period, "handler", START, at(START, 9))
    assert flag_missing_reports(now=at(START, 17, 59))["flagged"] == 0
    assert flag_missing_reports(now=at(START, 18, 0))["flagged"] == 1
    assert MissingReportFlag.objects.get().unit.code == "gov-530423102"


def test_a_late_report_resolves_the_flag_and_the_history_stays(staff, period):
    flag_missing_reports(now=at(START + timedelta(days=1), 8))
    assert MissingReportFlag.objects.filter(day=START).count() == 3
    report = submit(staff, period, "hexi", START, at(START + timedelta(days=1), 9))
    assert report.late is True
    flag = MissingReportFlag.objects.get(day=START, unit__code="gov-530423102")
    assert flag.resolved_at == at(START + timedelta(days=1), 9)
    assert MissingReportFlag.objects.filter(day=START, resolved_at__isnull=True).count() == 2


def test_reports_are_about_matters_not_persons(staff, period):
    for text in ("张某（身份证530423199001011234）到县上访", "联系人电话13812345678"):
        with pytest.raises(DomainError) as exc:
            submit(
                staff,
                period,
                "yangguang",
                START,
                at(START, 9),
                nothing_to_report=False,
                matters=text,
                matter_count=1,
                risk_level="low",
            )
        assert exc.value.code == "personal_data"
    assert not ZeroReport.objects.exists()


def test_nothing_to_report_cannot_list_matters_and_matters_need_a_count(staff, period):
    with pytest.raises(DomainError) as exc:
        submit(staff, period, "yangguang", START, at(START, 9), matters="有情况", matter_count=1)
    assert exc.value.code == "contradiction"
    with pytest.raises(DomainError) as exc:
        submit(staff, period, "yangguang", START, at(START, 9), nothing_to_report=False)
    assert exc.value.code == "empty"


def test_only_designated_units_report_and_only_for_days_of_the_period(staff, period):
    with pytest.raises(PermissionDeniedError):
        submit(staff, period, "handler2", START, at(START, 9))  # 人社局 is not designated
    with pytest.raises(DomainError) as exc:
        submit(staff, period, "yangguang", START + timedelta(days=1), at(START, 9))  # tomorrow
    assert exc.value.code == "day"


def test_a_second_report_the_same_day_replaces_the_first_and_is_audited(staff, period):
    submit(staff, period, "yangguang", START, at(START, 9))
    submit(
        staff,
        period,
        "yangguang",
        START,
        at(START, 15),
        nothing_to_report=False,
        matters="某村因灌溉用水发生争执，已调处。",
        matter_count=1,
        risk_level="low",
    )
    report = ZeroReport.objects.get()
    assert not report.nothing_to_report
    assert report.late is False
    amend = AuditRecord.objects.get(action="zero_report.amend")
    assert amend.before["nothing_to_report"] is True
    assert amend.after["nothing_to_report"] is False


def test_only_the_centre_declares_and_not_in_the_past(staff):
    with time_machine.travel(at(DECLARED, 9), tick=False):
        with pytest.raises(PermissionDeniedError):
            period_declare(
                actor=staff["yangguang"],
                title="x",
                starts_on=START,
                ends_on=END,
                units=Unit.objects.filter(code="zjj"),
            )
        with pytest.raises(DomainError) as exc:
            period_declare(
                actor=staff["mediator"],
                title="x",
                starts_on=DECLARED - timedelta(days=1),
                ends_on=END,
                units=Unit.objects.filter(code="zjj"),
            )
        assert exc.value.code == "past"


def test_a_period_ended_early_owes_nothing_more(staff, period):
    from xinfang.risk.zero import period_cancel

    with time_machine.travel(at(START + timedelta(days=1), 10), tick=False):
        period_cancel(actor=staff["mediator"], period=period)
    flag_missing_reports(now=at(END + timedelta(days=1), 8))
    assert set(MissingReportFlag.objects.values_list("day", flat=True)) == {START}


def test_the_grid_shows_each_units_days_and_hides_contents_from_other_units(client, staff, period):
    submit(
        staff,
        period,
        "handler",
        START,
        at(START, 10),
        nothing_to_report=False,
        matters="某工地围挡倒塌引发邻里投诉。",
        matter_count=1,
        risk_level="low",
    )
    submit(staff, period, "yangguang", START, at(START, 9))
    flag_missing_reports(now=at(START + timedelta(days=1), 1))
    with time_machine.travel(at(START + timedelta(days=1), 8), tick=False):
        client.force_login(staff["yangguang"])
        page = client.get(f"/disputes/zero-reports/{period.pk}/").content.decode()
        assert 'data-unit="gov-530423102"' in page
        assert f'data-day="{START.isoformat()}" data-state="missing"' in page
        assert "某工地围挡倒塌" not in page  # 住建局's report is not the town's to read
        client.force_login(staff["mediator"])
        page = client.get(f"/disputes/zero-reports/{period.pk}/").content.decode()
        assert "某工地围挡倒塌" in page
        response = client.get(f"/disputes/zero-reports/{period.pk}/export.xlsx")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[1] == (
        "序号",
        "日期",
        "报告单位",
        "报告情况",
        "事项数",
        "最高风险等级",
        "情况说明",
        "报送时间",
    )
    states = {(r[2], r[3]) for r in rows[2:]}
    assert ("通海县住房和城乡建设局", "有情况") in states
    assert ("杨广镇人民政府", "无情况（零报告）") in states
    assert ("河西镇人民政府", "缺报") in states


def test_submitting_through_the_page(client, staff, period):
    with time_machine.travel(at(START, 9), tick=False):
        client.force_login(staff["yangguang"])
        response = client.post(
            f"/disputes/zero-reports/{period.pk}/submit/",
            {"day": START.isoformat(), "nothing_to_report": "on", "matter_count": 0},
        )
        assert response.status_code == 302
        assert ZeroReport.objects.get().unit.code == "gov-530423101"
        client.force_login(staff["handler2"])
        page = client.get(f"/disputes/zero-reports/{period.pk}/").content.decode()
        assert 'id="submit-report"' not in page  # not designated: no form
