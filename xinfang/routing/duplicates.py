"""The duplicate detector's decision and its evaluation on labelled pairs.

Decision (the same for registration checks, clusters and this evaluation):
- different petitioners: a near-identical matter when the two texts share a MinHash LSH band
  (fingerprints.py) and the Jaccard similarity of their word sets is at least
  ``NEAR_DUPLICATE_JACCARD``;
- the same petitioner (ID number, phone, or name + place): the same matter when the word
  Jaccard is at least ``SAME_MATTER_JACCARD`` (no LSH needed: a person has few cases).

The labelled pairs (data/duplicate-pairs.csv, described in data/README.md) were drawn from the
raw public messages and labelled by reading both texts: 1 when they are the same matter.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from xinfang.cases.search import search_text_for

from .conf import routing_setting
from .datasets import REPLIES_FILE, UNLABELLED_FILE, read_bundled, read_csv
from .fingerprints import BANDS, NUM_PERM, ROWS, band_keys
from .text import jaccard, word_set

SWEEP = [0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6, 0.7, 0.8]


def share_band(a: list[int | None], b: list[int | None]) -> bool:
    return any(x is not None and x == y for x, y in zip(a, b, strict=True))


def _scores(flags: list[bool], truth: list[int]) -> dict[str, Any]:
    tp = sum(1 for f, t in zip(flags, truth, strict=True) if f and t)
    fp = sum(1 for f, t in zip(flags, truth, strict=True) if f and not t)
    fn = sum(1 for f, t in zip(flags, truth, strict=True) if not f and t)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "tp": tp,
        "fp": fp,
        "fn": fn,
    }


def evaluate_pairs(path: Path) -> dict[str, Any]:
    """Precision and recall of both decisions on labelled pairs, a sweep of thresholds, and a
    held-out check: the threshold that maximises F1 on the even rows, scored on the odd rows."""
    messages = {("unlabelled", r["id"]): r for r in read_bundled(UNLABELLED_FILE)} | {
        ("replies", r["id"]): r for r in read_bundled(REPLIES_FILE)
    }
    prepared: dict[tuple[str, str], tuple[frozenset[str], list[int | None]]] = {}

    def features(key: tuple[str, str]) -> tuple[frozenset[str], list[int | None]]:
        if key not in prepared:
            row = messages[key]
            text = search_text_for(title=row["title"], content=row["body"])
            prepared[key] = (word_set(text), band_keys(text))
        return prepared[key]

    truth: list[int] = []
    similarity: list[float] = []
    banded: list[bool] = []
    for row in read_csv(path):
        words_a, keys_a = features((row["a_file"], row["a_id"]))
        words_b, keys_b = features((row["b_file"], row["b_id"]))
        truth.append(int(row["same_matter"]))
        similarity.append(jaccard(words_a, words_b))
        banded.append(share_band(keys_a, keys_b))

    near = float(routing_setting("NEAR_DUPLICATE_JACCARD"))
    same = float(routing_setting("SAME_MATTER_JACCARD"))

    def detector(threshold: float, rows: range | None = None) -> dict[str, Any]:
        idx = rows or range(len(truth))
        return _scores(
            [banded[i] and similarity[i] >= threshold for i in idx], [truth[i] for i in idx]
        )

    even, odd = range(0, len(truth), 2), range(1, len(truth), 2)
    tuned = max(SWEEP, key=lambda t: (detector(t, even)["f1"], t))
    return {
        "pairs": len(truth),
        "same_matter_pairs": sum(truth),
        "lsh": {"num_perm": NUM_PERM, "bands": BANDS, "rows": ROWS, "shingles": "word pairs"},
        "lsh_candidate_recall": _scores(banded, truth)["recall"],
        "near_duplicate": {"threshold": near, **detector(near)},
        "same_person_same_matter": {
            "threshold": same,
            **_scores([s >= same for s in similarity], truth),
        },
        "sweep": {str(t): detector(t) for t in SWEEP},
        "held_out": {"tuned_on_even_rows": tuned, "scored_on_odd_rows": detector(tuned, odd)},
    }
