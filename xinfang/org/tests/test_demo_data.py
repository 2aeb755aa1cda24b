from __future__ import annotations

import pytest
from django.test import override_settings

from xinfang.core.errors import DomainError
from xinfang.org.models import Division, Role, Unit, User
from xinfang.org.services import seed_demo_organisation, seed_demo_users

pytestmark = pytest.mark.django_db


def test_tonghai_has_two_streets_four_towns_three_ethnic_townships(demo_org):
    county = Division.objects.get(code="530423")
    assert county.name == "通海县"
    towns = list(county.children.values_list("name", flat=True))
    assert len(towns) == 9
    assert sum(n.endswith("街道") for n in towns) == 2
    assert sum(n.endswith("镇") for n in towns) == 4
    assert sum(n.endswith("乡") for n in towns) == 3
    assert [d.name for d in Division.objects.get(code="530423101").path()] == [
        "云南省",
        "玉溪市",
        "通海县",
        "杨广镇",
    ]


def test_generated_villages_are_labelled_demo(demo_org):
    villages = Division.objects.filter(level=Division.Level.VILLAGE)
    assert villages.exists()
    assert all(v.is_demo and "演示" in v.name for v in villages)


def test_units_cover_bureau_centres_departments_and_towns(demo_org):
    kinds = set(Unit.objects.values_list("kind", flat=True))
    assert {"petition_bureau", "mediation_centre", "hotline_centre", "town_government"} <= kinds
    assert Unit.objects.filter(kind="department").count() >= 18
    assert Unit.objects.get(code="mtzx").parent.code == "xfj"


def test_one_demo_account_per_role(demo_org):
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)


def test_seeding_twice_keeps_existing_data(demo_org):
    clerk = User.objects.get(username="clerk")
    clerk.full_name = "改过的名字"
    clerk.save()
    before = (Division.objects.count(), Unit.objects.count(), User.objects.count())
    seed_demo_organisation()
    seed_demo_users()
    assert (Division.objects.count(), Unit.objects.count(), User.objects.count()) == before
    assert User.objects.get(username="clerk").full_name == "改过的名字"


def test_demo_accounts_are_refused_outside_demo_mode():
    seed_demo_organisation()
    with (
        override_settings(XINFANG={"DEMO": False}),
        pytest.raises(DomainError, match="demo mode"),
    ):
        seed_demo_users()
    assert not User.objects.exists()
