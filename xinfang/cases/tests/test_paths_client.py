"""Every path of issue #3 through the web pages (Django test client), as staff click it.

The clock is frozen on the day of each step (time-machine), so the due dates the pages and
services compute are known in advance; they are worked out by hand from the 2026 holiday
notice in the comments. Each applied action is checked for its new state and version, one
timeline event (also on the page), one audit record with the old and new status; each
refused action for the error on the page and for changing nothing at all.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from pypdf import PdfReader

from xinfang.audit.models import AuditRecord
from xinfang.cases import services as s
from xinfang.cases.models import Case, CaseDocument, Category, Channel, Status
from xinfang.cases.sweep import sweep_deadlines
from xinfang.documents.pdf import DocumentKind, document_title
from xinfang.org.models import Division, Unit

from .factories import register

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
D = date
ANSWER = "经调查，楼顶防水层老化属实，已责成物业公司于四月底前完成维修。"
ID_NUMBER, PHONE, HOME = "530423199001011234", "13800001111", "河西镇示例村12号"
RECEIVED = D(2026, 3, 2)  # a Monday


def unit(code: str) -> Unit:
    return Unit.objects.get(code=code)


def registration(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "channel": "letter",
        "petition_type": "appeal",
        "category": Category.objects.get(code="urban-rural").pk,
        "title": "小区楼顶漏水无人维修",
        "content": "秀山街道某小区5栋楼顶漏水两年，多次反映物业未处理。",
        "request": "要求尽快维修楼顶防水层",
        "division": Division.objects.get(code="530423001").pk,
        "received_on": "2026-03-02",
        "name": "张三",
        "id_number": ID_NUMBER,
        "phone": PHONE,
        "petitioner_address": HOME,
        "people_count": 1,
        "repeat_checked": "1",  # the clerk has looked at earlier cases: a new matter
    }
    data.update(overrides)
    return data


def alerts(response: Any) -> list[str]:
    return re.findall(r'role="alert">([^<]*)<', response.content.decode())


def audits(case: Case, action: str) -> int:
    return AuditRecord.objects.filter(action=f"case.{action}", object_id=str(case.pk)).count()


def snapshot(case: Case) -> tuple[Any, ...]:
    """Everything a refused action must leave as it was."""
    case.refresh_from_db()
    fields = {f.attname: getattr(case, f.attname) for f in Case._meta.concrete_fields}
    records = (
        AuditRecord.objects.filter(object_type="cases.case", object_id=str(case.pk))
        .exclude(action="case.personal_data.view")  # the page itself logs who saw the data
        .count()
    )
    return (
        fields,
        list(case.events.values_list("id", flat=True)),
        list(case.documents.values_list("id", flat=True)),
        list(case.reviews.values_list("id", "decided_on", "decide_due")),
        sorted(case.co_units.values_list("pk", flat=True)),
        records,
    )


def pdf_text(blob: bytes) -> str:
    return re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(blob)).pages))


class Desk:
    """Staff at the web pages: every request on its own day, signed in as the one who acts."""

    def __init__(self, client: Any, users: dict[str, Any]) -> None:
        self.client = client
        self.users = users

    @staticmethod
    def _on(day: date) -> Any:
        return time_machine.travel(datetime(day.year, day.month, day.day, 10, tzinfo=SHANGHAI))

    def get(self, who: str, url: str, day: date = RECEIVED, **params: Any) -> Any:
        with self._on(day):
            self.client.force_login(self.users[who])
            return self.client.get(url, params)

    def post(self, who: str, url: str, data: dict[str, Any], day: date) -> Any:
        with self._on(day):
            self.client.force_login(self.users[who])
            return self.client.post(url, data)

    def register(self, day: date = RECEIVED, **overrides: Any) -> Any:
        return self.post("clerk", "/cases/register/", registration(**overrides), day)

    def registered(self, day: date = RECEIVED, **overrides: Any) -> Case:
        response = self.register(day, **overrides)
        assert response.status_code == 302, alerts(response)
        return Case.objects.get(pk=int(response.url.rstrip("/").rsplit("/", 1)[1]))

    def act(self, case: Case, action: str, who: str, day: date, **fields: Any) -> Any:
        case.refresh_from_db()
        data = {f"{action}-version": case.version}
        data.update({f"{action}-{k}": v for k, v in fields.items()})
        return self.post(who, f"/cases/{case.pk}/act/{action}/", data, day)

    def step(
        self, case: Case, action: str, who: str, day: date, expect: str, **fields: Any
    ) -> Case:
        """One action that applies: state, version, one event, one audit record, the page."""
        case.refresh_from_db()
        status, version, events, records = (
            case.status,
            case.version,
            case.events.count(),
            audits(case, action),
        )
        response = self.act(case, action, who, day, **fields)
        assert response.status_code == 302, alerts(response)
        assert response.url == f"/cases/{case.pk}/"
        case.refresh_from_db()
        assert (case.status, case.version) == (expect, version + 1)
        assert case.events.count() == events + 1
        event = case.events.order_by("id").last()
        user = self.users[who]
        assert (event.action, event.from_status, event.to_status, event.actor) == (
            action,
            status,
            expect,
            user,
        )
        assert audits(case, action) == records + 1
        record = AuditRecord.objects.filter(action=f"case.{action}", object_id=str(case.pk)).latest(
            "id"
        )
        assert record.actor == user
        if status != expect:
            assert (record.before["status"], record.after["status"]) == (status, expect)
        response = self.get(who, f"/cases/{case.pk}/", day)
        if response.status_code == 404:  # e.g. a unit that returned the case: the county sees it
            response = self.get("leader", f"/cases/{case.pk}/", day)
        page = response.content.decode()
        shown = page.count(f'<li data-action="{action}">')
        assert shown == case.events.filter(action=action).count()
        return case

    def refused(self, case: Case, action: str, who: str, day: date, **fields: Any) -> str:
        """An action refused with the error on the page; nothing changes."""
        before = snapshot(case)
        response = self.act(case, action, who, day, **fields)
        assert response.status_code == 400
        html = response.content.decode()
        assert 'role="alert"' in html
        assert snapshot(case) == before
        return html

    def document(self, doc: CaseDocument, who: str, *phrases: str) -> str:
        """Download a stored document; it is the stored PDF and shows Chinese text."""
        with doc.file.open("rb") as fh:
            stored = fh.read()
        assert hashlib.sha256(stored).hexdigest() == doc.sha256
        downloads = AuditRecord.objects.filter(
            action="case.document.download", object_id=str(doc.pk)
        ).count()
        response = self.get(who, f"/cases/{doc.case_id}/documents/{doc.pk}/")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        body = b"".join(response.streaming_content)
        assert body == stored
        assert body.startswith(b"%PDF-")
        text = pdf_text(body)
        assert document_title(DocumentKind(doc.kind)) in text
        assert doc.case.number in text
        assert doc.number in text
        for phrase in phrases:
            assert re.sub(r"\s+", "", phrase) in text, phrase
        assert (
            AuditRecord.objects.filter(
                action="case.document.download", object_id=str(doc.pk)
            ).count()
            == downloads + 1
        )
        return text


@pytest.fixture
def desk(client, users) -> Desk:
    return Desk(client, users)


# --- walks used by several tests ---------------------------------------------------------


def answered(desk: Desk, **overrides: Any) -> Case:
    """Registered Mon 03-02, routed 03-03, accepted 03-05, answered 04-10 (all via the web)."""
    case = desk.registered(**overrides)
    case = desk.step(case, "route", "clerk", D(2026, 3, 3), Status.ROUTED, unit=unit("zjj").pk)
    case = desk.step(case, "accept", "handler", D(2026, 3, 5), Status.IN_HANDLING)
    return desk.step(
        case, "reply", "handler", D(2026, 4, 10), Status.REPLIED, outcome="supported", text=ANSWER
    )


def walk_to_termination(desk: Desk) -> Case:
    """register -> route -> accept -> extend -> answer -> rating -> review requested and
    decided -> re-review requested and decided (终结), checking every due date on the way."""
    case = desk.registered()
    assert (case.route_due, case.due_on) == (D(2026, 3, 17), D(2026, 3, 17))  # art. 22: 15 days
    case = desk.step(case, "route", "clerk", D(2026, 3, 3), Status.ROUTED, unit=unit("zjj").pk)
    # art. 23: acceptance notice within 15 days (Wed 03-18); objection within 5 working days
    # (03-04, 05, 06, 09, 10)
    assert (case.routed_on, case.acceptance_due, case.objection_due, case.due_on) == (
        D(2026, 3, 3),
        D(2026, 3, 18),
        D(2026, 3, 10),
        D(2026, 3, 18),
    )
    case = desk.step(case, "accept", "handler", D(2026, 3, 5), Status.IN_HANDLING)
    # art. 34: 60 days from 03-05 = Mon 05-04, in the 劳动节 rest 05-01..05 -> Wed 05-06
    assert (case.accepted_on, case.acceptance_notified_on, case.handling_due, case.due_on) == (
        D(2026, 3, 5),
        D(2026, 3, 5),
        D(2026, 5, 6),
        D(2026, 5, 6),
    )
    case = desk.step(
        case,
        "extend",
        "unithead",
        D(2026, 4, 20),
        Status.EXTENDED,
        days=30,
        reason="需现场勘验并组织专家论证",
    )
    # art. 34: + 30 days from the unmoved end 05-04 (not from 05-06) -> Wed 06-03
    assert (case.extension_days, case.handling_due, case.due_on) == (
        30,
        D(2026, 6, 3),
        D(2026, 6, 3),
    )
    case = desk.step(
        case, "reply", "handler", D(2026, 6, 3), Status.REPLIED, outcome="supported", text=ANSWER
    )
    # answered on the last day: on time; rating window 30 days (07-03); review request within
    # 30 days (art. 35): 06-03 + 30 = Fri 07-03
    assert case.events.order_by("id").last().data["on_time"] is True
    assert (case.replied_on, case.evaluation_due, case.review_request_due, case.due_on) == (
        D(2026, 6, 3),
        D(2026, 7, 3),
        D(2026, 7, 3),
        None,
    )
    case = desk.step(
        case,
        "evaluate",
        "clerk",
        D(2026, 6, 5),
        Status.EVALUATED,
        rating="unsatisfied",
        comment="维修后仍漏水",
    )
    assert (case.rating, case.rated_on) == ("unsatisfied", D(2026, 6, 5))
    case = desk.step(
        case, "request_review", "clerk", D(2026, 6, 15), Status.REVIEW_REQUESTED, reason="仍漏水"
    )
    review = case.reviews.get(level="review")
    # art. 35: decided within 30 days of the request: 06-15 + 30 = Wed 07-15
    assert (review.requested_on, review.decide_due, case.due_on) == (
        D(2026, 6, 15),
        D(2026, 7, 15),
        D(2026, 7, 15),
    )
    case = desk.step(
        case,
        "decide_review",
        "supervisor",
        D(2026, 7, 10),
        Status.REVIEW_DECIDED,
        outcome="supported",
        text="复查认为原处理意见正确，责成再次维修。",
    )
    # art. 36: re-review requested within 30 days: 07-10 + 30 = Sun 08-09 -> Mon 08-10
    assert (case.review_request_due, case.due_on) == (D(2026, 8, 10), None)
    assert case.reviews.get(level="review").decided_on == D(2026, 7, 10)
    case = desk.step(
        case,
        "request_rereview",
        "clerk",
        D(2026, 7, 20),
        Status.REREVIEW_REQUESTED,
        reason="仍不满意",
    )
    # art. 36: decided within 30 days: 07-20 + 30 = Wed 08-19
    assert case.reviews.get(level="rereview").decide_due == D(2026, 8, 19)
    assert case.due_on == D(2026, 8, 19)
    case = desk.step(
        case,
        "decide_rereview",
        "leader",
        D(2026, 8, 21),
        Status.TERMINATED,
        outcome="not_supported",
        text="复核维持复查意见，本事项终结。",
        hearing_days=5,
    )
    rereview = case.reviews.get(level="rereview")
    # hearing time not counted (art. 36): 07-20 + 30 + 5 = Mon 08-24, so 08-21 is in time
    assert (rereview.hearing_days, rereview.decide_due, rereview.decided_on) == (
        5,
        D(2026, 8, 24),
        D(2026, 8, 21),
    )
    assert (case.closed_on, case.due_on) == (D(2026, 8, 21), None)
    return case


# --- registration from every channel ----------------------------------------------------


@pytest.mark.parametrize("channel", list(Channel))
def test_every_channel_is_registered_through_the_form(desk, users, channel):
    extra = {"deadline_assigned": "2026-03-20"} if channel == Channel.LEADER else {}
    response = desk.register(channel=channel, **extra)
    assert response.status_code == 302, alerts(response)
    case = Case.objects.get()
    assert response.url == f"/cases/{case.pk}/"
    assert (case.channel, case.status, case.registered_by) == (
        channel,
        Status.REGISTERED,
        users["clerk"],
    )
    assert case.number == "XF530423-2026-000001"
    assert (case.route_due, case.due_on) == (D(2026, 3, 17), D(2026, 3, 17))
    person = case.petitioners.get()
    assert (person.name, person.id_number, person.phone, person.address) == (
        "张三",
        ID_NUMBER,
        PHONE,
        HOME,
    )
    assert case.events.get().action == "register"
    record = AuditRecord.objects.get(action="case.register", object_id=str(case.pk))
    assert (record.actor, record.after["channel"], record.after["status"]) == (
        users["clerk"],
        channel,
        "registered",
    )
    page = desk.get("clerk", response.url).content.decode()
    assert case.number in page
    assert case.query_code in page
    assert "2026-03-17" in page  # routing due, in the deadlines table
    assert page.count('<li data-action="register">') == 1


def test_a_leader_instruction_carries_the_assigners_date_through_the_steps(desk, users):
    response = desk.register(channel="leader")
    assert response.status_code == 400
    assert 'aria-describedby="id_deadline_assigned_error"' in response.content.decode()
    assert not Case.objects.exists()
    case = desk.registered(channel="leader", deadline_assigned="2026-03-20")
    assert case.deadline_assigned == D(2026, 3, 20)
    case = desk.step(case, "route", "clerk", D(2026, 3, 3), Status.ROUTED, unit=unit("zjj").pk)
    case = desk.step(case, "accept", "handler", D(2026, 3, 5), Status.IN_HANDLING)
    assert (case.handling_due, case.due_on) == (D(2026, 3, 20), D(2026, 3, 20))
    desk.refused(case, "extend", "unithead", D(2026, 3, 10), days=10, reason="需要更多时间")


def test_a_collective_petition_has_at_most_five_representatives(desk, users):
    names = [f"代表{i}" for i in range(1, 7)]
    response = desk.register(representatives="\n".join(names), people_count=40)
    assert response.status_code == 400
    assert 'aria-describedby="id_representatives_error"' in response.content.decode()
    assert not Case.objects.exists()
    case = desk.registered(representatives="\n".join(names[:5]), people_count=40)
    assert (case.is_collective, case.people_count) == (True, 40)
    assert list(case.petitioners.values_list("role", "name")) == [("principal", "张三")] + [
        ("representative", n) for n in names[:5]
    ]
    page = desk.get("clerk", f"/cases/{case.pk}/").content.decode()
    assert all(n in page for n in names[:5])


# --- the whole life of a case -------------------------------------------------------------


def test_the_full_path_to_termination_with_every_deadline(desk, users):
    case = walk_to_termination(desk)
    assert list(case.events.order_by("id").values_list("action", flat=True)) == [
        "register",
        "route",
        "accept",
        "extend",
        "reply",
        "evaluate",
        "request_review",
        "decide_review",
        "request_rereview",
        "decide_rereview",
    ]
    page = desk.get("clerk", f"/cases/{case.pk}/", D(2026, 8, 21)).content.decode()
    # the deadlines table: routing, acceptance, objection, answer (extended), rating window
    for due in ["2026-03-17", "2026-03-18", "2026-03-10", "2026-06-03", "2026-07-03"]:
        assert due in page
    # ... the re-review request limit, met on 07-20, and both decisions: due and decided on
    rows = re.findall(r"<tr><td>[^<]+</td><td>([\d-]+)</td><td>([\d-]+|—)</td>", page)
    assert ("2026-08-10", "2026-07-20") in rows
    assert ("2026-07-15", "2026-07-10") in rows  # review (art. 35)
    assert ("2026-08-24", "2026-08-21") in rows  # re-review (art. 36), 5 hearing days
    timeline = re.findall(r'<li data-action="(\w+)">', page)
    assert timeline == list(case.events.order_by("at", "id").values_list("action", flat=True))
    # 终结: nothing the petitioner or the bureau can do moves it any more
    for action, who, fields in [
        ("request_review", "clerk", {"reason": "不服"}),
        ("request_rereview", "clerk", {"reason": "不服"}),
        ("close", "clerk", {}),
        ("route", "clerk", {"unit": unit("zjj").pk}),
    ]:
        desk.refused(case, action, who, D(2026, 8, 25), **fields)


def test_every_document_is_stored_with_the_case_and_opens_with_chinese_text(desk, users):
    case = walk_to_termination(desk)
    docs = {d.kind: d for d in case.documents.all()}
    assert list(case.documents.values_list("kind", flat=True)) == [
        "transfer_letter",
        "acceptance_notice",
        "extension_notice",
        "reply",
        "review_decision",
        "rereview_decision",
    ]
    desk.document(docs["transfer_letter"], "clerk", "通海县住房和城乡建设局", "2026年3月3日")
    desk.document(docs["acceptance_notice"], "handler", "张三", case.query_code, "2026年5月6日")
    desk.document(docs["extension_notice"], "unithead", "2026年6月3日", "需现场勘验并组织专家论证")
    desk.document(docs["reply"], "handler", ANSWER, "予以支持")
    desk.document(docs["review_decision"], "supervisor", "复查认为原处理意见正确")
    desk.document(docs["rereview_decision"], "leader", "复核维持复查意见", "不再受理")
    refused = desk.registered()
    refused = desk.step(
        refused, "route", "clerk", D(2026, 3, 3), Status.ROUTED, unit=unit("zjj").pk
    )
    refused = desk.step(
        refused,
        "not_accept",
        "handler",
        D(2026, 3, 6),
        Status.NOT_ACCEPTED,
        reason="该事项已进入诉讼程序，不属于信访事项。",
    )
    notice = refused.documents.get(kind="non_acceptance_notice")
    desk.document(notice, "handler", "张三", "该事项已进入诉讼程序")
    # every generated document is listed on the case page with a working link
    page = desk.get("clerk", f"/cases/{case.pk}/", D(2026, 8, 21)).content.decode()
    for doc in docs.values():
        assert f'href="/cases/{case.pk}/documents/{doc.pk}/"' in page
    other = refused.documents.get(kind="non_acceptance_notice")
    assert desk.get("clerk", f"/cases/{case.pk}/documents/{other.pk}/").status_code == 404


@pytest.mark.parametrize("where", ["registered", "routed", "returned"])
def test_not_accepted_with_a_written_reason(desk, users, where):
    case = desk.registered()
    who = "clerk"
    if where in ("routed", "returned"):
        case = desk.step(case, "route", "clerk", D(2026, 3, 3), Status.ROUTED, unit=unit("zjj").pk)
        desk.refused(case, "not_accept", "clerk", D(2026, 3, 4), reason="不属于信访事项")
        who = "handler"  # once routed, the unit decides on acceptance (art. 23)
    if where == "returned":
        case = desk.step(
            case, "return", "handler", D(2026, 3, 4), Status.RETURNED, reason="属于人社部门职责。"
        )
        who = "clerk"
    desk.refused(case, "not_accept", who, D(2026, 3, 6), reason="   ")
    reason = "该事项已进入诉讼程序，不属于信访事项。"
    case = desk.step(case, "not_accept", who, D(2026, 3, 6), Status.NOT_ACCEPTED, reason=reason)
    assert (case.not_accepted_reason, case.acceptance_notified_on, case.due_on) == (
        reason,
        D(2026, 3, 6),
        None,
    )
    desk.document(case.documents.get(kind="non_acceptance_notice"), who, reason)
    assert reason in desk.get(who, f"/cases/{case.pk}/").content.decode()


def test_returned_by_a_unit_without_authority_and_rerouted(desk, users):
    case = desk.registered()
    case = desk.step(case, "route", "clerk", D(2026, 3, 3), Status.ROUTED, unit=unit("zjj").pk)
    assert case.objection_due == D(2026, 3, 10)
    desk.refused(case, "return", "handler", D(2026, 3, 10), reason="  ")
    # on the last of the 5 working days: in time
    case = desk.step(
        case, "return", "handler", D(2026, 3, 10), Status.RETURNED, reason="属于人社部门职责。"
    )
    assert (case.handling_unit, case.acceptance_due, case.objection_due, case.due_on) == (
        None,
        None,
        None,
        D(2026, 3, 17),  # back to the bureau's routing limit
    )
    assert desk.get("handler", f"/cases/{case.pk}/").status_code == 404
    returned = desk.get("clerk", "/cases/", D(2026, 3, 10), queue="returned").content.decode()
    assert case.number in returned
    case = desk.step(case, "route", "clerk", D(2026, 3, 11), Status.ROUTED, unit=unit("rsj").pk)
    # a new routing, new limits: 03-11 + 15 = Thu 03-26; 5 working days -> Wed 03-18
    assert (case.handling_unit, case.acceptance_due, case.objection_due) == (
        unit("rsj"),
        D(2026, 3, 26),
        D(2026, 3, 18),
    )
    case = desk.step(case, "accept", "handler2", D(2026, 3, 12), Status.IN_HANDLING)
    assert case.documents.filter(kind="transfer_letter").count() == 2


def test_an_objection_after_five_working_days_is_refused(desk, users):
    case = desk.registered()
    case = desk.step(case, "route", "clerk", D(2026, 3, 3), Status.ROUTED, unit=unit("zjj").pk)
    html = desk.refused(case, "return", "handler", D(2026, 3, 11), reason="不属于本单位职责。")
    assert "2026-03-10" in html


def test_merged_as_a_repeat_of_an_earlier_case(desk, users):
    original = desk.registered()
    original = desk.step(
        original, "route", "clerk", D(2026, 3, 3), Status.ROUTED, unit=unit("zjj").pk
    )
    repeat = desk.registered(D(2026, 3, 5), received_on="2026-03-05")
    desk.refused(repeat, "merge", "clerk", D(2026, 3, 6), into="XF530423-2026-999999")
    repeat = desk.step(repeat, "merge", "clerk", D(2026, 3, 6), Status.MERGED, into=original.number)
    assert (repeat.repeat_of, repeat.is_repeat, repeat.due_on) == (original, True, None)
    assert repeat.events.order_by("id").last().data == {"into": original.number}
    third = desk.registered(D(2026, 3, 6), received_on="2026-03-06")
    desk.refused(third, "merge", "clerk", D(2026, 3, 6), into=repeat.number)  # not a chain
    desk.refused(repeat, "route", "clerk", D(2026, 3, 7), unit=unit("zjj").pk)


@pytest.mark.parametrize(
    ("to", "label"),
    [("litigation", "诉讼"), ("arbitration", "仲裁"), ("reconsideration", "行政复议")],
)
def test_diverted_to_a_legal_procedure(desk, users, to, label):
    case = desk.registered()
    reason = "请依法通过相应的法定程序解决。"
    case = desk.step(case, "divert", "clerk", D(2026, 3, 4), Status.DIVERTED, to=to, reason=reason)
    assert (case.diverted_to, case.not_accepted_reason, case.acceptance_notified_on) == (
        to,
        reason,
        D(2026, 3, 4),
    )
    desk.document(case.documents.get(kind="non_acceptance_notice"), "clerk", label, reason)
    desk.refused(case, "route", "clerk", D(2026, 3, 5), unit=unit("zjj").pk)


def test_joint_handling_by_a_lead_unit_with_co_handling_units(desk, users):
    zjj, rsj, jtysj = unit("zjj"), unit("rsj"), unit("jtysj")
    case = desk.registered()
    case = desk.step(
        case, "route", "clerk", D(2026, 3, 3), Status.ROUTED, unit=zjj.pk, co_units=[rsj.pk]
    )
    assert (case.handling_unit, list(case.co_units.all())) == (zjj, [rsj])
    url = f"/cases/{case.pk}/"
    assert desk.get("handler2", url).status_code == 200  # a co-unit sees the case
    desk.refused(case, "accept", "handler2", D(2026, 3, 4))  # ... the lead unit decides
    case = desk.step(case, "accept", "handler", D(2026, 3, 4), Status.IN_HANDLING)
    desk.refused(case, "joint", "clerk", D(2026, 3, 6), lead=zjj.pk, co_units=[])
    case = desk.step(
        case,
        "joint",
        "clerk",
        D(2026, 3, 6),
        Status.IN_HANDLING,
        lead=rsj.pk,
        co_units=[zjj.pk, jtysj.pk],
    )
    assert case.handling_unit == rsj
    assert set(case.co_units.all()) == {zjj, jtysj}
    data = case.events.order_by("id").last().data
    assert (data["lead"], sorted(data["co_units"])) == (rsj.name, sorted([zjj.name, jtysj.name]))
    desk.refused(case, "reply", "handler", D(2026, 3, 20), outcome="supported", text=ANSWER)
    case = desk.step(
        case,
        "reply",
        "handler2",
        D(2026, 3, 20),
        Status.REPLIED,
        outcome="explained",
        text=ANSWER,
    )
    assert desk.get("handler", url).status_code == 200  # now a co-unit, still sees it


# --- refusals -----------------------------------------------------------------------------


def _in_state(users: dict[str, Any], state: str) -> Case:
    """A case brought to ``state`` through the services (the web paths are tested above)."""
    case = register(users)
    if state == "registered":
        return case
    case = s.case_route(actor=users["clerk"], case=case, unit=unit("zjj"), today=D(2026, 3, 3))
    case = s.case_accept(actor=users["handler"], case=case, today=D(2026, 3, 5))
    if state == "in_handling":
        return case
    if state == "extended":
        return s.case_extend(actor=users["unithead"], case=case, days=10, reason="需现场勘验")
    case = s.case_reply(
        actor=users["handler"], case=case, outcome="supported", text=ANSWER, today=D(2026, 4, 10)
    )
    case = s.case_request_review(actor=None, case=case, reason="不服", today=D(2026, 4, 20))
    case = s.case_decide_review(
        actor=users["supervisor"], case=case, outcome="supported", text=ANSWER, today=D(2026, 5, 6)
    )
    case = s.case_request_rereview(actor=None, case=case, reason="不服", today=D(2026, 5, 7))
    return s.case_decide_rereview(
        actor=users["leader"], case=case, outcome="supported", text=ANSWER, today=D(2026, 5, 20)
    )


DECISION = {"outcome": "supported", "text": ANSWER}


@pytest.mark.parametrize(
    ("state", "action", "who", "fields"),
    [
        ("registered", "evaluate", "clerk", {"rating": "satisfied"}),
        ("registered", "request_review", "clerk", {"reason": "不服"}),
        ("registered", "request_rereview", "clerk", {"reason": "不服"}),
        ("registered", "decide_review", "supervisor", DECISION),
        ("registered", "decide_rereview", "leader", {**DECISION, "hearing_days": 0}),
        ("registered", "close", "clerk", {}),
        ("in_handling", "route", "clerk", {"unit": "zjj"}),
        ("in_handling", "accept", "handler", {}),
        ("in_handling", "return", "handler", {"reason": "不属于本单位"}),
        ("in_handling", "not_accept", "clerk", {"reason": "不予受理"}),
        ("in_handling", "merge", "clerk", {"into": "other"}),
        ("in_handling", "divert", "clerk", {"to": "litigation", "reason": "属于诉讼"}),
        ("in_handling", "evaluate", "clerk", {"rating": "satisfied"}),
        ("in_handling", "request_review", "clerk", {"reason": "不服"}),
        ("in_handling", "decide_review", "supervisor", DECISION),
        ("in_handling", "close", "clerk", {}),
        ("extended", "extend", "unithead", {"days": 5, "reason": "再次延期"}),
        ("terminated", "reply", "handler", DECISION),
        ("terminated", "request_review", "clerk", {"reason": "不服"}),
        ("terminated", "request_rereview", "clerk", {"reason": "不服"}),
        ("terminated", "decide_rereview", "leader", {**DECISION, "hearing_days": 0}),
        ("terminated", "close", "clerk", {}),
        ("terminated", "route", "clerk", {"unit": "zjj"}),
    ],
)
def test_illegal_transitions_are_refused_and_change_nothing(
    desk, users, state, action, who, fields
):
    case = _in_state(users, state)
    assert case.status == state
    values = dict(fields)
    if values.get("unit"):
        values["unit"] = unit(values["unit"]).pk
    if values.get("into"):
        values["into"] = register(users).number
    html = desk.refused(case, action, who, D(2026, 6, 1), **values)
    # the state machine's message names the present state
    assert f"“{Status(state).label}”" in html or "not possible while" in html


def test_an_accusation_never_goes_to_the_accused_unit(desk, users):
    zjj, jwjw = unit("zjj"), unit("jwjw")
    case = desk.registered(
        petition_type="accusation", accused_units=[zjj.pk], title="举报某局工作人员索要好处费"
    )
    assert list(case.accused_units.all()) == [zjj]
    html = desk.refused(case, "route", "clerk", D(2026, 3, 3), unit=zjj.pk)
    assert 'aria-describedby="id_route-unit_error"' in html
    assert "被检举控告的单位" in html  # the page explains why
    desk.refused(case, "route", "clerk", D(2026, 3, 3), unit=jwjw.pk, co_units=[zjj.pk])
    case = desk.step(case, "route", "clerk", D(2026, 3, 3), Status.ROUTED, unit=jwjw.pk)
    desk.refused(case, "joint", "clerk", D(2026, 3, 4), lead=jwjw.pk, co_units=[zjj.pk])
    letter = case.documents.get(kind="transfer_letter")
    for who in ("handler", "unithead"):  # staff of the accused unit
        assert desk.get(who, f"/cases/{case.pk}/").status_code == 404
        assert desk.get(who, f"/cases/{case.pk}/documents/{letter.pk}/").status_code == 404
        assert case.number not in desk.get(who, "/cases/").content.decode()


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("clerk", "all"),
        ("handler", "all"),
        ("unithead", "all"),
        ("supervisor", "masked"),
        ("inspector", "masked"),
        ("leader", "masked"),
        ("handler2", 404),  # another unit
        ("analyst", 403),  # no case work at all
    ],
)
def test_petitioner_personal_data_only_for_roles_that_need_it(desk, users, who, sees):
    case = desk.registered()
    case = desk.step(case, "route", "clerk", D(2026, 3, 3), Status.ROUTED, unit=unit("zjj").pk)
    views = AuditRecord.objects.filter(action="case.personal_data.view", object_id=str(case.pk))
    before = views.count()
    response = desk.get(who, f"/cases/{case.pk}/", D(2026, 3, 4))
    html = response.content.decode()
    if sees in (403, 404):
        assert response.status_code == sees
        assert ID_NUMBER not in html
        assert PHONE not in html
        return
    assert response.status_code == 200
    if sees == "all":
        assert all(v in html for v in ["张三", ID_NUMBER, PHONE, HOME])
        assert views.count() == before + 1  # reading personal data is logged
        assert views.latest("id").actor == users[who]
    else:
        assert not any(v in html for v in ["张三", ID_NUMBER, PHONE, HOME])
        assert all(v in html for v in ["张*", "5304************34", "138****1111"])
        assert views.count() == before


# --- closing, termination and the limits of the petitioner's steps --------------------------


def test_closed_after_the_answer(desk, users):
    case = answered(desk)
    desk.refused(case, "close", "handler", D(2026, 4, 20))  # the bureau closes, not the unit
    case = desk.step(case, "close", "clerk", D(2026, 4, 20), Status.CLOSED)
    assert (case.closed_on, case.due_on) == (D(2026, 4, 20), None)
    desk.refused(case, "request_review", "clerk", D(2026, 4, 21), reason="不服")


def test_closed_after_the_review_decision(desk, users):
    case = answered(desk)
    case = desk.step(
        case, "request_review", "clerk", D(2026, 4, 20), Status.REVIEW_REQUESTED, reason="不服"
    )
    case = desk.step(
        case, "decide_review", "supervisor", D(2026, 5, 6), Status.REVIEW_DECIDED, **DECISION
    )
    case = desk.step(case, "close", "clerk", D(2026, 6, 10), Status.CLOSED)
    assert case.closed_on == D(2026, 6, 10)


def test_a_repeat_of_a_terminated_matter_is_not_accepted_again(desk, users):
    first = _in_state(users, "terminated")
    response = desk.register(D(2026, 9, 1), received_on="2026-09-01", repeat_checked="")
    assert response.status_code == 200  # earlier cases shown before saving
    assert first.number in response.content.decode()
    assert Case.objects.count() == 1
    again = desk.registered(
        D(2026, 9, 1), received_on="2026-09-01", repeat_checked="1", repeat_of=first.pk
    )
    assert (again.status, again.repeat_of, again.is_repeat, again.due_on) == (
        Status.NOT_ACCEPTED,
        first,
        True,
        None,
    )
    assert first.number in again.not_accepted_reason
    assert "第三十六条" in again.not_accepted_reason
    record = AuditRecord.objects.get(action="case.register", object_id=str(again.pk))
    assert record.after["status"] == "not_accepted"
    desk.document(again.documents.get(kind="termination_notice"), "clerk", first.number, "不再受理")
    desk.refused(again, "route", "clerk", D(2026, 9, 2), unit=unit("zjj").pk)


def test_the_rating_window_and_the_review_request_limit(desk, users):
    case = answered(desk)  # answered Fri 04-10: window 30 days -> 05-10; review -> Mon 05-11
    assert (case.evaluation_due, case.review_request_due) == (D(2026, 5, 10), D(2026, 5, 11))
    html = desk.refused(case, "evaluate", "clerk", D(2026, 5, 11), rating="satisfied")
    assert "2026-05-10" in html
    html = desk.refused(case, "request_review", "clerk", D(2026, 5, 12), reason="不服")
    assert "2026-05-11" in html
    desk.step(
        case, "request_review", "clerk", D(2026, 5, 11), Status.REVIEW_REQUESTED, reason="不服"
    )


def test_the_rereview_request_limit(desk, users):
    case = answered(desk)
    case = desk.step(
        case, "request_review", "clerk", D(2026, 4, 20), Status.REVIEW_REQUESTED, reason="不服"
    )
    case = desk.step(
        case, "decide_review", "supervisor", D(2026, 5, 10), Status.REVIEW_DECIDED, **DECISION
    )
    assert case.review_request_due == D(2026, 6, 9)  # 05-10 + 30
    html = desk.refused(case, "request_rereview", "clerk", D(2026, 6, 10), reason="仍不服")
    assert "2026-06-09" in html
    case = desk.step(
        case,
        "request_rereview",
        "clerk",
        D(2026, 6, 9),
        Status.REREVIEW_REQUESTED,
        reason="仍不服",
    )
    assert case.reviews.get(level="rereview").decide_due == D(2026, 7, 9)


def test_an_extension_is_approved_by_the_unit_head_once_and_up_to_thirty_days(desk, users):
    case = desk.registered()
    case = desk.step(case, "route", "clerk", D(2026, 3, 3), Status.ROUTED, unit=unit("zjj").pk)
    case = desk.step(case, "accept", "handler", D(2026, 3, 5), Status.IN_HANDLING)
    desk.refused(case, "extend", "handler", D(2026, 4, 1), days=10, reason="需现场勘验")
    desk.refused(case, "extend", "unithead", D(2026, 4, 1), days=31, reason="需现场勘验")
    desk.refused(case, "extend", "unithead", D(2026, 4, 1), days=10, reason="")
    case = desk.step(
        case, "extend", "unithead", D(2026, 4, 1), Status.EXTENDED, days=10, reason="需现场勘验"
    )
    assert (case.handling_due, case.extension_reason) == (D(2026, 5, 14), "需现场勘验")  # 05-04+10
    desk.refused(case, "extend", "unithead", D(2026, 4, 2), days=5, reason="再次延期")


def test_a_rereview_decision_with_impossible_hearing_days_is_refused(desk, users):
    case = answered(desk)
    case = desk.step(
        case, "request_review", "clerk", D(2026, 4, 20), Status.REVIEW_REQUESTED, reason="不服"
    )
    case = desk.step(
        case, "decide_review", "supervisor", D(2026, 5, 10), Status.REVIEW_DECIDED, **DECISION
    )
    case = desk.step(
        case, "request_rereview", "clerk", D(2026, 5, 20), Status.REREVIEW_REQUESTED, reason="不服"
    )
    html = desk.refused(
        case, "decide_rereview", "leader", D(2026, 6, 1), hearing_days=40000, **DECISION
    )
    assert 'aria-describedby="id_decide_rereview-hearing_days_error"' in html


# --- deadline supervision and the hotline's own limits --------------------------------------


def test_the_deadline_sweep_flags_the_case_and_tells_the_handler(desk, users):
    case = desk.registered()
    case = desk.step(case, "route", "clerk", D(2026, 3, 3), Status.ROUTED, unit=unit("zjj").pk)
    assert case.acceptance_due == D(2026, 3, 18)
    sweep_deadlines(today=D(2026, 3, 16))  # 2 working days left
    case.refresh_from_db()
    assert case.due_flag == "soon"
    home = desk.get("handler", "/", D(2026, 3, 16)).content.decode()
    assert f'href="/cases/{case.pk}/"' in home
    assert case.number in home
    soon = desk.get("handler", "/cases/", D(2026, 3, 16), queue="due_soon").content.decode()
    assert case.number in soon
    sweep_deadlines(today=D(2026, 3, 19))
    case.refresh_from_db()
    assert case.due_flag == "overdue"
    late = desk.get("handler", "/cases/", D(2026, 3, 19), queue="overdue").content.decode()
    assert case.number in late
    assert list(
        AuditRecord.objects.filter(action="case.due_flag", object_id=str(case.pk))
        .order_by("id")
        .values_list("after", flat=True)
    ) == [{"due_flag": "soon"}, {"due_flag": "overdue"}]
    case = desk.step(case, "accept", "handler", D(2026, 3, 19), Status.IN_HANDLING)
    assert sweep_deadlines(today=D(2026, 3, 19))["cleared"] == 1
    late = desk.get("handler", "/cases/", D(2026, 3, 19), queue="overdue").content.decode()
    assert case.number not in late


@pytest.mark.parametrize(
    ("order_type", "urgent", "received_at", "due_at"),
    [
        # urgent: feedback within 2 hours
        ("complaint", True, "2026-03-06T22:30:00+08:00", "2026-03-07T00:30:00+08:00"),
        # consultation: 1 working day; Fri -> Mon
        ("consultation", False, "2026-03-06T16:00:00+08:00", "2026-03-09T23:59:59+08:00"),
        # ordinary: 5 working days across 劳动节 (05-01..05) and the make-up Sat 05-09
        ("complaint", False, "2026-04-30T09:00:00+08:00", "2026-05-11T23:59:59+08:00"),
    ],
)
def test_hotline_time_limits_through_the_intake_endpoint(
    client, demo_org, order_type, urgent, received_at, due_at
):
    from xinfang.hotline.models import HotlineOrder
    from xinfang.open311.models import Scope
    from xinfang.open311.services import api_client_issue

    _api_client, key = api_client_issue(actor=None, name="12345平台", scopes=[Scope.HOTLINE])
    order = {
        "order_number": "RX1",
        "order_type": order_type,
        "urgent": urgent,
        "received_at": received_at,
        "caller_name": "王伟",
        "caller_phone": "13900000000",
        "category": "urban-rural",
        "division": "530423001",
        "title": "楼顶漏水",
        "content": "小区5栋楼顶漏水两年未修。",
    }
    received = datetime.fromisoformat(received_at)
    with time_machine.travel(received.replace(minute=received.minute + 5), tick=False):
        response = client.post(
            "/hotline/api/orders",
            json.dumps(order),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Api-Key {key}",
        )
    assert response.status_code == 201, response.content
    assert response.json()["due_at"] == due_at
    stored = HotlineOrder.objects.get()
    assert stored.due_at == datetime.fromisoformat(due_at)
    assert stored.case.channel == Channel.HOTLINE
