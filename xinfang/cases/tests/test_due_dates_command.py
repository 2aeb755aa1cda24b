from __future__ import annotations

from io import StringIO

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
