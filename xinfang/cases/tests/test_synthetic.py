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


def test_generated_cases_come_with_a_complete_repeat_check_index(users):
    from xinfang.routing.fingerprints import fingerprint_values, index_missing, person_key
    from xinfang.routing.models import CaseFingerprint, PetitionerKey
    from xinfang.routing.services import similar_cases

    generate_cases(300, seed=5, today=date(2026, 11, 28), batch=120)
    # what routing_index would write, written with the cases: nothing is missing ...
    assert CaseFingerprint.objects.count() == 300
    assert PetitionerKey.objects.count() == 300
    assert index_missing() == (0, 0)
    # ... and every row is the one routing_index computes
    for fingerprint in CaseFingerprint.objects.select_related("case")[:50]:
        expected = fingerprint_values(fingerprint.case.search_text)
        assert {k: getattr(fingerprint, k) for k in expected} == expected
    for key in PetitionerKey.objects.select_related("petitioner__case")[:50]:
        assert key.key == person_key(key.petitioner.name, key.petitioner.case.division_id)
    # so the repeat check finds an earlier case of the same person and matter
    person = Petitioner.objects.select_related("case").order_by("pk").first()
    found = similar_cases(
        user=users["clerk"],
        title=person.case.title,
        content=person.case.content,
        petitioner_id_number=person.id_number,  # decrypted by the field
        name=person.name,
        division=person.case.division,
    )
    assert person.case in [s.case for s in found]
    assert {s.reason for s in found if s.case == person.case} == {"repeat"}
