"""Check deadline rules by hand: read rows start,rule,days,ext and print them with `due`."""

from __future__ import annotations

import csv
import sys
from datetime import date
from typing import Any, TextIO

from django.core.management.base import BaseCommand, CommandError

from xinfang.cases.deadlines import DayRule, due_date


def annotate_csv(source: TextIO, out: Any) -> int:
    reader = csv.DictReader(source)
    fields = reader.fieldnames or []
    missing = {"start", "rule", "days"} - set(fields)
    if missing:
        raise CommandError(f"missing column(s): {', '.join(sorted(missing))}")
    rows = []
    for number, row in enumerate(reader, start=2):
        try:
            start = date.fromisoformat((row["start"] or "").strip())
            rule = DayRule((row["rule"] or "").strip())
            days = int((row["days"] or "").strip())
            ext = int((row.get("ext") or "0").strip() or 0)
            if days < 0 or ext < 0:
                raise ValueError("days and ext must not be negative")
        except ValueError as exc:
            raise CommandError(f"row {number}: {exc}") from exc
        rows.append(
            {
                **row,
                "due": due_date(start=start, days=days, rule=rule, extension_days=ext).isoformat(),
            }
        )
    writer = csv.DictWriter(out, fieldnames=[*fields, "due"], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return len(rows)


class Command(BaseCommand):
    help = "Read a CSV (start,rule,days,ext) and print it with the due date added (- for stdin)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--csv", required=True, metavar="FILE")

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["csv"]
        if path == "-":
            annotate_csv(sys.stdin, self.stdout)
            return
        try:
            with open(path, encoding="utf-8-sig", newline="") as fh:
                annotate_csv(fh, self.stdout)
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc}") from exc
