from __future__ import annotations

import os
import re
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


def test_due_dates_adds_a_due_column(tmp_path):
    src = tmp_path / "rules.csv"
    src.write_text(
        "start,rule,days,ext\n2024-01-26,calendar,15,0\n2024-08-02,calendar,60,30\n2026-02-12,workdays,5,\n",
        encoding="utf-8",
    )
    out = StringIO()
    call_command("due_dates", "--csv", str(src), stdout=out)
    assert out.getvalue().splitlines() == [
        "start,rule,days,ext,due",
        "2024-01-26,calendar,15,0,2024-02-18",
        "2024-08-02,calendar,60,30,2024-10-31",
        "2026-02-12,workdays,5,,2026-02-26",
    ]


def test_due_dates_names_the_bad_row(tmp_path):
    src = tmp_path / "bad.csv"
    src.write_text(
        "start,rule,days,ext\n2024-01-26,calendar,15,0\n2024-13-01,calendar,15,0\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match="row 3"):
        call_command("due_dates", "--csv", str(src), stdout=StringIO())


def test_due_dates_keeps_every_column_in_order(tmp_path):
    src = tmp_path / "rules.csv"
    # 2025-09-20 +15 = 10-05 (国庆) → 10-09; ext column absent means 0.
    src.write_text('case,start,note,rule,days\nA-1,2025-09-20,"a, b",calendar,15\n', "utf-8")
    out = StringIO()
    call_command("due_dates", "--csv", str(src), stdout=out)
    assert (
        out.getvalue()
        == 'case,start,note,rule,days,due\nA-1,2025-09-20,"a, b",calendar,15,2025-10-09\n'
    )


def test_due_dates_reads_stdin():
    out = StringIO()
    stdin = StringIO("start,rule,days,ext\n2025-01-24,workdays,5,\n")  # 01-26 make-up … 02-07
    call_command("due_dates", "--csv", "-", stdin=stdin, stdout=out)
    assert out.getvalue() == "start,rule,days,ext,due\n2025-01-24,workdays,5,,2025-02-07\n"


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ("2024-02-10,workdays,0,", "days '0'"),  # would give the holiday 02-10 as due date
        ("2024-03-01,calendar,15,45", "ext '45'"),  # art. 34: at most 30
        ("20240301,calendar,15,", "YYYY-MM-DD"),
        ("2024-02-30,calendar,15,", "not a real date"),
        ("2024-03-01,weekly,15,", "rule 'weekly'"),
        ("2024-03-01,calendar,x,", "days 'x'"),
        ("2024-03-01,calendar,15,0,extra", "5 fields, the header has 4"),
    ],
)
def test_due_dates_rejects_bad_rows(tmp_path, row, problem):
    src = tmp_path / "bad.csv"
    src.write_text(f"start,rule,days,ext\n2024-03-01,calendar,15,\n{row}\n", encoding="utf-8")
    out = StringIO()
    with pytest.raises(CommandError, match="row 3") as info:
        call_command("due_dates", "--csv", str(src), stdout=out)
    assert problem in str(info.value)
    assert out.getvalue() == ""


def test_due_dates_lists_every_bad_row(tmp_path):
    src = tmp_path / "bad.csv"
    src.write_text(
        "start,rule,days\nx,calendar,15\n2024-03-01,calendar,15\n2024-03-01,calendar,-3\n", "utf-8"
    )
    with pytest.raises(CommandError) as info:
        call_command("due_dates", "--csv", str(src), stdout=StringIO())
    assert [line.split(":")[0] for line in str(info.value).splitlines()] == ["row 2", "row 4"]


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"start,rule\n2024-03-01,calendar\n", "missing column(s): days"),
        (b"start,rule,days,due\n", "already has a 'due' column"),
        ("start,rule,days\n".encode("utf-16"), "not UTF-8"),
    ],
)
def test_due_dates_rejects_bad_files(tmp_path, content, problem):
    src = tmp_path / "bad.csv"
    src.write_bytes(content)
    with pytest.raises(CommandError, match=re.escape(problem)):
        call_command("due_dates", "--csv", str(src), stdout=StringIO())
    with pytest.raises(CommandError, match="cannot read"):
        call_command("due_dates", "--csv", str(tmp_path / "absent.csv"), stdout=StringIO())


def _manage(*args: str, stdin: str) -> subprocess.CompletedProcess[str]:
    root = Path(__file__).resolve().parents[3]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    return subprocess.run(  # noqa: S603 - fixed arguments, our own interpreter
        [sys.executable, str(root / "manage.py"), *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=root,
        env=env,
        check=False,
    )


def test_due_dates_command_line_exit_codes():
    ok = _manage("due_dates", "--csv", "-", stdin="start,rule,days,ext\n2026-09-30,calendar,15,\n")
    assert (ok.returncode, ok.stdout) == (
        0,
        "start,rule,days,ext,due\n2026-09-30,calendar,15,,2026-10-15\n",
    )
    bad = _manage("due_dates", "--csv", "-", stdin="start,rule,days,ext\n2026-09-30,daily,15,\n")
    assert bad.returncode != 0
    assert bad.stdout == ""
    assert "row 2: rule 'daily' must be calendar or workdays" in bad.stderr
