"""The fund pages: dashboard, a project's books, the forms' errors, approval, the
self-assessment and the disclosure download."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from conftest import verified_login
from xinfang.audit.models import AuditRecord
from xinfang.funds.models import AdjustmentStatus, BudgetAdjustment, FundProject, Spending

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_user(client, users):
    def login(name):
        verified_login(client, users[name])
        return client

    return login


def test_dashboard_shows_money_and_targets_side_by_side(
    demo_funds, as_user, django_assert_max_num_queries
):
    client = as_user("leader")
    with django_assert_max_num_queries(40):
        response = client.get(reverse("funds:dashboard") + "?year=2022")
    assert response.status_code == 200
    html = response.content.decode()
    for p in demo_funds:
        assert p.name in html
        assert f'data-project="{p.pk}"' in html
    assert "警用执法记录仪" in html
    assert "12345热线办件数量" in html
    assert 'id="funds-data"' in html
    assert "analytics/vendor/echarts.min.js" in html
    # No 2022 cases here: the 600 hotline cases and 10 suggestions will be missed (red).
    assert html.count('data-miss="1"') >= 2
    assert reverse("funds:disclosure", kwargs={"year": 2022, "fmt": "docx"}) in html


def test_dashboard_query_count_does_not_grow_with_projects(
    demo_funds, as_user, users, django_assert_max_num_queries
):
    from xinfang.funds import services
    from xinfang.org.models import Unit

    client = as_user("leader")
    url = reverse("funds:dashboard") + "?year=2022"
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as two:
        client.get(url)
    for i in range(3):
        services.project_create(
            actor=users["admin"],
            year=2022,
            name=f"演示项目{i}",
            basis="依据",
            implementing_unit=Unit.objects.get(code="xfj"),
            budget="100",
            lines=[("office", "", "100")],
        )
    with CaptureQueriesContext(connection) as five:
        client.get(url)
    assert len(five) == len(two)


def test_overspending_from_the_page_shows_the_error_beside_the_amount(demo_funds, as_user):
    client = as_user("analyst")
    p = demo_funds[0]
    meetings = p.lines.get(classification="meetings")  # 5,000 budget, 4,200 spent (demo)
    response = client.post(
        reverse("funds:spending_add", kwargs={"pk": p.pk}),
        {
            "spend-line": meetings.pk,
            "spend-spent_on": "2022-12-01",
            "spend-amount": "900",
            "spend-voucher": "V-900",
            "spend-description": "会议场地",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "would overspend the line" in html
    assert "800.00" in html
    assert not Spending.objects.filter(voucher="V-900").exists()
    response = client.post(
        reverse("funds:spending_add", kwargs={"pk": p.pk}),
        {
            "spend-line": meetings.pk,
            "spend-spent_on": "2022-12-01",
            "spend-amount": "800",
            "spend-voucher": "V-800",
            "spend-description": "会议场地",
            "spend-attachment": SimpleUploadedFile("v.pdf", b"%PDF-1.4 x", "application/pdf"),
        },
    )
    assert response.status_code == 302
    s = Spending.objects.get(voucher="V-800")
    page = client.get(reverse("funds:project", kwargs={"pk": p.pk})).content.decode()
    assert "V-800" in page
    file = client.get(reverse("funds:spending_attachment", kwargs={"pk": s.pk}))
    assert file.status_code == 200
    assert b"".join(file.streaming_content).startswith(b"%PDF")


def test_adjustment_requested_by_the_analyst_and_approved_by_the_leader(demo_funds, client, users):
    p = demo_funds[1]
    travel = p.lines.get(classification="travel")  # 9,400 budget, 8,870 spent (demo): 530 left
    commissioned = p.lines.get(classification="commissioned")  # fully spent
    verified_login(client, users["analyst"])
    url = reverse("funds:adjustment_request", kwargs={"pk": p.pk})
    response = client.post(
        url, {"adjust-line": commissioned.pk, "adjust-amount": "500", "adjust-reason": ""}
    )
    assert response.status_code == 400  # the reason is required
    for amount in ("600", "500"):
        response = client.post(
            url,
            {
                "adjust-line": commissioned.pk,
                "adjust-source_line": travel.pk,
                "adjust-amount": amount,
                "adjust-reason": "委托业务增加",
            },
        )
        assert response.status_code == 302
    too_much, fits = BudgetAdjustment.objects.order_by("pk")
    decide = reverse("funds:adjustment_decide", kwargs={"pk": fits.pk})
    assert client.post(decide, {"decision": "approve"}).status_code == 403  # analyst
    client.logout()
    verified_login(client, users["leader"])
    page = client.get(reverse("funds:project", kwargs={"pk": p.pk})).content.decode()
    assert decide in page
    response = client.post(
        reverse("funds:adjustment_decide", kwargs={"pk": too_much.pk}),
        {"decision": "approve"},
        follow=True,
    )
    assert "has only 530.00 yuan left" in response.content.decode()
    too_much.refresh_from_db()
    assert too_much.status == AdjustmentStatus.PENDING
    assert client.post(decide, {"decision": "approve", "note": "同意"}).status_code == 302
    fits.refresh_from_db()
    assert fits.status == AdjustmentStatus.APPROVED
    assert fits.decided_by == users["leader"]
    page = client.get(reverse("funds:project", kwargs={"pk": p.pk})).content.decode()
    assert 'data-left="30.00"' in page
    assert 'data-left="500.00"' in page


def test_indicator_added_and_value_entered_with_an_evidence_file(demo_funds, as_user):
    client = as_user("admin")
    p = demo_funds[0]
    response = client.post(
        reverse("funds:indicator_add", kwargs={"pk": p.pk}),
        {
            "ind-level2": "sustainability",
            "ind-name": "信访工作制度建设",
            "ind-operator": ">=",
            "ind-target": "2",
            "ind-unit": "项",
            "ind-metric": "",
        },
    )
    assert response.status_code == 302
    ind = p.indicators.get(name="信访工作制度建设")
    url = reverse("funds:indicator_enter", kwargs={"pk": ind.pk})
    response = client.post(url, {"value": "3", "applicable": "on"})
    assert response.status_code == 400
    assert "needs its evidence" in response.content.decode()
    response = client.post(
        url,
        {
            "value": "3",
            "applicable": "on",
            "evidence_file": SimpleUploadedFile("制度.pdf", b"%PDF-1.4 y", "application/pdf"),
        },
    )
    assert response.status_code == 302
    ind.refresh_from_db()
    assert ind.manual_value == 3
    assert ind.evidence_name == "制度.pdf"
    ev = client.get(reverse("funds:indicator_evidence", kwargs={"pk": ind.pk}))
    assert ev.status_code == 200


def test_assessment_page_scores_and_records(demo_funds, as_user):
    client = as_user("analyst")
    response = client.get(reverse("funds:assessment", kwargs={"year": 2022}))
    assert response.status_code == 200
    html = response.content.decode()
    assert "预算执行率" in html
    assert "95.77%" in html
    assert "98.23%" in html
    assert 'data-grade="' in html
    p = demo_funds[0]
    response = client.post(reverse("funds:assessment_record", kwargs={"pk": p.pk}))
    assert response.status_code == 302
    assert p.assessments.count() == 1
    assert "Recorded on" in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize(("fmt", "magic"), [("docx", b"PK"), ("pdf", b"%PDF")])
def test_disclosure_download(demo_funds, as_user, fmt, magic):
    client = as_user("supervisor")
    response = client.get(reverse("funds:disclosure", kwargs={"year": 2022, "fmt": fmt}))
    assert response.status_code == 200
    assert response.content.startswith(magic)
    assert f"funds-2022.{fmt}" in response["Content-Disposition"]
    assert AuditRecord.objects.filter(action="funds.disclosure_export").count() == 1
    assert (
        client.get(reverse("funds:disclosure", kwargs={"year": 2022, "fmt": "txt"})).status_code
        == 404
    )
    assert (
        client.get(reverse("funds:disclosure", kwargs={"year": 2019, "fmt": fmt})).status_code
        == 404
    )


def test_project_created_from_the_form(as_user, users):
    from xinfang.org.models import Unit

    client = as_user("admin")
    response = client.post(
        reverse("funds:project_create"),
        {
            "year": 2026,
            "name": "测试专项",
            "implementing_unit": Unit.objects.get(code="xfj").pk,
            "budget": "1000",
            "basis": "县政府常务会议",
        },
    )
    assert response.status_code == 302
    p = FundProject.objects.get(name="测试专项")
    response = client.post(
        reverse("funds:line_add", kwargs={"pk": p.pk}),
        {"line-classification": "travel", "line-detail": "", "line-amount": "1000.01"},
    )
    assert response.status_code == 400
    assert "more than the project" in response.content.decode()
    response = client.post(
        reverse("funds:project_edit", kwargs={"pk": p.pk}),
        {
            "basis": "县政府常务会议纪要",
            "overview": "概况",
            "content": "",
            "plan": "",
            "results": "",
        },
    )
    assert response.status_code == 302
    p.refresh_from_db()
    assert p.basis == "县政府常务会议纪要"
    assert AuditRecord.objects.filter(action="funds.project_update").exists()


def test_menu_shows_special_funds_to_who_may_see_them(client, users):
    for name, shown in (("leader", True), ("analyst", True), ("handler", False), ("clerk", False)):
        verified_login(client, users[name])
        html = client.get("/").content.decode()
        assert (reverse("funds:dashboard") in html) is shown, name
        client.logout()
