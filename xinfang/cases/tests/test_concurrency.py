from __future__ import annotations

import threading

import pytest
from django.db import connection

from xinfang.cases import services as s
from xinfang.cases.models import Case, Status
from xinfang.core.errors import DomainError
from xinfang.org.models import Unit

from .factories import register


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_handlers_acting_at_once_cannot_both_apply(users):
    case = s.case_route(
        actor=users["clerk"], case=register(users), unit=Unit.objects.get(code="zjj")
    )
    version = case.version
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def act(who: str, reply: bool) -> None:
        try:
            barrier.wait()
            fresh = Case.objects.get(pk=case.pk)
            if reply:
                s.case_not_accept(
                    actor=users[who], case=fresh, reason="不予受理", expected_version=version
                )
            else:
                s.case_accept(actor=users[who], case=fresh, expected_version=version)
            outcomes.append("applied")
        except DomainError as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=act, args=("handler", False)),
        threading.Thread(target=act, args=("unithead", True)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("applied") == 1
    assert set(outcomes) - {"applied"} <= {"conflict", "illegal_transition"}
    case.refresh_from_db()
    assert case.status in (Status.IN_HANDLING, Status.NOT_ACCEPTED)
    assert case.version == version + 1
    assert case.events.count() == 3
