"""Streaming readers for hotline files: CSV (UTF-8, or GB18030 as Chinese office software
writes it) and .xlsx (openpyxl in read-only mode, row by row, never the whole sheet in
memory). Row numbers are those a spreadsheet shows: the header is row 1."""

from __future__ import annotations

import csv
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

ROW_NUMBER = re.compile(rb'<row\b[^>]*?\sr="(\d+)"')


class FileFormatError(ValueError):
    pass


def detect_format(name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix == ".xlsx":
        return "xlsx"
    raise FileFormatError(suffix or name)


def _csv_encoding(path: Path) -> str:
    with path.open("rb") as fh:
        head = fh.read(1 << 16)
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut at the block's end
            return "gb18030"
    return "utf-8-sig"


def count_rows(path: Path, fmt: str) -> int | None:
    """Number of the last row (header included), for the progress bar; None if unknown."""
    if fmt == "csv":
        with path.open(encoding=_csv_encoding(path), newline="") as fh:
            return sum(1 for _ in csv.reader(fh))
    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        if sheet.max_row and sheet.max_row > 1:
            return int(sheet.max_row)
        # Files written in streaming mode (ours included) carry no dimension: find the last
        # row number in the sheet's XML, much faster than parsing every cell.
        return _last_row_in_xml(path, getattr(sheet, "_worksheet_path", ""))
    finally:
        workbook.close()


def _last_row_in_xml(path: Path, member: str) -> int | None:
    if not member:
        return None
    last = None
    tail = b""
    try:
        with zipfile.ZipFile(path) as archive, archive.open(member.lstrip("/")) as xml:
            for block in iter(lambda: xml.read(1 << 20), b""):
                found = ROW_NUMBER.findall(tail + block)
                if found:
                    last = int(found[-1])
                tail = block[-64:]
    except (KeyError, OSError, zipfile.BadZipFile):
        return None
    return last


def read_rows(path: Path, fmt: str) -> Iterator[tuple[int, list[Any]]]:
    """(row number, cell values) for every non-empty row, the header first."""
    if fmt == "csv":
        with path.open(encoding=_csv_encoding(path), newline="") as fh:
            for number, cells in enumerate(csv.reader(fh), start=1):
                if any(c.strip() for c in cells):
                    yield number, list(cells)
        return
    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if any(v is not None and str(v).strip() for v in values):
                yield number, list(values)
    finally:
        workbook.close()
