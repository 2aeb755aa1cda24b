"""Special campaigns (专项行动): targets with responsible unit and leader, progress reports by
the responsible unit, closure by the centre, the dashboard and its ledger."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from xinfang.audit.models import AuditRecord
from xinfang.core.errors import DomainError, PermissionDeniedError
from xinfang.disputes.campaigns import (
    campaign_close,
    campaign_create,
    progress_report,
    target_add,
    target_close,
)
from xinfang.disputes.models import Campaign, CampaignTarget
from xinfang.disputes.selectors import campaign_board
from xinfang.org.models import Unit

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def make_campaign(staff, **kw):
    params = {
        "actor": staff["mediator"],
        "title": "根治欠薪冬季专项行动",
        "starts_on": TODAY() - timedelta(days=10),
        "ends_on": TODAY() + timedelta(days=50),
        "lead_unit": Unit.objects.get(code="rsj"),
    }
    params.update(kw)
    return campaign_create(**params)


def add(staff, campaign, unit="rsj", due=20, **kw):
    return target_add(
        actor=staff["mediator"],
        campaign=campaign,
        title=kw.pop("title", "某工地拖欠农民工工资"),
        responsible_unit=Unit.objects.get(code=unit),
        responsible_leader="副局长",
        due_on=TODAY() + timedelta(days=due),
        **kw,
    )


def test_only_the_centre_starts_a_campaign(staff):
    with pytest.raises(PermissionDeniedError):
        make_campaign(staff, actor=staff["yangguang"])
    with pytest.raises(PermissionDeniedError):
        make_campaign(staff, actor=staff["leader"])
    campaign = make_campaign(staff)
    assert AuditRecord.objects.filter(action="campaign.create", object_id=str(campaign.pk)).exists()


def test_targets_fall_within_the_period(staff):
    campaign = make_campaign(staff)
    with pytest.raises(DomainError) as exc:
        add(staff, campaign, due=90)
    assert exc.value.code == "due_on"


def test_progress_is_reported_by_the_responsible_unit_or_the_centre(staff):
    campaign = make_campaign(staff)
    target = add(staff, campaign)
    progress_report(actor=staff["handler2"], target=target, progress=40, text="已约谈施工单位。")
    with pytest.raises(PermissionDeniedError):
        progress_report(actor=staff["handler"], target=target, progress=90, text="x")  # 住建局
    progress_report(actor=staff["mediator"], target=target, progress=60, text="已支付一半。")
    target.refresh_from_db()
    assert target.progress == 60
    assert target.reports.count() == 2
    record = AuditRecord.objects.filter(action="campaign.target.progress").latest("id")
    assert record.before == {"progress": 40}
    assert record.after == {"progress": 60}
    with pytest.raises(DomainError):
        progress_report(actor=staff["mediator"], target=target, progress=101, text="x")


def test_closing_targets_then_the_campaign(staff):
    campaign = make_campaign(staff)
    solved = add(staff, campaign)
    unsolved = add(staff, campaign, unit="zjj", title="某小区物业纠纷")
    target_close(actor=staff["mediator"], target=solved, solved=True, note="工资已全部发放。")
    with pytest.raises(DomainError) as exc:
        campaign_close(actor=staff["mediator"], campaign=campaign, note="总结")
    assert exc.value.code == "targets_open"
    with pytest.raises(PermissionDeniedError):
        target_close(actor=staff["handler"], target=unsolved, solved=True, note="x")
    target_close(actor=staff["mediator"], target=unsolved, solved=False, note="转入台账继续化解。")
    campaign = campaign_close(actor=staff["mediator"], campaign=campaign, note="行动结束。")
    assert campaign.status == Campaign.Status.CLOSED
    solved.refresh_from_db()
    unsolved.refresh_from_db()
    assert (solved.status, solved.progress) == (CampaignTarget.Status.DONE, 100)
    assert unsolved.status == CampaignTarget.Status.UNSOLVED
    with pytest.raises(DomainError):
        add(staff, campaign)  # closed campaigns take no more targets


def test_dashboard_numbers(client, staff):
    campaign = make_campaign(staff)
    a = add(staff, campaign)
    b = add(staff, campaign, unit="zjj")
    add(staff, campaign, unit="zjj", title="逾期目标", due=-5)
    progress_report(actor=staff["handler2"], target=a, progress=80, text="进展顺利。")
    target_close(actor=staff["mediator"], target=b, solved=True, note="已解决。")
    board = campaign_board(campaign, today=TODAY())
    assert (board.total, board.done, board.open, board.overdue) == (3, 1, 2, 1)
    assert board.average_progress == round((80 + 100 + 0) / 3)
    by_unit = {u["unit"].code: (u["total"], u["done"], u["progress"]) for u in board.by_unit}
    assert by_unit == {"rsj": (1, 0, 80), "zjj": (2, 1, 50)}
    assert board.rows[0].last_report.text == "进展顺利。"

    client.force_login(staff["leader"])
    response = client.get(f"/disputes/campaigns/{campaign.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<progress max="100" value="80">' in page


def _queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    return len(ctx.captured_queries)


def test_dashboard_query_count_does_not_grow_with_targets(client, staff):
    campaign = make_campaign(staff)
    add(staff, campaign)
    client.force_login(staff["leader"])
    url = f"/disputes/campaigns/{campaign.pk}/"
    few = _queries(client, url)
    for i in range(8):
        t = add(staff, campaign, unit="zjj" if i % 2 else "rsj", title=f"目标{i}")
        progress_report(actor=staff["mediator"], target=t, progress=10 * i, text="进展")
    assert _queries(client, url) == few


def test_responsible_unit_reports_progress_through_the_page(client, staff):
    campaign = make_campaign(staff)
    target = add(staff, campaign)
    client.force_login(staff["handler2"])
    page = client.get(f"/disputes/campaigns/{campaign.pk}/").content.decode()
    assert f'data-progress-for="{target.pk}"' in page
    assert f'data-close-for="{target.pk}"' not in page  # closing is the centre's
    response = client.post(
        f"/disputes/campaigns/{campaign.pk}/act/progress/",
        {"target": target.pk, f"p{target.pk}-progress": 55, f"p{target.pk}-text": "已追回部分工资"},
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.progress == 55
    client.force_login(staff["handler"])
    response = client.post(
        f"/disputes/campaigns/{campaign.pk}/act/progress/",
        {"target": target.pk, f"p{target.pk}-progress": 99, f"p{target.pk}-text": "x"},
    )
    assert response.status_code == 400
    target.refresh_from_db()
    assert target.progress == 55


def test_campaign_ledger_export(client, staff):
    campaign = make_campaign(staff)
    add(staff, campaign)
    client.force_login(staff["analyst"])
    response = client.get(f"/disputes/campaigns/{campaign.pk}/export.xlsx")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][0].startswith("专项行动台账 根治欠薪冬季专项行动")
    assert rows[1][:5] == ("序号", "目标问题", "责任单位", "责任领导", "完成时限")
    assert rows[2][1] == "某工地拖欠农民工工资"
    assert AuditRecord.objects.filter(action="campaign.export").exists()
