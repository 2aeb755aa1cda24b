"""The navigation's queue counts are exact, and the pages cost a fixed number of queries.

queue_counts reads only the statuses each queue declares (QUEUE_STATUSES) and the visible
cases through ``id IN`` subqueries instead of joins; these tests hold both to a count made
independently, in Python, over cases in every status, with co-handled cases, a lead case with
several co-handling units (a join would count it twice) and accusations hidden from the
accused unit."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import chinese_calendar
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xinfang.cases import deadlines
from xinfang.cases.models import Case, Channel, PetitionType, Status
from xinfang.cases.queues import QUEUES, queue_cases, queue_counts, queues_for
from xinfang.cases.selectors import COUNTY_WIDE_ROLES, UNIT_ROLES, cases_visible_to
from xinfang.org.models import Unit

from .factories import register

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 10)
CHANNELS = [Channel.ONLINE, Channel.LETTER, Channel.HOTLINE, Channel.VISIT]
# (due_on offset, due_flag, evaluation_due offset) per variant: overdue, due today and soon,
# soon, later; the rating window closed, open today, open, none.
VARIANTS: list[tuple[int | None, str, int | None]] = [
    (-5, "overdue", -1),
    (0, "soon", 0),
    (2, "soon", 3),
    (10, "", None),
    (None, "", None),
]


def _day(offset: int | None) -> date | None:
    return None if offset is None else TODAY + timedelta(days=offset)


@pytest.fixture
def spread(users: dict[str, Any]) -> dict[str, Any]:
    """Cases in every status and every deadline variant, over three units and none."""
    zjj, rsj = Unit.objects.get(code="zjj"), Unit.objects.get(code="rsj")
    third = Unit.objects.exclude(pk__in=[zjj.pk, rsj.pk]).order_by("code").first()
    assert third is not None
    lead_units = [zjj, rsj, third, None]
    made: list[Case] = []
    for s_index, status in enumerate(Status.values):
        for v_index, (due, flag, evaluation) in enumerate(VARIANTS):
            case = register(users, channel=CHANNELS[(s_index + v_index) % len(CHANNELS)])
            Case.objects.filter(pk=case.pk).update(
                status=status,
                handling_unit=lead_units[(s_index + v_index) % len(lead_units)],
                due_on=_day(due),
                due_flag=flag,
                evaluation_due=_day(evaluation),
            )
            made.append(case)
    open_statuses = [Status.ROUTED, Status.IN_HANDLING, Status.EXTENDED, Status.REPLIED]
    # co-handled by zjj, led by another unit
    for status in open_statuses:
        case = register(users)
        Case.objects.filter(pk=case.pk).update(status=status, handling_unit=rsj, due_on=TODAY)
        case.co_units.add(zjj)
    # led by zjj with two other co-handling units: one case, however many co-units it has
    for status in open_statuses:
        case = register(users)
        Case.objects.filter(pk=case.pk).update(
            status=status, handling_unit=zjj, due_on=TODAY - timedelta(days=1)
        )
        case.co_units.add(rsj, third)
    # accusations against zjj (hidden from zjj's staff, led by zjj or co-handled by it) and
    # against rsj (visible to zjj)
    for accused, status in [(zjj, Status.IN_HANDLING), (zjj, Status.ROUTED), (rsj, Status.ROUTED)]:
        case = register(users, petition_type=PetitionType.ACCUSATION, accused_units=[accused])
        Case.objects.filter(pk=case.pk).update(status=status, handling_unit=zjj, due_on=TODAY)
    hidden_co = register(users, petition_type=PetitionType.ACCUSATION, accused_units=[zjj])
    Case.objects.filter(pk=hidden_co.pk).update(status=Status.IN_HANDLING, handling_unit=rsj)
    hidden_co.co_units.add(zjj)
    return {"zjj": zjj, "rsj": rsj}


def _visible_in_python(user: Any) -> set[int]:
    """The visibility rule (selectors.restrict_cases) restated over the loaded rows."""
    if not user.is_active:
        return set()
    seen = set()
    for case in Case.objects.prefetch_related("co_units", "accused_units"):
        co = {u.pk for u in case.co_units.all()}
        accused = {u.pk for u in case.accused_units.all()}
        if user.role in COUNTY_WIDE_ROLES:
            ok = True
        elif user.role in UNIT_ROLES and user.unit_id:
            ok = case.handling_unit_id == user.unit_id or user.unit_id in co
        else:
            ok = False
        if ok and user.unit_id and case.petition_type == PetitionType.ACCUSATION:
            ok = user.unit_id not in accused
        if ok:
            seen.add(case.pk)
    return seen


def test_every_queue_count_equals_a_direct_count(users, spread):
    checked, nonzero = 0, 0
    for user in users.values():
        queues = queues_for(user)
        counts = queue_counts(user, today=TODAY)
        assert set(counts) == {q.code for q in queues}
        visible = _visible_in_python(user)
        for queue in queues:
            matching = set(Case.objects.filter(queue.condition(TODAY)).values_list("pk", flat=True))
            expected = len(visible & matching)
            assert counts[queue.code] == expected, (user.username, queue.code)
            assert queue_cases(user, queue.code, today=TODAY).count() == expected
            checked += 1
            nonzero += expected > 0
    assert checked >= 25
    assert nonzero >= 20  # the data reaches (almost) every queue of every role


def test_queue_statuses_bound_every_queue(spread):
    """queue_counts reads only QUEUE_STATUSES: a queue's condition must never match a case in
    another status (there is a case in every status and every deadline variant)."""
    for code, queue in QUEUES.items():
        found = set(Case.objects.filter(queue.condition(TODAY)).values_list("status", flat=True))
        assert found, code
        assert found <= queue.statuses, code


def test_visible_cases_have_no_duplicates(users, spread):
    for name in ["handler", "handler2", "unithead", "clerk"]:
        pks = list(cases_visible_to(users[name]).values_list("pk", flat=True))
        assert len(pks) == len(set(pks)) == cases_visible_to(users[name]).count()
        assert set(pks) == _visible_in_python(users[name])


def test_queue_counts_take_one_query(users, spread, django_assert_num_queries):
    for name in ["clerk", "handler", "supervisor", "leader", "inspector"]:
        with django_assert_num_queries(1):
            queue_counts(users[name], today=TODAY)


def _queries(client: Any, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, path
    assert len(ctx) > 0
    return len(ctx)


def _more_cases(users: dict[str, Any], zjj: Unit, rsj: Unit, n: int) -> None:
    for i in range(n):
        case = register(users, received_on=TODAY - timedelta(days=i))
        Case.objects.filter(pk=case.pk).update(
            status=[Status.IN_HANDLING, Status.EXTENDED, Status.ROUTED][i % 3],
            handling_unit=[zjj, rsj][i % 2],
            due_on=TODAY + timedelta(days=i % 7 - 3),
            due_flag=["overdue", "soon", ""][i % 3],
        )
        if i % 4 == 0:
            case.co_units.add(zjj if i % 2 else rsj)


@pytest.mark.parametrize("name", ["handler", "clerk"])
def test_case_page_and_queue_page_queries_do_not_grow_with_the_cases(client, users, name):
    zjj, rsj = Unit.objects.get(code="zjj"), Unit.objects.get(code="rsj")
    _more_cases(users, zjj, rsj, 4)
    page_case = Case.objects.filter(handling_unit=zjj).order_by("pk").first()
    assert page_case is not None
    client.force_login(users[name])
    paths = [
        f"/cases/{page_case.pk}/",
        "/cases/?queue=in_handling&sort=due",
        "/cases/?queue=to_accept",
        "/cases/",
    ]
    for path in paths:  # warm-up: per-process look-ups (content types, sessions) settle
        client.get(path)
    before = {path: _queries(client, path) for path in paths}
    _more_cases(users, zjj, rsj, 70)  # several pages of every list
    after = {path: _queries(client, path) for path in paths}
    assert after == before


def test_the_memoized_calendar_agrees_with_chinese_calendar():
    day = date(2024, 1, 1)
    while day < date(2027, 1, 1):
        try:
            expected = chinese_calendar.is_workday(day)
        except NotImplementedError:  # beyond the package's years: weekends only
            expected = day.weekday() < 5
        assert deadlines.is_working_day(day) is expected, day
        assert deadlines.is_working_day(day) is expected, day  # from the cache
        day += timedelta(days=1)


def test_working_days_remaining_over_years_counts_every_working_day():
    today, due = date(2026, 12, 6), date(2023, 2, 1)
    naive = -sum(
        1
        for n in range((today - due).days)
        if deadlines.is_working_day(due + timedelta(days=n)) or n == 0
    )
    assert deadlines.working_days_remaining(today=today, due=due) == naive
    assert deadlines.working_days_remaining(today=due, due=today) > 0
