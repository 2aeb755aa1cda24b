"""The maintained quality cells (质检合格率 without reading the inspections) stay exact: after
inspections are decided, changed and deleted, after a case moves to another unit, after
compaction; the dashboards' figures from the cells equal a direct count in every scope."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection

from xinfang.analytics import quality, rollup
from xinfang.analytics.models import QualityCell
from xinfang.analytics.periods import Filters, Period
from xinfang.analytics.selectors import quality_by_unit, quality_counts, scope_for
from xinfang.cases.models import Case, Category
from xinfang.org.models import Unit
from xinfang.supervision.models import QualityInspection
from xinfang.supervision.quality import CHECKLIST_CODES, quality_decide, quality_select
from xinfang.supervision.tests.factories import answered

pytestmark = pytest.mark.django_db
ALL_MET = dict.fromkeys(CHECKLIST_CODES, True)
FAILING = {**ALL_MET, "point_by_point": False, "answer_complete": False}
NOTES = {"point_by_point": "未回应赔偿诉求", "answer_complete": "未说明法律依据"}
PERIODS = ("2026", "2026-03", "2026-04", "2026-Q1", "2026-03-10..2026-04-30")


def _decide(users, case, *, passed: bool, on: date) -> QualityInspection:
    inspection = quality_select(actor=users["inspector"], case=case, today=on)
    if passed:
        return quality_decide(
            actor=users["inspector"], inspection=inspection, checks=ALL_MET, today=on
        )
    return quality_decide(
        actor=users["inspector"],
        inspection=inspection,
        checks=FAILING,
        notes=NOTES,
        comment="请重新答复。",
        today=on,
    )


def _world(users) -> list[Case]:
    cases = [
        answered(users, title="楼顶漏水"),
        answered(users, title="路灯不亮"),
        answered(users, title="噪音扰民", replied_on=date(2026, 3, 25)),
    ]
    _decide(users, cases[0], passed=True, on=date(2026, 3, 23))
    _decide(users, cases[1], passed=False, on=date(2026, 3, 31))
    _decide(users, cases[2], passed=True, on=date(2026, 4, 1))
    return cases


def _direct(period: Period, filters: Filters, *, scope=None, by_unit: bool):
    cases = scope.cases() if scope is not None else Case.objects.all()
    return quality.inspection_rows(period, filters, cases=cases, by_unit=by_unit)


def _assert_cells_equal_a_direct_count(users) -> None:
    assert rollup.verify() == []
    for code in PERIODS:
        period = Period.parse(code, today=date(2026, 7, 31))
        for filters in (Filters(), Filters(unit_id=Unit.objects.get(code="zjj").pk)):
            assert (
                quality_counts(period, filters) == _direct(period, filters, by_unit=False)[None]
            ), code
            for who in ("leader", "unithead", "supervisor"):
                scope = scope_for(users[who])
                direct = {
                    k: v
                    for k, v in _direct(period, filters, scope=scope, by_unit=True).items()
                    if v != (0, 0)
                }
                kept = {
                    k: v
                    for k, v in quality_by_unit(period, filters, scope=scope).items()
                    if v != (0, 0)
                }
                assert kept == direct, (code, who, filters)


def test_the_cells_are_maintained_for_this_inspection_model():
    assert quality.maintained()
    assert quality.triggers_current()


def test_decisions_are_counted_by_month_and_unit(users):
    _world(users)
    assert QualityCell.objects.exists()
    assert quality_counts(Period.parse("2026-03", today=date(2026, 7, 31))) == (1, 2)
    assert quality_counts(Period.parse("2026-04", today=date(2026, 7, 31))) == (1, 1)
    assert quality_counts(Period.year(2026)) == (2, 3)
    _assert_cells_equal_a_direct_count(users)


def test_a_case_moved_to_another_unit_takes_its_inspections_along(users):
    cases = _world(users)
    rsj = Unit.objects.get(code="rsj")
    Case.objects.filter(pk=cases[1].pk).update(
        handling_unit=rsj, category=Category.objects.get(code="labour")
    )
    by_unit = quality_by_unit(Period.year(2026), scope=scope_for(users["leader"]))
    assert by_unit[rsj.pk] == (0, 1)
    _assert_cells_equal_a_direct_count(users)


def test_changed_and_deleted_inspections_are_counted_too(users):
    cases = _world(users)
    QualityInspection.objects.filter(case=cases[0]).update(result="fail")
    QualityInspection.objects.filter(case=cases[2]).update(decided_on=date(2026, 5, 2))
    _assert_cells_equal_a_direct_count(users)
    QualityInspection.objects.filter(case=cases[2]).delete()
    assert quality_counts(Period.year(2026)) == (0, 2)
    _assert_cells_equal_a_direct_count(users)


def test_compaction_and_rebuild_keep_the_figures(users):
    _world(users)
    before = quality_by_unit(Period.year(2026))
    rows = QualityCell.objects.count()
    merged = rollup.compact()
    assert merged[quality.CELLS] >= 0
    assert QualityCell.objects.count() <= rows
    assert quality_by_unit(Period.year(2026)) == before
    rollup.rebuild()
    assert quality_by_unit(Period.year(2026)) == before
    _assert_cells_equal_a_direct_count(users)


def test_missing_triggers_are_put_back_and_the_cells_rebuilt(users):
    cases = _world(users)
    quality.drop_triggers(connection)
    assert not quality.triggers_current()
    QualityInspection.objects.filter(case=cases[0]).update(result="fail")  # not seen
    assert rollup.verify() != []
    rollup.ensure_rollup()
    assert quality.triggers_current()
    _assert_cells_equal_a_direct_count(users)
