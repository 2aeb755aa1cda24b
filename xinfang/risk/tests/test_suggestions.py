"""Public-opinion notes and policy suggestions: evidence the author may see, sending,
adoption, and the yearly count for the centre's target (DOMAIN.md §7: at least 10)."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from xinfang.audit.models import AuditRecord
from xinfang.cases.services import case_route
from xinfang.cases.tests.factories import register
from xinfang.core.errors import DomainError, PermissionDeniedError
from xinfang.core.models import Notification
from xinfang.disputes.tests.factories import report
from xinfang.org.models import Unit
from xinfang.risk.models import SuggestionStatus
from xinfang.risk.selectors import (
    policy_suggestions_between,
    policy_suggestions_count,
    suggestion_adoption,
)
from xinfang.risk.suggestions import (
    note_create,
    suggestion_draft,
    suggestion_respond,
    suggestion_send,
)

pytestmark = pytest.mark.django_db


def draft(staff, actor="mediator", **kw):
    params = {
        "actor": staff[actor],
        "title": "加强农村承包地边界管理",
        "problem": "承包地边界纠纷在杨广镇集中出现。",
        "suggestion": "建议自然资源部门开展确权成果复核。",
        "to_unit": Unit.objects.get(code="zjj"),
    }
    params.update(kw)
    return suggestion_draft(**params)


def test_a_note_links_the_cases_and_disputes_behind_it(staff):
    case = case_route(actor=staff["clerk"], case=register(staff), unit=Unit.objects.get(code="zjj"))
    dispute = report(staff)
    with pytest.raises(DomainError) as exc:
        note_create(
            actor=staff["yangguang"],
            title="群众反映物业问题",
            content="多个小区反映物业服务差。",
            source="cases",
            case_numbers=[case.number],  # the town cannot see 住建局's case
        )
    assert exc.value.code == "evidence_not_found"
    note = note_create(
        actor=staff["supervisor"],
        title="群众反映物业问题",
        content="多个小区反映物业服务差。",
        source="cases",
        case_numbers=[case.number],
        dispute_numbers=[dispute.number],
    )
    assert list(note.cases.all()) == [case]
    assert list(note.disputes.all()) == [dispute]
    assert note.unit.code == "xfj"
    with pytest.raises(DomainError) as exc:
        note_create(
            actor=staff["supervisor"],
            title="x",
            content="联系人13812345678反映",
            source="hotline",
        )
    assert exc.value.code == "personal_data"


def test_sent_suggestions_count_for_the_year_drafts_do_not(staff):
    dispute = report(staff)
    year = timezone.localdate().year
    first = draft(staff, dispute_numbers=[dispute.number])
    assert policy_suggestions_count(year) == 0  # a draft does not count
    suggestion_send(actor=staff["mediator"], suggestion=first)
    second = draft(staff, title="规范物业服务", dispute_numbers=[dispute.number])
    suggestion_send(actor=staff["mediator"], suggestion=second, sent_on=date(year - 1, 12, 30))
    assert policy_suggestions_count(year) == 1
    assert policy_suggestions_count(year - 1) == 1
    assert policy_suggestions_between(date(year - 1, 12, 1), date(year, 12, 31)) == 2
    told = Notification.objects.filter(kind="suggestion.sent")
    assert set(told.values_list("user__username", flat=True)) == {"handler", "unithead"}


def test_a_suggestion_is_sent_only_with_evidence(staff):
    s = draft(staff)
    with pytest.raises(DomainError) as exc:
        suggestion_send(actor=staff["mediator"], suggestion=s)
    assert exc.value.code == "no_evidence"
    s.refresh_from_db()
    assert s.status == SuggestionStatus.DRAFT
    assert s.sent_on is None


def test_only_the_centre_drafts_and_sends(staff):
    with pytest.raises(PermissionDeniedError):
        draft(staff, actor="yangguang")
    with pytest.raises(PermissionDeniedError):
        draft(staff, actor="handler")


def test_adoption_is_recorded_by_the_department_or_the_centre(staff):
    dispute = report(staff)
    s = suggestion_send(
        actor=staff["mediator"], suggestion=draft(staff, dispute_numbers=[dispute.number])
    )
    with pytest.raises(PermissionDeniedError):
        suggestion_respond(actor=staff["handler2"], suggestion=s, adoption="adopted", response="x")
    s = suggestion_respond(
        actor=staff["handler"],
        suggestion=s,
        adoption=SuggestionStatus.PARTLY,
        response="已部署确权成果复核，经费另行申请。",
    )
    assert s.status == SuggestionStatus.PARTLY
    with pytest.raises(DomainError):
        suggestion_respond(actor=staff["mediator"], suggestion=s, adoption="adopted", response="y")
    adoption = suggestion_adoption(timezone.localdate().year)
    assert adoption == {"sent": 0, "adopted": 0, "partly": 1, "not_adopted": 0}
    actions = list(
        AuditRecord.objects.filter(object_type="risk.policysuggestion")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["suggestion.draft", "suggestion.send", "suggestion.respond"]


def test_the_analytics_count_source_is_registered():
    analytics = pytest.importorskip("xinfang.analytics.selectors")
    source = analytics.COUNT_SOURCES["policy_suggestions"]

    class Period:
        start, end = date(2026, 1, 1), date(2026, 12, 31)

    assert source(Period()) == 0


def test_suggestions_page_shows_the_yearly_count_and_the_ledger_exports(client, staff):
    dispute = report(staff)
    for i in range(3):
        suggestion_send(
            actor=staff["mediator"],
            suggestion=draft(staff, title=f"建议{i}", dispute_numbers=[dispute.number]),
        )
    client.force_login(staff["leader"])
    page = client.get("/disputes/suggestions/").content.decode()
    assert "3/10" in page
    rows = list(
        load_workbook(
            io.BytesIO(client.get("/disputes/suggestions/export.xlsx").content)
        ).active.iter_rows(values_only=True)
    )
    assert rows[1][:4] == ("序号", "编号", "标题", "发现的问题")
    assert len(rows) == 5
    assert dispute.number in rows[2][-1]


def test_a_department_sees_only_what_was_sent_to_it(client, staff):
    dispute = report(staff)
    s = suggestion_send(
        actor=staff["mediator"], suggestion=draft(staff, dispute_numbers=[dispute.number])
    )
    client.force_login(staff["handler"])
    page = client.get(f"/disputes/suggestions/{s.pk}/").content.decode()
    assert 'data-action="respond"' in page
    assert f'<span class="mono">{dispute.number}</span>' in page  # evidence it may not open
    client.force_login(staff["handler2"])
    assert client.get(f"/disputes/suggestions/{s.pk}/").status_code == 404


def test_drafting_and_sending_through_the_pages(client, staff):
    dispute = report(staff)
    client.force_login(staff["mediator"])
    response = client.post(
        "/disputes/suggestions/new/",
        {
            "title": "完善调解员补贴制度",
            "problem": "村级调解员流失较多。",
            "suggestion": "建议提高村级调解员补贴。",
            "to_unit": Unit.objects.get(code="sfj").pk,
            "dispute_numbers": f"{dispute.number}, JF1999-0001",
        },
    )
    assert response.status_code == 400
    assert "JF1999-0001" in response.content.decode()
    response = client.post(
        "/disputes/suggestions/new/",
        {
            "title": "完善调解员补贴制度",
            "problem": "村级调解员流失较多。",
            "suggestion": "建议提高村级调解员补贴。",
            "to_unit": Unit.objects.get(code="sfj").pk,
            "dispute_numbers": dispute.number,
        },
    )
    assert response.status_code == 302
    assert client.post(f"{response.url}act/send/").status_code == 302
    assert policy_suggestions_count(timezone.localdate().year) == 1
