"""返工: a failed quality inspection or a follow-up call sends the answered case back to its
handling unit (the REWORK transition and case_reopen_for_rework)."""

from __future__ import annotations

from datetime import date

import pytest

from xinfang.audit.models import AuditRecord
from xinfang.cases import services as s
from xinfang.cases.models import Case, Status
from xinfang.cases.transitions import TRANSITIONS, Action, IllegalTransition, allowed_actions, check
from xinfang.core.errors import ConflictError, DomainError, PermissionDeniedError
from xinfang.org.models import Unit

from .factories import register

pytestmark = pytest.mark.django_db

D = date
REWORK_FROM = {Status.REPLIED, Status.EVALUATED, Status.CLOSED}


def replied(users) -> Case:
    case = register(users)
    case = s.case_route(
        actor=users["clerk"], case=case, unit=Unit.objects.get(code="zjj"), today=D(2026, 3, 3)
    )
    case = s.case_accept(actor=users["handler"], case=case, today=D(2026, 3, 5))
    return s.case_reply(
        actor=users["handler"],
        case=case,
        outcome="supported",
        text="经查，楼顶防水层老化属实，已责成物业公司于4月底前完成维修。",
        today=D(2026, 4, 10),
    )


def reopen(users, case: Case, who: str = "inspector", **kw) -> Case:
    params = {
        "reason": "质检不合格：未逐项回应诉求",
        "due_on": D(2026, 5, 8),
        "today": D(2026, 4, 20),
        **kw,
    }
    return s.case_reopen_for_rework(actor=users[who], case=case, **params)


@pytest.mark.parametrize("status", list(Status))
def test_rework_leads_from_an_answer_back_to_handling_and_from_nowhere_else(status):
    if status in REWORK_FROM:
        assert check(Action.REWORK, status) == Status.IN_HANDLING
        assert Action.REWORK in allowed_actions(status)
    else:
        with pytest.raises(IllegalTransition):
            check(Action.REWORK, status)
    assert TRANSITIONS[Action.REWORK] == (frozenset(REWORK_FROM), Status.IN_HANDLING)


def test_an_answered_case_goes_back_to_handling_and_the_re_answer_starts_afresh(users):
    case = replied(users)
    assert (case.evaluation_due, case.review_request_due) == (D(2026, 5, 10), D(2026, 5, 11))
    version = case.version
    case = reopen(users, case, expected_version=version)
    assert case.status == Status.IN_HANDLING
    assert case.version == version + 1
    assert (case.replied_on, case.closed_on, case.evaluation_due, case.review_request_due) == (
        None,
        None,
        None,
        None,
    )
    assert case.handling_due == case.due_on == D(2026, 5, 8)  # was 05-06 (60 days, May Day)
    assert case.reply_text.startswith("经查")  # the withdrawn answer stays on record
    event = case.events.get(action=Action.REWORK)
    assert (event.actor, event.from_status, event.to_status) == (
        users["inspector"],
        Status.REPLIED,
        Status.IN_HANDLING,
    )
    assert event.note == "质检不合格：未逐项回应诉求"
    assert event.data["answered_on"] == "2026-04-10"
    assert event.data["due_on"] == "2026-05-08"
    audit = AuditRecord.objects.get(action="case.rework")
    assert audit.actor == users["inspector"]
    assert (audit.before["status"], audit.after["status"]) == (Status.REPLIED, Status.IN_HANDLING)
    assert audit.before["replied_on"] == "2026-04-10"
    assert audit.after["handling_due"] == "2026-05-08"

    # The unit's next answer is the re-answer: new windows from its date, counted against the
    # rework's date.
    case = s.case_reply(
        actor=users["handler"],
        case=case,
        outcome="explained",
        text="重新核查后答复：已补充维修方案和时间表，并逐项说明。",
        today=D(2026, 5, 8),
    )
    assert (case.status, case.replied_on, case.evaluation_due) == (
        Status.REPLIED,
        D(2026, 5, 8),
        D(2026, 6, 7),
    )
    assert case.events.filter(action=Action.REPLY).last().data["on_time"] is True
    assert case.documents.filter(kind="reply").count() == 2
    assert [e.action for e in case.events.order_by("at", "id")][-3:] == [
        Action.REPLY,
        Action.REWORK,
        Action.REPLY,
    ]


def test_a_rated_case_loses_the_rating_of_the_withdrawn_answer_and_is_rated_afresh(users):
    case = s.case_evaluate(
        actor=None, case=replied(users), rating="unsatisfied", comment="没修", today=D(2026, 4, 15)
    )
    case = reopen(users, case, who="supervisor")
    assert (case.rating, case.rated_on, case.rating_comment) == ("", None, "")
    data = case.events.get(action=Action.REWORK).data
    assert (data["rating"], data["rated_on"], data["rating_comment"]) == (
        "unsatisfied",
        "2026-04-15",
        "没修",
    )
    with pytest.raises(IllegalTransition):  # nothing to rate while it is handled again
        s.case_evaluate(actor=None, case=case, rating="satisfied", today=D(2026, 4, 21))
    case = s.case_reply(
        actor=users["handler"],
        case=case,
        outcome="supported",
        text="已完成维修并经信访人现场确认。",
        today=D(2026, 4, 30),
    )
    case = s.case_evaluate(actor=None, case=case, rating="satisfied", today=D(2026, 5, 2))
    assert (case.status, case.rating) == (Status.EVALUATED, "satisfied")


def test_a_closed_case_reopens_too(users):
    case = s.case_close(actor=users["clerk"], case=replied(users), today=D(2026, 4, 18))
    case = reopen(users, case)
    assert (case.status, case.closed_on, case.replied_on) == (Status.IN_HANDLING, None, None)
    assert case.events.get(action=Action.REWORK).data["closed_on"] == "2026-04-18"


def test_a_case_whose_review_was_decided_is_not_sent_back(users):
    case = s.case_request_review(
        actor=None, case=replied(users), reason="不服", today=D(2026, 4, 12)
    )
    case = s.case_decide_review(
        actor=users["supervisor"],
        case=case,
        outcome="supported",
        text="复查维持原处理意见。",
        today=D(2026, 4, 15),
    )
    case = s.case_close(actor=users["clerk"], case=case, today=D(2026, 4, 18))
    assert not s.case_rework_possible(case)
    with pytest.raises(DomainError) as err:
        reopen(users, case)
    assert err.value.code == "reviewed"
    case.refresh_from_db()
    assert (case.status, case.events.filter(action=Action.REWORK).count()) == (Status.CLOSED, 0)


@pytest.mark.parametrize("who", ["handler", "unithead", "clerk", "analyst"])
def test_only_inspectors_and_supervisors_send_a_case_back(users, who):
    case = replied(users)
    with pytest.raises(PermissionDeniedError):
        reopen(users, case, who=who)
    case.refresh_from_db()
    assert (case.status, case.version) == (Status.REPLIED, 4)
    assert reopen(users, case, who="leader").status == Status.IN_HANDLING  # SUPERVISE


def test_a_stale_version_is_refused_and_changes_nothing(users):
    case = replied(users)
    stale = case.version
    s.case_evaluate(actor=None, case=case, rating="basically", today=D(2026, 4, 12))
    with pytest.raises(ConflictError):
        reopen(users, case, expected_version=stale)
    case.refresh_from_db()
    assert (case.status, case.replied_on) == (Status.EVALUATED, D(2026, 4, 10))
    assert not AuditRecord.objects.filter(action="case.rework").exists()


def test_states_without_an_answer_are_refused(users):
    case = replied(users)
    case = reopen(users, case)
    with pytest.raises(IllegalTransition):  # already back in handling
        reopen(users, case)
    case.refresh_from_db()
    assert case.events.filter(action=Action.REWORK).count() == 1
    assert not s.case_rework_possible(case)
    with pytest.raises(IllegalTransition):
        reopen(users, register(users))


def test_a_reason_and_a_date_not_in_the_past_are_required(users):
    case = replied(users)
    with pytest.raises(DomainError) as err:
        reopen(users, case, reason="  ")
    assert (err.value.code, err.value.field) == ("missing_reason", "reason")
    with pytest.raises(DomainError) as err:
        reopen(users, case, due_on=D(2026, 4, 19))
    assert (err.value.code, err.value.field) == ("due_in_past", "due_on")
    case.refresh_from_db()
    assert case.status == Status.REPLIED


def test_a_reworked_case_keeps_the_rework_date_no_extension(users):
    case = reopen(users, replied(users))
    with pytest.raises(DomainError) as err:
        s.case_extend(actor=users["unithead"], case=case, days=20, reason="情况复杂")
    assert err.value.code == "rework_deadline"
    case.refresh_from_db()
    assert (case.status, case.handling_due) == (Status.IN_HANDLING, D(2026, 5, 8))


def test_the_case_page_shows_the_rework_and_links_the_petitioner_messages(client, users):
    case = reopen(users, replied(users))
    client.force_login(users["handler"])
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'data-action="rework"' in page
    assert "质检不合格：未逐项回应诉求" in page
    assert f'href="/notify/cases/{case.pk}/"' in page
    assert client.get(f"/notify/cases/{case.pk}/").status_code == 200
    # The rework is started from supervision, never from the case page.
    assert client.post(f"/cases/{case.pk}/act/rework/", {}).status_code == 404
