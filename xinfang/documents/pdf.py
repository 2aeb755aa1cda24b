"""Formal documents of a petition case (信访文书) rendered as PDF bytes.

Pure Python (reportlab platypus); no Django here.  ``render_pdf(DocumentData)`` gives one A4
document laid out after GB/T 9704-2012 (党政机关公文格式), in black only:

* 版头: the issuing unit centred in large type, the document number (发文字号, e.g.
  通信访受〔2026〕12号) centred under it, then a full-width rule (black, not red);
* the title centred in larger type, the addressee (主送) flush left, body paragraphs justified
  with a two-character first-line indent, 28 characters a line at 16 pt (三号);
* the signature block right-aligned: the unit centred over the date, the date right-indented
  four characters and written 2026年11月28日 (Arabic numerals, as GB/T 9704-2012 wants);
* page numbers "— 1 —" in 14 pt 7 mm under the text block, odd pages right and even pages
  left with one character of space (GB/T 9704 7.5).

Font
----
Everything is set in reportlab's built-in CID font ``STSong-Light`` (Adobe-GB1 character
collection, UniGB-UCS2-H encoding).  Nothing is shipped or downloaded: the PDF names the font
and the reader supplies a Song face (Acrobat, pdf.js, Chrome, Preview and poppler all do).  The
alternative asked about, registering Debian's Noto CJK (``/usr/share/fonts/opentype/noto/
NotoSerifCJK-Regular.ttc`` or ``NotoSansCJK``) as a ``TTFont``, does not work: those
collections have PostScript (CFF) outlines and reportlab's TTFont raises "postscript outlines
are not supported" for every subfont index.  STSong-Light text extracts back exactly with
pypdf (CJK, full-width punctuation, 〔〕, —, digits and Latin; the tests check it), so it is
the choice, with no fallback.  Trade-off: the glyphs are not embedded (no PDF/A); characters
outside the Basic Multilingual Plane (rare name characters of CJK Extension B and later) are
not in UCS-2 and print as blanks, although they still extract.

Line breaking
-------------
Paragraphs use ``wordWrap='CJK'`` (a break may fall between any two Chinese characters),
through a ``Paragraph`` subclass whose line splitter adds what reportlab's lacks for Chinese:
closing punctuation (，。、；：？！）》” …) never starts a line and opening punctuation never
ends one (避头尾), pushed down rather than hung into the margin, so no line is wider than the
text block; runs of Latin letters and digits (case numbers, query codes) are kept whole when
they fit, breaking after "-" or "/" otherwise; and full lines are justified by spreading the
remaining space between characters (PDF character spacing), as typeset Chinese is.

Wording
-------
Each kind has fixed wording around the variable parts, citing 《信访工作条例》(2022):
第二十二条、第二十三条 (transfer, 15 days to tell the petitioner whether accepted; acceptance);
第三十二条 (the three outcomes of a 处理意见书); 第三十四条 (60 days; one extension of at
most 30 days); 第三十五条 (复查 within 30 days of receipt); 第三十六条 (复核 within 30 days;
after it, the same request on the same facts and reasons is not accepted again).  The article
numbers live in ``ARTICLES`` only.

User text is escaped for reportlab's mini-markup (``<``, ``>``, ``&``) and stripped of control
characters.  Free text (facts, body) splits into paragraphs at line breaks; blank lines are
ignored and leading full-width spaces dropped (the indent is added here).

``extra`` keys read (all optional):

* ``outcome``: the decision of a reply, 支持 / 解释说明 / 不予支持 (also ``supported`` /
  ``explained`` / ``not_supported`` or the English labels); empty leaves it to the body;
* ``received_on``: when the petition was made, ISO ``2026-11-20`` or already Chinese text;
* ``petitioner``: the petitioner's name in a transfer letter (default 信访人);
* ``mode``: ``交办`` turns a transfer letter into a 交办函 asking for the result by ``due_on``
  with an 办结报告 (第二十二条); a plain 转送函 does not use ``due_on``;
* ``redirect_to``: for a non-acceptance notice, the body the petitioner should turn to;
* ``original_unit`` / ``review_unit`` / ``rereview_unit``: who made the decision contested in
  a review, re-review or termination notice; ``review_body`` / ``rereview_body``: where the
  next step goes (default: the level above the issuing unit);
* ``original_due_on``: for an extension notice, the due date before extension (ISO); when
  given, the new ``due_on`` must be later and at most 30 days after it.

Output is deterministic for the same input (``invariant=1``: fixed dates and file ID).
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.textobject import PDFTextObject
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import HRFlowable
from reportlab.platypus.paragraph import ParaLines, cjkU, makeCJKParaLine
from reportlab.rl_config import _FUZZ

__all__ = [
    "ARTICLES",
    "DocumentData",
    "DocumentKind",
    "FONT",
    "TITLES",
    "cn_date",
    "document_title",
    "render_pdf",
]

FONT = "STSong-Light"
if FONT not in pdfmetrics.getRegisteredFontNames():
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))


class DocumentKind(StrEnum):
    ACCEPTANCE_NOTICE = "acceptance_notice"  # 受理告知书
    NON_ACCEPTANCE_NOTICE = "non_acceptance_notice"  # 不予受理告知书
    TRANSFER_LETTER = "transfer_letter"  # 转送函 / 交办函
    REPLY = "reply"  # 信访事项处理意见书 (答复意见书)
    EXTENSION_NOTICE = "extension_notice"  # 延期办理告知书
    REVIEW_DECISION = "review_decision"  # 信访事项复查意见书
    REREVIEW_DECISION = "rereview_decision"  # 信访事项复核意见书
    TERMINATION_NOTICE = "termination_notice"  # 终结告知 (not accepted again after re-review)


TITLES: dict[DocumentKind, str] = {
    DocumentKind.ACCEPTANCE_NOTICE: "信访事项受理告知书",
    DocumentKind.NON_ACCEPTANCE_NOTICE: "信访事项不予受理告知书",
    DocumentKind.TRANSFER_LETTER: "信访事项转送函",
    DocumentKind.REPLY: "信访事项处理意见书",
    DocumentKind.EXTENSION_NOTICE: "信访事项延期办理告知书",
    DocumentKind.REVIEW_DECISION: "信访事项复查意见书",
    DocumentKind.REREVIEW_DECISION: "信访事项复核意见书",
    DocumentKind.TERMINATION_NOTICE: "信访事项终结告知书",
}
ASSIGNMENT_TITLE = "信访事项交办函"

# 《信访工作条例》(2022) articles cited by the fixed wording.
ARTICLES = {
    "transfer": "第二十二条",  # 信访部门 15 日内转送、交办
    "accept": "第二十三条",  # 其他机关、单位受理并告知; 转送的 15 日内书面告知信访人
    "outcome": "第三十二条",  # 处理意见: 支持 / 解释说明 / 不予支持
    "deadline": "第三十四条",  # 60 日内办结; 延长不超过 30 日并告知理由
    "review": "第三十五条",  # 30 日内请求复查
    "rereview": "第三十六条",  # 30 日内请求复核; 同一事实和理由不再受理
}
LAW = "《信访工作条例》"

_OUTCOMES = {
    "支持": "supported",
    "予以支持": "supported",
    "supported": "supported",
    "support": "supported",
    "解释说明": "explained",
    "解释": "explained",
    "explained": "explained",
    "explain": "explained",
    "不予支持": "not_supported",
    "not_supported": "not_supported",
    "not supported": "not_supported",
}
_OUTCOME_WORDING = {
    "supported": "你的请求事实清楚，符合法律、法规、规章或者其他有关规定，本机关予以支持。",
    "explained": "你的请求事由合理但缺乏法律依据，本机关已作出上述解释说明。",
    "not_supported": (
        "你的请求缺乏事实根据或者不符合法律、法规、规章或者其他有关规定，本机关不予支持。"
    ),
}


@dataclass(frozen=True)
class DocumentData:
    kind: DocumentKind
    number: str  # document number, e.g. "通信访受〔2026〕12号"
    case_number: str  # e.g. "XF530423-20261128-0001"
    issuing_unit: str  # e.g. "通海县信访局"
    addressee: str  # petitioner name (notices) or receiving unit (transfer letter)
    issued_on: date
    title: str  # the matter's title
    facts: str  # the petitioner's request / summary
    body: str  # decision, reasons, legal basis; paragraphs split at line breaks
    query_code: str = ""  # citizen query code (acceptance notice)
    due_on: date | None = None  # new due date (extension), handling or 交办 deadline
    extra: Mapping[str, str] = field(default_factory=dict)


def document_title(kind: DocumentKind) -> str:
    """The Chinese title of a kind of document, e.g. 信访事项受理告知书."""
    return TITLES[DocumentKind(kind)]


def cn_date(d: date) -> str:
    """2026年11月28日 (GB/T 9704-2012 writes dates with Arabic numerals)."""
    return f"{d.year}年{d.month}月{d.day}日"


# --------------------------------------------------------------------------- page geometry

BODY_SIZE = 16  # 三号
BODY_LEADING = 28.5  # 22 lines in the 225 mm text block
TIGHT_LEADING = 25.5  # tried when it saves a page
CHARS_PER_LINE = 28
TEXT_WIDTH = BODY_SIZE * CHARS_PER_LINE  # 448 pt, about 158 mm
PAGE_WIDTH, PAGE_HEIGHT = A4
SIDE_MARGIN = (PAGE_WIDTH - TEXT_WIDTH) / 2
TOP_MARGIN = 37 * mm
BOTTOM_MARGIN = 35 * mm
PAGE_NUMBER_SIZE = 14  # 四号


# --------------------------------------------------------------------------- CJK line breaking

# Never at the start of a line (避头): closing and pausing punctuation, both widths.
_NO_START = frozenset(
    "，。、；：？！）》」』】〕〉〗］｝”’…—·・％‰℃°′″ーぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ"
    "々〻,.;:?!)]}%"
)
# Never at the end of a line (避尾): opening punctuation.
_NO_END = frozenset("（《「『【〔〈〖［｛“‘([{")
_PAIRED = frozenset("—…")  # —— and …… stay on one line
_WORD_BREAK_AFTER = frozenset("-/")
_DATE_UNITS = frozenset("年月日号时分")
_MAX_WORD_PUSH = 12  # move at most this many characters of a Latin run or date down


def _is_word(ch: str) -> bool:
    return bool(ch) and ch.isascii() and not ch.isspace()


def _bad_break(u: Sequence[str], b: int, words: bool) -> bool:
    """Whether a line may not end before u[b]."""
    prev, cur = u[b - 1], u[b]
    if cur in _NO_START or prev in _NO_END or (cur == prev and cur in _PAIRED):
        return True
    if not words:
        return False
    if (cur in _DATE_UNITS and prev.isdigit()) or (prev in "年月" and cur.isdigit()):
        return True  # 2026年11月28日 stays whole when it can
    return _is_word(cur) and _is_word(prev) and prev not in _WORD_BREAK_AFTER


def _break_at(u: Sequence[str], start: int, end: int) -> int:
    """Where to end the line u[start:end] (end is the first character that does not fit)."""
    for words in (True, False):
        b = end
        while b > start + 1 and _bad_break(u, b, words):
            b -= 1
        if b > start + 1 and (not words or end - b <= _MAX_WORD_PUSH):
            return b
    return end


def _width(c: Any, max_width: float) -> float:
    w = c.width
    if hasattr(w, "normalizedValue"):
        w._normalizer = max_width
        w = w.normalizedValue(max_width)
    return float(w)


def _split_cjk(frags: Sequence[Any], max_widths: Sequence[float], calc_bounds: bool) -> Any:
    u: list[Any] = []
    for f in frags:
        text = f.text.decode("utf8") if isinstance(f.text, bytes) else f.text
        if text:
            u.extend(cjkU(t, f, "utf8") for t in text)
        else:
            u.append(cjkU(text, f, "utf8"))
    lines: list[Any] = []
    n, start = len(u), 0
    while start < n:
        max_width = max_widths[min(len(lines), len(max_widths) - 1)]
        used, end, forced = 0.0, start, False
        while end < n:
            c = u[end]
            if hasattr(c.frag, "lineBreak"):  # <br/>
                end += 1
                forced = True
                break
            w = _width(c, max_width)
            if used + w > max_width + _FUZZ and end > start:
                break
            used += w
            end += 1
        if not forced and end < n:
            end = _break_at(u, start, end)
        stop = end
        while stop > start + 1 and u[stop - 1].isspace() and not forced:
            stop -= 1  # no trailing spaces on a broken line
        gap = "".join(u[stop:end])
        seg = u[start:stop]
        used = sum(_width(c, max_width) for c in seg)
        extra = max_width - used
        line = makeCJKParaLine(seg, max_width, used, extra, forced, calc_bounds)
        if not forced and end < n and 0 < extra < max_width / 4:
            # Justify: drawn with character spacing extra / (len(seg) - 1), see _JustifyingText.
            line.wordCount = len(seg)
        start = end
        while start < n and u[start] == " " and not forced:
            gap += u[start]
            start += 1  # nor leading ones on the next
        line.xf_gap = gap  # the spaces dropped at this break, for _rejoin
        lines.append(line)
    return ParaLines(kind=1, lines=lines)


def _rejoin(bl_para: Any, start: int, stop: int) -> list[Any]:
    """The frags of lines [start:stop] of a split paragraph, joined back as they were.

    Replaces reportlab's _split_blParaHard, which puts a space between every two lines (right
    for Western text, wrong for Chinese) by appending it to the frags in place, so that the
    space is also drawn at the end of the lines of the part kept on the page."""
    frags: list[Any] = []
    lines = bl_para.lines[start:stop]
    for line in lines:
        frags.extend(line.words)
        gap = getattr(line, "xf_gap", "")
        if gap and line is not lines[-1] and line.words:
            frags.append(line.words[-1].clone(text=gap))
    return frags


class _JustifyingText(PDFTextObject):  # type: ignore[misc]
    """Justifies CJK lines with character spacing: reportlab's justification sets word
    spacing, which reaches only ASCII spaces (and none in a two-byte CID font)."""

    def setWordSpace(self, wordSpace: float) -> None:  # noqa: N802, N803 (reportlab's names)
        self.setCharSpace(wordSpace)


class CJKParagraph(Paragraph):  # type: ignore[misc]
    """A Paragraph with Chinese line-breaking rules (see the module docstring)."""

    def breakLinesCJK(self, maxWidths: Any) -> Any:  # noqa: N802, N803 (reportlab's names)
        if not isinstance(maxWidths, (list, tuple)):
            maxWidths = [maxWidths]
        self.height = 0
        if hasattr(self, "blPara") and getattr(self, "_splitpara", False):
            return self.blPara
        style = self.style
        if not self.frags:
            return ParaLines(
                kind=0,
                fontSize=style.fontSize,
                fontName=style.fontName,
                textColor=style.textColor,
                lines=[],
                ascent=style.fontSize,
                descent=-0.2 * style.fontSize,
            )
        auto = getattr(self, "autoLeading", getattr(style, "autoLeading", ""))
        return _split_cjk(self.frags, maxWidths, auto not in ("", "off"))

    def _get_split_blParaFunc(self) -> Any:  # noqa: N802 (reportlab's name)
        if self.blPara.kind == 1:
            return _rejoin
        return super()._get_split_blParaFunc()

    def beginText(self, x: float, y: float) -> _JustifyingText:  # noqa: N802 (reportlab's name)
        return _JustifyingText(self.canv, x, y)


# --------------------------------------------------------------------------- text helpers

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufeff\ufffe\uffff]")


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text or "")
    return _CONTROL.sub("", text.replace("\t", " "))


def _esc(text: str) -> str:
    """User text made safe for reportlab's paragraph markup."""
    return escape(_clean(text))


def _paragraphs(text: str) -> list[str]:
    lines = _clean(text).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return [p.strip(" \u3000") for p in lines if p.strip(" \u3000")]


def _date_text(value: str) -> str:
    value = _clean(value).strip()
    try:
        return cn_date(date.fromisoformat(value))
    except ValueError:
        return value


def _outcome(raw: str) -> str:
    key = re.sub(r"[\s_]+", " ", _clean(raw).strip().lower())
    if not key:
        return ""
    outcome = _OUTCOMES.get(key)
    if outcome is None:
        raise ValueError(f"unknown outcome {raw!r}: expected 支持, 解释说明 or 不予支持")
    return outcome


# --------------------------------------------------------------------------- wording

# Fixed wording is markup: variable parts go in escaped through _esc().
_Text = str


class _Heading(str):
    """A section heading (一、…): body type, kept with the paragraph after it."""


def _matter(d: DocumentData) -> _Text:
    """你于…提出的关于“…”的信访事项（信访事项编号：…）"""
    received = d.extra.get("received_on", "")
    when = f"于{_esc(_date_text(received))}" if received.strip() else ""
    return f"你{when}提出的关于“{_esc(d.title)}”的信访事项（信访事项编号：{_esc(d.case_number)}）"


def _prefixed(prefix: _Text, text: str, empty: _Text = "") -> list[_Text]:
    """Paragraphs of free text, the first one led by prefix."""
    paras = [_esc(p) for p in _paragraphs(text)]
    if not paras:
        return [prefix + empty] if empty else []
    return [prefix + paras[0], *paras[1:]]


def _body(d: DocumentData) -> list[_Text]:
    return [_esc(p) for p in _paragraphs(d.body)]


def _wording(d: DocumentData) -> list[_Text]:  # noqa: C901 (one branch per kind)
    """Body paragraphs (markup) for the document, fixed text around the variable parts."""
    k = d.kind
    law = LAW
    a = ARTICLES
    facts = _prefixed("你反映的主要诉求为：", d.facts)
    if k == DocumentKind.ACCEPTANCE_NOTICE:
        deadline = f"根据{law}{a['deadline']}的规定，本机关将自受理之日起60日内办结，并书面答复你"
        if d.due_on:
            deadline += f"（办理期限至{cn_date(d.due_on)}）"
        deadline += "；情况复杂需要延长办理期限的，将另行告知延期理由。"
        paras = [
            f"{_matter(d)}收悉。经审查，该事项属于本机关职权范围，"
            f"根据{law}{a['accept']}的规定，本机关决定予以受理。",
            *facts,
            deadline,
            *_body(d),
        ]
        if d.query_code.strip():
            paras.append(
                f"你可以凭查询码 {_esc(d.query_code.strip())} 和信访事项编号，"
                "通过信访信息系统查询办理进度和结果，并对办理情况进行评价。"
            )
        return [*paras, "特此告知。"]

    if k == DocumentKind.NON_ACCEPTANCE_NOTICE:
        redirect = d.extra.get("redirect_to", "").strip()
        where = (
            f"请你依照有关法律、行政法规规定的程序，向{_esc(redirect)}提出。"
            if redirect
            else "依法应当通过诉讼、仲裁、行政复议等法定途径解决的，请你依照有关法律、"
            "行政法规规定的程序向有关机关提出；不属于本机关职权范围的，"
            "请你向有权处理的机关、单位提出。"
        )
        return [
            f"{_matter(d)}收悉。",
            *facts,
            f"经审查，根据{law}{a['accept']}的规定，本机关对该信访事项不予受理。",
            *_prefixed("不予受理的理由：", d.body),
            where,
            "特此告知。",
        ]

    if k == DocumentKind.TRANSFER_LETTER:
        petitioner = _esc(d.extra.get("petitioner", "").strip() or "信访人")
        received = d.extra.get("received_on", "").strip()
        when = f"于{_esc(_date_text(received))}" if received else ""
        assigned = d.extra.get("mode", "").strip() == "交办"
        verb = "交由你单位办理" if assigned else "转送你单位依法处理"
        paras = [
            f"本机关{when}收到{petitioner}提出的关于“{_esc(d.title)}”的信访事项"
            f"（信访事项编号：{_esc(d.case_number)}）。",
            *_prefixed("信访人反映的主要诉求为：", d.facts),
            f"经研究，该事项属于你单位职权范围。根据{law}{a['transfer']}、{a['accept']}的规定，"
            f"现将该信访事项{verb}。请你单位自收到之日起15日内书面告知信访人接收情况以及"
            "处理途径和程序，并将告知情况反馈本机关；认为不属于你单位职权范围的，"
            "请自收到之日起5个工作日内提出异议，详细说明理由。",
            f"受理后，请依照{law}{a['deadline']}的规定，自受理之日起60日内办结，并书面答复信访人。",
        ]
        if assigned and d.due_on:
            paras.append(f"请于{cn_date(d.due_on)}前将办理结果反馈本机关，并提交办结报告。")
        return [*paras, *_body(d), "特此函告。"]

    if k == DocumentKind.REPLY:
        outcome = _outcome(d.extra.get("outcome", ""))
        review_body = _esc(d.extra.get("review_body", "").strip() or "本机关的上一级机关、单位")
        paras = [
            f"{_matter(d)}，本机关已依法受理并调查核实。现将处理意见答复如下：",
            _Heading("一、信访请求"),
            *_prefixed("", d.facts, empty="（未载明）"),
            _Heading("二、查明的事实、理由和依据"),
            *_body(d),
        ]
        if outcome:
            paras += [
                _Heading("三、处理意见"),
                f"经调查核实，根据{law}{a['outcome']}的规定，{_OUTCOME_WORDING[outcome]}",
            ]
        return [
            *paras,
            f"如对本处理意见不服，你可以自收到本意见书之日起30日内，依照{law}{a['review']}"
            f"的规定，向{review_body}请求复查。",
            "特此答复。",
        ]

    if k == DocumentKind.EXTENSION_NOTICE:
        if d.due_on is None:
            raise ValueError("an extension notice needs due_on, the new due date")
        original = d.extra.get("original_due_on", "").strip()
        if original:
            days = (d.due_on - date.fromisoformat(original)).days
            if not 0 < days <= 30:
                raise ValueError(
                    f"an extension runs 1 to 30 days ({ARTICLES['deadline']}), not {days}"
                )
        return [
            f"{_matter(d)}，本机关已依法受理。",
            *_prefixed(
                "该事项情况复杂，不能在规定期限内办结，延期理由如下：",
                d.body,
                empty="需要进一步调查核实。",
            ),
            f"根据{law}{a['deadline']}的规定，经本机关负责人批准，该事项办理期限延长"
            f"（延长期限不超过30日），延长后的办理期限至{cn_date(d.due_on)}。"
            "本机关将在延长期限内办结并书面答复你。",
            "特此告知。",
        ]

    if k == DocumentKind.REVIEW_DECISION:
        original_unit = _esc(d.extra.get("original_unit", "").strip() or "原办理机关、单位")
        next_body = _esc(d.extra.get("rereview_body", "").strip() or "本机关的上一级机关、单位")
        return [
            f"你对{original_unit}就关于“{_esc(d.title)}”的信访事项"
            f"（信访事项编号：{_esc(d.case_number)}）作出的处理意见不服，"
            f"依照{law}{a['review']}的规定请求复查。本机关已依法进行复查，现将复查意见告知如下：",
            _Heading("一、复查请求"),
            *_prefixed("", d.facts, empty="（未载明）"),
            _Heading("二、复查认定的事实和复查意见"),
            *_body(d),
            f"如对本复查意见不服，你可以自收到本意见书之日起30日内，依照{law}{a['rereview']}"
            f"的规定，向{next_body}请求复核。",
            "特此告知。",
        ]

    if k == DocumentKind.REREVIEW_DECISION:
        review_unit = _esc(d.extra.get("review_unit", "").strip() or "复查机关、单位")
        return [
            f"你对{review_unit}就关于“{_esc(d.title)}”的信访事项"
            f"（信访事项编号：{_esc(d.case_number)}）作出的复查意见不服，"
            f"依照{law}{a['rereview']}的规定请求复核。本机关已依法进行复核，"
            "现将复核意见告知如下：",
            _Heading("一、复核请求"),
            *_prefixed("", d.facts, empty="（未载明）"),
            _Heading("二、复核认定的事实和复核意见"),
            *_body(d),
            f"本复核意见为该信访事项的最终处理意见。根据{law}{a['rereview']}的规定，"
            "你对本复核意见不服，仍以同一事实和理由提出投诉请求的，"
            "各级党委和政府信访部门和其他机关、单位不再受理。",
            "特此告知。",
        ]

    if k == DocumentKind.TERMINATION_NOTICE:
        rereview_unit = _esc(d.extra.get("rereview_unit", "").strip() or "有权机关、单位")
        return [
            f"{_matter(d)}收悉。",
            *facts,
            f"经审查，该信访事项已由{rereview_unit}依法作出复核意见并送达你，"
            "你此次提出的请求与已复核的信访事项属同一事实和理由。",
            *_body(d),
            f"根据{law}{a['rereview']}的规定，信访人对复核意见不服，仍以同一事实和理由提出"
            "投诉请求的，各级党委和政府信访部门和其他机关、单位不再受理。"
            "本机关对你的该项信访请求不再受理。",
            "如有新的事实和理由，你可以依法另行提出。",
            "特此告知。",
        ]
    raise ValueError(f"unknown document kind {k!r}")


# --------------------------------------------------------------------------- layout


def _styles(leading: float = BODY_LEADING) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle(
        "xf-base",
        fontName=FONT,
        fontSize=BODY_SIZE,
        leading=leading,
        wordWrap="CJK",
        alignment=TA_JUSTIFY,
        allowOrphans=0,
        allowWidows=0,
    )
    return {
        "unit": ParagraphStyle(
            "xf-unit", parent=base, fontSize=26, leading=36, alignment=TA_CENTER
        ),
        "number": ParagraphStyle("xf-number", parent=base, alignment=TA_CENTER, spaceBefore=6),
        "title": ParagraphStyle(
            "xf-title", parent=base, fontSize=22, leading=34, alignment=TA_CENTER, spaceBefore=12
        ),
        "to": ParagraphStyle("xf-to", parent=base, alignment=TA_LEFT, spaceBefore=BODY_SIZE),
        "body": ParagraphStyle("xf-body", parent=base, firstLineIndent=2 * BODY_SIZE),
        "heading": ParagraphStyle(
            "xf-heading", parent=base, firstLineIndent=2 * BODY_SIZE, keepWithNext=1
        ),
        "sign": ParagraphStyle("xf-sign", parent=base, alignment=TA_CENTER),
    }


def _signature(d: DocumentData, style: ParagraphStyle) -> Flowable:
    """Unit centred over the date; the date right-indented four characters."""
    unit, day = _esc(d.issuing_unit), cn_date(d.issued_on)
    width = max(
        pdfmetrics.stringWidth(_clean(d.issuing_unit), FONT, BODY_SIZE),
        pdfmetrics.stringWidth(day, FONT, BODY_SIZE),
    )
    width = min(width + 2, TEXT_WIDTH - 4 * BODY_SIZE)
    table = Table(
        [[CJKParagraph(unit, style), ""], [CJKParagraph(day, style), ""]],
        colWidths=[width, 4 * BODY_SIZE],
        hAlign="RIGHT",
    )
    table.setStyle(
        TableStyle(
            [
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table


class _OfficialDoc(SimpleDocTemplate):  # type: ignore[misc]
    def afterPage(self) -> None:  # noqa: N802 (reportlab's name)
        """— N —, odd pages right and even pages left, one character in (GB/T 9704 7.5).
        Drawn after the page's text, so that text extraction reads it last."""
        canvas, page = self.canv, self.page
        text = f"— {page} —"
        y = BOTTOM_MARGIN - 7 * mm - PAGE_NUMBER_SIZE * 0.88
        canvas.saveState()
        canvas.setFont(FONT, PAGE_NUMBER_SIZE)
        if page % 2:
            canvas.drawRightString(PAGE_WIDTH - SIDE_MARGIN - PAGE_NUMBER_SIZE, y, text)
        else:
            canvas.drawString(SIDE_MARGIN + PAGE_NUMBER_SIZE, y, text)
        canvas.restoreState()


def render_pdf(data: DocumentData) -> bytes:
    """The document as A4 PDF bytes; the same input always gives the same bytes.

    When tighter line spacing saves a page (typically a short notice whose closing line and
    signature would otherwise turn over alone), that one is used, as GB/T 9704 7.3.5.1 advises
    (adjust line spacing rather than leave a signature without text above it)."""
    wording = _wording(data)  # raises before any layout work on bad input
    blob, pages = _build(data, wording, BODY_LEADING)
    if pages > 1:
        tight, tight_pages = _build(data, wording, TIGHT_LEADING)
        if tight_pages < pages:
            return tight
    return blob


def _build(data: DocumentData, wording: list[_Text], leading: float) -> tuple[bytes, int]:
    kind = DocumentKind(data.kind)
    title = document_title(kind)
    if kind == DocumentKind.TRANSFER_LETTER and data.extra.get("mode", "").strip() == "交办":
        title = ASSIGNMENT_TITLE
    st = _styles(leading)
    out = io.BytesIO()
    doc = _OfficialDoc(
        out,
        pagesize=A4,
        leftMargin=SIDE_MARGIN,
        rightMargin=SIDE_MARGIN,
        topMargin=TOP_MARGIN,
        bottomMargin=BOTTOM_MARGIN,
        title=f"{title} {_clean(data.number)}".strip(),
        author=_clean(data.issuing_unit),
        subject=f"{_clean(data.case_number)} {_clean(data.title)}".strip(),
        creator="Xinfang",
        lang="zh-CN",
        invariant=1,
    )
    story: list[Flowable] = [CJKParagraph(_esc(data.issuing_unit), st["unit"])]
    if data.number.strip():
        story.append(CJKParagraph(_esc(data.number), st["number"]))
    story += [
        Spacer(1, 4),
        HRFlowable(width="100%", thickness=1, color="black", spaceBefore=2, spaceAfter=4),
        CJKParagraph(_esc(title), st["title"]),
    ]
    if data.addressee.strip():
        story.append(CJKParagraph(f"{_esc(data.addressee.strip())}：", st["to"]))
    paras = [CJKParagraph(p, st["heading" if isinstance(p, _Heading) else "body"]) for p in wording]
    # The closing line and the signature stay together: no page with a signature alone.
    # One blank line above the signature: the seal, pressed over unit and date, reaches up
    # to within a line of the text (GB/T 9704 7.3.5.1).
    closing = KeepTogether([paras[-1], Spacer(1, leading), _signature(data, st["sign"])])
    story += [*paras[:-1], closing]
    doc.build(story)
    return out.getvalue(), doc.page
