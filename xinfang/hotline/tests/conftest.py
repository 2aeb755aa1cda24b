from __future__ import annotations

from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
SAMPLE_CSV = SAMPLES / "hotline-orders-sample.csv"
SAMPLE_XLSX = SAMPLES / "hotline-orders-sample.xlsx"
HEADER = (
    "order_number,order_type,urgent,received_at,caller_name,caller_phone,category,division,"
    "address,title,content,request,legal_procedure,petition_case\n"
)


@pytest.fixture
def write_csv(tmp_path):
    def write(lines: list[str], name: str = "orders.csv") -> Path:
        path = tmp_path / name
        path.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
        return path

    return write


def line(number: str, **overrides: str) -> str:
    values = {
        "order_number": number,
        "order_type": "complaint",
        "urgent": "否",
        "received_at": "2026-03-02 09:00:00",
        "caller_name": "王伟",
        "caller_phone": "13900000000",
        "category": "urban-rural",
        "division": "530423001",
        "address": "",
        "title": "路灯不亮",
        "content": "某路段路灯一周不亮。",
        "request": "",
        "legal_procedure": "",
        "petition_case": "",
    }
    values.update(overrides)
    return ",".join(values.values())


@pytest.fixture(autouse=True)
def _english(settings):
    """These tests read the English source messages; the Chinese interface is checked by
    compile_translations --check (complete, placeholders intact) and the browser tests."""
    settings.LANGUAGE_CODE = "en"
