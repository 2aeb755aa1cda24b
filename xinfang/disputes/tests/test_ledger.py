"""The dispute ledger: towns report through the system and see only their own town; the
centre and the county-wide readers see all; parties masked for those without the right;
exports in Chinese, masked by default, audited."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from xinfang.audit.models import AuditRecord
from xinfang.cases.services import case_route
from xinfang.cases.tests.factories import register
from xinfang.core.errors import DomainError, PermissionDeniedError
from xinfang.core.models import Notification
from xinfang.disputes.models import Dispute, Status
from xinfang.disputes.selectors import disputes_visible_to, ledger_summary
from xinfang.org.models import Division, Unit

from .factories import report

pytestmark = pytest.mark.django_db


def test_town_staff_report_a_dispute_of_their_town_and_it_is_audited(staff):
    dispute = report(staff)
    assert dispute.number.startswith(f"JF{dispute.found_on.year}-")
    assert dispute.reporting_unit.code == "gov-530423101"
    assert dispute.status == Status.REPORTED
    assert dispute.deadline == dispute.found_on + timedelta(days=30)
    assert dispute.parties.count() == 2
    record = AuditRecord.objects.get(action="dispute.report", object_id=str(dispute.pk))
    assert record.actor == staff["yangguang"]
    # Identifiers of the parties never go into the audit trail.
    assert "13800001111" not in str(record.after)
    assert "张三丰" not in str(record.after)


def test_town_staff_cannot_report_for_another_town(staff):
    with pytest.raises(DomainError) as exc:
        report(staff, division=Division.objects.get(code="530423102"))  # 河西镇
    assert exc.value.code == "other_town"
    assert Dispute.objects.count() == 0


def test_roles_without_mediate_cannot_report(staff):
    for name in ("leader", "analyst", "clerk"):
        with pytest.raises(PermissionDeniedError):
            report(staff, username=name, responsible_unit=Unit.objects.get(code="zjj"))


def test_a_town_sees_only_its_own_town_the_centre_and_readers_see_all(staff):
    yangguang = report(staff)
    hexi = report(
        staff,
        username="hexi",
        title="劳资纠纷",
        dispute_type="labour_wages",
        division=Division.objects.get(code="530423102"),
    )
    by_dept = report(
        staff,
        username="handler2",  # 人社局 reports a wage dispute in 杨广镇, answers for it itself
        title="某企业拖欠工资",
        division=Division.objects.get(code="530423101"),
    )

    def seen(name: str) -> set[int]:
        return set(disputes_visible_to(staff[name]).values_list("pk", flat=True))

    assert seen("yangguang") == {yangguang.pk, by_dept.pk}  # all of 杨广镇, whoever reported
    assert seen("hexi") == {hexi.pk}
    assert seen("handler2") == {by_dept.pk}  # its own unit's
    assert seen("handler") == set()  # 住建局: none of these concern it
    for name in ("mediator", "supervisor", "leader", "analyst"):
        assert seen(name) == {yangguang.pk, hexi.pk, by_dept.pk}, name
    for name in ("clerk", "inspector", "admin"):
        assert seen(name) == set(), name


def test_another_towns_dispute_answers_404(client, staff):
    dispute = report(staff)
    client.force_login(staff["hexi"])
    assert client.get(f"/disputes/ledger/{dispute.pk}/").status_code == 404
    assert client.get(f"/disputes/ledger/{dispute.pk}/agreement.pdf").status_code == 404
    response = client.post(
        f"/disputes/ledger/{dispute.pk}/act/resolve/",
        {"resolve-version": dispute.version, "resolve-note": "x"},
    )
    assert response.status_code == 404
    dispute.refresh_from_db()
    assert dispute.status == Status.REPORTED
    client.force_login(staff["yangguang"])
    assert client.get(f"/disputes/ledger/{dispute.pk}/").status_code == 200


def test_parties_are_masked_for_readers_without_the_right_and_viewing_is_logged(client, staff):
    dispute = report(staff)
    client.force_login(staff["analyst"])
    page = client.get(f"/disputes/ledger/{dispute.pk}/").content.decode()
    assert "张三丰" not in page
    assert "张**" in page
    assert "13800001111" not in page
    assert "138****1111" in page
    assert not AuditRecord.objects.filter(action="dispute.personal_data.view").exists()
    client.force_login(staff["yangguang"])
    page = client.get(f"/disputes/ledger/{dispute.pk}/").content.decode()
    assert "张三丰" in page
    assert "13800001111" in page
    assert AuditRecord.objects.filter(
        action="dispute.personal_data.view", actor=staff["yangguang"]
    ).exists()


def test_high_risk_disputes_are_told_to_the_centre(staff):
    dispute = report(staff, risk_level="high")
    told = Notification.objects.filter(kind="dispute.high_risk")
    assert set(told.values_list("user__username", flat=True)) == {"mediator", "supervisor"}
    assert dispute.number in told.first().message


def test_a_related_petition_case_must_be_one_the_reporter_may_see(staff):
    case = case_route(actor=staff["clerk"], case=register(staff), unit=Unit.objects.get(code="zjj"))
    with pytest.raises(DomainError) as exc:
        report(staff, case_number=case.number)  # a town does not see 住建局's cases
    assert exc.value.code == "case_not_found"
    dispute = report(staff, username="handler", case_number=case.number, division=case.division)
    assert dispute.case == case
    assert dispute.source == "petition"


def test_ledger_summary_counts_by_status_town_and_overdue(staff):
    report(staff, deadline=timezone.localdate() - timedelta(days=1))
    report(staff, risk_level="high")
    report(staff, username="hexi", division=Division.objects.get(code="530423102"))
    summary = ledger_summary(staff["mediator"], today=timezone.localdate())
    assert summary.total == 3
    assert summary.active == 3
    assert summary.overdue == 1
    assert summary.high_risk_active == 1
    assert dict((name, total) for name, total, _active in summary.by_town) == {
        "杨广镇": 2,
        "河西镇": 1,
    }
    assert ledger_summary(staff["hexi"], today=timezone.localdate()).total == 1


def test_ledger_list_filters_and_keeps_a_flat_query_count(
    client, staff, django_assert_max_num_queries
):
    for i in range(12):
        report(staff, title=f"纠纷{i}", risk_level="high" if i % 3 == 0 else "low")
    client.force_login(staff["mediator"])
    with django_assert_max_num_queries(15):
        response = client.get("/disputes/ledger/")
    assert response.status_code == 200
    assert response.content.decode().count("data-number=") == 12
    high = client.get("/disputes/ledger/?risk_level=high").content.decode()
    assert high.count("data-number=") == 4


def _sheet(content: bytes):
    return load_workbook(io.BytesIO(content)).active


def test_export_has_chinese_headings_and_masks_parties_by_default(client, staff):
    report(staff)
    client.force_login(staff["mediator"])
    response = client.get("/disputes/ledger/export.xlsx")
    assert response.status_code == 200
    rows = list(_sheet(response.content).iter_rows(values_only=True))
    assert rows[0][0].startswith("矛盾纠纷排查化解台账")
    assert rows[1][:5] == ("序号", "编号", "排查日期", "纠纷类型", "纠纷简要情况")
    assert "当事人" in rows[1]
    assert "包案领导" in rows[1]
    assert "化解期限" in rows[1]
    data = rows[2]
    assert "张**" in data[rows[1].index("当事人")]
    assert data[rows[1].index("联系电话")].startswith("138****1111")
    assert AuditRecord.objects.get(action="dispute.export").after["unmasked"] is False


def test_unmasked_export_needs_the_right_and_a_reason(client, staff):
    report(staff)
    client.force_login(staff["analyst"])
    assert client.get("/disputes/ledger/export.xlsx?unmask=1&reason=核对").status_code == 403
    client.force_login(staff["mediator"])
    response = client.get("/disputes/ledger/export.xlsx?unmask=1&reason=司法确认材料")
    rows = list(_sheet(response.content).iter_rows(values_only=True))
    assert "张三丰" in rows[2][rows[1].index("当事人")]
    record = AuditRecord.objects.filter(action="dispute.export").latest("id")
    assert record.after["unmasked"] is True
    assert record.after["reason"] == "司法确认材料"


def test_town_export_holds_only_the_towns_disputes(client, staff):
    report(staff)
    report(staff, username="hexi", division=Division.objects.get(code="530423102"))
    client.force_login(staff["hexi"])
    rows = list(
        _sheet(client.get("/disputes/ledger/export.xlsx").content).iter_rows(values_only=True)
    )
    assert len(rows) == 3  # title, headings, one dispute
    assert rows[2][rows[1].index("所在乡镇")] == "河西镇"


def test_entering_a_dispute_through_the_form(client, staff):
    client.force_login(staff["yangguang"])
    page = client.get("/disputes/ledger/new/").content.decode()
    divisions = re.search(r'<select name="division".*?</select>', page, re.S).group(0)
    assert "杨广镇" in divisions
    assert "河西镇" not in divisions
    response = client.post(
        "/disputes/ledger/new/",
        {
            "title": "邻里排水纠纷",
            "summary": "雨水排放引发邻里矛盾。",
            "dispute_type": "neighbour_family",
            "source": "routine",
            "division": Division.objects.get(code="530423101202").pk,
            "people_involved": 4,
            "risk_level": "medium",
            "found_on": timezone.localdate().isoformat(),
            "responsible_unit": staff["yangguang"].unit_id,
            "responsible_leader": "副镇长",
            "a_name": "王甲",
            "a_kind": "person",
            "b_name": "赵乙",
            "b_kind": "person",
        },
    )
    dispute = Dispute.objects.get(title="邻里排水纠纷")
    assert response.status_code == 302
    assert response.url == f"/disputes/ledger/{dispute.pk}/"
    assert dispute.parties.count() == 2
    assert dispute.risk_level == "medium"
