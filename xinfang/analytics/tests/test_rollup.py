"""The maintained rollup stays exact: checked against a direct count after every kind of
write (services, bulk updates, deletes, bulk loads), after compaction and after a rebuild."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xinfang.analytics import rollup
from xinfang.analytics.definitions import OPEN_STATUSES
from xinfang.analytics.engine import direct_counters, direct_live, rollup_counters, rollup_live
from xinfang.analytics.models import PendingCell, RollupCell
from xinfang.analytics.periods import Period
from xinfang.cases import services as s
from xinfang.cases.models import Case, Category
from xinfang.cases.tests.factories import register
from xinfang.core.errors import DomainError
from xinfang.org.models import Unit

from .scenario import LATE, build

pytestmark = pytest.mark.django_db
D = date


def test_triggers_are_installed_after_migrate():
    assert rollup.triggers_current()


def test_the_rollup_equals_a_direct_count_after_the_lifecycle(users):
    build(users)
    assert rollup.verify() == []
    assert RollupCell.objects.exists()


def test_compaction_keeps_the_sums_and_merges_rows(users):
    build(users)
    before = {
        code: rollup_counters(period=Period.parse(code, today=LATE), today=LATE)
        for code in ("2026", "2026-03", "2026-Q2")
    }
    rows = RollupCell.objects.count()
    merged = rollup.compact()
    assert merged[rollup.ROLLUP] > 0
    assert RollupCell.objects.count() < rows
    assert rollup.verify() == []
    for code, result in before.items():
        assert rollup_counters(period=Period.parse(code, today=LATE), today=LATE) == result
    assert rollup.compact()[rollup.ROLLUP] == 0  # nothing left to merge


def test_rebuild_gives_what_the_triggers_kept(users):
    build(users)
    rollup.compact()
    kept = sorted(RollupCell.objects.values_list(*rollup.KEYS, *rollup.COLUMNS))
    pending = sorted(PendingCell.objects.values_list(*rollup.PENDING_KEYS, "n"))
    rollup.rebuild()
    assert sorted(RollupCell.objects.values_list(*rollup.KEYS, *rollup.COLUMNS)) == kept
    assert sorted(PendingCell.objects.values_list(*rollup.PENDING_KEYS, "n")) == pending


def test_bulk_updates_and_deletes_are_counted_too(users):
    world = build(users)
    # A queryset update (no save(), no signal) moving every case to another category...
    Case.objects.filter(pk=world.cases["A"].pk).update(
        category=Category.objects.get(code="labour"), rating="basically"
    )
    # ...and a raw delete of a case with its dependants.
    h = world.cases["H"]
    for rel in Case._meta.get_fields(include_hidden=True):  # its dependants, in every app
        if rel.auto_created and not rel.concrete and (rel.one_to_many or rel.one_to_one):
            rel.related_model._base_manager.filter(**{rel.field.name: h}).delete()
    with connection.cursor() as cur:
        cur.execute("DELETE FROM cases_case WHERE id = %s", [h.pk])
    assert rollup.verify() == []


def test_unrelated_updates_write_nothing(users):
    world = build(users)
    rows = RollupCell.objects.count() + PendingCell.objects.count()
    Case.objects.filter(pk=world.cases["F"].pk).update(version=9, address="别处")
    assert RollupCell.objects.count() + PendingCell.objects.count() == rows


def test_the_trackers_follow_the_case_lists_queues(users):
    """definitions.TRACKERS restate the "overdue" and "due_soon" queue conditions of
    xinfang.cases.queues; this holds them together on every day around the scenario."""
    build(users)
    Case.objects.filter(title__startswith="己").update(due_flag="soon")  # as the sweep would
    Case.objects.filter(title__startswith="丁").update(due_flag="overdue")
    assert rollup.verify() == []
    day = D(2026, 3, 1)
    while day < D(2026, 6, 1):
        assert rollup_live(today=day) == direct_live(Case.objects.all(), today=day), day
        day += timedelta(days=3)


def test_a_bulk_load_without_triggers_is_rebuilt_after(users):
    build(users)
    template = Case.objects.get(title="甲 楼顶漏水")
    with rollup.rollup_suspended():
        assert not rollup.triggers_current()
        copies = []
        for i in range(5):
            template.pk = None
            template.number = f"BULK-{i}"
            copies.append(
                Case(
                    **{f.attname: getattr(template, f.attname) for f in Case._meta.concrete_fields}
                )
            )
        Case.objects.bulk_create(copies)
    assert rollup.triggers_current()
    assert rollup.verify() == []


def test_ensure_rollup_repairs_missing_triggers_and_a_stale_rollup(users):
    build(users)
    rollup.drop_triggers(connection)
    register(users, title="无触发器期间登记")  # not counted: no trigger
    assert rollup.verify() != []
    rollup.ensure_rollup()
    assert rollup.triggers_current()
    assert rollup.verify() == []


def test_ensure_rollup_empties_the_rollup_when_the_cases_are_gone(db):
    """A flush may delete the rollup before the cases; the delete triggers then leave
    negative rows behind. ensure_rollup (post_migrate, which also follows a flush) clears
    them."""
    assert not Case.objects.exists()
    RollupCell.objects.create(
        month=D(2026, 3, 1), unit_id=0, town="", category_id=1, channel="letter", registered=-1
    )
    PendingCell.objects.create(
        counter="acc_due",
        due=D(2026, 3, 18),
        unit_id=0,
        town="",
        category_id=1,
        channel="letter",
        n=-1,
    )
    rollup.ensure_rollup()
    assert not RollupCell.objects.exists()
    assert not PendingCell.objects.exists()


def test_the_trigger_sql_is_generated_from_the_definitions():
    sqlite, names = rollup.trigger_sql("sqlite")
    assert len(sqlite) == 3
    assert all(n.startswith(rollup.TRIGGER_PREFIX) for n in names)
    assert "acceptance_notified_on" in sqlite[0]
    pg, pg_names = rollup.trigger_sql("postgresql")
    assert "IS DISTINCT FROM" in pg[0]
    assert len(pg_names) == 1


STEPS = [
    "route",
    "accept",
    "extend",
    "reply",
    "evaluate",
    "return",
    "not_accept",
    "merge",
    "close",
    "rework",
]


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    plan=st.lists(
        st.tuples(st.sampled_from(STEPS), st.integers(min_value=0, max_value=40)),
        min_size=1,
        max_size=12,
    )
)
def test_random_lifecycles_keep_the_rollup_exact(users, plan):
    """Whatever the services do, in whatever order, on whatever days: rollup == count."""
    zjj = Unit.objects.get(code="zjj")
    case = register(users, title="随机流程", received_on=D(2026, 1, 5))
    other = register(users, title="随机流程 原件", received_on=D(2026, 1, 5))
    day = D(2026, 1, 6)
    for step, gap in plan:
        day += timedelta(days=gap)
        case.refresh_from_db()
        try:
            if step == "route":
                s.case_route(actor=users["clerk"], case=case, unit=zjj, today=day)
            elif step == "accept":
                s.case_accept(actor=users["handler"], case=case, today=day)
            elif step == "extend":
                s.case_extend(actor=users["unithead"], case=case, days=gap % 30 + 1, reason="原因")
            elif step == "reply":
                s.case_reply(
                    actor=users["handler"],
                    case=case,
                    outcome="supported",
                    text="经查属实，已经整改完毕。",
                    today=day,
                )
            elif step == "evaluate":
                rating = ["satisfied", "basically", "unsatisfied"][gap % 3]
                s.case_evaluate(actor=None, case=case, rating=rating, today=day)
            elif step == "return":
                s.case_return(actor=users["handler"], case=case, reason="非本单位", today=day)
            elif step == "not_accept":
                s.case_not_accept(actor=users["handler"], case=case, reason="不予受理", today=day)
            elif step == "merge":
                s.case_merge(actor=users["clerk"], case=case, into=other)
            elif step == "close":
                s.case_close(actor=users["clerk"], case=case, today=day)
            elif step == "rework":
                s.case_reopen_for_rework(
                    actor=users["inspector"],
                    case=case,
                    reason="质检不合格",
                    due_on=day + timedelta(days=gap % 20),
                    today=day,
                )
        except DomainError:
            pass
    Case.objects.filter(pk=case.pk, status__in=OPEN_STATUSES).update(due_flag="soon")
    assert rollup.verify() == []
    for today in (D(2026, 2, 1), day, day + timedelta(days=90)):
        assert rollup_live(today=today) == direct_live(Case.objects.all(), today=today)
        period = Period.parse("2026", today=today)
        assert rollup_counters(period=period, today=today) == direct_counters(
            Case.objects.all(), period=period, today=today
        )
