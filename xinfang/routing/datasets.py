"""The public complaint data bundled with the app (data/README.md) and the bureau's own cases.

Everything here reads files inside the repository, never the shared folder outside it.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .text import DATA_DIR, petition_text

TRAIN_FILE = "complaints-train.csv.gz"
TEST_FILE = "complaints-test.csv.gz"
UNLABELLED_FILE = "complaints-unlabelled.csv.gz"
REPLIES_FILE = "complaints-replies.csv.gz"
RAW_LABELLED_FILE = "complaints-raw-labelled.csv.gz"
DUPLICATE_PAIRS_FILE = "duplicate-pairs.csv"


@dataclass(frozen=True)
class Example:
    text: str  # raw or segmented; the classifier normalises both the same way
    label: str


@dataclass
class Dataset:
    examples: list[Example] = field(default_factory=list)
    sources: dict[str, int] = field(default_factory=dict)

    def add(self, source: str, examples: Iterable[Example]) -> None:
        added = [e for e in examples if e.text.strip() and e.label.strip()]
        self.examples.extend(added)
        self.sources[source] = self.sources.get(source, 0) + len(added)

    @property
    def texts(self) -> list[str]:
        return [e.text for e in self.examples]

    @property
    def labels(self) -> list[str]:
        return [e.label for e in self.examples]

    def digest(self) -> str:
        """SHA-256 of the training data (texts and labels, in order): the model's data hash."""
        h = hashlib.sha256()
        for e in self.examples:
            h.update(e.text.encode("utf-8"))
            h.update(b"\x1f")
            h.update(e.label.encode("utf-8"))
            h.update(b"\x1e")
        return h.hexdigest()


def bundled_path(name: str) -> Path:
    return DATA_DIR / name


def read_csv(path: Path) -> list[dict[str, str]]:
    """A CSV file, gzip-compressed when its name ends in .gz."""
    if path.suffix == ".gz":
        with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
            return list(csv.DictReader(io.StringIO(fh.read())))
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def read_bundled(name: str) -> list[dict[str, str]]:
    return read_csv(bundled_path(name))


def examples_from_rows(
    rows: Iterable[dict[str, str]], *, text_columns: Sequence[str], label_column: str
) -> Iterator[Example]:
    for row in rows:
        parts = [(row.get(col) or "").strip() for col in text_columns]
        yield Example(text="\n".join(p for p in parts if p), label=(row.get(label_column) or ""))


def public_split(name: str) -> list[Example]:
    return list(examples_from_rows(read_bundled(name), text_columns=["text"], label_column="label"))


def handled_case_examples(*, limit: int | None = None) -> list[Example]:
    """The bureau's own cases that a unit accepted: the clerk's final category is the label.

    A case counts once it was accepted for handling (``accepted_on`` set), i.e. the category
    and the unit it was routed to were not disputed; returned or unaccepted cases do not.
    With ``limit``, the newest that many (oldest first, so the order and the hash are stable)."""
    from xinfang.cases.models import Case

    accepted = Case.objects.filter(accepted_on__isnull=False)
    if limit is not None:
        newest = list(accepted.order_by("-pk").values_list("pk", flat=True)[:limit])
        accepted = Case.objects.filter(pk__in=newest) if newest else accepted.none()
    rows = accepted.order_by("pk").values_list("title", "content", "category__name")
    return [
        Example(text=petition_text(title=title, content=content), label=label)
        for title, content, label in rows.iterator(chunk_size=2000)
    ]


def training_set(
    *, with_cases: bool = False, limit: int | None = None, max_cases: int | None = None
) -> Dataset:
    data = Dataset()
    train = public_split(TRAIN_FILE)
    if limit and limit < len(train):
        # The file is ordered by label: an evenly spaced sample keeps every category.
        step = len(train) / limit
        train = [train[int(i * step)] for i in range(limit)]
    data.add("public-train", train)
    if with_cases:
        data.add("cases", handled_case_examples(limit=max_cases))
    return data
