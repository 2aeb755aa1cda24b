"""The workbench of the dispute and stability work, the navigation entry, and the demo
accounts of the centre and the towns."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from xinfang.core.errors import DomainError
from xinfang.disputes.demo import DEMO_DISPUTE_USERS, seed_demo_dispute_users
from xinfang.org.models import Division, User
from xinfang.risk.zero import period_declare

from .factories import report

pytestmark = pytest.mark.django_db


def test_the_workbench_counts_what_the_user_may_see(client, staff):
    report(staff, deadline=timezone.localdate() - timedelta(days=1), risk_level="high")
    report(staff, username="hexi", division=Division.objects.get(code="530423102"))
    client.force_login(staff["hexi"])
    page = client.get("/disputes/").content.decode()
    assert 'data-panel="active"><span class="count">1<' in page
    assert 'data-panel="overdue"><span class="count">0<' in page
    client.force_login(staff["leader"])
    page = client.get("/disputes/").content.decode()
    assert 'data-panel="active"><span class="count">2<' in page
    assert 'data-panel="overdue"><span class="count">1<' in page
    assert 'data-panel="high"><span class="count">1<' in page


def test_a_designated_unit_sees_todays_report_is_due(client, staff):
    from xinfang.org.models import Unit

    period_declare(
        actor=staff["mediator"],
        title="重要会议期间零报告",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + timedelta(days=1),
        units=Unit.objects.filter(code="gov-530423101"),
    )
    client.force_login(staff["yangguang"])
    assert "data-due-today" in client.get("/disputes/").content.decode()
    client.force_login(staff["hexi"])
    assert "data-due-today" not in client.get("/disputes/").content.decode()


def test_the_workbench_query_count_is_bounded(client, staff, django_assert_max_num_queries):
    for _ in range(10):
        report(staff)
    client.force_login(staff["mediator"])
    with django_assert_max_num_queries(25):
        assert client.get("/disputes/").status_code == 200


def test_navigation_shows_the_entry_to_readers_only(client, staff):
    client.force_login(staff["analyst"])
    assert 'href="/disputes/"' in client.get("/").content.decode()
    client.force_login(staff["clerk"])
    assert 'href="/disputes/"' not in client.get("/").content.decode()


def test_demo_accounts_are_idempotent_and_demo_only(users):
    first = seed_demo_dispute_users()
    assert seed_demo_dispute_users() == first
    assert User.objects.filter(username__in=[u[0] for u in DEMO_DISPUTE_USERS]).count() == 3
    town = User.objects.get(username="yangguang")
    assert town.unit.kind == "town_government"
    assert town.unit.division.name == "杨广镇"
    assert town.unit.name == "杨广镇人民政府"
    with override_settings(XINFANG={"DEMO": False}), pytest.raises(DomainError):
        seed_demo_dispute_users()
