"""Derived data files, rebuilt from the bundled public data by ``manage.py routing_prepare_data``.

- ``stopwords.txt``: the stop words the publisher removed from the segmented files, recovered
  by comparing them with the raw files (text.py explains the rule).
- ``complaints-test-raw.csv.gz``: raw messages (from the unlabelled and replies files) that are
  the same message as one in the held-out labelled test split (word Jaccard >= 0.8 with their
  best match), carrying its label: a labelled check of the classifier on raw text.
"""

from __future__ import annotations

import csv
import gzip
import io
import shutil
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import jieba
import numpy as np
from sklearn.feature_extraction.text import CountVectorizer

from . import text as textmod
from .classifier import SPACE_SEPARATED
from .datasets import (
    REPLIES_FILE,
    TEST_FILE,
    TRAIN_FILE,
    UNLABELLED_FILE,
    bundled_path,
    read_bundled,
)

RAW_TEST_FILE = "complaints-test-raw.csv.gz"
SOURCE_FILES = {
    "complaints-train.csv": TRAIN_FILE,
    "complaints-test.csv": TEST_FILE,
    "complaints-unlabelled.csv": UNLABELLED_FILE,
    "complaints-replies.csv": REPLIES_FILE,
}
STOPWORD_MIN_RAW_DOCS = 8
RAW_MATCH_JACCARD = 0.8
Progress = Callable[[str], None]


def copy_sources(source: Path, progress: Progress) -> None:
    """Copy the public CSV files into data/, gzip-compressed (reproducible bytes: mtime 0)."""
    for name, target in SOURCE_FILES.items():
        with (
            (source / name).open("rb") as src,
            gzip.GzipFile(bundled_path(target), "wb", compresslevel=9, mtime=0) as dst,
        ):
            shutil.copyfileobj(src, dst)
        progress(f"copied {name} -> data/{target}")


def raw_messages() -> list[tuple[str, dict[str, str]]]:
    return [("unlabelled", r) for r in read_bundled(UNLABELLED_FILE)] + [
        ("replies", r) for r in read_bundled(REPLIES_FILE)
    ]


def derive_stopwords(progress: Progress) -> list[str]:
    segmented: Counter[str] = Counter()
    for name in (TRAIN_FILE, TEST_FILE):
        for row in read_bundled(name):
            segmented.update(t.lower() for t in row["text"].split())
    raw_docs: Counter[str] = Counter()
    messages = raw_messages()
    for i, (_, row) in enumerate(messages, 1):
        raw = textmod.unsegment(f"{row['title']} {row['body']}")
        words = {t.strip().lower() for t in jieba.lcut(raw)}
        raw_docs.update(w for w in words if w and textmod._WORD.fullmatch(w))
        if i % 1000 == 0:
            progress(f"stop words: segmented {i:,}/{len(messages):,} raw messages")
    found = [w for w, n in raw_docs.items() if n >= STOPWORD_MIN_RAW_DOCS and segmented[w] == 0]
    return sorted(found, key=lambda w: (-raw_docs[w], w))


def write_stopwords(words: list[str]) -> None:
    header = (
        "# Stop words recovered from the public data (xinfang/routing/dataprep.py): words jieba\n"
        f"# finds in >= {STOPWORD_MIN_RAW_DOCS} raw messages but never in the segmented files.\n"
    )
    textmod.STOPWORDS_FILE.write_text(header + "\n".join(words) + "\n", encoding="utf-8")
    textmod.stopwords.cache_clear()


def derive_raw_test(progress: Progress) -> list[dict[str, str]]:
    labelled = read_bundled(TEST_FILE)
    messages = raw_messages()
    progress(f"matching {len(messages):,} raw messages against {len(labelled):,} test texts")
    lab_texts = [textmod.classifier_text(r["text"]) for r in labelled]
    raw_texts = [textmod.classifier_text(f"{r['title']}\n{r['body']}") for _, r in messages]
    vec = CountVectorizer(token_pattern=SPACE_SEPARATED, binary=True).fit(lab_texts + raw_texts)
    lab = vec.transform(lab_texts).astype(np.float32)
    raw = vec.transform(raw_texts).astype(np.float32)
    overlap = (raw @ lab.T).tocsr()
    lab_size = np.asarray(lab.sum(axis=1)).ravel()
    raw_size = np.asarray(raw.sum(axis=1)).ravel()
    best_for: dict[str, dict[str, str]] = {}  # one raw copy per test message
    for i in range(overlap.shape[0]):
        row = overlap.getrow(i)
        if row.nnz == 0:
            continue
        best = int(row.data.argmax())
        j, inter = int(row.indices[best]), float(row.data[best])
        score = inter / (raw_size[i] + lab_size[j] - inter)
        test_id = labelled[j]["id"]
        if score >= RAW_MATCH_JACCARD and (
            test_id not in best_for or float(best_for[test_id]["match_jaccard"]) < score
        ):
            source, message = messages[i]
            best_for[test_id] = {
                "file": source,
                "id": message["id"],
                "title": message["title"],
                "body": message["body"],
                "label": labelled[j]["label"],
                "test_id": labelled[j]["id"],
                "match_jaccard": f"{score:.3f}",
            }
    return sorted(best_for.values(), key=lambda r: int(r["test_id"]))


def write_csv_gz(name: str, rows: list[dict[str, str]]) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    with gzip.GzipFile(bundled_path(name), "wb", compresslevel=9, mtime=0) as fh:
        fh.write(buffer.getvalue().encode("utf-8"))
