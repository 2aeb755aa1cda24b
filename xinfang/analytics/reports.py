"""Analysis reports (研判报告): the figures of a month or a year, written as PDF and .docx.

The figures come from the same engine as the dashboards (indicators vs targets, volumes by
channel, top categories and hot towns with the change against the previous period, the
unit ranking, the warnings of the period, the suggestions recorded). The document is a
Chinese government text, so its fixed wording is Chinese (as the case documents of
xinfang.documents.pdf are).

PDF: reportlab with its built-in CID font STSong-Light and CJK line breaking (see
xinfang/documents/pdf.py for why that font). Chart: matplotlib (Agg, no display) with
Debian's Noto Sans CJK when installed (fonts-noto-cjk, scripts/system-deps.sh); without a CJK
font the chart is drawn with Latin labels only. .docx: python-docx.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from xinfang.cases.models import Channel
from xinfang.org.models import Division

from .dashboards import build_dashboard
from .definitions import grade_cn
from .models import AnalysisReport, EarlyWarning, ReportKind
from .periods import Filters, Period
from .selectors import IndicatorValue, Scope, scope_for

log = logging.getLogger(__name__)

CJK_FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
)
SEVERITY_CN = {"high": "高", "medium": "中", "low": "低"}
STATUS_CN = {
    "open": "待签收",
    "acknowledged": "已签收",
    "assigned": "已交办",
    "cleared": "已消除",
    "closed": "已办结",
}


@dataclass
class Figures:
    """Everything a report says, as plain data (also stored in AnalysisReport.summary)."""

    title: str
    scope: str
    period: str
    generated_at: str
    indicators: list[dict[str, Any]]
    volumes: list[dict[str, Any]]
    channels: list[dict[str, Any]]
    categories: list[dict[str, Any]]
    towns: list[dict[str, Any]]
    ranking: list[dict[str, Any]]
    trend: list[dict[str, Any]]
    warnings: list[dict[str, Any]]
    overdue: int
    suggestions: str


def _county_name() -> str:
    code = str(settings.XINFANG["COUNTY_CODE"])
    division = Division.objects.filter(code=code).first()
    return division.name if division else code


def _period_cn(period: Period) -> str:
    if period.kind == "year":
        return f"{period.start.year}年"
    if period.kind == "month":
        return f"{period.start.year}年{period.start.month}月"
    return f"{period.start:%Y年%m月%d日}至{period.end:%Y年%m月%d日}"


def _change(now: int, before: int) -> str:
    if before == 0:
        return "新增" if now else "—"
    pct = round(100 * (now - before) / before)
    return f"{pct:+d}%"


def _value_cn(iv: IndicatorValue) -> str:
    value = iv.value
    if value is None:
        return "—"
    return f"{value}天" if iv.indicator.kind == "average" else f"{value}%"


def collect_figures(report: AnalysisReport, *, today: date) -> Figures:
    period = (
        Period.year(report.period_start.year)
        if report.kind == ReportKind.ANNUAL
        else Period.month(report.period_start.year, report.period_start.month)
    )
    scope: Scope = scope_for(report.requested_by)
    filters = Filters()
    scope_name = report.scope_unit.name if report.scope_unit else _county_name()
    board = build_dashboard(scope, period=period, filters=filters, today=today)
    before = build_dashboard(
        scope, period=period.previous(), filters=filters, today=today, facets=("town", "category")
    )
    prev_cat = {r.key: r.get("registered") for r in before.categories}
    prev_town = {r.key: r.get("registered") for r in before.towns}
    warnings = EarlyWarning.objects.filter(
        detected_on__gte=period.start, detected_on__lte=period.end
    ).order_by("-severity", "-last_detected_at")
    if report.scope_unit_id:
        warnings = warnings.filter(unit_id=report.scope_unit_id)
    kind = "年度" if report.kind == ReportKind.ANNUAL else "月度"
    return Figures(
        title=f"{scope_name}信访工作{kind}研判报告（{_period_cn(period)}）",
        scope=scope_name,
        period=f"{period.start.isoformat()} — {period.end.isoformat()}",
        generated_at=timezone.localtime().strftime("%Y-%m-%d %H:%M"),
        indicators=[
            {
                "code": iv.code,
                "term": iv.indicator.term,
                "value": _value_cn(iv),
                "target": (
                    ("≥" if iv.indicator.higher_is_better else "≤") + f"{iv.target}%"
                    if iv.target is not None
                    else "—"
                ),
                "met": {True: "达标", False: "未达标", None: "—"}[iv.met],
                "numerator": iv.numerator,
                "denominator": iv.denominator,
                "available": iv.available,
            }
            for iv in board.indicators
        ],
        volumes=[
            {
                "label": v.volume.term or str(v.volume.label),
                "actual": "—" if v.actual is None else v.actual,
                "target": v.yearly_target and int(v.yearly_target),
                "expected": v.expected and int(v.expected),
                "met": {True: "达标", False: "未达标", None: "—"}[v.met],
            }
            for v in board.volumes
        ],
        channels=[
            {"label": str(Channel(r.key).label), "registered": r.get("registered")}
            for r in board.channels
            if r.key in Channel.values and r.get("registered")
        ],
        categories=[
            {
                "name": r.label,
                "registered": r.get("registered"),
                "change": _change(r.get("registered"), prev_cat.get(r.key, 0)),
            }
            for r in [r for r in board.categories if r.get("registered")][:5]
        ],
        towns=[
            {
                "name": r.label,
                "registered": r.get("registered"),
                "change": _change(r.get("registered"), prev_town.get(r.key, 0)),
            }
            for r in [r for r in board.towns if r.get("registered")][:5]
        ],
        ranking=[
            {
                "rank": r.rank,
                "name": r.name,
                "score": "—" if r.score is None else str(r.score),
                "grade": grade_cn(r.score),
            }
            for r in board.ranking[:10]
        ],
        trend=[
            {
                "month": r.key.strftime("%Y-%m"),
                "registered": r.get("registered"),
                "answered": r.get("answered"),
                "on_time": (
                    round(100 * r.get("hnd_on_time") / r.get("hnd_due"), 1)
                    if r.get("hnd_due")
                    else None
                ),
            }
            for r in board.trend
        ],
        warnings=[
            {
                "title": w.title,
                "severity": SEVERITY_CN.get(w.severity, w.severity),
                "status": STATUS_CN.get(w.status, w.status),
                "detected_on": w.detected_on.isoformat(),
            }
            for w in warnings[:10]
        ],
        overdue=board.overdue,
        suggestions=report.suggestions,
    )


# --- chart --------------------------------------------------------------------------------


def cjk_font_path() -> str | None:
    for path in CJK_FONT_CANDIDATES:
        if Path(path).exists():
            return path
    return None


def trend_chart_png(figures: Figures) -> bytes:
    """Monthly cases registered and answered (bars) and the on-time closure rate (line)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

    font_path = cjk_font_path()
    font = FontProperties(fname=font_path) if font_path else None
    cjk = font is not None
    months = [t["month"][2:] for t in figures.trend]
    x = list(range(len(months)))
    fig = Figure(figsize=(7.5, 3.2), dpi=150)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(111)
    ax.bar(
        [i - 0.2 for i in x],
        [t["registered"] for t in figures.trend],
        width=0.4,
        color="#c8102e",
        label="登记" if cjk else "registered",
    )
    ax.bar(
        [i + 0.2 for i in x],
        [t["answered"] for t in figures.trend],
        width=0.4,
        color="#627d98",
        label="答复" if cjk else "answered",
    )
    ax.set_xticks(x)
    ax.set_xticklabels(months, fontsize=7)
    ax2 = ax.twinx()
    ax2.plot(
        x,
        [t["on_time"] for t in figures.trend],
        color="#2f855a",
        marker="o",
        label="按期办结率%" if cjk else "on time %",
    )
    ax2.set_ylim(0, 105)
    handles = ax.get_legend_handles_labels()
    handles2 = ax2.get_legend_handles_labels()
    ax.legend(
        handles[0] + handles2[0], handles[1] + handles2[1], prop=font, fontsize=7, loc="upper left"
    )
    if cjk:
        ax.set_title("月度信访量与按期办结率", fontproperties=font, fontsize=10)
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()


# --- PDF ----------------------------------------------------------------------------------


def render_pdf(figures: Figures, chart: bytes | None) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from xinfang.documents.pdf import FONT  # registers the CID font

    base = ParagraphStyle("r", fontName=FONT, fontSize=10.5, leading=16, wordWrap="CJK")
    title = ParagraphStyle("t", parent=base, fontSize=18, leading=28, alignment=TA_CENTER)
    head = ParagraphStyle("h", parent=base, fontSize=13, leading=22, spaceBefore=10)
    small = ParagraphStyle("s", parent=base, fontSize=8.5, leading=12)

    def esc(value: Any) -> str:
        return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    def table(header: list[str], rows: list[list[Any]], widths: list[float]) -> Table:
        data = [[Paragraph(esc(h), small) for h in header]]
        data += [[Paragraph(esc(c), small) for c in row] for row in rows]
        t = Table(data, colWidths=[w * mm for w in widths], repeatRows=1)
        t.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f7")),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ]
            )
        )
        return t

    story: list[Any] = [
        Paragraph(esc(figures.title), title),
        Paragraph(esc(f"统计期间：{figures.period}　生成时间：{figures.generated_at}"), small),
        Paragraph("一、主要指标与目标", head),
        table(
            ["指标", "实际", "目标", "达标", "分子/分母"],
            [
                [
                    i["term"],
                    i["value"],
                    i["target"],
                    i["met"],
                    f"{i['numerator']}/{i['denominator']}" if i["available"] else "无数据",
                ]
                for i in figures.indicators
            ],
            [38, 28, 26, 22, 40],
        ),
        Paragraph(
            "指标口径为本系统定义（可配置），目标取自2022年县信访局专项资金绩效目标。"
            f"当前超期件：{figures.overdue}件。",
            small,
        ),
        Paragraph("二、数量目标", head),
        table(
            ["项目", "实际", "年度目标", "本期应达", "达标"],
            [
                [v["label"], v["actual"], v["target"], v["expected"], v["met"]]
                for v in figures.volumes
            ],
            [50, 24, 26, 26, 24],
        ),
        Paragraph("三、来源渠道", head),
        table(
            ["渠道", "登记件数"],
            [[c["label"], c["registered"]] for c in figures.channels],
            [60, 30],
        ),
    ]
    if chart:
        story += [
            Paragraph("四、月度趋势", head),
            Image(io.BytesIO(chart), width=170 * mm, height=72 * mm),
        ]
    story += [
        Paragraph("五、突出问题（前五类）", head),
        table(
            ["问题类别", "件数", "环比/同比"],
            [[c["name"], c["registered"], c["change"]] for c in figures.categories],
            [60, 30, 30],
        ),
        Paragraph("六、热点地区（前五）", head),
        table(
            ["乡镇（街道）", "件数", "变化"],
            [[t["name"], t["registered"], t["change"]] for t in figures.towns],
            [60, 30, 30],
        ),
        Paragraph("七、单位考核排名", head),
        table(
            ["名次", "单位", "得分", "等次"],
            [[r["rank"] or "—", r["name"], r["score"], r["grade"]] for r in figures.ranking],
            [18, 80, 24, 30],
        ),
        Paragraph("八、预警情况", head),
        table(
            ["预警", "等级", "状态", "发现日期"],
            [[w["title"], w["severity"], w["status"], w["detected_on"]] for w in figures.warnings]
            or [["本期无预警", "", "", ""]],
            [90, 18, 24, 26],
        ),
        Paragraph("九、意见建议", head),
    ]
    for line in (figures.suggestions or "（未记录）").splitlines():
        if line.strip():
            story.append(Paragraph(esc(line.strip()), base))
    story.append(Spacer(1, 6 * mm))
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=figures.title,
        author=figures.scope,
    )
    doc.build(story)
    return out.getvalue()


# --- .docx --------------------------------------------------------------------------------


def render_docx(figures: Figures, chart: bytes | None) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    document = Document()
    normal = document.styles["Normal"]
    normal.font.name = "SimSun"
    normal.font.size = Pt(10.5)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = heading.add_run(figures.title)
    run.bold = True
    run.font.size = Pt(16)
    document.add_paragraph(f"统计期间：{figures.period}　生成时间：{figures.generated_at}")

    def section(text: str) -> None:
        p = document.add_paragraph()
        r = p.add_run(text)
        r.bold = True
        r.font.size = Pt(12)

    def table(header: list[str], rows: list[list[Any]]) -> None:
        t = document.add_table(rows=1, cols=len(header))
        t.style = "Table Grid"
        for cell, text in zip(t.rows[0].cells, header, strict=True):
            cell.text = text
        for row in rows:
            cells = t.add_row().cells
            for cell, value in zip(cells, row, strict=True):
                cell.text = "" if value is None else str(value)

    section("一、主要指标与目标")
    table(
        ["指标", "实际", "目标", "达标", "分子/分母"],
        [
            [
                i["term"],
                i["value"],
                i["target"],
                i["met"],
                f"{i['numerator']}/{i['denominator']}" if i["available"] else "无数据",
            ]
            for i in figures.indicators
        ],
    )
    document.add_paragraph(
        "指标口径为本系统定义（可配置），目标取自2022年县信访局专项资金绩效目标。"
        f"当前超期件：{figures.overdue}件。"
    )
    section("二、数量目标")
    table(
        ["项目", "实际", "年度目标", "本期应达", "达标"],
        [[v["label"], v["actual"], v["target"], v["expected"], v["met"]] for v in figures.volumes],
    )
    section("三、来源渠道")
    table(["渠道", "登记件数"], [[c["label"], c["registered"]] for c in figures.channels])
    if chart:
        section("四、月度趋势")
        document.add_picture(io.BytesIO(chart), width=Mm(160))
    section("五、突出问题（前五类）")
    table(
        ["问题类别", "件数", "变化"],
        [[c["name"], c["registered"], c["change"]] for c in figures.categories],
    )
    section("六、热点地区（前五）")
    table(
        ["乡镇（街道）", "件数", "变化"],
        [[t["name"], t["registered"], t["change"]] for t in figures.towns],
    )
    section("七、单位考核排名")
    table(
        ["名次", "单位", "得分", "等次"],
        [[r["rank"] or "—", r["name"], r["score"], r["grade"]] for r in figures.ranking],
    )
    section("八、预警情况")
    table(
        ["预警", "等级", "状态", "发现日期"],
        [[w["title"], w["severity"], w["status"], w["detected_on"]] for w in figures.warnings]
        or [["本期无预警", "", "", ""]],
    )
    section("九、意见建议")
    for line in (figures.suggestions or "（未记录）").splitlines():
        if line.strip():
            document.add_paragraph(line.strip())
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def generate(
    report: AnalysisReport, *, today: date, progress: Callable[[int, str], None]
) -> Figures:
    """Collect the figures, draw the chart, write both files onto ``report``."""
    from django.core.files.base import ContentFile

    progress(10, "collect")
    figures = collect_figures(report, today=today)
    progress(40, "chart")
    try:
        chart: bytes | None = trend_chart_png(figures)
    except Exception:  # a report without its chart is still a report
        log.exception("analytics: the trend chart could not be drawn")
        chart = None
    progress(60, "pdf")
    name = f"xinfang-report-{report.period_start:%Y%m}-{report.kind}-{report.pk}"
    report.pdf.save(f"{name}.pdf", ContentFile(render_pdf(figures, chart)), save=False)
    progress(80, "docx")
    report.docx.save(f"{name}.docx", ContentFile(render_docx(figures, chart)), save=False)
    report.summary = asdict(figures)
    return figures
