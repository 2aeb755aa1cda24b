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
import struct
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import Any

import numpy as np
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


# datasketch's MinHash (scheme "affine32", seed 1, 24 permutations), computed here with numpy
# alone: importing datasketch imports SciPy (about 60 MB in every web worker) for its LSH
# parameter search, which this index does not use. tests/test_fingerprints.py checks that the
# values are datasketch's, bit for bit (stored band keys depend on them).
def _affine32_permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


_PERMUTATIONS = _affine32_permutations(NUM_PERM, SEED)  # shared, computed once


def _fmix32(hv: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer (datasketch's pre-mix of the input hashes)."""
    hv = hv ^ (hv >> np.uint32(16))
    hv = hv * np.uint32(0x85EBCA6B)
    hv = hv ^ (hv >> np.uint32(13))
    hv = hv * np.uint32(0xC2B2AE35)
    mixed: np.ndarray = hv ^ (hv >> np.uint32(16))
    return mixed


def minhash_values(items: Iterable[bytes]) -> np.ndarray:
    """The 24 MinHash values (uint32) of a set of byte strings, as
    ``datasketch.MinHash(num_perm=24, seed=1, scheme="affine32").update_batch(items)``."""
    hashes = [
        struct.unpack("<I", hashlib.sha1(item, usedforsecurity=False).digest()[:4])[0]
        for item in items
    ]
    values = np.full(NUM_PERM, np.uint32(0xFFFFFFFF), dtype=np.uint32)
    if not hashes:
        return values
    a, b = _PERMUTATIONS
    hv = _fmix32(np.array(hashes, dtype=np.uint32).reshape(-1, 1))
    with np.errstate(over="ignore"):
        permuted = hv * a + b  # wraps around: modulo 2^32
    smallest: np.ndarray = np.minimum(values, permuted.min(axis=0))
    return smallest


def shingles(words: Sequence[str]) -> set[bytes]:
    return {f"{words[i]} {words[i + 1]}".encode() for i in range(len(words) - 1)}


def band_keys(search_text: str) -> list[int | None]:
    """The 12 band keys of a text (signed 64-bit, as databases store them); None when the text
    has no word pairs."""
    return list(_band_keys(search_text))


@lru_cache(maxsize=64)
def _band_keys(search_text: str) -> tuple[int | None, ...]:
    # Remembered for a few texts: registration fingerprints the new case and the repeat check
    # right after it looks up the same text (a pure function of the text).
    pairs = shingles(search_words(search_text))
    if not pairs:
        return (None,) * BANDS
    values = minhash_values(pairs)
    keys: list[int | None] = []
    for band in range(BANDS):
        chunk = values[band * ROWS : (band + 1) * ROWS].tobytes()
        digest = hashlib.blake2b(bytes([band]) + chunk, digest_size=8).digest()
        keys.append(int.from_bytes(digest, "big", signed=True))
    return tuple(keys)


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
    """Write or rewrite the case's fingerprint (one INSERT ... ON CONFLICT DO UPDATE)."""
    CaseFingerprint.objects.bulk_create(
        [CaseFingerprint(case_id=case.pk, **fingerprint_values(case.search_text))],
        update_conflicts=True,
        unique_fields=["case"],
        update_fields=["words", *BAND_FIELDS],
    )


def key_petitioner(petitioner: Petitioner) -> None:
    key = person_key(petitioner.name, petitioner.case.division_id)
    if key:
        PetitionerKey.objects.update_or_create(
            petitioner_id=petitioner.pk, defaults={"case_id": petitioner.case_id, "key": key}
        )
    else:
        PetitionerKey.objects.filter(petitioner_id=petitioner.pk).delete()


def key_petitioners(case: Case, petitioners: Sequence[Petitioner]) -> None:
    """Key the given petitioners of ``case`` in one statement (upsert); those without a key
    (erased name) lose a stale one."""
    keys = [
        PetitionerKey(petitioner_id=p.pk, case_id=case.pk, key=person_key(p.name, case.division_id))
        for p in petitioners
    ]
    if any(k.key for k in keys):
        PetitionerKey.objects.bulk_create(
            [k for k in keys if k.key],
            update_conflicts=True,
            unique_fields=["petitioner"],
            update_fields=["case", "key"],
        )
    unkeyed = [k.petitioner_id for k in keys if not k.key]
    if unkeyed:
        PetitionerKey.objects.filter(petitioner_id__in=unkeyed).delete()


def key_case_petitioners(case: Case) -> None:
    """Key the petitioners of a case (e.g. after an edit of its place)."""
    key_petitioners(case, list(Petitioner.objects.filter(case_id=case.pk)))


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
