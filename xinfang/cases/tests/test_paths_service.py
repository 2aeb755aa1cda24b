"""Paths and deadlines of issue #3 that test_lifecycle.py does not take at the service layer:
every channel, each legal procedure of 诉访分离, the re-review request limit (art. 36), hearing
time in the re-review decision, the working-day rule through the services, a closing after
review, joint handling and the accused unit, personal data by role, and an audit record with
the old and new status for every transition."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest
from pypdf import PdfReader

from xinfang.audit.models import AuditRecord
from xinfang.cases import services as s
from xinfang.cases.exports import export_cases_xlsx
from xinfang.cases.masking import mask_id_number, mask_name, mask_phone
from xinfang.cases.models import Case, CaseDocument, Channel, LegalChannel, PetitionType, Status
from xinfang.core.errors import DomainError
from xinfang.org.demo import DEMO_USERS
from xinfang.org.models import Unit
from xinfang.org.permissions import Capability, has_capability

from .factories import register

pytestmark = pytest.mark.django_db

D = date
ANSWER = "经查，楼顶防水层老化属实，已责成物业公司于4月底前完成维修。"


def unit(code: str) -> Unit:
    return Unit.objects.get(code=code)


def pdf_text(doc: CaseDocument) -> str:
    with doc.file.open("rb") as fh:
        return "".join(p.extract_text() for p in PdfReader(fh).pages).replace("\n", "")


def replied(users, **kw) -> Case:
    case = register(users, **kw)
    case = s.case_route(actor=users["clerk"], case=case, unit=unit("zjj"), today=D(2026, 3, 3))
    case = s.case_accept(actor=users["handler"], case=case, today=D(2026, 3, 5))
    return s.case_reply(
        actor=users["handler"], case=case, outcome="supported", text=ANSWER, today=D(2026, 4, 10)
    )


def review_decided(users) -> Case:
    case = s.case_request_review(
        actor=None, case=replied(users), reason="维修后仍漏水", today=D(2026, 4, 20)
    )
    return s.case_decide_review(
        actor=users["supervisor"],
        case=case,
        outcome="supported",
        text="复查认为原处理意见正确，责成再次维修。",
        today=D(2026, 5, 10),
    )


@pytest.mark.parametrize("channel", list(Channel))
def test_every_channel_registers_one_case_record(users, channel):
    extra = {"deadline_assigned": D(2026, 3, 20)} if channel == Channel.LEADER else {}
    case = register(users, channel=channel, **extra)
    case.refresh_from_db()
    assert (case.channel, case.status) == (channel, Status.REGISTERED)
    assert case.number == "XF530423-2026-000001"
    assert len(case.query_code) == 8
    # art. 22: 15 days from receipt on Mon 2026-03-02 -> Tue 03-17
    assert (case.route_due, case.due_on) == (D(2026, 3, 17), D(2026, 3, 17))
    record = AuditRecord.objects.get(action="case.register", object_id=str(case.pk))
    assert record.after["channel"] == channel
    assert record.actor == users["clerk"]


@pytest.mark.parametrize(
    ("to", "label"),
    [
        (LegalChannel.LITIGATION, "诉讼"),
        (LegalChannel.ARBITRATION, "仲裁"),
        (LegalChannel.RECONSIDERATION, "行政复议"),
    ],
)
def test_each_legal_procedure_takes_a_diverted_matter(users, to, label):
    from django.utils import translation

    case = register(users)
    with translation.override("zh-hans"):
        case = s.case_divert(
            actor=users["clerk"], case=case, to=to, reason="请依法通过相应程序解决。"
        )
    case.refresh_from_db()
    assert (case.status, case.diverted_to, case.due_on) == (Status.DIVERTED, to, None)
    assert case.acceptance_notified_on is not None
    text = pdf_text(case.documents.get(kind="non_acceptance_notice"))
    assert label in text
    assert "请依法通过相应程序解决" in text
    record = AuditRecord.objects.get(action="case.divert", object_id=str(case.pk))
    assert record.after["diverted_to"] == to
    assert (record.before["status"], record.after["status"]) == ("registered", "diverted")


def test_the_rereview_request_limit_counts_from_the_review_decision(users):
    case = review_decided(users)
    # art. 36: 30 days from the review decision of Sun 05-10 -> Tue 06-09
    assert case.review_request_due == D(2026, 6, 9)
    with pytest.raises(DomainError) as err:
        s.case_request_rereview(actor=None, case=case, reason="仍不满意", today=D(2026, 6, 10))
    assert err.value.code == "review_request_late"
    case.refresh_from_db()
    assert (case.status, case.reviews.count()) == (Status.REVIEW_DECIDED, 1)
    case = s.case_request_rereview(actor=None, case=case, reason="仍不满意", today=D(2026, 6, 9))
    assert case.status == Status.REREVIEW_REQUESTED
    # art. 36: decided within 30 days of the request: 06-09 + 30 = Thu 07-09
    assert case.reviews.get(level="rereview").decide_due == D(2026, 7, 9)
    assert case.due_on == D(2026, 7, 9)


def test_hearing_time_is_not_counted_in_the_rereview_decision_due(users):
    case = s.case_request_rereview(
        actor=None, case=review_decided(users), reason="仍不满意", today=D(2026, 5, 25)
    )
    assert case.reviews.get(level="rereview").decide_due == D(2026, 6, 24)
    case = s.case_decide_rereview(
        actor=users["leader"],
        case=case,
        outcome="not_supported",
        text="复核维持复查意见，本事项终结。",
        hearing_days=5,
        today=D(2026, 6, 26),
    )
    review = case.reviews.get(level="rereview")
    # art. 36: hearing time not counted: 05-25 + 30 + 5 = Mon 06-29, so 06-26 is in time
    assert (review.hearing_days, review.decide_due) == (5, D(2026, 6, 29))
    assert review.decided_on <= review.decide_due
    assert case.status == Status.TERMINATED


def test_a_rereview_without_a_hearing_keeps_its_due_date(users):
    case = s.case_request_rereview(
        actor=None, case=review_decided(users), reason="仍不满意", today=D(2026, 5, 25)
    )
    case = s.case_decide_rereview(
        actor=users["leader"],
        case=case,
        outcome="explained",
        text="复核维持复查意见，本事项终结。",
        today=D(2026, 6, 24),
    )
    assert case.reviews.get(level="rereview").decide_due == D(2026, 6, 24)


@pytest.mark.parametrize("days", [-1, 40000])
def test_hearing_days_out_of_range_are_refused_and_change_nothing(users, days):
    case = s.case_request_rereview(
        actor=None, case=review_decided(users), reason="仍不满意", today=D(2026, 5, 25)
    )
    with pytest.raises(DomainError) as err:
        s.case_decide_rereview(
            actor=users["leader"],
            case=case,
            outcome="explained",
            text="复核维持复查意见，本事项终结。",
            hearing_days=days,
            today=D(2026, 6, 24),
        )
    assert (err.value.code, err.value.field) == ("invalid_hearing_days", "hearing_days")
    case.refresh_from_db()
    review = case.reviews.get(level="rereview")
    assert (case.status, review.decided_on, review.decide_due) == (
        Status.REREVIEW_REQUESTED,
        None,
        D(2026, 6, 24),
    )


def test_the_working_day_rule_runs_through_the_services(users, settings):
    settings.XINFANG = {**settings.XINFANG, "DAY_RULE": "workdays"}
    # Fri 2025-09-26: Sun 09-28 is a make-up working day, 10-01..10-08 国庆/中秋 rest.
    case = register(users, received_on=D(2025, 9, 26))
    assert case.route_due == D(2025, 10, 23)  # 15 working days (calendar rule: Sat 10-11)
    case = s.case_route(actor=users["clerk"], case=case, unit=unit("zjj"), today=D(2025, 9, 26))
    assert case.acceptance_due == D(2025, 10, 23)
    assert case.objection_due == D(2025, 10, 10)  # 28, 29, 30, 10-09, 10-10
    case = s.case_accept(actor=users["handler"], case=case, today=D(2025, 9, 26))
    due = case.handling_due
    counted = chinese_calendar.get_workdays(D(2025, 9, 27), due)
    assert len(counted) == 60
    assert chinese_calendar.is_workday(due)
    case = s.case_extend(actor=users["unithead"], case=case, days=10, reason="需现场勘验")
    assert len(chinese_calendar.get_workdays(due + timedelta(days=1), case.handling_due)) == 10


def test_calendar_rule_for_the_same_dates(users):
    case = register(users, received_on=D(2025, 9, 26))
    assert case.route_due == D(2025, 10, 11)  # 09-26 + 15 = Sat 10-11, a make-up working day
    case = s.case_route(actor=users["clerk"], case=case, unit=unit("zjj"), today=D(2025, 9, 26))
    assert (case.acceptance_due, case.objection_due) == (D(2025, 10, 11), D(2025, 10, 10))


def test_close_after_the_review_decision(users):
    case = s.case_close(actor=users["clerk"], case=review_decided(users), today=D(2026, 6, 10))
    assert (case.status, case.closed_on, case.due_on) == (Status.CLOSED, D(2026, 6, 10), None)
    with pytest.raises(DomainError):
        s.case_request_rereview(actor=None, case=case, reason="不服", today=D(2026, 6, 9))


def test_an_accused_unit_is_refused_as_co_handling_unit_too(users):
    case = register(
        users,
        petition_type=PetitionType.ACCUSATION,
        accused_units=[unit("zjj")],
        title="举报某局工作人员索要好处费",
    )
    with pytest.raises(DomainError) as err:
        s.case_route(actor=users["clerk"], case=case, unit=unit("jwjw"), co_units=[unit("zjj")])
    assert err.value.code == "accused_unit"
    case = s.case_route(actor=users["clerk"], case=case, unit=unit("jwjw"))
    with pytest.raises(DomainError) as err:
        s.case_set_joint_handling(
            actor=users["clerk"], case=case, lead=unit("jwjw"), co_units=[unit("zjj")]
        )
    assert err.value.code == "accused_unit"
    case.refresh_from_db()
    assert list(case.co_units.all()) == []
    assert case.events.filter(action="joint").count() == 0
    # the refused routing wrote no transfer letter: only the one to the discipline organs
    assert list(case.documents.values_list("kind", flat=True)) == ["transfer_letter"]


def test_personal_data_is_for_the_roles_that_need_it(users):
    staff = {name for name, *_rest in DEMO_USERS}
    allowed = {n for n in staff if has_capability(users[n], Capability.VIEW_PERSONAL_DATA)}
    assert allowed == {"clerk", "handler", "handler2", "unithead"}
    case = register(users)
    for name in sorted(staff - allowed):
        with pytest.raises(DomainError):
            export_cases_xlsx(actor=users[name], cases=[case], filters={}, unmask_reason="核对")
    assert export_cases_xlsx(actor=users["clerk"], cases=[case], filters={}, unmask_reason="核对")
    assert (mask_name("张三"), mask_phone("13800001111"), mask_id_number("530423199001011234")) == (
        "张*",
        "138****1111",
        "5304************34",
    )


def test_every_transition_is_audited_with_old_and_new_status_and_on_the_timeline(users):
    clerk, handler = users["clerk"], users["handler"]
    main = register(users)
    main = s.case_route(actor=clerk, case=main, unit=unit("rsj"), today=D(2026, 3, 3))
    main = s.case_return(
        actor=users["handler2"], case=main, reason="属于住建部门职责。", today=D(2026, 3, 4)
    )
    main = s.case_route(actor=clerk, case=main, unit=unit("zjj"), today=D(2026, 3, 5))
    main = s.case_set_joint_handling(
        actor=clerk, case=main, lead=unit("zjj"), co_units=[unit("rsj")]
    )
    main = s.case_accept(actor=handler, case=main, today=D(2026, 3, 6))
    main = s.case_extend(actor=users["unithead"], case=main, days=15, reason="需现场勘验")
    main = s.case_reply(
        actor=handler, case=main, outcome="supported", text=ANSWER, today=D(2026, 4, 10)
    )
    main = s.case_evaluate(actor=clerk, case=main, rating="unsatisfied", today=D(2026, 4, 12))
    main = s.case_request_review(actor=clerk, case=main, reason="不服", today=D(2026, 4, 20))
    main = s.case_decide_review(
        actor=users["supervisor"], case=main, outcome="supported", text=ANSWER, today=D(2026, 5, 6)
    )
    main = s.case_request_rereview(actor=clerk, case=main, reason="不服", today=D(2026, 5, 7))
    main = s.case_decide_rereview(
        actor=users["leader"], case=main, outcome="supported", text=ANSWER, today=D(2026, 5, 20)
    )
    others = [
        s.case_not_accept(actor=clerk, case=register(users), reason="不属于信访事项"),
        s.case_merge(actor=clerk, case=register(users), into=main),
        s.case_divert(actor=clerk, case=register(users), to="litigation", reason="属于诉讼"),
        s.case_close(actor=clerk, case=replied(users), today=D(2026, 5, 20)),
    ]
    seen = set()
    for case in [main, *others]:
        events = list(case.events.order_by("id"))
        records = list(
            AuditRecord.objects.filter(
                object_type="cases.case", object_id=str(case.pk), action__startswith="case."
            )
            .exclude(action__in=["case.document", "case.due_flag"])
            .order_by("id")
        )
        assert [f"case.{e.action}" for e in events] == [r.action for r in records]
        for event, record in zip(events, records, strict=True):
            seen.add(event.action)
            assert record.actor_id == event.actor_id
            if event.action == "register":
                assert record.after["status"] == event.to_status
            elif event.from_status != event.to_status:
                assert (record.before["status"], record.after["status"]) == (
                    event.from_status,
                    event.to_status,
                )
    assert seen == {
        "register",
        "route",
        "return",
        "joint",
        "accept",
        "extend",
        "reply",
        "evaluate",
        "request_review",
        "decide_review",
        "request_rereview",
        "decide_rereview",
        "not_accept",
        "merge",
        "divert",
        "close",
    }
