"""Formal documents of a petition case as PDF, with Chinese typesetting.

Font: reportlab's built-in CID font STSong-Light (Adobe-GB1, UniGB-UCS2-H). It needs no font
file: the PDF names the font and every reader supplies it, so nothing is shipped or fetched,
and the text extracts back as Unicode (tests check it with pypdf). Lines break at any CJK
character (wordWrap="CJK"); paragraphs are indented two characters, as official documents are.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from xml.sax.saxutils import escape

from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))


class DocumentKind(StrEnum):
    ACCEPTANCE_NOTICE = "acceptance_notice"  # 受理告知书
    NON_ACCEPTANCE_NOTICE = "non_acceptance_notice"  # 不予受理告知书
    TRANSFER_LETTER = "transfer_letter"  # 转送函 / 交办函
    REPLY = "reply"  # 信访事项处理意见书
    EXTENSION_NOTICE = "extension_notice"  # 延期办理告知书
    REVIEW_DECISION = "review_decision"  # 复查意见书
    REREVIEW_DECISION = "rereview_decision"  # 复核意见书
    TERMINATION_NOTICE = "termination_notice"  # 终结告知


TITLES = {
    DocumentKind.ACCEPTANCE_NOTICE: "信访事项受理告知书",
    DocumentKind.NON_ACCEPTANCE_NOTICE: "信访事项不予受理告知书",
    DocumentKind.TRANSFER_LETTER: "信访事项转送函",
    DocumentKind.REPLY: "信访事项处理意见书",
    DocumentKind.EXTENSION_NOTICE: "信访事项延期办理告知书",
    DocumentKind.REVIEW_DECISION: "信访事项复查意见书",
    DocumentKind.REREVIEW_DECISION: "信访事项复核意见书",
    DocumentKind.TERMINATION_NOTICE: "信访事项终结告知书",
}


@dataclass(frozen=True)
class DocumentData:
    kind: DocumentKind
    number: str
    case_number: str
    issuing_unit: str
    addressee: str
    issued_on: date
    title: str
    facts: str
    body: str
    query_code: str = ""
    due_on: date | None = None
    extra: Mapping[str, str] = field(default_factory=dict)


def document_title(kind: DocumentKind) -> str:
    return TITLES[kind]


def cn_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.replace("\r\n", "\n").split("\n") if p.strip()]


def _wording(d: DocumentData) -> list[str]:
    """The fixed text of each document around its variable parts."""
    matter = f"您反映的“{d.title}”信访事项（编号{d.case_number}）"
    due = cn_date(d.due_on) if d.due_on else ""
    k = d.kind
    if k == DocumentKind.ACCEPTANCE_NOTICE:
        return [
            f"{matter}，本机关已收悉。根据《信访工作条例》第二十三条的规定，决定予以受理。",
            "本机关将依照《信访工作条例》第三十四条的规定，自受理之日起六十日内办结，"
            + (f"即于{due}前" if due else "")
            + "出具书面答复意见。",
            f"您可凭查询码 {d.query_code} 和事项编号登录信访信息系统"
            "查询办理进展并对办理情况进行评价。",
        ]
    if k == DocumentKind.NON_ACCEPTANCE_NOTICE:
        return [
            f"{matter}，本机关已收悉。经审查，根据《信访工作条例》第二十三条的规定，决定不予受理。",
            *[f"理由：{p}" if i == 0 else p for i, p in enumerate(_paragraphs(d.body))],
            "请您依照有关法律、行政法规规定的程序或者向有权处理的机关提出。",
        ]
    if k == DocumentKind.TRANSFER_LETTER:
        return [
            f"现将信访人反映的“{d.title}”信访事项（编号{d.case_number}）转送你单位，"
            "请依照《信访工作条例》第二十二条、第二十三条的规定，自收到之日起十五日内书面告知信访人是否受理；"
            "如认为不属于你单位职权范围，请于五个工作日内提出异议并说明理由。",
            f"信访人反映：{d.facts}",
            "受理后请依照《信访工作条例》第三十四条的规定在规定期限内办结并书面答复信访人。"
            "对检举控告材料及有关情况应当严格保密。",
        ]
    if k == DocumentKind.REPLY:
        outcome = d.extra.get("outcome", "")
        return [
            f"{matter}，本机关已于受理后依法办理。现将处理意见答复如下：",
            f"一、信访请求：{d.facts}",
            "二、查明事实、处理意见及依据：",
            *_paragraphs(d.body),
            *([f"三、处理结论：{outcome}。"] if outcome else []),
            "如对本处理意见不服，可以自收到本意见书之日起三十日内，依照《信访工作条例》"
            "第三十五条的规定，请求原办理机关的上一级机关复查。",
        ]
    if k == DocumentKind.EXTENSION_NOTICE:
        return [
            f"{matter}，因情况复杂，不能在规定期限内办结。根据《信访工作条例》第三十四条的规定，"
            "经本机关负责人批准，办理期限适当延长（延长期限不超过三十日）。",
            *[f"延期理由：{p}" if i == 0 else p for i, p in enumerate(_paragraphs(d.body))],
            f"延长后的办结期限为{due}。" if due else "",
        ]
    if k == DocumentKind.REVIEW_DECISION:
        return [
            f"{matter}，您不服原处理意见，请求复查。本机关依照《信访工作条例》第三十五条的规定进行了复查，"
            "现提出复查意见如下：",
            *_paragraphs(d.body),
            "如对本复查意见不服，可以自收到本意见书之日起三十日内，依照《信访工作条例》第三十六条的规定，"
            "向复查机关的上一级机关请求复核。",
        ]
    if k == DocumentKind.REREVIEW_DECISION:
        return [
            f"{matter}，您不服复查意见，请求复核。本机关依照《信访工作条例》第三十六条的规定进行了复核，"
            "现提出复核意见如下：",
            *_paragraphs(d.body),
            "本复核意见为终结意见。信访人对复核意见不服，仍以同一事实和理由提出投诉请求的，"
            "各级信访工作机构和其他行政机关不再受理。",
        ]
    return [
        f"{matter}已经复核终结。根据《信访工作条例》第三十六条的规定，您以同一事实和理由再次提出的请求，不再受理。",
        *_paragraphs(d.body),
    ]


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=FONT, fontSize=14, leading=26, wordWrap="CJK")
    return {
        "unit": ParagraphStyle("unit", parent=base, fontSize=16, alignment=TA_CENTER),
        "title": ParagraphStyle(
            "title", parent=base, fontSize=20, leading=32, alignment=TA_CENTER, spaceBefore=6
        ),
        "number": ParagraphStyle("number", parent=base, fontSize=12, alignment=TA_CENTER),
        "to": ParagraphStyle("to", parent=base, spaceBefore=12),
        "body": ParagraphStyle("body", parent=base, firstLineIndent=28, alignment=TA_JUSTIFY),
        "sign": ParagraphStyle("sign", parent=base, alignment=TA_RIGHT, rightIndent=28),
    }


def _page_number(canvas: Canvas, doc: SimpleDocTemplate) -> None:
    canvas.saveState()
    canvas.setFont(FONT, 12)
    canvas.drawCentredString(A4[0] / 2, 15 * mm, f"— {doc.page} —")
    canvas.restoreState()


def render_pdf(data: DocumentData) -> bytes:
    """The document as PDF bytes (deterministic for the same input)."""
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=28 * mm,
        rightMargin=26 * mm,
        topMargin=37 * mm,
        bottomMargin=35 * mm,
        title=document_title(data.kind),
        author=data.issuing_unit,
        creator="Xinfang",
        subject=data.case_number,
        invariant=1,
    )
    st = _styles()
    story = [
        Paragraph(escape(data.issuing_unit), st["unit"]),
        Paragraph(escape(document_title(data.kind)), st["title"]),
        Paragraph(escape(data.number), st["number"]),
        Spacer(1, 6 * mm),
        Paragraph(escape(f"{data.addressee}：") if data.addressee else "", st["to"]),
    ]
    story += [Paragraph(escape(p), st["body"]) for p in _wording(data) if p]
    story += [
        Spacer(1, 12 * mm),
        Paragraph(escape(data.issuing_unit), st["sign"]),
        Paragraph(cn_date(data.issued_on), st["sign"]),
    ]
    doc.build(story, onFirstPage=_page_number, onLaterPages=_page_number)
    return out.getvalue()
