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


def test_minhash_is_datasketch_bit_for_bit():
    # Stored band keys depend on these values: they must stay datasketch's (affine32, seed 1).
    from datasketch import MinHash

    from xinfang.routing.fingerprints import NUM_PERM, SEED, minhash_values, shingles
    from xinfang.routing.text import search_words

    for text in (ROOF, ROOF_COPY, SCHOOL, "路灯 坏了"):
        pairs = shingles(search_words(search_text_for(title="", content=text)))
        reference = MinHash(num_perm=NUM_PERM, seed=SEED, scheme="affine32")
        reference.update_batch(list(pairs))
        ours = minhash_values(pairs)
        assert ours.dtype == reference.hashvalues.dtype
        assert ours.tolist() == reference.hashvalues.tolist()


@pytest.mark.django_db
def test_registration_writes_each_index_row_once(users):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        case = register(users)
    fingerprint_writes = [q for q in queries if "routing_casefingerprint" in q["sql"]]
    key_writes = [q for q in queries if "routing_petitionerkey" in q["sql"]]
    assert len(fingerprint_writes) == 1  # fingerprinted once, not again on a second save
    assert len(key_writes) == 1  # every petitioner keyed in one statement
    assert CaseFingerprint.objects.filter(case=case).exists()
    assert PetitionerKey.objects.filter(case=case).count() == case.petitioners.count()
