"""Check deadline rules by hand: read rows start,rule,days,ext and print them with `due`.

    python manage.py due_dates --csv limits.csv      # or --csv - for standard input

Columns: start (YYYY-MM-DD), rule (calendar | workdays), days (>= 1), ext (extension days,
0 to 30, empty or absent = 0); other columns are kept, in order, and `due` is appended. Every row
is checked before anything is printed; bad rows are listed on stderr by row number (the line of the
file, so the header is row 1, as in a spreadsheet) and the command exits non-zero.
"""

from __future__ import annotations

import csv
import re
import sys
from datetime import date
from io import StringIO
from typing import Any, TextIO

from django.core.management.base import BaseCommand, CommandError

from xinfang.cases.deadlines import EXTENSION_MAX_DAYS, DayRule, due_date

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_INTEGER = re.compile(r"[+-]?\d+")


def _due_for(cells: dict[str, str]) -> str:
    """The due date of one row; ValueError listing everything wrong with it."""
    problems = []
    start = None
    if not _ISO_DATE.fullmatch(cells["start"]):
        problems.append(f"start {cells['start']!r} is not a YYYY-MM-DD date")
    else:
        try:
            start = date.fromisoformat(cells["start"])
        except ValueError:
            problems.append(f"start {cells['start']!r} is not a real date")
    rule = None
    try:
        rule = DayRule(cells["rule"].lower())
    except ValueError:
        problems.append(f"rule {cells['rule']!r} must be calendar or workdays")
    days = int(cells["days"]) if _INTEGER.fullmatch(cells["days"]) else 0
    if days < 1:
        problems.append(f"days {cells['days']!r} must be a whole number of at least 1")
    ext_text = cells.get("ext") or "0"
    ext = int(ext_text) if _INTEGER.fullmatch(ext_text) else -1
    if not 0 <= ext <= EXTENSION_MAX_DAYS:
        problems.append(
            f"ext {ext_text!r} must be 0 to {EXTENSION_MAX_DAYS} (信访工作条例 第三十四条) or empty"
        )
    if problems or start is None or rule is None:
        raise ValueError("; ".join(problems))
    return due_date(start=start, days=days, rule=rule, extension_days=ext).isoformat()


def annotate_csv(source: TextIO, out: Any) -> int:
    """Copy the CSV in ``source`` to ``out`` with a ``due`` column; returns the row count.

    Raises CommandError naming every bad row (or the header) before writing anything."""
    reader = csv.reader(source)
    try:
        header = next(reader, [])
        if header:
            header[0] = header[0].removeprefix("\ufeff")
        names = [h.strip() for h in header]
        missing = [c for c in ("start", "rule", "days") if c not in names]
        if missing:
            raise CommandError(f"row 1: missing column(s): {', '.join(missing)}")
        if "due" in names:
            raise CommandError("row 1: the input already has a 'due' column")
        index = {c: names.index(c) for c in ("start", "rule", "days", "ext") if c in names}
        rows: list[list[str]] = []
        errors: list[str] = []
        for record in reader:
            where = f"row {reader.line_num}"  # the file's line where the record ends
            if not any(cell.strip() for cell in record):
                continue  # blank line
            if len(record) != len(header):
                errors.append(f"{where}: {len(record)} fields, the header has {len(header)}")
                continue
            try:
                due = _due_for({c: record[i].strip() for c, i in index.items()})
            except ValueError as exc:
                errors.append(f"{where}: {exc}")
                continue
            rows.append([*record, due])
    except csv.Error as exc:
        raise CommandError(f"line {reader.line_num}: not valid CSV: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise CommandError(f"not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    if errors:
        raise CommandError("\n".join(errors))
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*header, "due"])
    writer.writerows(rows)
    return len(rows)


class Command(BaseCommand):
    help = "Read a CSV (start,rule,days,ext) and print it with the due date added (- for stdin)."
    stealth_options = ("stdin",)  # call_command(..., stdin=StringIO(...)) in tests

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--csv", required=True, metavar="FILE", help="CSV file, - for stdin")

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["csv"]
        buffer = StringIO()
        if path == "-":
            annotate_csv(options.get("stdin") or sys.stdin, buffer)
        else:
            try:
                with open(path, encoding="utf-8-sig", newline="") as fh:
                    annotate_csv(fh, buffer)
            except OSError as exc:
                raise CommandError(f"cannot read {path}: {exc}") from exc
        self.stdout.write(buffer.getvalue(), ending="")
