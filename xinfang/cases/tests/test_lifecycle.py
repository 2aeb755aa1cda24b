"""Every path of the case lifecycle through the service layer."""

from __future__ import annotations

from datetime import date

import pytest
from pypdf import PdfReader

from xinfang.audit.models import AuditRecord
from xinfang.cases import services as s
from xinfang.cases.models import Case, CaseDocument, Channel, LegalChannel, PetitionType, Status
from xinfang.cases.selectors import cases_visible_to
from xinfang.cases.transitions import IllegalTransition
from xinfang.core.errors import ConflictError, DomainError, PermissionDeniedError
from xinfang.org.models import Unit

from .factories import register

pytestmark = pytest.mark.django_db

D = date


def unit(code: str) -> Unit:
    return Unit.objects.get(code=code)


def routed(users, **kw) -> Case:
    case = register(users, **kw)
    return s.case_route(actor=users["clerk"], case=case, unit=unit("zjj"), today=D(2026, 3, 3))


def accepted(users, **kw) -> Case:
    return s.case_accept(actor=users["handler"], case=routed(users, **kw), today=D(2026, 3, 5))


def replied(users, **kw) -> Case:
    return s.case_reply(
        actor=users["handler"],
        case=accepted(users, **kw),
        outcome="supported",
        text="经查，楼顶防水层老化属实，已责成物业公司于4月底前完成维修。",
        today=D(2026, 4, 10),
    )


def pdf_text(doc: CaseDocument) -> str:
    with doc.file.open("rb") as fh:
        return "".join(p.extract_text() for p in PdfReader(fh).pages).replace("\n", "")


def test_registration_gives_number_query_code_and_routing_deadline(users):
    case = register(users)
    assert case.status == Status.REGISTERED
    assert case.number == "XF530423-2026-000001"
    assert len(case.query_code) == 8
    # art. 22: 15 days from receipt 2026-03-02 -> 03-17 (a Tuesday)
    assert case.route_due == D(2026, 3, 17)
    assert case.due_on == case.route_due
    assert register(users).number == "XF530423-2026-000002"
    assert case.events.get().action == "register"
    assert AuditRecord.objects.filter(action="case.register", object_id=str(case.pk)).exists()


def test_the_full_path_to_termination_after_rereview(users):
    case = replied(users)
    # 60 days from 03-05 = 05-04, inside the 2026 劳动节 rest (05-01..05-05) -> 05-06
    assert case.handling_due == D(2026, 5, 6)
    assert case.review_request_due == D(2026, 5, 11)  # 30 days from 04-10 = 05-10 (Sun) -> 05-11
    case = s.case_evaluate(
        actor=None, case=case, rating="unsatisfied", comment="维修不彻底", today=D(2026, 4, 12)
    )
    case = s.case_request_review(actor=None, case=case, reason="维修后仍漏水", today=D(2026, 4, 20))
    review = case.reviews.get()
    assert review.decide_due == D(2026, 5, 20)
    case = s.case_decide_review(
        actor=users["supervisor"],
        case=case,
        outcome="supported",
        text="复查认为原处理意见正确，责成再次维修。",
        today=D(2026, 5, 10),
    )
    assert case.status == Status.REVIEW_DECIDED
    case = s.case_request_rereview(
        actor=users["clerk"], case=case, reason="仍不满意", today=D(2026, 5, 25)
    )
    case = s.case_decide_rereview(
        actor=users["leader"],
        case=case,
        outcome="not_supported",
        text="复核维持复查意见，本事项终结。",
        hearing_days=5,
        today=D(2026, 6, 10),
    )
    assert case.status == Status.TERMINATED
    assert case.reviews.get(level="rereview").hearing_days == 5
    kinds = list(case.documents.values_list("kind", flat=True))
    assert kinds == [
        "transfer_letter",
        "acceptance_notice",
        "reply",
        "review_decision",
        "rereview_decision",
    ]
    assert "不再受理" in pdf_text(case.documents.get(kind="rereview_decision"))
    actions = list(case.events.values_list("action", flat=True))
    assert actions == [
        "register",
        "route",
        "accept",
        "reply",
        "evaluate",
        "request_review",
        "decide_review",
        "request_rereview",
        "decide_rereview",
    ]


def test_a_repeat_of_a_terminated_matter_is_not_accepted_again(users):
    first = replied(users)
    first = s.case_request_review(actor=None, case=first, reason="不服", today=D(2026, 4, 20))
    first = s.case_decide_review(
        actor=users["supervisor"],
        case=first,
        outcome="supported",
        text="维持原处理意见，理由如下。",
        today=D(2026, 5, 1),
    )
    first = s.case_request_rereview(actor=None, case=first, reason="不服", today=D(2026, 5, 5))
    first = s.case_decide_rereview(
        actor=users["leader"],
        case=first,
        outcome="supported",
        text="复核维持，事项终结。",
        today=D(2026, 5, 20),
    )
    again = register(users, repeat_of=first)
    assert again.status == Status.NOT_ACCEPTED
    assert first.number in again.not_accepted_reason
    assert "art. 36" in again.not_accepted_reason or "第三十六条" in again.not_accepted_reason
    notice = again.documents.get()
    assert notice.kind == "termination_notice"
    text = pdf_text(notice)
    assert "信访事项终结告知书" in text
    assert first.number in text.replace("\n", "")
    assert "不再受理" in text


def test_acceptance_notice_pdf_shows_chinese_text_and_query_code(users):
    case = accepted(users)
    doc = case.documents.get(kind="acceptance_notice")
    text = pdf_text(doc)
    assert "信访事项受理告知书" in text
    assert case.query_code in text
    assert "张三" in text
    assert "通海县住房和城乡建设局" in text


def test_not_accepted_by_the_unit_with_a_written_reason(users):
    case = s.case_not_accept(
        actor=users["handler"],
        case=routed(users),
        reason="该事项已进入诉讼程序。",
        today=D(2026, 3, 6),
    )
    assert case.status == Status.NOT_ACCEPTED
    assert "该事项已进入诉讼程序" in pdf_text(case.documents.get(kind="non_acceptance_notice"))


def test_not_accepted_by_the_bureau_before_routing(users):
    case = s.case_not_accept(
        actor=users["clerk"], case=register(users), reason="匿名且无具体事实。"
    )
    assert case.status == Status.NOT_ACCEPTED


def test_return_within_five_working_days_then_reroute(users):
    case = routed(users)  # routed Tue 2026-03-03 -> objection due 03-10
    assert case.objection_due == D(2026, 3, 10)
    case = s.case_return(
        actor=users["handler"], case=case, reason="属于人社部门职责。", today=D(2026, 3, 10)
    )
    assert case.status == Status.RETURNED
    assert case.handling_unit is None
    case = s.case_route(actor=users["clerk"], case=case, unit=unit("rsj"), today=D(2026, 3, 11))
    assert case.status == Status.ROUTED
    assert case.handling_unit.code == "rsj"


def test_a_late_objection_is_refused_and_changes_nothing(users):
    case = routed(users)
    with pytest.raises(DomainError) as err:
        s.case_return(
            actor=users["handler"], case=case, reason="不属于本单位。", today=D(2026, 3, 11)
        )
    assert err.value.code == "objection_late"
    case.refresh_from_db()
    assert case.status == Status.ROUTED
    assert case.events.count() == 2


def test_extension_once_up_to_thirty_days_by_the_unit_head(users):
    case = accepted(users)
    with pytest.raises(PermissionDeniedError):
        s.case_extend(actor=users["handler"], case=case, days=30, reason="需现场勘验")
    with pytest.raises(DomainError) as err:
        s.case_extend(actor=users["unithead"], case=case, days=31, reason="需现场勘验")
    assert err.value.code == "extension_too_long"
    case = s.case_extend(actor=users["unithead"], case=case, days=30, reason="需现场勘验")
    # 60 days from 03-05 ends 05-04 unmoved; +30 -> 06-03 (Wed)
    assert case.handling_due == D(2026, 6, 3)
    assert case.status == Status.EXTENDED
    with pytest.raises(IllegalTransition):
        s.case_extend(actor=users["unithead"], case=case, days=5, reason="再次延期")
    assert "2026年6月3日" in pdf_text(case.documents.get(kind="extension_notice"))
    case = s.case_reply(
        actor=users["handler"],
        case=case,
        outcome="explained",
        text="经调查，诉求合理但缺乏政策依据，已解释说明。",
        today=D(2026, 6, 3),
    )
    assert case.status == Status.REPLIED


def test_leader_assigned_matter_keeps_the_assigners_date(users):
    with pytest.raises(DomainError) as err:
        register(users, channel=Channel.LEADER)
    assert err.value.code == "missing_assigned_deadline"
    case = accepted(users, channel=Channel.LEADER, deadline_assigned=D(2026, 3, 20))
    assert case.handling_due == D(2026, 3, 20)
    with pytest.raises(DomainError):
        s.case_extend(actor=users["unithead"], case=case, days=10, reason="需要更多时间")


def test_merge_as_repeat_and_divert_to_legal_procedure(users):
    original = routed(users)
    repeat = register(users)
    repeat = s.case_merge(actor=users["clerk"], case=repeat, into=original)
    assert repeat.status == Status.MERGED
    assert repeat.repeat_of == original
    assert repeat.is_repeat
    with pytest.raises(DomainError):
        s.case_merge(actor=users["clerk"], case=register(users), into=repeat)
    other = s.case_divert(
        actor=users["clerk"],
        case=register(users),
        to=LegalChannel.LITIGATION,
        reason="已提起民事诉讼，请依法通过诉讼解决。",
    )
    assert other.status == Status.DIVERTED
    assert "诉讼" in pdf_text(other.documents.get())


def test_joint_handling_lets_co_units_see_the_case(users):
    case = routed(users)
    assert not cases_visible_to(users["handler2"]).filter(pk=case.pk).exists()
    case = s.case_set_joint_handling(
        actor=users["clerk"], case=case, lead=unit("zjj"), co_units=[unit("rsj")]
    )
    assert case.status == Status.ROUTED
    assert cases_visible_to(users["handler2"]).filter(pk=case.pk).exists()
    with pytest.raises(PermissionDeniedError):  # a co-unit contributes, the lead unit decides
        s.case_accept(actor=users["handler2"], case=case)


def test_close_after_the_answer(users):
    case = s.case_close(actor=users["clerk"], case=replied(users), today=D(2026, 5, 20))
    assert case.status == Status.CLOSED
    assert case.closed_on == D(2026, 5, 20)


def test_accusation_is_never_routed_to_the_accused_unit(users):
    case = register(
        users,
        petition_type=PetitionType.ACCUSATION,
        accused_units=[unit("zjj")],
        title="举报某局工作人员索要好处费",
    )
    with pytest.raises(DomainError, match="被举报单位") as err:
        s.case_route(actor=users["clerk"], case=case, unit=unit("zjj"))
    assert err.value.code == "accused_unit"
    case.refresh_from_db()
    assert case.status == Status.REGISTERED
    assert case.handling_unit is None
    case = s.case_route(actor=users["clerk"], case=case, unit=unit("jwjw"))
    assert not cases_visible_to(users["handler"]).filter(pk=case.pk).exists()
    assert not cases_visible_to(users["unithead"]).filter(pk=case.pk).exists()


def test_illegal_transition_is_refused_and_changes_nothing(users):
    case = register(users)
    with pytest.raises(IllegalTransition):
        s.case_evaluate(actor=None, case=case, rating="satisfied")
    case.refresh_from_db()
    assert (case.status, case.version, case.events.count()) == (Status.REGISTERED, 1, 1)


def test_stale_version_is_refused(users):
    case = register(users)
    s.case_route(actor=users["clerk"], case=case, unit=unit("zjj"), expected_version=1)
    with pytest.raises(ConflictError):
        s.case_not_accept(actor=users["clerk"], case=case, reason="重复", expected_version=1)


def test_a_handler_of_another_unit_cannot_act(users):
    with pytest.raises(PermissionDeniedError):
        s.case_accept(actor=users["handler2"], case=routed(users))


def test_collective_petition_has_at_most_five_representatives(users):
    reps = [s.PetitionerData(name=f"代表{i}", representative=True) for i in range(6)]
    with pytest.raises(DomainError) as err:
        register(users, petitioners=reps)
    assert err.value.code == "too_many_representatives"
    case = register(users, petitioners=reps[:5], people_count=40)
    assert case.is_collective
    assert case.people_count == 40
    assert case.petitioners.count() == 5


def test_rating_window_and_review_request_limit(users):
    case = replied(users)  # answered 04-10; window 30 days -> 05-10
    with pytest.raises(DomainError) as err:
        s.case_evaluate(actor=None, case=case, rating="satisfied", today=D(2026, 5, 11))
    assert err.value.code == "evaluation_window_closed"
    with pytest.raises(DomainError) as err:
        s.case_request_review(actor=None, case=case, reason="不服", today=D(2026, 5, 12))
    assert err.value.code == "review_request_late"
    case = s.case_request_review(actor=None, case=case, reason="不服", today=D(2026, 5, 11))
    assert case.status == Status.REVIEW_REQUESTED
