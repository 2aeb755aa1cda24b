"""Analysis reports (研判报告): generated in the background as PDF and .docx from the same
figures as the dashboards; both files open and say what the data says."""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from docx import Document
from pypdf import PdfReader

from xinfang.analytics import reports, services
from xinfang.analytics.models import AnalysisReport, ReportStatus
from xinfang.audit.models import AuditRecord
from xinfang.core.errors import DomainError

from .scenario import build

pytestmark = pytest.mark.django_db
LATE = datetime(2026, 7, 31, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def world(users):
    with time_machine.travel(LATE, tick=False):
        yield build(users)


def pdf_text(report: AnalysisReport) -> str:
    with report.pdf.open("rb") as fh:
        return "".join(p.extract_text() for p in PdfReader(fh).pages).replace("\n", "")


def docx_text(report: AnalysisReport) -> tuple[str, Document]:
    with report.docx.open("rb") as fh:
        document = Document(io.BytesIO(fh.read()))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts), document


def generate(users, django_capture_on_commit_callbacks, **kwargs) -> AnalysisReport:
    with time_machine.travel(LATE, tick=False), django_capture_on_commit_callbacks(execute=True):
        report = services.report_request(actor=users["leader"], **kwargs)
    report.refresh_from_db()
    return report


def test_a_monthly_report_opens_as_pdf_and_docx(users, world, django_capture_on_commit_callbacks):
    report = generate(
        users,
        django_capture_on_commit_callbacks,
        kind="monthly",
        year=2026,
        month=3,
        suggestions="建议住建局加强受理环节的时限管理。\n建议对超期件逐件督办。",
    )
    assert report.status == ReportStatus.DONE
    assert report.progress == 100
    text = pdf_text(report)
    assert "通海县信访工作月度研判报告（2026年3月）" in text
    assert "及时受理率" in text
    assert "66.7%" in text
    assert "4/6" in text
    assert "≥95%" in text
    assert "未达标" in text
    assert "城乡建设" in text  # top issue
    assert "秀山街道" in text  # hot spot
    assert "建议住建局加强受理环节的时限管理。" in text
    assert "受理信访事项（不含12345）" in text  # volume targets, in Chinese
    assert "11.8天" in text  # average days to acceptance
    assert "days" not in text
    assert "Petitions" not in text
    with report.pdf.open("rb") as fh:
        reader = PdfReader(fh)
        images = [img for page in reader.pages for img in page.images]
    assert images, "the trend chart is in the PDF"
    body, document = docx_text(report)
    assert "通海县信访工作月度研判报告（2026年3月）" in body
    assert "66.7%" in body
    assert "建议对超期件逐件督办。" in body
    assert len(document.inline_shapes) == 1  # the chart
    assert report.summary["indicators"][0]["term"] == "及时受理率"
    actions = set(AuditRecord.objects.values_list("action", flat=True))
    assert {"analytics.report.request", "analytics.report.generate"} <= actions


def test_an_annual_report(users, world, django_capture_on_commit_callbacks):
    report = generate(users, django_capture_on_commit_callbacks, kind="annual", year=2026)
    text = pdf_text(report)
    assert "年度研判报告（2026年）" in text
    assert "12345" in text  # the hotline volume target
    body, _doc = docx_text(report)
    assert "单位考核排名" in body


def test_the_chart_falls_back_without_a_cjk_font(users, world, monkeypatch):
    monkeypatch.setattr(reports, "CJK_FONT_CANDIDATES", ("/nonexistent/font.ttc",))
    figures = reports.Figures(
        title="t",
        scope="s",
        period="p",
        generated_at="g",
        indicators=[],
        volumes=[],
        channels=[],
        categories=[],
        towns=[],
        ranking=[],
        warnings=[],
        overdue=0,
        suggestions="",
        trend=[{"month": "2026-03", "registered": 3, "answered": 1, "on_time": 50.0}],
    )
    png = reports.trend_chart_png(figures)
    assert png.startswith(b"\x89PNG")


def test_future_periods_are_refused(users):
    with time_machine.travel(LATE, tick=False), pytest.raises(DomainError):
        services.report_request(actor=users["leader"], kind="monthly", year=2026, month=9)


def test_report_pages_request_wait_and_download(
    users, world, client, django_capture_on_commit_callbacks
):
    client.force_login(users["leader"])
    with time_machine.travel(LATE, tick=False):
        response = client.post(
            "/analytics/reports/", {"kind": "monthly", "year": 2026, "month": 3, "suggestions": ""}
        )
        report = AnalysisReport.objects.get()
        assert response.status_code == 302
        assert response["Location"].endswith(f"/{report.pk}/")
        page = client.get(f"/analytics/reports/{report.pk}/").content.decode()
        assert 'http-equiv="refresh"' in page  # queued: the page waits (no script)
    with django_capture_on_commit_callbacks(execute=True):
        services._enqueue(report.pk)
    page = client.get(f"/analytics/reports/{report.pk}/").content.decode()
    assert 'data-format="pdf"' in page
    assert 'http-equiv="refresh"' not in page
    pdf = client.get(f"/analytics/reports/{report.pk}/pdf/")
    assert pdf.status_code == 200
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    # The county's report is not for a unit head.
    client.force_login(users["unithead"])
    assert client.get(f"/analytics/reports/{report.pk}/").status_code == 404
    assert client.get(f"/analytics/reports/{report.pk}/docx/").status_code == 404


def test_a_unit_heads_report_covers_their_unit_only(
    users, world, django_capture_on_commit_callbacks
):
    with time_machine.travel(LATE, tick=False), django_capture_on_commit_callbacks(execute=True):
        report = services.report_request(
            actor=users["unithead"], kind="monthly", year=2026, month=3
        )
    report.refresh_from_db()
    text = pdf_text(report)
    assert "通海县住房和城乡建设局信访工作月度研判报告" in text
    assert "3/5" in text  # 住建局's timely acceptance: A, B, E of A, B, C, E, F
