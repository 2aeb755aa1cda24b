"""Coordination meetings of joint cases (三跨三分), the backlog (积案), field inspections (督查)
and follow-up calls (回访)."""

from __future__ import annotations

from datetime import date

import pytest

from xinfang.audit.models import AuditRecord
from xinfang.cases.models import Case, Status
from xinfang.cases.services import (
    case_accept,
    case_evaluate,
    case_reply,
    case_request_review,
    case_set_joint_handling,
)
from xinfang.core.errors import DomainError, PermissionDeniedError
from xinfang.core.models import Notification
from xinfang.org.models import Unit
from xinfang.supervision.complex import (
    TaskData,
    backlog_assign,
    backlog_enrol,
    backlog_note_add,
    backlog_resolve,
    joint_cases,
    meeting_record,
)
from xinfang.supervision.followups import follow_up_record, follow_ups_open, rating_rates
from xinfang.supervision.models import (
    BacklogEntry,
    FieldInspection,
    FollowUp,
    ItemKind,
    ItemStatus,
    Priority,
    SupervisionItem,
)
from xinfang.supervision.selectors import backlog_list, backlog_visible_to, unit_queue
from xinfang.supervision.services import item_accept, item_answer
from xinfang.supervision.visits import (
    finding_add,
    visit_cancel,
    visit_close,
    visit_plan,
    visit_record,
)

from .factories import answered, routed

pytestmark = pytest.mark.django_db


# --- coordination meetings -------------------------------------------------------------------


def test_a_meeting_of_a_joint_case_records_decisions_and_hands_out_tasks(users, zjj, rsj):
    case = routed(users, on=date(2026, 3, 2))
    case = case_set_joint_handling(actor=users["supervisor"], case=case, lead=zjj, co_units=[rsj])
    assert list(joint_cases()) == [case]
    meeting = meeting_record(
        actor=users["supervisor"],
        case=case,
        held_on=date(2026, 3, 5),
        place="县信访局三楼会议室",
        chair="杨县长",
        units=[zjj, rsj],
        topics="漏水维修与农民工工资责任划分",
        decisions="住建局牵头维修；人社局督促施工方支付工资。",
        tasks=[
            TaskData(zjj, "两周内完成维修", date(2026, 3, 19)),
            TaskData(rsj, "一周内约谈施工方", date(2026, 3, 12)),
        ],
        today=date(2026, 3, 5),
    )
    tasks = list(meeting.tasks.order_by("unit__code"))
    assert [(t.kind, t.unit.code, t.due_on, t.case) for t in tasks] == [
        (ItemKind.TASK, "rsj", date(2026, 3, 12), case),
        (ItemKind.TASK, "zjj", date(2026, 3, 19), case),
    ]
    assert [i.meeting for i in unit_queue(users["handler2"])] == [meeting]
    assert AuditRecord.objects.filter(action="supervision.meeting.record").count() == 1


def test_a_meeting_needs_two_units_decisions_and_a_past_date(users, zjj, rsj):
    case = routed(users)
    base = {
        "actor": users["supervisor"],
        "case": case,
        "held_on": date(2026, 3, 5),
        "chair": "陈督办",
        "units": [zjj, rsj],
        "topics": "责任划分",
        "decisions": "住建局牵头",
        "today": date(2026, 3, 5),
    }
    for kw, field in [
        ({"units": [zjj]}, "units"),
        ({"decisions": " "}, "decisions"),
        ({"held_on": date(2026, 3, 6)}, "held_on"),
    ]:
        with pytest.raises(DomainError) as exc:
            meeting_record(**(base | kw))
        assert exc.value.field == field
    with pytest.raises(PermissionDeniedError):
        meeting_record(**(base | {"actor": users["handler"]}))


# --- backlog -----------------------------------------------------------------------------------


def test_long_open_and_repeat_cases_are_listed_once_each_needing_an_owner(users):
    old = routed(users, on=date(2026, 1, 5), title="三个月未办结")
    fresh = routed(users, on=date(2026, 4, 1), title="新件")
    repeat = routed(users, on=date(2026, 4, 2), title="重复件", repeat_of=fresh)
    answered(users, on=date(2026, 1, 2), title="已答复的旧件")  # answered: not backlog
    today = date(2026, 4, 10)  # 90 days after 1-10
    assert backlog_enrol(today=today) == 3
    assert backlog_enrol(today=today) == 0
    entries = {e.case: e for e in BacklogEntry.objects.all()}
    assert set(entries) == {old, fresh, repeat}
    assert (entries[old].long_open, entries[old].repeat) == (True, False)
    assert entries[fresh].repeat  # it has a repeat of its own
    assert (entries[repeat].long_open, entries[repeat].repeat) == (False, True)
    assert (
        Notification.objects.filter(user=users["supervisor"], kind="supervision.backlog").count()
        == 3
    )
    assert [e.owner for e in backlog_list()] == [None, None, None]


def test_an_owner_writes_progress_and_the_supervisor_resolves(users):
    case = routed(users, on=date(2026, 1, 5))
    backlog_enrol(today=date(2026, 4, 10))
    entry = BacklogEntry.objects.get(case=case)
    with pytest.raises(DomainError):
        backlog_resolve(actor=users["supervisor"], entry=entry, resolution="已化解")  # no owner
    with pytest.raises(DomainError):
        backlog_assign(actor=users["supervisor"], entry=entry, owner=users["handler"])
    with pytest.raises(PermissionDeniedError):
        backlog_note_add(actor=users["unithead"], entry=entry, text="已约谈")
    entry = backlog_assign(actor=users["supervisor"], entry=entry, owner=users["unithead"])
    assert list(backlog_visible_to(users["unithead"])) == [entry]
    assert not backlog_visible_to(users["handler"]).exists()
    backlog_note_add(actor=users["unithead"], entry=entry, text="已约谈信访人，制定维修方案。")
    with pytest.raises(PermissionDeniedError):
        backlog_resolve(actor=users["unithead"], entry=entry, resolution="已化解")
    entry = backlog_resolve(
        actor=users["supervisor"],
        entry=entry,
        resolution="维修完毕，信访人息访。",
        today=date(2026, 5, 6),
    )
    assert entry.resolved_on == date(2026, 5, 6)
    assert list(backlog_list(resolved=True)) == [entry]
    with pytest.raises(DomainError):
        backlog_note_add(actor=users["supervisor"], entry=entry, text="再记一笔")
    assert [
        a
        for a in AuditRecord.objects.filter(action__startswith="supervision.backlog.")
        .order_by("pk")
        .values_list("action", flat=True)
    ] == [
        "supervision.backlog.enrol",
        "supervision.backlog.assign",
        "supervision.backlog.note",
        "supervision.backlog.resolve",
    ]


# --- field inspections -----------------------------------------------------------------------


def test_a_field_inspection_from_plan_to_closing_after_corrections(users):
    town = Unit.objects.get(code="gov-530423101")
    visit = visit_plan(
        actor=users["supervisor"],
        unit=town,
        planned_on=date(2026, 3, 10),
        purpose="信访工作责任制落实情况",
        plan="查阅信访台账，抽查 10 件，走访 3 户。",
        team="陈督办、刘质检",
    )
    assert visit.status == FieldInspection.Status.PLANNED
    with pytest.raises(DomainError):
        finding_add(actor=users["supervisor"], visit=visit, text="台账不全")  # not visited yet
    with pytest.raises(DomainError):
        visit_record(
            actor=users["supervisor"],
            visit=visit,
            visited_on=date(2026, 3, 11),
            summary="走访",
            today=date(2026, 3, 10),
        )
    visit = visit_record(
        actor=users["supervisor"],
        visit=visit,
        visited_on=date(2026, 3, 10),
        summary="台账基本完整，个别件答复不及时。",
        today=date(2026, 3, 10),
    )
    finding_add(actor=users["supervisor"], visit=visit, text="宣传栏信息过期")  # no correction
    with pytest.raises(DomainError) as exc:
        finding_add(actor=users["supervisor"], visit=visit, text="两件超期", correction="补办")
    assert exc.value.field == "due_on"
    finding_add(
        actor=users["supervisor"],
        visit=visit,
        text="两件信访事项超期未答复",
        severity="serious",
        correction="十个工作日内答复并说明超期原因",
        due_on=date(2026, 3, 24),
        today=date(2026, 3, 10),
    )
    correction = SupervisionItem.objects.get(kind=ItemKind.CORRECTION)
    assert (correction.unit, correction.priority, correction.due_on) == (
        town,
        Priority.HIGH,
        date(2026, 3, 24),
    )
    with pytest.raises(DomainError) as exc:
        visit_close(actor=users["supervisor"], visit=visit)
    assert exc.value.code == "corrections_open"
    correction.status = ItemStatus.ANSWERED
    correction.save()
    item_accept(actor=users["supervisor"], item=correction)
    visit = visit_close(actor=users["supervisor"], visit=visit, today=date(2026, 3, 25))
    assert (visit.status, visit.closed_on) == (FieldInspection.Status.CLOSED, date(2026, 3, 25))
    with pytest.raises(DomainError):
        visit_cancel(actor=users["supervisor"], visit=visit)
    assert AuditRecord.objects.filter(action__startswith="supervision.visit.").count() == 5


# --- follow-up calls -------------------------------------------------------------------------


def test_an_unsatisfied_rating_opens_one_follow_up_that_can_reopen_handling(users):
    case = answered(users)
    case_evaluate(
        actor=users["clerk"],
        case=case,
        rating="unsatisfied",
        comment="没修好",
        today=date(2026, 3, 25),
    )
    other = answered(users, title="满意件")
    case_evaluate(actor=users["clerk"], case=other, rating="basically", today=date(2026, 3, 25))
    assert follow_ups_open(today=date(2026, 3, 26)) == 1
    assert follow_ups_open(today=date(2026, 3, 27)) == 0
    follow_up = FollowUp.objects.get()
    assert (follow_up.case, follow_up.due_on) == (case, date(2026, 4, 1))  # 5 working days
    with pytest.raises(DomainError) as exc:
        follow_up_record(
            actor=users["supervisor"],
            follow_up=follow_up,
            outcome="reopen",
            notes="仍然漏水，要求重新处理",
        )
    assert exc.value.field == "due_on"
    with pytest.raises(PermissionDeniedError):
        follow_up_record(
            actor=users["handler"], follow_up=follow_up, outcome="resolved", notes="已解释清楚"
        )
    follow_up_record(
        actor=users["supervisor"],
        follow_up=follow_up,
        outcome="reopen",
        notes="仍然漏水，要求重新处理",
        due_on=date(2026, 4, 15),
        today=date(2026, 3, 30),
    )
    rework = SupervisionItem.objects.get(follow_up=follow_up)
    assert (rework.kind, rework.unit.code, rework.case, rework.due_on) == (
        ItemKind.REWORK,
        "zjj",
        case,
        date(2026, 4, 15),
    )
    # The case itself goes back to the unit, due with the rework; the rating of the withdrawn
    # answer is kept in the timeline, and the new answer will be rated afresh.
    case.refresh_from_db()
    assert (case.status, case.replied_on, case.handling_due, case.rating) == (
        Status.IN_HANDLING,
        None,
        date(2026, 4, 15),
        "",
    )
    event = case.events.get(action="rework")
    assert (event.actor, event.from_status) == (users["supervisor"], Status.EVALUATED)
    assert (event.data["rating"], event.data["rated_on"]) == ("unsatisfied", "2026-03-25")
    assert "仍然漏水" in event.note
    # The unit answers the case (not the item); that answer closes the rework and the
    # follow-up's opener is told.
    with pytest.raises(DomainError):
        item_answer(actor=users["handler"], item=rework, answer="已重新维修，信访人确认。")
    case_reply(
        actor=users["handler"],
        case=case,
        outcome="supported",
        text="已重新维修楼顶防水层，经信访人现场确认不再漏水。",
        today=date(2026, 4, 10),
    )
    rework.refresh_from_db()
    assert (rework.status, rework.done_on) == (ItemStatus.DONE, date(2026, 4, 10))
    assert Notification.objects.filter(
        user=users["supervisor"], kind="supervision.reanswered"
    ).exists()
    with pytest.raises(DomainError):
        item_accept(actor=users["supervisor"], item=rework)
    # The petitioner rates the new answer; a second 不满意 would get a call of its own.
    case_evaluate(actor=users["clerk"], case=case, rating="satisfied", today=date(2026, 4, 12))
    assert follow_ups_open(today=date(2026, 4, 13)) == 0
    with pytest.raises(DomainError):
        follow_up_record(
            actor=users["supervisor"], follow_up=follow_up, outcome="resolved", notes="再记录一次"
        )


def test_handle_again_on_a_case_under_review_leaves_the_case_to_the_review(users):
    case = answered(users)
    case_evaluate(actor=users["clerk"], case=case, rating="unsatisfied", today=date(2026, 3, 25))
    follow_ups_open(today=date(2026, 3, 26))
    case_request_review(
        actor=users["clerk"], case=case, reason="不服处理意见", today=date(2026, 3, 27)
    )
    follow_up_record(
        actor=users["supervisor"],
        follow_up=FollowUp.objects.get(),
        outcome="reopen",
        notes="仍然漏水，要求重新处理",
        due_on=date(2026, 4, 15),
        today=date(2026, 3, 30),
    )
    case.refresh_from_db()
    assert case.status == Status.REVIEW_REQUESTED
    rework = SupervisionItem.objects.get(kind=ItemKind.REWORK)
    rework = item_answer(actor=users["handler"], item=rework, answer="已补充维修，附照片。")
    item_accept(actor=users["supervisor"], item=rework)


def test_participation_and_satisfaction_follow_the_domain_rules(users):
    # Four cases answered on 3-20; window ends 4-19.
    rated = [answered(users, title=f"件{i}") for i in range(4)]
    case_evaluate(actor=users["clerk"], case=rated[0], rating="satisfied", today=date(2026, 3, 25))
    case_evaluate(actor=users["clerk"], case=rated[1], rating="basically", today=date(2026, 4, 19))
    case_evaluate(
        actor=users["clerk"], case=rated[2], rating="unsatisfied", today=date(2026, 3, 30)
    )
    with pytest.raises(DomainError):  # too late: not rated, never satisfied
        case_evaluate(
            actor=users["clerk"], case=rated[3], rating="satisfied", today=date(2026, 4, 20)
        )
    window_open = rating_rates(
        start=date(2026, 3, 1), end=date(2026, 3, 31), today=date(2026, 4, 19)
    )
    assert window_open.answered == 0  # no window has closed yet
    rates = rating_rates(start=date(2026, 3, 1), end=date(2026, 3, 31), today=date(2026, 4, 20))
    assert (rates.answered, rates.rated, rates.satisfied, rates.unsatisfied) == (4, 3, 2, 1)
    assert rates.participation == 0.75
    assert rates.satisfaction == pytest.approx(2 / 3)


def test_a_case_still_in_handling_is_not_in_the_rates(users):
    case = routed(users)
    case_accept(actor=users["handler"], case=case, today=date(2026, 3, 3))
    rates = rating_rates(start=date(2026, 1, 1), end=date(2026, 12, 31), today=date(2026, 12, 31))
    assert rates.answered == 0
    assert rates.participation is None
    assert Case.objects.count() == 1
