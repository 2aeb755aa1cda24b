from __future__ import annotations

import pytest

from xinfang.cases.models import Case
from xinfang.cases.search import search_text_for
from xinfang.cases.tests.factories import register
from xinfang.routing.duplicates import share_band
from xinfang.routing.fingerprints import BANDS, band_keys, index_missing
from xinfang.routing.models import CaseFingerprint, PetitionerKey

from .test_services import ROOF, ROOF_COPY, SCHOOL


def keys(text: str) -> list[int | None]:
    return band_keys(search_text_for(title="", content=text))


def test_copies_share_bands_and_unrelated_texts_do_not():
    assert keys(ROOF) == keys(ROOF)
    assert share_band(keys(ROOF), keys(ROOF_COPY))
    assert not share_band(keys(ROOF), keys(SCHOOL))
    assert len(keys(ROOF)) == BANDS


def test_a_text_without_word_pairs_has_no_keys():
    assert keys("") == [None] * BANDS
    assert not share_band(keys(""), keys(""))


@pytest.mark.django_db
def test_registration_indexes_the_case_and_its_petitioner(users):
    case = register(users)
    fingerprint = CaseFingerprint.objects.get(case=case)
    assert fingerprint.b0 is not None
    assert fingerprint.words > 5
    assert PetitionerKey.objects.filter(case=case).count() == 1
    assert "张三" not in PetitionerKey.objects.get(case=case).key


@pytest.mark.django_db
def test_index_missing_catches_up_on_bulk_written_cases(users):
    case = register(users)
    CaseFingerprint.objects.all().delete()
    PetitionerKey.objects.all().delete()
    assert index_missing() == (Case.objects.count(), 1)
    assert CaseFingerprint.objects.filter(case=case).exists()
    assert index_missing() == (0, 0)
