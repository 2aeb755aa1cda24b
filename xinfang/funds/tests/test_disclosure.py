"""The generated public project text (.docx and .pdf, text extracted back) contains every
figure of DOMAIN.md §7's restatement, in the disclosure's section order."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import CommandError, call_command

from xinfang.audit.models import AuditRecord
from xinfang.funds.disclosure import SECTION_TITLES

pytestmark = pytest.mark.django_db

# DOMAIN.md §7, every figure, as the disclosure writes it.
FIGURES = [
    "信访专项工作经费专项资金",
    "通海县社会矛盾纠纷调处督导中心工作经费专项资金",
    "通海县信访局",
    "通海县第十四届人民政府第二十次常务会议",
    "2009年3月20日",
    "50,000",
    "中共通海县委第六十四次常委会议",
    "2010年9月20日",
    "100,000",
    "30,000.00",
    "专用设备购置费（警用执法记录仪）4,900.00",
    "会议费5,000.00",
    "差旅费8,100.00",
    "办公费8,000.00",
    "培训费4,000.00",
    "委托业务费20,600.00",
    "差旅费9,400.00",
    "≥100件",
    "≥95%",
    "≥90%",
    "≥80%",
    "≥600件",
    "≥10条",
]


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def docx_text(data: bytes) -> str:
    from docx import Document

    d = Document(io.BytesIO(data))
    parts = [p.text for p in d.paragraphs]
    for t in d.tables:
        for row in t.rows:
            parts += [c.text for c in row.cells]
    return "\n".join(parts)


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.mark.parametrize("suffix", [".docx", ".pdf"])
def test_disclosure_file_has_every_figure(demo_funds, tmp_path, suffix):
    out = tmp_path / f"funds{suffix}"
    call_command("funds_disclosure", "--year", "2022", "--out", str(out))
    data = out.read_bytes()
    text = _flat(docx_text(data) if suffix == ".docx" else pdf_text(data))
    missing = [f for f in FIGURES if _flat(f) not in text]
    assert missing == []
    # The eight sections, in order, for each of the two projects.
    positions = [m.start() for title in SECTION_TITLES for m in re.finditer(title, text)]
    assert len(positions) >= 16
    first = [text.index(t) for t in SECTION_TITLES]
    assert first == sorted(first)
    assert AuditRecord.objects.filter(action="funds.disclosure_export").exists()


def test_disclosure_refuses_other_suffixes_and_empty_years(demo_funds, tmp_path):
    with pytest.raises(CommandError, match="docx or .pdf"):
        call_command("funds_disclosure", "--year", "2022", "--out", str(tmp_path / "x.txt"))
    with pytest.raises(CommandError, match="no special-fund projects"):
        call_command("funds_disclosure", "--year", "2019", "--out", str(tmp_path / "x.pdf"))


def test_disclosure_follows_the_data(demo_funds, users, tmp_path):
    """Not a fixed text: an approved adjustment shows in the generated document."""
    from xinfang.funds import services

    p = demo_funds[1]
    travel = p.lines.get(classification="travel")
    adj = services.adjustment_request(
        actor=users["admin"], line=travel, amount="1234.56", reason="督导任务增加"
    )
    services.adjustment_decide(actor=users["leader"], adjustment=adj, approve=True)
    out = tmp_path / "funds.docx"
    call_command("funds_disclosure", "--year", "2022", "--out", str(out))
    text = _flat(docx_text(out.read_bytes()))
    assert "10,634.56" in text  # 9,400 + 1,234.56
    assert "31,234.56" in text  # the project's budget after the addition
