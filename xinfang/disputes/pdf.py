"""PDF documents of the dispute and stability work, on the case documents' machinery.

``render_document`` is a generic A4 layout (title, number, sections of paragraphs and tables,
signature lines, date) set in reportlab's built-in CID font STSong-Light with the CJK line
breaking of :mod:`xinfang.documents.pdf` (``CJKParagraph``: wordWrap CJK, 避头尾). The case
documents' fixed GB/T 9704 layout (版头, 28 characters a line) suits official letters; the
agreement and the assessment report are forms with tables, so they get this simpler frame.

``render_agreement`` writes the 人民调解协议书 with the content 人民调解法 art. 29 asks for:
the parties, the main facts and issues, the agreed terms, how and when they are performed;
effective when signed by the parties and the mediators and sealed by the committee; the 30 days
for judicial confirmation of art. 33. Output is deterministic for the same input.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from xml.sax.saxutils import escape

from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, SimpleDocTemplate, Spacer, Table, TableStyle

from xinfang.cases.masking import mask, mask_name, mask_phone
from xinfang.documents.pdf import FONT, CJKParagraph, cn_date

SIZE = 14  # 四号
LEADING = 24
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufeff\ufffe\uffff]")

# 人民调解法 (2010) articles cited by the agreement's fixed wording.
MEDIATION_LAW = "《中华人民共和国人民调解法》"
_NUMBERED = re.compile(r"^[一二三四五六七八九十\d]+[、.．]")
_CN_NUMBERS = "一二三四五六七八九十"
SIDE_WORDS = {"applicant": "甲方", "respondent": "乙方", "other": "第三方"}


def esc(text: str) -> str:
    """User text made safe for reportlab's paragraph markup."""
    text = unicodedata.normalize("NFC", text or "").replace("\t", " ")
    return escape(_CONTROL.sub("", text))


def paragraphs(text: str) -> list[str]:
    lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return [p.strip(" \u3000") for p in lines if p.strip(" \u3000")]


@dataclass(frozen=True)
class Section:
    heading: str
    paragraphs: Sequence[str] = ()
    table: Sequence[Sequence[str]] = ()  # first row is the header
    widths: Sequence[float] = ()  # relative column widths


@dataclass(frozen=True)
class Document:
    title: str
    number: str
    issuer: str
    sections: Sequence[Section]
    signatures: Sequence[str] = ()
    dated: date | None = None
    subject: str = ""
    notes: Sequence[str] = field(default_factory=tuple)


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("xd-base", fontName=FONT, fontSize=SIZE, leading=LEADING, wordWrap="CJK")
    return {
        "title": ParagraphStyle(
            "xd-title", parent=base, fontSize=22, leading=32, alignment=TA_CENTER
        ),
        "number": ParagraphStyle("xd-number", parent=base, alignment=TA_RIGHT, spaceAfter=8),
        "heading": ParagraphStyle(
            "xd-heading", parent=base, fontSize=15, spaceBefore=8, keepWithNext=1
        ),
        "body": ParagraphStyle(
            "xd-body", parent=base, alignment=TA_JUSTIFY, firstLineIndent=2 * SIZE
        ),
        "cell": ParagraphStyle("xd-cell", parent=base, fontSize=11, leading=16),
        "sign": ParagraphStyle("xd-sign", parent=base, alignment=TA_LEFT, spaceBefore=10),
        "date": ParagraphStyle("xd-date", parent=base, alignment=TA_RIGHT, spaceBefore=10),
        "note": ParagraphStyle("xd-note", parent=base, fontSize=10.5, leading=15),
    }


def _table(section: Section, st: dict[str, ParagraphStyle], width: float) -> Table:
    rows = [[CJKParagraph(esc(str(c)), st["cell"]) for c in row] for row in section.table]
    ncols = max(len(r) for r in rows)
    rel = list(section.widths) or [1.0] * ncols
    col_widths = [width * w / sum(rel) for w in rel]
    table = Table(rows, colWidths=col_widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, "black"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), "#eeeeee"),
            ]
        )
    )
    return table


def render_document(doc: Document) -> bytes:
    """Any of our forms as A4 PDF bytes (same input, same bytes)."""
    st = _styles()
    out = io.BytesIO()
    margin = 25 * mm
    frame = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=30 * mm,
        bottomMargin=25 * mm,
        title=f"{doc.title} {doc.number}".strip(),
        author=doc.issuer,
        subject=doc.subject,
        creator="Xinfang",
        lang="zh-CN",
        invariant=1,
    )
    width = A4[0] - 2 * margin
    story: list[Flowable] = [CJKParagraph(esc(doc.title), st["title"])]
    if doc.number.strip():
        story.append(CJKParagraph(esc(doc.number), st["number"]))
    for section in doc.sections:
        if section.heading:
            story.append(CJKParagraph(esc(section.heading), st["heading"]))
        story += [CJKParagraph(esc(p), st["body"]) for p in section.paragraphs if p.strip()]
        if section.table:
            story += [Spacer(1, 4), _table(section, st, width), Spacer(1, 4)]
    closing: list[Flowable] = [CJKParagraph(esc(s), st["sign"]) for s in doc.signatures]
    if doc.dated:
        closing.append(CJKParagraph(cn_date(doc.dated), st["date"]))
    if closing:
        story.append(KeepTogether(closing))
    story += [CJKParagraph(esc(n), st["note"]) for n in doc.notes]
    frame.build(story)
    return out.getvalue()


# --- the mediation agreement -------------------------------------------------------------------


@dataclass(frozen=True)
class PartyLine:
    side: str  # applicant / respondent / other
    name: str
    kind: str = "person"
    id_number: str = ""
    phone: str = ""
    address: str = ""


@dataclass(frozen=True)
class AgreementData:
    number: str
    committee: str
    parties: Sequence[PartyLine]
    facts: str
    terms: str
    performance: str
    perform_by: date
    mediators: str
    signed_on: date
    dispute_number: str = ""


def party_text(p: PartyLine, *, masked: bool) -> str:
    side = SIDE_WORDS.get(p.side, "当事人")
    name = mask_name(p.name) if masked and p.kind == "person" else p.name
    parts = [f"{side}：{name}"]
    if p.id_number:
        label = "身份证号码" if p.kind == "person" else "统一社会信用代码"
        parts.append(f"{label}：{mask(p.id_number, 4, 2) if masked else p.id_number}")
    if p.phone:
        parts.append(f"联系电话：{mask_phone(p.phone) if masked else p.phone}")
    if p.address and not masked:
        parts.append(f"住所：{p.address}")
    return "，".join(parts) + "。"


def agreement_document(data: AgreementData, *, masked: bool = False) -> Document:
    terms = paragraphs(data.terms)
    if len(terms) > 1 and not any(_NUMBERED.match(t) for t in terms):
        terms = [
            f"{_CN_NUMBERS[i] if i < len(_CN_NUMBERS) else i + 1}、{t}" for i, t in enumerate(terms)
        ]
    copies = len(data.parties) + 1
    return Document(
        title="人民调解协议书",
        number=data.number,
        issuer=data.committee,
        subject=data.dispute_number,
        sections=[
            Section("当事人", [party_text(p, masked=masked) for p in data.parties]),
            Section("纠纷主要事实、争议事项", paragraphs(data.facts)),
            Section("经调解，各方当事人自愿达成如下协议", terms),
            Section(
                "履行方式、时限",
                [
                    *paragraphs(data.performance),
                    f"上述协议内容于{cn_date(data.perform_by)}前履行完毕。",
                ],
            ),
            Section(
                "",
                [
                    f"依照{MEDIATION_LAW}第三十一条，经人民调解委员会调解达成的调解协议，"
                    "具有法律约束力，当事人应当按照约定履行。",
                    "本协议书自各方当事人签名、盖章或者按指印，人民调解员签名并加盖人民调解委员会"
                    f"印章之日起生效（{MEDIATION_LAW}第二十九条）。本协议书一式{copies}份，"
                    "当事人各执一份，人民调解委员会留存一份。",
                    f"依照{MEDIATION_LAW}第三十三条，双方当事人认为有必要的，可以自本协议生效之日起"
                    "三十日内共同向人民法院申请司法确认。",
                ],
            ),
        ],
        signatures=[
            *[f"{SIDE_WORDS.get(p.side, '当事人')}（签名、盖章或按指印）：" for p in data.parties],
            f"人民调解员（签名）：{data.mediators}",
            f"{data.committee}（印章）",
        ],
        dated=data.signed_on,
        notes=[f"纠纷编号：{data.dispute_number}"] if data.dispute_number else [],
    )


def render_agreement(data: AgreementData, *, masked: bool = False) -> bytes:
    return render_document(agreement_document(data, masked=masked))
