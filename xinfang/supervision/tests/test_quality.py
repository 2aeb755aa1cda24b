"""Quality inspection (质检): checklist, pass/fail, rework of a failed answer, re-inspection,
sampling, and the pass rates per unit and per inspector."""

from __future__ import annotations

import random
from datetime import date

import pytest
from django.test import Client, override_settings

from xinfang.analytics import rollup
from xinfang.analytics.engine import direct_counters, rollup_counters
from xinfang.audit.models import AuditRecord
from xinfang.cases.models import Case, Status
from xinfang.cases.services import case_evaluate, case_reply, case_request_review
from xinfang.core.errors import DomainError, PermissionDeniedError
from xinfang.core.models import Notification
from xinfang.supervision.models import ItemKind, ItemStatus, QualityInspection, SupervisionItem
from xinfang.supervision.quality import (
    CHECKLIST_CODES,
    passes,
    quality_decide,
    quality_draw,
    quality_sample,
    quality_select,
    score_of,
)
from xinfang.supervision.selectors import (
    may_answer,
    pass_rate,
    pass_rate_by_inspector,
    pass_rate_by_unit,
    unit_queue,
)
from xinfang.supervision.services import item_accept, item_answer

from .factories import answered, routed

pytestmark = pytest.mark.django_db

ALL_MET = dict.fromkeys(CHECKLIST_CODES, True)
YEAR = (date(2026, 1, 1), date(2026, 12, 31))


def failing() -> tuple[dict[str, bool], dict[str, str]]:
    checks = {**ALL_MET, "point_by_point": False, "answer_complete": False}
    notes = {"point_by_point": "未回应赔偿诉求", "answer_complete": "未说明法律依据"}
    return checks, notes


def test_checklist_scoring_and_the_pass_rule():
    assert score_of(ALL_MET) == 100
    assert passes(ALL_MET)
    assert passes({**ALL_MET, "in_time": False})  # 90
    assert passes({**ALL_MET, "point_by_point": False})  # 85
    assert not passes({**ALL_MET, "point_by_point": False, "in_time": False})  # 75
    assert not passes({**ALL_MET, "facts_clear": False})  # 80, but an essential item
    assert passes({**ALL_MET, "facts_clear": False}, pass_mark=0) is False


def test_only_answered_cases_are_inspected(users):
    case = routed(users)
    with pytest.raises(DomainError) as exc:
        quality_select(actor=users["inspector"], case=case, today=date(2026, 3, 5))
    assert exc.value.code == "not_answered"
    with pytest.raises(PermissionDeniedError):
        quality_select(actor=users["supervisor"], case=answered(users, title="路灯"))


def test_every_unmet_item_needs_a_reason(users):
    inspection = quality_select(actor=users["inspector"], case=answered(users))
    with pytest.raises(DomainError) as exc:
        quality_decide(
            actor=users["inspector"],
            inspection=inspection,
            checks={**ALL_MET, "law_correct": False},
        )
    assert exc.value.field == "note_law_correct"
    inspection.refresh_from_db()
    assert inspection.result == ""


def test_a_pass_counts_and_opens_nothing(users):
    case = answered(users)
    inspection = quality_select(actor=users["inspector"], case=case, today=date(2026, 3, 23))
    decided = quality_decide(
        actor=users["inspector"], inspection=inspection, checks=ALL_MET, today=date(2026, 3, 24)
    )
    assert (decided.result, decided.score, decided.inspector) == ("pass", 100, users["inspector"])
    assert not SupervisionItem.objects.exists()
    assert pass_rate(start=YEAR[0], end=YEAR[1]).rate == 1.0
    with pytest.raises(DomainError):
        quality_decide(actor=users["inspector"], inspection=decided, checks=ALL_MET)


def test_a_failed_inspection_sends_the_case_back_and_the_metrics_follow(users):
    from xinfang.analytics.dashboards import build_dashboard, indicator_by_code
    from xinfang.analytics.periods import Filters, Period
    from xinfang.analytics.selectors import quality_counts, scope_for

    good = answered(users, title="路灯不亮")
    bad = answered(users)
    quality_decide(
        actor=users["inspector"],
        inspection=quality_select(actor=users["inspector"], case=good, today=date(2026, 3, 23)),
        checks=ALL_MET,
        today=date(2026, 3, 23),
    )
    assert pass_rate(start=YEAR[0], end=YEAR[1]).rate == 1.0
    assert quality_counts(Period.year(2026)) == (1, 1)  # analytics' 质检合格率 reads the same

    checks, notes = failing()
    failed = quality_decide(
        actor=users["inspector"],
        inspection=quality_select(actor=users["inspector"], case=bad, today=date(2026, 3, 23)),
        checks=checks,
        notes=notes,
        comment="请重新答复。",
        today=date(2026, 3, 24),
    )
    assert (failed.result, failed.score) == ("fail", 65)
    # The metrics change: 1 of 2 passed, for the unit, the inspector and analytics.
    assert pass_rate(start=YEAR[0], end=YEAR[1]).rate == 0.5
    assert [
        (r.label, r.inspected, r.passed) for r in pass_rate_by_unit(start=YEAR[0], end=YEAR[1])
    ] == [("县住建局", 2, 1)]
    assert [(r.label, r.rate) for r in pass_rate_by_inspector(start=YEAR[0], end=YEAR[1])] == [
        ("刘质检", 0.5)
    ]
    assert quality_counts(Period.year(2026)) == (1, 2)
    # ... and so does the 质检合格率 indicator on the analytics dashboard (target 90 %: missed).
    board = build_dashboard(
        scope_for(users["leader"]),
        period=Period.year(2026),
        filters=Filters(),
        today=date(2026, 3, 24),
        facets=(),
    )
    indicator = indicator_by_code(board.indicators, "quality_pass")
    assert (indicator.available, indicator.numerator, indicator.denominator) == (True, 1, 2)
    assert indicator.value == 50
    assert indicator.met is False

    # The case goes back: a rework order to the handling unit, with the reasons and a date,
    # in the unit's queue.
    rework = SupervisionItem.objects.get(kind=ItemKind.REWORK)
    assert (rework.case, rework.unit.code, rework.inspection) == (bad, "zjj", failed)
    assert rework.due_on == date(2026, 4, 8)  # 10 working days after 3-24 (4-6 Qingming... )
    assert "未回应赔偿诉求" in rework.text
    assert "未说明法律依据" in rework.text
    assert list(unit_queue(users["handler"])) == [rework]
    assert list(unit_queue(users["handler2"])) == []
    assert Notification.objects.filter(user=users["handler"], kind="supervision.opened").exists()
    assert AuditRecord.objects.filter(action="supervision.quality.decide").count() == 2

    # The case itself goes back: in handling again, its answer withdrawn, due with the rework;
    # the timeline and the audit trail say who sent it back and why.
    bad.refresh_from_db()
    assert (bad.status, bad.replied_on, bad.evaluation_due, bad.review_request_due) == (
        Status.IN_HANDLING,
        None,
        None,
        None,
    )
    assert bad.handling_due == bad.due_on == rework.due_on
    event = bad.events.get(action="rework")
    assert (event.actor, event.from_status, event.to_status) == (
        users["inspector"],
        Status.REPLIED,
        Status.IN_HANDLING,
    )
    assert "未回应赔偿诉求" in event.note
    assert event.data["answered_on"] == "2026-03-20"
    audit = AuditRecord.objects.get(action="case.rework", object_id=str(bad.pk))
    assert audit.after["status"] == Status.IN_HANDLING
    assert audit.before["replied_on"] == "2026-03-20"
    good.refresh_from_db()
    assert good.status == Status.REPLIED  # the passed answer stands

    # 办结率 and 按期办结率 follow: the withdrawn answer no longer counts; the case is due again.
    march = Period.parse("2026-03", today=date(2026, 3, 24))
    counts = direct_counters(Case.objects.all(), period=march, today=date(2026, 3, 24))[None]
    assert (counts["accepted"], counts["accepted_answered"], counts["answered"]) == (2, 1, 1)
    assert rollup.verify() == []

    # The unit answers the case, not the item; a supervisor cannot accept it either.
    assert not may_answer(users["handler"], rework)
    client = Client()
    client.force_login(users["handler"])
    page = client.get(f"/supervision/items/{rework.pk}/").content.decode()
    assert 'id="answered-on-the-case"' in page
    assert 'name="submit-answer"' not in page
    with pytest.raises(DomainError) as exc:
        item_answer(actor=users["handler"], item=rework, answer="已补充法律依据。")
    assert exc.value.code == "answer_the_case"
    with pytest.raises(DomainError):
        item_accept(actor=users["supervisor"], item=rework)

    # The unit's new answer to the case is the re-answer: it closes the rework and goes to a
    # second round of inspection.
    bad = case_reply(
        actor=users["handler"],
        case=bad,
        outcome="supported",
        text="已补充法律依据并逐项答复赔偿诉求，重新送达答复意见书。",
        today=date(2026, 4, 1),
    )
    assert (bad.status, bad.replied_on) == (Status.REPLIED, date(2026, 4, 1))
    assert bad.events.filter(action="reply").last().data["on_time"] is True
    rework.refresh_from_db()
    assert (rework.status, rework.done_on, rework.answered_by) == (
        ItemStatus.DONE,
        date(2026, 4, 1),
        users["handler"],
    )
    assert "逐项答复赔偿诉求" in rework.answer
    assert rework.events.filter(action="reanswered").count() == 1
    assert AuditRecord.objects.filter(action="supervision.item.reanswered").count() == 1
    second = QualityInspection.objects.get(case=bad, round=2)
    assert (second.reason, second.rework_of, second.result) == ("rework", rework, "")
    assert Notification.objects.filter(
        user=users["inspector"], kind="supervision.reinspect"
    ).exists()
    year = Period.parse("2026", today=date(2026, 12, 31))
    counts = direct_counters(Case.objects.all(), period=year, today=date(2026, 12, 31))[None]
    assert (counts["accepted_answered"], counts["hnd_due"], counts["hnd_on_time"]) == (2, 2, 2)
    assert rollup.verify() == []

    quality_decide(
        actor=users["inspector"], inspection=second, checks=ALL_MET, today=date(2026, 4, 2)
    )
    rework.refresh_from_db()
    assert (rework.status, rework.done_on) == (ItemStatus.DONE, date(2026, 4, 1))
    assert pass_rate(start=YEAR[0], end=YEAR[1]).passed == 2
    assert pass_rate(start=YEAR[0], end=YEAR[1]).inspected == 3
    assert quality_counts(Period.year(2026)) == (2, 3)


def test_a_late_re_answer_counts_as_late(users):
    from xinfang.analytics.periods import Period

    case = answered(users)  # answered 3-20, well within its 60 days
    checks, notes = failing()
    quality_decide(
        actor=users["inspector"],
        inspection=quality_select(actor=users["inspector"], case=case, today=date(2026, 3, 23)),
        checks=checks,
        notes=notes,
        today=date(2026, 3, 23),
    )
    rework = SupervisionItem.objects.get(kind=ItemKind.REWORK)
    case.refresh_from_db()
    assert case.handling_due == rework.due_on == date(2026, 4, 7)
    year = Period.parse("2026", today=date(2026, 12, 31))
    counts = direct_counters(Case.objects.all(), period=year, today=date(2026, 12, 31))[None]
    assert (counts["hnd_due"], counts["hnd_on_time"]) == (1, 0)  # due, not answered
    case_reply(
        actor=users["handler"],
        case=case,
        outcome="explained",
        text="经重新核查，答复如下：相关诉求缺乏政策依据，已作解释说明。",
        today=date(2026, 4, 10),
    )
    counts = direct_counters(Case.objects.all(), period=year, today=date(2026, 12, 31))[None]
    assert (counts["hnd_due"], counts["hnd_on_time"], counts["accepted_answered"]) == (1, 0, 1)
    assert rollup_counters(period=year, today=date(2026, 12, 31))[None] == counts
    assert rollup.verify() == []


def test_a_failed_case_under_review_keeps_its_answer_and_the_rework_runs_on_the_item(users):
    case = answered(users)
    inspection = quality_select(actor=users["inspector"], case=case, today=date(2026, 3, 23))
    case_request_review(
        actor=users["clerk"], case=case, reason="不服处理意见", today=date(2026, 3, 24)
    )
    checks, notes = failing()
    quality_decide(
        actor=users["inspector"],
        inspection=inspection,
        checks=checks,
        notes=notes,
        today=date(2026, 3, 25),
    )
    case.refresh_from_db()
    assert case.status == Status.REVIEW_REQUESTED  # the level above is reviewing it
    assert not case.events.filter(action="rework").exists()
    rework = SupervisionItem.objects.get(kind=ItemKind.REWORK)
    assert may_answer(users["handler"], rework)
    item_answer(
        actor=users["handler"], item=rework, answer="已补充说明材料。", today=date(2026, 3, 27)
    )
    second = QualityInspection.objects.get(case=case, round=2)
    quality_decide(
        actor=users["inspector"], inspection=second, checks=ALL_MET, today=date(2026, 3, 30)
    )
    rework.refresh_from_db()
    assert (rework.status, rework.done_on) == (ItemStatus.DONE, date(2026, 3, 30))


def test_failing_again_opens_a_new_rework(users):
    case = answered(users)
    checks, notes = failing()
    first = quality_select(actor=users["inspector"], case=case, today=date(2026, 3, 23))
    quality_decide(
        actor=users["inspector"],
        inspection=first,
        checks=checks,
        notes=notes,
        today=date(2026, 3, 23),
    )
    assert SupervisionItem.objects.get(kind=ItemKind.REWORK).status == ItemStatus.OPEN
    case_reply(
        actor=users["handler"],
        case=case,
        outcome="supported",
        text="已重新答复，补充了依据。",
        today=date(2026, 3, 25),
    )
    second = QualityInspection.objects.get(round=2)
    quality_decide(
        actor=users["inspector"],
        inspection=second,
        checks=checks,
        notes=notes,
        today=date(2026, 3, 26),
    )
    reworks = list(SupervisionItem.objects.filter(kind=ItemKind.REWORK).order_by("pk"))
    assert [r.status for r in reworks] == [ItemStatus.DONE, ItemStatus.OPEN]
    assert reworks[1].inspection == second
    # ... and sends the case back again.
    case.refresh_from_db()
    assert (case.status, case.handling_due) == (Status.IN_HANDLING, reworks[1].due_on)
    assert case.events.filter(action="rework").count() == 2


def test_the_sample_takes_every_unsatisfied_and_late_answer_and_a_share_of_the_rest(users):
    unsatisfied = answered(users, title="甲")
    case_evaluate(
        actor=users["clerk"], case=unsatisfied, rating="unsatisfied", today=date(2026, 3, 25)
    )
    late = answered(users, title="乙", on=date(2026, 1, 5), replied_on=date(2026, 3, 20))
    assert late.handling_due < late.replied_on
    others = [answered(users, title=f"其他{i}") for i in range(40)]

    counts = quality_sample(today=date(2026, 3, 26), rate=0.0)
    assert counts == {"unsatisfied": 1, "overdue": 1, "random": 0}
    assert quality_sample(today=date(2026, 3, 26), rate=0.0) == {
        "unsatisfied": 0,
        "overdue": 0,
        "random": 0,
    }
    drawn = quality_sample(today=date(2026, 3, 26), rate=0.5)["random"]
    assert 5 < drawn < 35  # a random half of 40 (the draw is keyed, so this run is fixed)
    # Running it again draws nothing new: the same cases are in and out.
    assert quality_sample(today=date(2026, 3, 27), rate=0.5)["random"] == 0
    assert quality_sample(today=date(2026, 3, 27), rate=1.0)["random"] == 40 - drawn
    assert QualityInspection.objects.filter(case__in=others).count() == 40
    reasons = dict(QualityInspection.objects.values_list("case_id", "reason"))
    assert (reasons[unsatisfied.pk], reasons[late.pk]) == ("unsatisfied", "overdue")


def test_an_unsatisfied_rating_after_the_draw_still_gets_inspected(users):
    case = answered(users)
    quality_sample(today=date(2026, 3, 21), rate=0.0)
    assert not QualityInspection.objects.exists()
    case_evaluate(actor=users["clerk"], case=case, rating="unsatisfied", today=date(2026, 3, 30))
    quality_sample(today=date(2026, 3, 30), rate=0.0)
    assert QualityInspection.objects.get().reason == "unsatisfied"


@override_settings(XINFANG_SUPERVISION={"QUALITY_SAMPLE_RATE": 1.0})
def test_the_sample_rate_is_a_setting(users):
    answered(users)
    assert quality_sample(today=date(2026, 3, 21))["random"] == 1


def test_a_draw_of_a_period_all_or_a_random_share(users):
    in_period = [answered(users, title=f"期内{i}") for i in range(10)]
    answered(users, title="期外", replied_on=date(2026, 3, 25))
    with pytest.raises(DomainError):
        quality_draw(
            actor=users["inspector"], start=date(2026, 3, 1), end=date(2026, 3, 20), rate=0
        )
    share = quality_draw(
        actor=users["inspector"],
        start=date(2026, 3, 1),
        end=date(2026, 3, 20),
        rate=0.5,
        rng=random.Random(7),
    )
    assert 0 < share < 10
    rest = quality_draw(
        actor=users["inspector"], start=date(2026, 3, 1), end=date(2026, 3, 20), rate=1
    )
    assert share + rest == 10
    assert {i.case_id for i in QualityInspection.objects.all()} == {c.pk for c in in_period}
    assert AuditRecord.objects.filter(action="supervision.quality.draw").count() == 2


def test_an_answer_passed_at_random_and_rated_unsatisfied_later_is_inspected_again(users):
    """Every 不满意 answer is inspected, also one that had passed an earlier random draw; once."""
    case = answered(users, replied_on=date(2026, 3, 20))
    assert quality_sample(today=date(2026, 3, 20), rate=1.0)["random"] == 1
    first = QualityInspection.objects.get()
    # Rated while the random inspection is still pending: that inspection covers it.
    case = case_evaluate(
        actor=users["clerk"], case=case, rating="unsatisfied", today=date(2026, 3, 21)
    )
    assert quality_sample(today=date(2026, 3, 21), rate=1.0)["unsatisfied"] == 0
    quality_decide(
        actor=users["inspector"], inspection=first, checks=ALL_MET, today=date(2026, 3, 22)
    )
    assert quality_sample(today=date(2026, 3, 23), rate=1.0)["unsatisfied"] == 0


def test_a_decided_inspection_before_the_unsatisfied_rating_gets_a_new_round(users):
    case = answered(users, replied_on=date(2026, 3, 20))
    quality_sample(today=date(2026, 3, 20), rate=1.0)
    quality_decide(
        actor=users["inspector"],
        inspection=QualityInspection.objects.get(),
        checks=ALL_MET,
        today=date(2026, 3, 21),
    )
    case_evaluate(actor=users["clerk"], case=case, rating="unsatisfied", today=date(2026, 3, 25))
    assert quality_sample(today=date(2026, 3, 26), rate=1.0) == {
        "unsatisfied": 1,
        "overdue": 0,
        "random": 0,
    }
    assert quality_sample(today=date(2026, 3, 26), rate=1.0)["unsatisfied"] == 0
    assert quality_sample(today=date(2026, 3, 27), rate=1.0)["unsatisfied"] == 0
    rounds = list(QualityInspection.objects.order_by("round").values_list("round", "reason"))
    assert rounds == [(1, "random"), (2, "unsatisfied")]


def test_no_new_round_while_a_failed_answer_is_being_reworked(users):
    case = answered(users, replied_on=date(2026, 3, 20))
    quality_sample(today=date(2026, 3, 20), rate=1.0)
    case_evaluate(actor=users["clerk"], case=case, rating="unsatisfied", today=date(2026, 3, 21))
    checks, notes = failing()
    quality_decide(
        actor=users["inspector"],
        inspection=QualityInspection.objects.get(),
        checks=checks,
        notes=notes,
        today=date(2026, 3, 22),
    )
    # The answer is withdrawn: nothing to rate, nothing for the sweep to draw.
    with pytest.raises(DomainError):
        case_evaluate(
            actor=users["clerk"], case=case, rating="unsatisfied", today=date(2026, 3, 25)
        )
    assert quality_sample(today=date(2026, 3, 26), rate=1.0)["unsatisfied"] == 0
    # The re-answer is inspected in the rework's round; the sweep adds none of its own.
    case_reply(
        actor=users["handler"],
        case=case,
        outcome="supported",
        text="已重新答复，补充了依据。",
        today=date(2026, 3, 27),
    )
    assert quality_sample(today=date(2026, 3, 28), rate=1.0) == {
        "unsatisfied": 0,
        "overdue": 0,
        "random": 0,
    }
    rounds = list(QualityInspection.objects.order_by("round").values_list("round", "reason"))
    assert rounds == [(1, "random"), (2, "rework")]
