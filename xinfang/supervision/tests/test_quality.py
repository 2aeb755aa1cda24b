"""Quality inspection (质检): checklist, pass/fail, rework of a failed answer, re-inspection,
sampling, and the pass rates per unit and per inspector."""

from __future__ import annotations

import random
from datetime import date

import pytest
from django.test import override_settings

from xinfang.audit.models import AuditRecord
from xinfang.cases.services import case_evaluate
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

    # A rework is closed by its re-inspection, not by a supervisor's "accept".
    with pytest.raises(DomainError):
        item_accept(actor=users["supervisor"], item=rework)

    # The unit re-answers: the answer goes to a second round, the rework waits for it.
    rework = item_answer(
        actor=users["handler"],
        item=rework,
        answer="已补充法律依据并逐项答复赔偿诉求，重新送达答复意见书。",
        today=date(2026, 4, 1),
    )
    assert rework.status == ItemStatus.ANSWERED
    second = QualityInspection.objects.get(case=bad, round=2)
    assert (second.reason, second.rework_of, second.result) == ("rework", rework, "")
    assert Notification.objects.filter(
        user=users["inspector"], kind="supervision.reinspect"
    ).exists()

    quality_decide(
        actor=users["inspector"], inspection=second, checks=ALL_MET, today=date(2026, 4, 2)
    )
    rework.refresh_from_db()
    assert (rework.status, rework.done_on) == (ItemStatus.DONE, date(2026, 4, 2))
    assert pass_rate(start=YEAR[0], end=YEAR[1]).passed == 2
    assert pass_rate(start=YEAR[0], end=YEAR[1]).inspected == 3
    assert quality_counts(Period.year(2026)) == (2, 3)


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
    rework = SupervisionItem.objects.get(kind=ItemKind.REWORK)
    item_answer(actor=users["handler"], item=rework, answer="已重新答复。", today=date(2026, 3, 25))
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
    checks, notes = failing()
    quality_decide(
        actor=users["inspector"],
        inspection=QualityInspection.objects.get(),
        checks=checks,
        notes=notes,
        today=date(2026, 3, 21),
    )
    case_evaluate(actor=users["clerk"], case=case, rating="unsatisfied", today=date(2026, 3, 25))
    # The rework's answer is inspected in the next round; the sweep adds none of its own.
    assert quality_sample(today=date(2026, 3, 26), rate=1.0)["unsatisfied"] == 0
    assert QualityInspection.objects.count() == 1
