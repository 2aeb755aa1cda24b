"""What the petitioner sees of the case and what they may do: plain status, a timeline
without staff names, their own documents only, the answer, rating, review requests."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
import time_machine
from django.utils import timezone

from xinfang.audit.models import AuditRecord
from xinfang.cases.attachments import attachment_add
from xinfang.cases.models import Outcome, PetitionType, Rating, Status
from xinfang.cases.services import (
    case_accept,
    case_decide_review,
    case_extend,
    case_reply,
    case_route,
)
from xinfang.cases.tests.factories import register
from xinfang.org.models import Unit

pytestmark = pytest.mark.django_db

ANSWER = "经现场核查，楼顶防水层老化属实，已责成物业公司于本月底前完成维修。"


def open_case(client, case) -> str:
    response = client.post("/portal/track/", {"number": case.number, "code": case.query_code})
    assert response.status_code == 302
    return client.get("/portal/case/").content.decode()


def answered(users, *, replied_on: date | None = None):
    case = register(users)
    case = case_route(actor=users["clerk"], case=case, unit=Unit.objects.get(code="zjj"))
    case = case_accept(actor=users["handler"], case=case, today=case.routed_on)
    return case_reply(
        actor=users["handler"],
        case=case,
        outcome=Outcome.SUPPORTED,
        text=ANSWER,
        today=replied_on,
    )


def test_timeline_in_plain_words_without_staff_names(client, users):
    case = register(users)
    case = case_route(actor=users["clerk"], case=case, unit=Unit.objects.get(code="zjj"))
    case = case_accept(actor=users["handler"], case=case)
    case_extend(actor=users["unithead"], case=case, days=20, reason="需委托第三方检测屋面")
    html = open_case(client, case)
    assert 'data-status="extended"' in html
    assert "通海县住房和城乡建设局" in html  # the unit with authority is named
    assert "需委托第三方检测屋面" in html  # the petitioner is told why (art. 34)
    for user in ("clerk", "handler", "unithead"):
        assert users[user].full_name not in html
        assert users[user].username not in html.split("<main>")[1]


def test_documents_for_the_petitioner_only_never_the_transfer_letter(client, users):
    case = answered(users)
    kinds = set(case.documents.values_list("kind", flat=True))
    assert {"transfer_letter", "acceptance_notice", "reply"} <= kinds
    html = open_case(client, case)
    assert 'data-kind="acceptance_notice"' in html
    assert 'data-kind="reply"' in html
    assert "transfer_letter" not in html
    letter = case.documents.get(kind="transfer_letter")
    assert client.get(f"/portal/case/documents/{letter.pk}/").status_code == 404
    reply = case.documents.get(kind="reply")
    response = client.get(f"/portal/case/documents/{reply.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert AuditRecord.objects.filter(
        action="portal.document.download", object_id=str(reply.pk)
    ).exists()


def test_documents_of_another_case_answer_404(client, users):
    mine, other = answered(users), answered(users)
    open_case(client, mine)
    for doc in other.documents.all():
        assert client.get(f"/portal/case/documents/{doc.pk}/").status_code == 404


def test_without_a_look_up_nothing_is_shown(client, users):
    case = answered(users)
    reply = case.documents.get(kind="reply")
    assert client.get(f"/portal/case/documents/{reply.pk}/").status_code == 404
    html = client.get("/portal/case/").content.decode()
    assert case.title not in html
    assert 'name="code"' in html


def test_accusation_materials_are_never_offered(client, users):
    case = register(
        users,
        petition_type=PetitionType.ACCUSATION,
        accused_persons="某局某科长",
        accused_units=[Unit.objects.get(code="zjj")],
    )
    data = b"%PDF-1.4 evidence"
    attachment_add(
        actor=users["clerk"], case=case, name="举报材料.pdf", stream=io.BytesIO(data), size=9
    )
    html = open_case(client, case)
    assert "举报材料" not in html
    assert "某局某科长" not in html
    assert "/attachments/" not in html


def test_the_petitioner_reads_the_answer_and_rates_it(client, users):
    case = answered(users)
    html = open_case(client, case)
    assert ANSWER in html
    assert 'data-status="replied"' in html
    assert 'name="rating"' in html
    response = client.post("/portal/case/rate/", {"rating": Rating.BASICALLY, "comment": "还行"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.rating, case.rating_comment) == (
        Status.EVALUATED,
        Rating.BASICALLY,
        "还行",
    )
    event = case.events.get(action="evaluate")
    assert event.actor is None
    html = client.get("/portal/case/").content.decode()
    assert 'data-rating="basically"' in html
    assert 'name="rating"' not in html
    # rated once only
    again = client.post("/portal/case/rate/", {"rating": Rating.UNSATISFIED})
    assert again.status_code == 400
    case.refresh_from_db()
    assert case.rating == Rating.BASICALLY


def test_rating_after_the_window_is_refused(client, users):
    replied = timezone.localdate() - timedelta(days=40)
    case = answered(users, replied_on=replied)
    html = open_case(client, case)
    assert 'name="rating"' not in html
    assert case.evaluation_due.isoformat() in html  # "the time to rate ended on ..."
    response = client.post("/portal/case/rate/", {"rating": Rating.SATISFIED})
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.rating == ""


def test_review_then_rereview_when_the_rules_allow(client, users):
    case = answered(users)
    html = open_case(client, case)
    assert 'action="/portal/case/review/"' in html
    assert client.post("/portal/case/review/", {"reason": ""}).status_code == 400
    response = client.post("/portal/case/review/", {"reason": "维修标准过低，不同意处理意见。"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.REVIEW_REQUESTED
    assert case.reviews.get().level == "review"
    html = client.get("/portal/case/").content.decode()
    assert 'action="/portal/case/review/"' not in html

    case_decide_review(
        actor=users["supervisor"],
        case=case,
        outcome=Outcome.SUPPORTED,
        text="经复查，原处理意见正确，予以维持。",
    )
    html = client.get("/portal/case/").content.decode()
    assert "经复查，原处理意见正确" in html
    assert 'action="/portal/case/review/"' in html  # now a re-review
    client.post("/portal/case/review/", {"reason": "仍不同意复查意见。"})
    case.refresh_from_db()
    assert case.status == Status.REREVIEW_REQUESTED


def test_no_review_after_the_thirty_days(client, users):
    case = answered(users)
    with time_machine.travel(case.review_request_due + timedelta(days=2)):
        html = open_case(client, case)
        assert 'action="/portal/case/review/"' not in html
        response = client.post("/portal/case/review/", {"reason": "逾期申请"})
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.status == Status.REPLIED


def test_leave_forgets_the_case(client, users):
    case = answered(users)
    open_case(client, case)
    response = client.post("/portal/case/leave/")
    assert response.status_code == 302
    assert case.title not in client.get("/portal/case/").content.decode()
    assert client.post("/portal/case/rate/", {"rating": "satisfied"}).status_code == 302
    case.refresh_from_db()
    assert case.rating == ""
