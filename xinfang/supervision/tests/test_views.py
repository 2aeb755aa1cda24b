"""The supervision pages through the test client: forms show errors beside the field, units
answer only their own items (404 for others), administrators edit the rules."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone

from conftest import verified_login
from xinfang.supervision.models import (
    BacklogEntry,
    EscalationRule,
    FieldInspection,
    FollowUp,
    ItemKind,
    ItemStatus,
    Priority,
    QualityInspection,
    SupervisionItem,
)
from xinfang.supervision.quality import quality_select
from xinfang.supervision.services import item_open

from .factories import answered, routed

pytestmark = pytest.mark.django_db


def field_errors(html: str, field: str) -> list[str]:
    """The error messages inside the field's own block (beside the field)."""
    block = re.search(rf'<div class="field" data-field="{field}">(.*?)\n</div>', html, re.S)
    assert block, f"no field {field}"
    return re.findall(r'<div class="error" role="alert">(.*?)</div>', block.group(1))


def new_item(users, unit_code="zjj", **kw):
    from xinfang.org.models import Unit

    params = {
        "actor": users["supervisor"],
        "kind": ItemKind.ORDER,
        "title": "督办：楼顶漏水",
        "text": "请报告维修进展。",
        "unit": Unit.objects.get(code=unit_code),
        "due_on": timezone.localdate() + timedelta(days=7),
    }
    params.update(kw)
    return item_open(**params)


def test_the_landing_page_shows_each_role_its_work(client, users):
    new_item(users)
    for who, expected in [
        ("handler", "My unit owes"),
        ("supervisor", "Awaiting the units"),
        ("inspector", "Waiting for inspection"),
        ("analyst", "Your role has nothing to do here"),
    ]:
        client.force_login(users[who])
        page = client.get("/supervision/", HTTP_ACCEPT_LANGUAGE="en")
        assert page.status_code == 200
        assert expected in page.content.decode(), who


def test_a_supervisor_opens_an_order_with_errors_beside_the_fields(client, users):
    client.force_login(users["supervisor"])
    assert client.get("/supervision/items/new/order/").status_code == 200
    assert client.get("/supervision/items/new/rework/").status_code == 404
    page = client.post(
        "/supervision/items/new/order/",
        {"title": "督办", "text": "", "due_on": "2020-01-01", "priority": "normal"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert page.status_code == 400
    html = page.content.decode()
    assert field_errors(html, "text") == ["This field is required."]
    assert field_errors(html, "unit") == ["Choose the unit, or give a case number."]
    # The service refuses a date in the past: the message goes beside the date.
    page = client.post(
        "/supervision/items/new/order/",
        {
            "title": "督办",
            "text": "请反馈",
            "due_on": "2020-01-01",
            "priority": "normal",
            "unit": users["handler"].unit_id,
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert field_errors(page.content.decode(), "due_on") == ["The date must not be in the past."]
    assert not SupervisionItem.objects.exists()
    # On a case: the unit is the case's handling unit.
    case = routed(users, on=timezone.localdate())
    due = (timezone.localdate() + timedelta(days=10)).isoformat()
    response = client.post(
        "/supervision/items/new/order/",
        {
            "title": "督办超期件",
            "text": "请说明原因",
            "due_on": due,
            "priority": "high",
            "case_number": case.number,
        },
    )
    item = SupervisionItem.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/supervision/items/{item.pk}/"
    assert (item.case, item.unit.code, item.priority) == (case, "zjj", Priority.HIGH)


def test_a_leader_gives_an_instruction_and_follows_it(client, users):
    client.force_login(users["leader"])
    due = (timezone.localdate() + timedelta(days=5)).isoformat()
    response = client.post(
        "/supervision/items/new/instruction/",
        {
            "title": "批示：尽快维修",
            "text": "请住建局五日内解决。",
            "due_on": due,
            "priority": "urgent",
            "unit": users["handler"].unit_id,
        },
    )
    assert response.status_code == 302
    item = SupervisionItem.objects.get()
    assert item.leader == users["leader"]
    assert item.kind == ItemKind.INSTRUCTION
    assert item.number in client.get("/supervision/leader/").content.decode()


def test_a_unit_answers_its_own_item_and_other_units_get_404(client, users):
    item = new_item(users)
    url = f"/supervision/items/{item.pk}/"
    client.force_login(users["handler2"])
    assert client.get(url).status_code == 404
    assert (
        client.post(f"{url}act/answer/", {"answer": "已办理完毕。", "version": 1}).status_code
        == 404
    )
    client.force_login(users["handler"])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="submit-answer"' in page.content.decode()
    assert 'name="submit-accept"' not in page.content.decode()
    page = client.post(
        f"{url}act/answer/", {"answer": "好", "version": 1}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert page.status_code == 400
    assert field_errors(page.content.decode(), "answer") == ["Write what was done and the result."]
    response = client.post(f"{url}act/answer/", {"answer": "已维修完毕，业主确认。", "version": 1})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == ItemStatus.ANSWERED
    # A stale form (old version) is refused, not applied twice.
    page = client.post(f"{url}act/answer/", {"answer": "再次反馈内容。", "version": 1})
    assert page.status_code == 400
    # The supervisor accepts it.
    client.force_login(users["supervisor"])
    assert 'name="submit-accept"' in client.get(url).content.decode()
    assert client.post(f"{url}act/accept/", {"note": "同意", "version": 2}).status_code == 302
    item.refresh_from_db()
    assert item.status == ItemStatus.DONE
    assert client.post(f"{url}act/nonsense/", {}).status_code == 404


def test_the_unit_queue_page_lists_urgent_work_first(client, users, django_assert_max_num_queries):
    normal = new_item(users, title="一般件")
    urgent = new_item(
        users,
        title="特急件",
        priority=Priority.URGENT,
        due_on=timezone.localdate() + timedelta(days=20),
    )
    for i in range(10):
        new_item(users, title=f"其他{i}")
    new_item(users, unit_code="rsj", title="人社局的件")
    client.force_login(users["handler"])
    with django_assert_max_num_queries(12):
        page = client.get("/supervision/unit/")
    html = page.content.decode()
    assert html.index(urgent.number) < html.index(normal.number)
    assert "人社局的件" not in html


def test_administrators_edit_the_rules_on_a_staff_page(client, users):
    client.force_login(users["supervisor"])
    assert client.get("/supervision/rules/").status_code == 403
    verified_login(client, users["admin"])
    page = client.get("/supervision/rules/")
    assert page.status_code == 200
    assert 'data-rule="item-warning"' in page.content.decode()
    rule = EscalationRule.objects.get(code="item-warning")
    data = {
        "name": "超期预警",
        "subject": "item",
        "kind": "",
        "step": "warning",
        "offset_days": "99",
        "recipients": ["unit_head"],
        "feedback_days": "5",
        "is_active": "on",
    }
    page = client.post(f"/supervision/rules/{rule.pk}/", data, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 400
    assert field_errors(page.content.decode(), "offset_days") == [
        "Between -60 and 60 working days."
    ]
    response = client.post(f"/supervision/rules/{rule.pk}/", data | {"offset_days": "2"})
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.offset_days, rule.recipients, rule.code) == (2, ["unit_head"], "item-warning")
    response = client.post(
        "/supervision/rules/new/",
        data
        | {
            "code": "leader-day-of",
            "step": "reminder",
            "offset_days": "0",
            "recipients": ["leader"],
            "kind": "instruction",
        },
    )
    assert response.status_code == 302
    assert EscalationRule.objects.get(code="leader-day-of").kind == "instruction"


def test_an_inspector_fails_an_answer_through_the_form(client, users):
    today = timezone.localdate()
    case = answered(users, on=today - timedelta(days=10), replied_on=today)
    inspection = quality_select(actor=users["inspector"], case=case)
    client.force_login(users["inspector"])
    url = f"/supervision/quality/{inspection.pk}/"
    page = client.get(url)
    assert page.status_code == 200
    # Answered in time: the form proposes it; the rest is for the inspector to judge.
    boxes = dict(
        re.findall(
            r'<input type="checkbox" name="met_(\w+)" id="[^"]+"( checked)?>', page.content.decode()
        )
    )
    assert boxes == {
        "facts_clear": "",
        "law_correct": "",
        "answer_complete": "",
        "in_time": " checked",
        "procedure_complete": "",
        "point_by_point": "",
    }
    ticks = {
        f"met_{c}": "on" for c in ["facts_clear", "law_correct", "in_time", "procedure_complete"]
    }
    page = client.post(url, ticks, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 400
    assert "Say what falls short: Answer complete and reasoned." in page.content.decode()
    response = client.post(
        url,
        ticks | {"note_answer_complete": "未说明依据", "note_point_by_point": "未逐项答复"},
    )
    assert response.status_code == 302
    inspection.refresh_from_db()
    assert (inspection.result, inspection.score) == ("fail", 65)
    rework = SupervisionItem.objects.get(kind=ItemKind.REWORK)
    client.force_login(users["handler"])
    assert rework.number in client.get("/supervision/unit/").content.decode()
    client.force_login(users["inspector"])
    rates = client.get("/supervision/quality/rates/").content.decode()
    assert "0.0 %" in rates
    assert "刘质检" in rates


def test_inspectors_pick_and_draw_cases(client, users):
    case = answered(users, replied_on=timezone.localdate())
    client.force_login(users["inspector"])
    page = client.post(
        "/supervision/quality/select/", {"number": "XF-nope"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert page.status_code == 400
    assert "No case with this number." in page.content.decode()
    response = client.post("/supervision/quality/select/", {"number": case.number})
    inspection = QualityInspection.objects.get()
    assert response["Location"] == f"/supervision/quality/{inspection.pk}/"
    answered(users, title="路灯", replied_on=timezone.localdate())
    today = timezone.localdate().isoformat()
    response = client.post(
        "/supervision/quality/draw/", {"start": today, "end": today, "mode": "all"}
    )
    assert response.status_code == 302
    assert QualityInspection.objects.count() == 2
    page = client.post(
        "/supervision/quality/draw/",
        {"start": today, "end": today, "mode": "random"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert field_errors(page.content.decode(), "percent") == ["Give the share to draw."]


def test_backlog_pages_for_supervisor_and_owner(client, users):
    case = routed(users, on=date(2026, 1, 5))
    entry = BacklogEntry.objects.create(case=case, long_open=True, enrolled_on=date(2026, 4, 10))
    client.force_login(users["supervisor"])
    assert case.number in client.get("/supervision/backlog/").content.decode()
    url = f"/supervision/backlog/{entry.pk}/"
    assert client.post(f"{url}act/assign/", {"owner": users["unithead"].pk}).status_code == 302
    client.force_login(users["handler"])
    assert client.get(url).status_code == 404
    client.force_login(users["unithead"])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="submit-resolve"' not in page.content.decode()
    assert client.post(f"{url}act/note/", {"text": "已约谈信访人"}).status_code == 302
    assert entry.notes.get().author == users["unithead"]
    page = client.post(f"{url}act/resolve/", {"resolution": "已化解"})
    assert page.status_code == 400  # only a supervisor resolves


def test_a_meeting_with_tasks_through_the_form(client, users):
    case = routed(users, on=timezone.localdate())
    client.force_login(users["supervisor"])
    url = f"/supervision/cases/{case.pk}/meeting/"
    today = timezone.localdate().isoformat()
    data = {
        "held_on": today,
        "chair": "杨县长",
        "units": [users["handler"].unit_id, users["handler2"].unit_id],
        "topics": "责任划分",
        "decisions": "住建局牵头",
        "task_unit_1": users["handler2"].unit_id,
        "task_text_1": "约谈施工方",
    }
    page = client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 400
    assert field_errors(page.content.decode(), "task_text_1") == [
        "A task needs its unit, what to do and a date."
    ]
    due = (timezone.localdate() + timedelta(days=7)).isoformat()
    response = client.post(url, data | {"task_due_1": due})
    assert response.status_code == 302
    task = SupervisionItem.objects.get(kind=ItemKind.TASK)
    assert task.unit.code == "rsj"
    assert client.get(response["Location"]).status_code == 200
    assert client.get("/supervision/complex/").status_code == 200


def test_a_field_inspection_through_the_pages(client, users):
    client.force_login(users["supervisor"])
    town = users["handler"].unit.__class__.objects.get(code="gov-530423101")
    today = timezone.localdate().isoformat()
    response = client.post(
        "/supervision/visits/new/",
        {
            "unit": town.pk,
            "planned_on": today,
            "purpose": "督查",
            "plan": "查台账",
            "team": "陈督办",
        },
    )
    visit = FieldInspection.objects.get()
    assert response["Location"] == f"/supervision/visits/{visit.pk}/"
    url = f"/supervision/visits/{visit.pk}/act/"
    assert (
        client.post(f"{url}visit/", {"visited_on": today, "summary": "总体良好"}).status_code == 302
    )
    page = client.post(
        f"{url}finding/",
        {"text": "台账不全", "severity": "minor", "correction": "补齐台账"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert field_errors(page.content.decode(), "due_on") == ["Set the date the correction is due."]
    assert (
        client.post(
            f"{url}finding/",
            {"text": "台账不全", "severity": "minor", "correction": "补齐台账", "due_on": today},
        ).status_code
        == 302
    )
    page = client.post(f"{url}close/", {})
    assert page.status_code == 400  # the correction is open
    assert "visits" in client.get("/supervision/visits/").content.decode()


def test_a_follow_up_call_through_the_page(client, users):
    from xinfang.cases.services import case_evaluate
    from xinfang.supervision.followups import follow_ups_open

    case = answered(users, replied_on=timezone.localdate())
    case_evaluate(actor=users["clerk"], case=case, rating="unsatisfied")
    follow_ups_open(today=timezone.localdate())
    follow_up = FollowUp.objects.get()
    client.force_login(users["supervisor"])
    assert case.number in client.get("/supervision/follow-ups/").content.decode()
    url = f"/supervision/follow-ups/{follow_up.pk}/"
    response = client.post(url, {"outcome": "resolved", "notes": "解释后信访人表示理解"})
    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.outcome == "resolved"
    assert follow_up.done_by == users["supervisor"]
