from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import F, Q

from xinfang.cases.models import Case, Petitioner, Status
from xinfang.cases.search import search
from xinfang.cases.selectors import earlier_cases
from xinfang.cases.synthetic import generate_cases

pytestmark = pytest.mark.django_db(transaction=True)


def test_generated_cases_are_consistent_with_the_rules(users):
    assert generate_cases(600, seed=3, today=date(2026, 11, 28), batch=250) == 600
    assert Case.objects.count() == 600
    assert Petitioner.objects.count() == 600
    assert Case.objects.values("number").distinct().count() == 600
    statuses = set(Case.objects.values_list("status", flat=True))
    assert statuses <= set(Status.values)
    assert {Status.CLOSED, Status.IN_HANDLING} <= statuses
    # dates move forward along the lifecycle, and deadlines follow the steps
    assert not Case.objects.filter(routed_on__lt=F("received_on")).exists()
    assert not Case.objects.filter(replied_on__lt=F("accepted_on")).exists()
    assert not Case.objects.filter(handling_due__lte=F("accepted_on")).exists()
    assert not Case.objects.filter(Q(status=Status.IN_HANDLING) & Q(due_on__isnull=True)).exists()
    # personal data is encrypted and findable, full-text search finds generated texts
    person = Petitioner.objects.select_related("case").first()
    assert len(person.id_number) == 18
    found = earlier_cases(users["clerk"], phone=person.phone)
    assert person.case in [c for c, _why in found]
    word = person.case.title[:2]
    assert search(Case.objects.all(), word).exists()
    # a second run continues the numbering
    generate_cases(10, seed=4, today=date(2026, 11, 28))
    assert Case.objects.values("number").distinct().count() == 610


def test_command_shows_progress_and_rate(users):
    out, err = StringIO(), StringIO()
    call_command("generate_cases", "50", stdout=out, stderr=err)
    assert "generated 50 cases" in out.getvalue()
