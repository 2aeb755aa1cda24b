"""Query-code look-ups and their brute-force protection: 5 failures in 15 minutes lock the
client address and the case number for 15 minutes; every failure is audited."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from xinfang.audit.models import AuditRecord
from xinfang.cases.tests.factories import register
from xinfang.portal.throttle import Limit, Throttle

pytestmark = [pytest.mark.django_db, pytest.mark.security]

WRONG = "WRONG234"


def look_up(client, number: str, code: str, ip: str = "10.0.0.1"):
    return client.post("/portal/track/", {"number": number, "code": code}, REMOTE_ADDR=ip)


@pytest.fixture
def case(users):
    return register(users)


def test_the_right_number_and_code_open_the_case(client, case):
    response = look_up(client, case.number, case.query_code.lower())
    assert response.status_code == 302
    assert response["Location"] == "/portal/case/"
    html = client.get("/portal/case/").content.decode()
    assert case.title in html
    assert AuditRecord.objects.filter(
        action="portal.lookup.succeed", object_id=str(case.pk)
    ).exists()


def test_a_wrong_number_and_a_wrong_code_answer_alike(client, case):
    wrong_code = look_up(client, case.number, WRONG)
    wrong_number = look_up(client, "XF530423-2026-999999", case.query_code, ip="10.0.0.2")
    assert wrong_code.status_code == wrong_number.status_code == 400
    assert "4" in wrong_code.content.decode()  # tries left
    assert "/portal/case/" not in wrong_code.get("Location", "")
    assert client.get("/portal/case/").content.decode().count(case.title) == 0


def test_five_failures_lock_the_case_number_even_with_the_right_code(client, case):
    statuses = [look_up(client, case.number, WRONG).status_code for _ in range(5)]
    assert statuses == [400, 400, 400, 400, 429]
    right = look_up(client, case.number, case.query_code)
    assert right.status_code == 429
    assert 'class="p-error-summary p-locked"' in right.content.decode()
    # the number is locked from every address, the address for every number
    assert look_up(client, case.number, case.query_code, ip="10.7.7.7").status_code == 429
    failures = AuditRecord.objects.filter(action="portal.lookup.fail", object_id=str(case.pk))
    assert failures.count() == 5
    assert failures.last().after == {"via": "citizen portal", "locked": True}
    assert failures.last().client_address == "10.0.0.1"


def test_failures_from_one_address_lock_that_address_for_every_case(client, users, case):
    for i in range(5):
        look_up(client, f"XF530423-2026-99990{i}", WRONG, ip="10.0.0.9")
    assert look_up(client, case.number, case.query_code, ip="10.0.0.9").status_code == 429
    assert look_up(client, case.number, case.query_code, ip="10.0.0.10").status_code == 302


def test_failures_on_one_number_from_many_addresses_lock_the_number(client, case):
    for i in range(5):
        look_up(client, case.number, WRONG, ip=f"10.1.0.{i}")
    assert look_up(client, case.number, case.query_code, ip="10.1.1.1").status_code == 429


def test_a_successful_look_up_does_not_wipe_earlier_failures(client, users, case):
    other = register(users, title="另一件事")
    for _ in range(4):
        look_up(client, other.number, WRONG)
    assert look_up(client, case.number, case.query_code).status_code == 302
    assert look_up(client, other.number, WRONG).status_code == 429


def test_the_lock_opens_after_fifteen_minutes(client, case):
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        for _ in range(5):
            look_up(client, case.number, WRONG)
        assert look_up(client, case.number, case.query_code).status_code == 429
    with time_machine.travel(now + timedelta(minutes=14), tick=False):
        assert look_up(client, case.number, case.query_code).status_code == 429
    with time_machine.travel(now + timedelta(minutes=16), tick=False):
        assert look_up(client, case.number, case.query_code).status_code == 302


def test_the_limits_are_settings(client, case, settings):
    settings.XINFANG_PORTAL = {**settings.XINFANG_PORTAL, "LOOKUP_FAILURE_LIMIT": 2}
    assert [look_up(client, case.number, WRONG).status_code for _ in range(2)] == [400, 429]


def test_parallel_attempts_never_test_more_codes_than_the_limit():
    """Slots are claimed with cache.add before the code is compared: of 40 simultaneous
    attempts on one key, exactly 5 get to try (local-memory cache, 40 threads)."""
    throttle = Throttle("default")
    limit = Limit("test", 5, 900, 900)
    start = threading.Barrier(40)
    allowed: list[bool] = []

    def attempt() -> None:
        start.wait()
        allowed.append(throttle.attempt([(limit, "10.0.0.1")]).allowed)

    threads = [threading.Thread(target=attempt) for _ in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert allowed.count(True) == 5
    assert throttle.locked_until(limit, "10.0.0.1") is not None


def test_a_refused_attempt_gives_back_the_slots_it_took():
    throttle = Throttle("default")
    open_limit, full_limit = Limit("a", 5, 900, 900), Limit("b", 1, 900, 900)
    assert throttle.attempt([(full_limit, "x")]).allowed
    refused = throttle.attempt([(open_limit, "x"), (full_limit, "x")])
    assert not refused.allowed
    assert throttle.used(open_limit, "x") == 0
