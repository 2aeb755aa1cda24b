"""The public project text (项目文本公开) of a year's special funds, generated from the data,
as .docx (python-docx) or PDF (reportlab, through the CJK layout of xinfang.documents.pdf
that xinfang.disputes.pdf wraps in a generic A4 form).

The sections of each project, in the order of the bureau's disclosure (DOMAIN.md §7):
项目名称, 立项依据, 项目实施单位, 项目基本概况, 项目实施内容, 资金安排情况, 项目实施计划,
项目实施成效. 资金安排情况 states the budget and every line; 项目实施成效 the performance
targets with their actual values and the self-assessment score (xinfang.funds.assessment).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from .assessment import Assessment, assess, money
from .selectors import ProjectFigures, fund_overview

SECTION_TITLES = (
    "项目名称",
    "立项依据",
    "项目实施单位",
    "项目基本概况",
    "项目实施内容",
    "资金安排情况",
    "项目实施计划",
    "项目实施成效",
)
CN_ORDINALS = "一二三四五六七八九十"
FORMATS = {".docx", ".pdf"}
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass
class Part:
    heading: str
    paragraphs: list[str] = field(default_factory=list)
    table: list[list[str]] = field(default_factory=list)  # first row: header
    widths: Sequence[float] = ()


@dataclass
class Disclosure:
    title: str
    issuer: str
    year: int
    dated: date
    parts: list[Part] = field(default_factory=list)


def _ordinal(i: int) -> str:
    return CN_ORDINALS[i] if i < len(CN_ORDINALS) else str(i + 1)


def _money_paragraph(pf: ProjectFigures) -> str:
    lines = "；".join(f"{lf.line.label}{money(lf.budget)}元" for lf in pf.lines)
    text = f"{pf.project.year}年预算安排{money(pf.budget)}元"
    if lines:
        text += f"，其中：{lines}"
    text += "。"
    if pf.adjusted != pf.budget or any(lf.adjusted != lf.budget for lf in pf.lines):
        text += f"经批准调剂后全年预算数{money(pf.adjusted)}元。"
    text += f"截至本文生成日，已支出{money(pf.spent)}元，预算执行率{pf.rate or 0}%。"
    return text


def _money_table(pf: ProjectFigures) -> list[list[str]]:
    rows = [["经济分类", "年初预算数（元）", "全年预算数（元）", "执行数（元）", "执行率"]]
    for lf in pf.lines:
        rows.append(
            [
                lf.line.label,
                money(lf.budget),
                money(lf.adjusted),
                money(lf.spent),
                f"{lf.rate or 0}%",
            ]
        )
    rows.append(["合计", money(pf.budget), money(pf.adjusted), money(pf.spent), f"{pf.rate or 0}%"])
    return rows


def _results_table(a: Assessment) -> list[list[str]]:
    rows = [["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"]]
    rows.append(
        [
            "预算执行率",
            "—",
            "预算执行率",
            "100%",
            f"{a.execution_rate}%",
            "10",
            str(a.execution_score),
        ]
    )
    for r in a.rows:
        rows.append(
            [
                r.level1,
                r.level2,
                r.name,
                r.target,
                r.actual,
                "不计分" if r.points is None else str(r.points),
                "—" if r.score is None else str(r.score),
            ]
        )
    return rows


def _results_paragraphs(pf: ProjectFigures, a: Assessment) -> list[str]:
    out = [pf.project.results] if pf.project.results else []
    targets = "；".join(f"{s.indicator.name}{s.indicator.target_text}" for s in pf.indicators)
    if targets:
        out.append(f"年度绩效目标：{targets}。")
    out.append(
        f"绩效自评：按预算执行率10分、产出指标50分、效益指标30分、满意度指标10分评分，"
        f"总分{a.total}分，等级为“{a.grade}”。"
    )
    return out


def build(year: int, *, today: date) -> Disclosure:
    """The disclosure of every project of ``year`` from the data, as of ``today``."""
    overview = fund_overview(year, today=today)
    issuer = overview[0].project.implementing_unit.name if overview else ""
    doc = Disclosure(
        title=f"{issuer}{year}年度专项资金项目文本公开", issuer=issuer, year=year, dated=today
    )
    for i, pf in enumerate(overview):
        p = pf.project
        a = assess(pf)
        texts = [
            [p.name],
            [p.basis],
            [p.implementing_unit.name],
            [p.overview],
            [p.content],
            [_money_paragraph(pf)],
            [p.plan],
            _results_paragraphs(pf, a),
        ]
        doc.parts.append(Part(f"{_ordinal(i)}、{p.name}"))
        for j, (title, paras) in enumerate(zip(SECTION_TITLES, texts, strict=True)):
            part = Part(f"（{_ordinal(j)}）{title}", [t for t in paras if t])
            if title == "资金安排情况":
                part.table, part.widths = _money_table(pf), (3, 2, 2, 2, 1.4)
            elif title == "项目实施成效":
                part.table, part.widths = _results_table(a), (1.3, 1.6, 2.6, 1.4, 1.4, 1, 1)
            doc.parts.append(part)
    return doc


# --- rendering ----------------------------------------------------------------------------


def render_pdf(doc: Disclosure) -> bytes:
    from xinfang.disputes.pdf import Document, Section, render_document

    sections = [Section(p.heading, p.paragraphs, p.table, p.widths) for p in doc.parts]
    if not sections:
        sections = [Section("", [f"{doc.year}年度无专项资金项目。"])]
    return render_document(
        Document(
            title=doc.title or f"{doc.year}年度专项资金项目文本公开",
            number="",
            issuer=doc.issuer,
            sections=sections,
            signatures=[doc.issuer] if doc.issuer else [],
            dated=doc.dated,
            subject="项目文本公开",
        )
    )


def render_docx(doc: Disclosure) -> bytes:
    from docx import Document as Docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    d = Docx()
    for style_name in ("Normal", "Title", "Heading 1", "Heading 2"):
        style = d.styles[style_name]
        style.font.name = "SimSun"
        # East Asian text takes the eastAsia font of rFonts, not the Latin name above.
        style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
    d.styles["Normal"].font.size = Pt(12)
    d.core_properties.title = doc.title
    d.core_properties.author = doc.issuer
    title = d.add_heading(doc.title or f"{doc.year}年度专项资金项目文本公开", level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if not doc.parts:
        d.add_paragraph(f"{doc.year}年度无专项资金项目。")
    for part in doc.parts:
        d.add_heading(part.heading, level=1 if not part.heading.startswith("（") else 2)
        for text in part.paragraphs:
            for para in text.splitlines():
                if para.strip():
                    d.add_paragraph(para.strip())
        if part.table:
            table = d.add_table(rows=len(part.table), cols=len(part.table[0]))
            table.style = "Table Grid"
            for r, row in enumerate(part.table):
                for c, cell in enumerate(row):
                    table.cell(r, c).text = cell
    if doc.issuer:
        sign = d.add_paragraph(doc.issuer)
        sign.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    dated = d.add_paragraph(f"{doc.dated.year}年{doc.dated.month}月{doc.dated.day}日")
    dated.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def render(doc: Disclosure, fmt: str) -> bytes:
    """``fmt``: ".docx" or ".pdf"."""
    if fmt == ".docx":
        return render_docx(doc)
    if fmt == ".pdf":
        return render_pdf(doc)
    raise ValueError(f"unknown format {fmt!r}: use .docx or .pdf")


def content_type(fmt: str) -> str:
    return DOCX_TYPE if fmt == ".docx" else "application/pdf"
