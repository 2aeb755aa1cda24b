"""Property: no sequence of actions, by anyone, reaches a state the machine forbids, and a
refused action changes nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xinfang.cases import services as s
from xinfang.cases.models import Case, Status
from xinfang.cases.transitions import TRANSITIONS, Action
from xinfang.core.errors import DomainError
from xinfang.org.models import Unit

from .factories import register

ACTORS = ["clerk", "handler", "handler2", "unithead", "supervisor", "leader", "inspector"]


def attempt(action: Action, actor, case: Case, day: date, users) -> Case:
    zjj = Unit.objects.get(code="zjj")
    rsj = Unit.objects.get(code="rsj")
    calls = {
        Action.ROUTE: lambda: s.case_route(actor=actor, case=case, unit=zjj, today=day),
        Action.JOINT: lambda: s.case_set_joint_handling(
            actor=actor, case=case, lead=zjj, co_units=[rsj]
        ),
        Action.RETURN: lambda: s.case_return(
            actor=actor, case=case, reason="不属于本单位", today=day
        ),
        Action.ACCEPT: lambda: s.case_accept(actor=actor, case=case, today=day),
        Action.NOT_ACCEPT: lambda: s.case_not_accept(
            actor=actor, case=case, reason="理由", today=day
        ),
        Action.EXTEND: lambda: s.case_extend(actor=actor, case=case, days=10, reason="复杂"),
        Action.REPLY: lambda: s.case_reply(
            actor=actor,
            case=case,
            outcome="supported",
            text="经查属实，已依法处理完毕。",
            today=day,
        ),
        Action.EVALUATE: lambda: s.case_evaluate(
            actor=actor, case=case, rating="satisfied", today=day
        ),
        Action.REQUEST_REVIEW: lambda: s.case_request_review(
            actor=actor, case=case, reason="不服", today=day
        ),
        Action.DECIDE_REVIEW: lambda: s.case_decide_review(
            actor=actor, case=case, outcome="supported", text="复查维持原处理意见。", today=day
        ),
        Action.REQUEST_REREVIEW: lambda: s.case_request_rereview(
            actor=actor, case=case, reason="不服", today=day
        ),
        Action.DECIDE_REREVIEW: lambda: s.case_decide_rereview(
            actor=actor, case=case, outcome="supported", text="复核维持复查意见，终结。", today=day
        ),
        Action.CLOSE: lambda: s.case_close(actor=actor, case=case, today=day),
        Action.MERGE: lambda: s.case_merge(actor=actor, case=case, into=register(users)),
        Action.DIVERT: lambda: s.case_divert(
            actor=actor, case=case, to="litigation", reason="属于诉讼"
        ),
        Action.REWORK: lambda: s.case_reopen_for_rework(
            actor=actor, case=case, reason="质检不合格", due_on=day + timedelta(days=10), today=day
        ),
    }
    return calls[action]()


@pytest.mark.django_db
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(list(Action)), st.sampled_from(ACTORS), st.integers(0, 40)),
        min_size=1,
        max_size=14,
    )
)
def test_no_action_sequence_reaches_a_forbidden_state(users, steps):
    case = register(users)
    day = case.received_on
    for action, who, gap in steps:
        day += timedelta(days=gap)
        before = Case.objects.get(pk=case.pk)
        events_before = before.events.count()
        try:
            case = attempt(action, users[who], before, day, users)
        except DomainError:
            after = Case.objects.get(pk=case.pk)
            assert (after.status, after.version) == (before.status, before.version)
            assert after.events.count() == events_before
            continue
        sources, target = TRANSITIONS[action]
        assert before.status in sources
        assert case.status == (target or before.status)
        assert case.version == before.version + 1
        assert case.status in Status.values
