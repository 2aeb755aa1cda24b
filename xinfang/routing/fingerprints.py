"""MinHash LSH over case texts (datasketch), stored as indexed band columns.

Shingles are consecutive word pairs of ``Case.search_text`` without stop words; unrelated
petitions share almost none, copies and light edits share many. 24 MinHash permutations make
12 bands of 2 rows: two texts whose word-pair Jaccard similarity is s become candidates with
probability 1 - (1 - s^2)^12 (s = 0.2: 0.39, 0.3: 0.68, 0.4: 0.88, 0.5: 0.97). On the public
messages, 1 unrelated message in about 28,000 collides by chance, so a new petition meets
about 35 chance candidates per million cases; the word Jaccard check (services.py) then drops
them. Parameters and the measured precision and recall: docs/routing.md.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
from datasketch import MinHash
from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from xinfang.cases.models import Case, Petitioner
from xinfang.cases.privacy import ERASED_NAME
from xinfang.core.crypto import blind_index

from .models import CaseFingerprint, PetitionerKey
from .text import search_words

BANDS = 12
ROWS = 2
NUM_PERM = BANDS * ROWS
SEED = 1
# Pinned: stored band keys must not change when datasketch changes its default scheme.
SCHEME = "affine32"
BAND_FIELDS = [f"b{i}" for i in range(BANDS)]
_PERMUTATIONS = MinHash(
    num_perm=NUM_PERM, seed=SEED, scheme=SCHEME
).permutations  # shared, computed once


def shingles(words: Sequence[str]) -> set[bytes]:
    return {f"{words[i]} {words[i + 1]}".encode() for i in range(len(words) - 1)}


def band_keys(search_text: str) -> list[int | None]:
    """The 12 band keys of a text (signed 64-bit, as databases store them); None when the text
    has no word pairs."""
    pairs = shingles(search_words(search_text))
    if not pairs:
        return [None] * BANDS
    mh = MinHash(num_perm=NUM_PERM, seed=SEED, permutations=_PERMUTATIONS, scheme=SCHEME)
    mh.update_batch(list(pairs))
    values = np.asarray(mh.hashvalues)
    keys: list[int | None] = []
    for band in range(BANDS):
        chunk = values[band * ROWS : (band + 1) * ROWS].tobytes()
        digest = hashlib.blake2b(bytes([band]) + chunk, digest_size=8).digest()
        keys.append(int.from_bytes(digest, "big", signed=True))
    return keys


def person_key(name: str, division_id: int | None) -> str:
    """Keyed digest of name + division (never the name in clear)."""
    name = "".join(name.split())
    if not name or name == ERASED_NAME or division_id is None:
        return ""
    return blind_index(f"{name}@{division_id}")


def fingerprint_values(search_text: str) -> dict[str, Any]:
    keys = band_keys(search_text)
    values: dict[str, Any] = dict(zip(BAND_FIELDS, keys, strict=True))
    values["words"] = len(set(search_words(search_text)))
    return values


def fingerprint_case(case: Case) -> None:
    CaseFingerprint.objects.update_or_create(
        case_id=case.pk, defaults=fingerprint_values(case.search_text)
    )


def key_petitioner(petitioner: Petitioner) -> None:
    key = person_key(petitioner.name, petitioner.case.division_id)
    if key:
        PetitionerKey.objects.update_or_create(
            petitioner_id=petitioner.pk, defaults={"case_id": petitioner.case_id, "key": key}
        )
    else:
        PetitionerKey.objects.filter(petitioner_id=petitioner.pk).delete()


def key_case_petitioners(case: Case) -> None:
    """Key the petitioners of a case (registration creates them with bulk_create, which sends
    no signals, then saves the case)."""
    for petitioner in Petitioner.objects.filter(case_id=case.pk).select_related("case"):
        key_petitioner(petitioner)


def candidate_filter(keys: Iterable[int | None]) -> Q:
    condition = Q()
    for field, key in zip(BAND_FIELDS, keys, strict=True):
        if key is not None:
            condition |= Q(**{field: key})
    return condition


def index_missing(
    *, batch: int = 5000, progress: Callable[[int, int], None] | None = None
) -> tuple[int, int]:
    """Fingerprint every case that has none and key every petitioner without a key (cases
    written by bulk inserts, e.g. ``generate_cases``, bypass the signals). Returns the numbers
    of cases and petitioners indexed."""
    missing_cases = Case.objects.filter(
        ~Exists(CaseFingerprint.objects.filter(case_id=OuterRef("pk")))
    )
    total = missing_cases.count()
    done = 0
    last = 0
    while True:
        rows = list(
            missing_cases.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", "search_text")[:batch]
        )
        if not rows:
            break
        with transaction.atomic():
            CaseFingerprint.objects.bulk_create(
                [CaseFingerprint(case_id=pk, **fingerprint_values(text)) for pk, text in rows],
                ignore_conflicts=True,
            )
        last = rows[-1][0]
        done += len(rows)
        if progress:
            progress(done, total)
    people = 0
    # Keys of purged petitioners go (the purge writes with update(), without signals).
    PetitionerKey.objects.filter(petitioner__name=ERASED_NAME).delete()
    missing_people = Petitioner.objects.exclude(name=ERASED_NAME).filter(
        ~Exists(PetitionerKey.objects.filter(petitioner_id=OuterRef("pk")))
    )
    last = 0
    while True:
        rows_p = list(
            missing_people.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", "case_id", "name", "case__division_id")[:batch]
        )
        if not rows_p:
            break
        keys = [
            PetitionerKey(petitioner_id=pk, case_id=case_id, key=person_key(name, division))
            for pk, case_id, name, division in rows_p
        ]
        with transaction.atomic():
            PetitionerKey.objects.bulk_create([k for k in keys if k.key], ignore_conflicts=True)
        last = rows_p[-1][0]
        people += len(rows_p)
    return done, people
