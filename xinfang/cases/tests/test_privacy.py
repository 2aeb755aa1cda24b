from __future__ import annotations

import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xinfang.audit.models import AuditRecord
from xinfang.cases import services as s
from xinfang.cases.models import Case, Petitioner
from xinfang.cases.privacy import ERASED_NAME, purge_personal_data

from .factories import register

pytestmark = [pytest.mark.security, pytest.mark.django_db]


def closed(users, on: date) -> Case:
    case = register(users, received_on=on)
    return s.case_not_accept(actor=users["clerk"], case=case, reason="不属于信访事项", today=on)


def test_purge_erases_identifiers_after_the_retention_period_only(users):
    old = closed(users, date(2014, 3, 1))
    recent = closed(users, date(2020, 3, 1))
    active = register(users, received_on=date(2010, 1, 1))  # still open: kept
    report = purge_personal_data(today=date(2026, 11, 28))
    assert (report.cases, report.petitioners) == (1, 1)
    person = old.petitioners.get()
    assert (person.name, person.id_number, person.phone, person.id_number_digest) == (
        ERASED_NAME,
        "",
        "",
        "",
    )
    assert recent.petitioners.get().name == "张三"
    assert active.petitioners.get().name == "张三"
    old.refresh_from_db()
    assert old.title  # the matter itself stays
    assert AuditRecord.objects.filter(
        action="case.personal_data.purge", object_id=str(old.pk)
    ).exists()
    assert purge_personal_data(today=date(2026, 11, 28)).cases == 0  # idempotent


def test_purge_dry_run_changes_nothing(users):
    closed(users, date(2014, 3, 1))
    out = StringIO()
    call_command("purge_personal_data", "--dry-run", "--today", "2026-11-28", stdout=out)
    assert "would erase personal data of 1 petitioner" in out.getvalue()
    assert Petitioner.objects.get().name == "张三"


def test_citizen_data_export_finds_every_record_of_the_person(users):
    register(users)
    register(users, title="第二件事项")
    out = StringIO()
    call_command(
        "export_citizen_data", "--id-number", "530423199001011234", "--as-user", "clerk", stdout=out
    )
    data = json.loads(out.getvalue())
    assert {r["title"] for r in data["records"]} == {"小区楼顶漏水无人维修", "第二件事项"}
    assert data["records"][0]["phone"] == "13800001111"
    with pytest.raises(CommandError):
        call_command(
            "export_citizen_data", "--id-number", "530423199001011234", "--as-user", "inspector"
        )


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    fields=st.dictionaries(
        st.sampled_from(
            [
                "channel",
                "petition_type",
                "category",
                "title",
                "content",
                "division",
                "received_on",
                "name",
                "phone",
                "id_number",
                "people_count",
                "representatives",
                "deadline_assigned",
                "accused_units",
                "repeat_of",
                "repeat_checked",
            ]
        ),
        st.one_of(st.text(max_size=300), st.integers(-5, 10**12).map(str), st.just("")),
    )
)
def test_registration_fuzz_never_errors_and_never_writes_half(client, users, fields):
    client.force_login(users["clerk"])
    before = Case.objects.count(), Petitioner.objects.count()
    response = client.post("/cases/register/", fields)
    assert response.status_code in (200, 302, 400)
    after = Case.objects.count(), Petitioner.objects.count()
    if response.status_code == 302:
        assert after[0] == before[0] + 1
    else:
        assert after == before
