"""The formal documents as PDF: Chinese text that extracts back, layout, determinism.

Pure Python: runs with ``pytest xinfang/documents/tests -p no:django``.
"""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import date

import pytest
from pypdf import PdfReader

from xinfang.documents import pdf
from xinfang.documents.pdf import DocumentData, DocumentKind, document_title, render_pdf

CASE_NUMBER = "XF530423-20261128-0001"
LONG_SENTENCE = (
    "经调查核实，你反映的秀山街道某村村道路面破损问题属实，该路段因雨季排水不畅导致路基下沉，"
    "镇人民政府已将该路段修缮列入2027年农村公路养护计划，并将于春节前完成临时修补，"
    "确保群众出行安全。"
)


def make(kind: DocumentKind, **changes) -> DocumentData:
    data = DocumentData(
        kind=kind,
        number="通信访受〔2026〕12号",
        case_number=CASE_NUMBER,
        issuing_unit="通海县信访局",
        addressee="通海县交通运输局" if kind == DocumentKind.TRANSFER_LETTER else "张三",
        issued_on=date(2026, 11, 28),
        title="村道修缮",
        facts="请求尽快修缮村里通往镇上的道路。",
        body=f"{LONG_SENTENCE}\n\n依据《公路法》有关规定，现答复如上。",
        query_code="K7M2Q9XA",
        due_on=date(2027, 1, 27),
        extra={"outcome": "支持", "received_on": "2026-11-20"},
    )
    return replace(data, **changes)


def pages_text(blob: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(blob)).pages]


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


# ------------------------------------------------------------------ every kind


@pytest.mark.parametrize("kind", list(DocumentKind))
def test_every_kind_renders_text_that_extracts_back(kind: DocumentKind) -> None:
    data = make(kind)
    blob = render_pdf(data)
    assert blob.startswith(b"%PDF-")
    text = flat("".join(pages_text(blob)))
    assert document_title(kind) in text
    assert data.addressee in text
    assert CASE_NUMBER in text
    assert "通信访受〔2026〕12号" in text
    assert "通海县信访局" in text
    assert "2026年11月28日" in text  # signature date
    assert LONG_SENTENCE in text
    assert "《信访工作条例》" in text


@pytest.mark.parametrize(
    ("kind", "phrases"),
    [
        (
            DocumentKind.ACCEPTANCE_NOTICE,
            ["第二十三条", "予以受理", "第三十四条", "60日内办结", "K7M2Q9XA", "2027年1月27日"],
        ),
        (
            DocumentKind.NON_ACCEPTANCE_NOTICE,
            ["不予受理", "第二十三条", "向有权处理的机关、单位提出"],
        ),
        (
            DocumentKind.TRANSFER_LETTER,
            ["转送你单位依法处理", "第二十二条、第二十三条", "15日内", "接收情况", "特此函告"],
        ),
        (DocumentKind.REPLY, ["第三十二条", "予以支持", "30日内", "第三十五条", "请求复查"]),
        (DocumentKind.EXTENSION_NOTICE, ["第三十四条", "不超过30日", "2027年1月27日"]),
        (DocumentKind.REVIEW_DECISION, ["复查意见", "30日内", "第三十六条", "请求复核"]),
        (DocumentKind.REREVIEW_DECISION, ["第三十六条", "同一事实和理由", "不再受理"]),
        (DocumentKind.TERMINATION_NOTICE, ["第三十六条", "同一事实和理由", "不再受理"]),
    ],
)
def test_fixed_wording_of_each_kind(kind: DocumentKind, phrases: list[str]) -> None:
    text = flat("".join(pages_text(render_pdf(make(kind)))))
    for phrase in phrases:
        assert phrase in text, phrase


def test_titles_are_chinese() -> None:
    assert document_title(DocumentKind.ACCEPTANCE_NOTICE) == "信访事项受理告知书"
    assert document_title(DocumentKind("reply")) == "信访事项处理意见书"
    assert all(re.fullmatch(r"[\u4e00-\u9fff]+", document_title(k)) for k in DocumentKind)


@pytest.mark.parametrize(
    ("outcome", "wording"),
    [
        ("支持", "予以支持"),
        ("supported", "予以支持"),
        ("解释说明", "解释说明"),
        ("Explained", "解释说明"),
        ("不予支持", "本机关不予支持"),
        ("Not supported", "本机关不予支持"),
        ("not_supported", "本机关不予支持"),
    ],
)
def test_reply_outcomes(outcome: str, wording: str) -> None:
    blob = render_pdf(make(DocumentKind.REPLY, extra={"outcome": outcome}))
    text = flat("".join(pages_text(blob)))
    assert "三、处理意见" in text
    assert wording in text


def test_reply_without_outcome_leaves_it_to_the_body() -> None:
    text = flat("".join(pages_text(render_pdf(make(DocumentKind.REPLY, extra={"outcome": ""})))))
    assert "三、处理意见" not in text
    assert "请求复查" in text


def test_unknown_outcome_is_refused() -> None:
    with pytest.raises(ValueError, match="outcome"):
        render_pdf(make(DocumentKind.REPLY, extra={"outcome": "部分支持"}))


def test_extension_needs_a_new_due_date_within_30_days() -> None:
    with pytest.raises(ValueError, match="due_on"):
        render_pdf(make(DocumentKind.EXTENSION_NOTICE, due_on=None))
    with pytest.raises(ValueError, match="30"):
        render_pdf(
            make(
                DocumentKind.EXTENSION_NOTICE,
                due_on=date(2027, 2, 28),
                extra={"original_due_on": "2027-01-27"},
            )
        )
    render_pdf(make(DocumentKind.EXTENSION_NOTICE, extra={"original_due_on": "2026-12-28"}))


def test_assignment_letter_asks_for_the_result_by_the_due_date() -> None:
    plain = flat("".join(pages_text(render_pdf(make(DocumentKind.TRANSFER_LETTER)))))
    assert "2027年1月27日" not in plain
    assigned = {"mode": "交办", "petitioner": "张三"}
    blob = render_pdf(make(DocumentKind.TRANSFER_LETTER, extra=assigned))
    text = flat("".join(pages_text(blob)))
    assert "信访事项交办函" in text
    assert "张三提出的" in text
    assert "2027年1月27日前将办理结果反馈本机关" in text
    assert "办结报告" in text


# ------------------------------------------------------------------ layout


def test_long_body_runs_over_several_numbered_pages() -> None:
    sentence = "镇人民政府组织国土、交通、水利等部门现场踏勘，听取群众意见并制定整改方案。"
    long_paragraph = sentence * 30 + "2027年3月底前完成全部整改。"
    body = "\n".join([long_paragraph, *(sentence * 3 for _ in range(20))])
    assert len(body) >= 3000
    texts = pages_text(render_pdf(make(DocumentKind.REPLY, body=body)))
    assert len(texts) >= 4
    for number, text in enumerate(texts, start=1):
        assert f"— {number} —" in text
    # Only line breaks and page numbers interrupt the text: no stray spaces where a
    # paragraph runs over a page (reportlab's own split would put them there).
    joined = "".join(re.sub(r"\n— \d+ —\n$", "\n", text) for text in texts).replace("\n", "")
    assert long_paragraph in joined
    assert joined.count(sentence) == 90
    assert "2026年11月28日" in flat(texts[-1])  # signature on the last page


def test_a_paragraph_split_over_pages_keeps_its_text() -> None:
    text = "一" * 26 + "二" * 28 + " hello world " + "三" * 60 + "（四）"
    para = pdf.CJKParagraph(pdf._esc(text), pdf._styles()["body"])
    para.wrap(pdf.TEXT_WIDTH, 100_000)
    lines = para.blPara.lines
    assert "".join(f.text for f in pdf._rejoin(para.blPara, 0, len(lines))) == text
    first, rest = para.split(pdf.TEXT_WIDTH, pdf.BODY_LEADING * 2.5)
    assert "".join(f.text for f in first.frags) == "一" * 26 + "二" * 28
    assert "".join(f.text for f in rest.frags) == text[55:]
    rest.wrap(pdf.TEXT_WIDTH, 100_000)
    assert _line_text(rest.blPara.lines[0]).startswith("hello world 三")


def _lines(markup: str, style_name: str = "body") -> list:
    para = pdf.CJKParagraph(markup, pdf._styles()[style_name])
    para.wrap(pdf.TEXT_WIDTH, 100_000)
    return para.blPara.lines


def _line_text(line) -> str:
    return "".join(frag.text for frag in line.words)


def test_lines_never_overflow_and_break_anywhere_between_chinese_characters() -> None:
    text = "信访" * 300 + "a" * 400 + "，" * 3 + "https://example.org/" + "x" * 200
    lines = _lines(pdf._esc(text))
    assert len(lines) > 20
    for line in lines:
        assert line.currentWidth <= line.maxWidth + 1e-6
    # 16 pt characters, 28 to a 448 pt line, the first indented by two.
    assert len(_line_text(lines[0])) == 26
    assert len(_line_text(lines[1])) == 28


def test_no_closing_punctuation_at_line_start_nor_opening_at_line_end() -> None:
    # Each sentence puts punctuation where a greedy break would fall.
    text = "".join("一" * n + "，“二”。《三》（四）、" for n in range(1, 40))
    lines = _lines(pdf._esc(text))
    for before, after in zip(lines, lines[1:], strict=False):
        assert _line_text(after)[0] not in pdf._NO_START, _line_text(after)
        assert _line_text(before)[-1] not in pdf._NO_END, _line_text(before)
        assert before.currentWidth <= before.maxWidth + 1e-6


def test_codes_and_dates_are_not_split_when_they_fit() -> None:
    for n in range(0, 28):
        text = "一" * n + f"编号{CASE_NUMBER}，于2027年12月27日办结。"
        joined = "\n".join(_line_text(line) for line in _lines(pdf._esc(text)))
        assert "2027年12月27日" in joined
        assert CASE_NUMBER in joined or re.search(r"XF530423-\n?20261128-\n?0001", joined)


def test_markup_characters_in_user_text_are_shown_literally() -> None:
    nasty = "<b>粗体</b> & <para>甲&amp;乙</para> <font size=40>大</font> a<b"
    data = make(
        DocumentKind.NON_ACCEPTANCE_NOTICE,
        addressee="张<三>&李四",
        issuing_unit="通海县<信访局>&",
        title=nasty,
        facts=nasty,
        body=f"{nasty}\n{LONG_SENTENCE}",
        number="通信访<不受>〔2026〕1号&",
    )
    text = flat("".join(pages_text(render_pdf(data))))
    assert flat(nasty) in text
    assert "张<三>&李四" in text
    assert "通海县<信访局>&" in text
    assert "通信访<不受>〔2026〕1号&" in text
    assert LONG_SENTENCE in text


def test_control_characters_blank_fields_and_odd_text_do_not_break_rendering() -> None:
    data = make(
        DocumentKind.REPLY,
        number="",
        addressee="",
        title="\x00\x1b",
        facts="",
        body="\r\n\u3000\u3000第一段\r\n\r\n\t第二段",
        query_code="",
        due_on=None,
        extra={},
    )
    text = flat("".join(pages_text(render_pdf(data))))
    assert "第一段" in text
    assert "第二段" in text
    assert "（未载明）" in text


# ------------------------------------------------------------------ metadata, determinism


def test_metadata() -> None:
    meta = PdfReader(io.BytesIO(render_pdf(make(DocumentKind.ACCEPTANCE_NOTICE)))).metadata
    assert meta.title == "信访事项受理告知书 通信访受〔2026〕12号"
    assert meta.author == "通海县信访局"
    assert meta.creator == "Xinfang"
    assert CASE_NUMBER in meta.subject


def test_a4_portrait() -> None:
    page = PdfReader(io.BytesIO(render_pdf(make(DocumentKind.REPLY)))).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)


def test_same_input_same_bytes_different_input_different_bytes() -> None:
    data = make(DocumentKind.REPLY)
    first = render_pdf(data)
    assert render_pdf(data) == first
    assert render_pdf(make(DocumentKind.REPLY)) == first
    assert render_pdf(replace(data, body=data.body + "补充。")) != first


def test_font_is_the_builtin_cid_font_and_nothing_is_embedded() -> None:
    blob = render_pdf(make(DocumentKind.ACCEPTANCE_NOTICE))
    assert b"/STSong-Light" in blob
    assert b"/FontFile" not in blob  # no font program shipped inside


def test_full_lines_are_justified_with_character_spacing() -> None:
    # Digits are narrower than Chinese characters, so lines holding them leave space at the
    # end that justification spreads between the characters (PDF operator Tc).
    blob = render_pdf(make(DocumentKind.ACCEPTANCE_NOTICE))
    content = PdfReader(io.BytesIO(blob)).pages[0].get_contents().get_data()
    spacings = [float(v) for v in re.findall(rb"(-?[\d.]+) Tc", content)]
    assert any(0 < s < pdf.BODY_SIZE / 4 for s in spacings)
    assert all(s >= 0 for s in spacings)
