"""Synthetic hotline files for demos and the import benchmark
(``manage.py generate_hotline_file``). Texts come from the public citizen messages that
xinfang.cases.synthetic uses; callers, phones and order numbers are random."""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.utils import timezone

from xinfang.cases.reference import CATEGORIES
from xinfang.cases.synthetic import GIVEN, SURNAMES, samples
from xinfang.org.demo import COUNTY, TOWNSHIPS

from .rows import COLUMNS

TYPES = ["consultation", "help", "complaint", "complaint", "complaint", "report", "suggestion"]


def generate_rows(
    n: int, *, seed: int = 1, prefix: str = "RX", bad_every: int = 0, now: datetime | None = None
) -> Iterator[list[Any]]:
    rng = random.Random(seed)  # noqa: S311 (synthetic data, not security)
    now = timezone.localtime(now or timezone.now()).replace(microsecond=0)
    texts = samples()
    divisions = [code for code, _name in TOWNSHIPS] + [COUNTY[0]]
    for i in range(1, n + 1):
        sample = texts[rng.randrange(len(texts))]
        code, name, _unit = CATEGORIES[rng.randrange(len(CATEGORIES))]
        received = now - timedelta(minutes=rng.randint(10, 60 * 24 * 30))
        row: list[Any] = [
            f"{prefix}{received:%Y%m%d}{i:07d}",
            rng.choice(TYPES),
            "是" if rng.random() < 0.05 else "否",
            received.strftime("%Y-%m-%d %H:%M:%S"),
            rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.randint(1, 2))),
            f"1{rng.choice('3578')}{rng.randint(0, 999999999):09d}",
            code if rng.random() < 0.5 else name,
            rng.choice(divisions),
            "",
            sample.title[:120],
            sample.body[:4000] or sample.title,
            "",
            "",
            "",
        ]
        if bad_every and i % bad_every == 0:
            row[1] = "unknown-type"  # a row the import must reject
        yield row


def write_file(path: Path, rows: Iterator[list[Any]]) -> int:
    header = [c.name for c in COLUMNS]
    count = 0
    if path.suffix.lower() == ".xlsx":
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("orders")
        sheet.append(header)
        for row in rows:
            sheet.append(row)
            count += 1
        workbook.save(path)
        return count
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            count += 1
    return count
