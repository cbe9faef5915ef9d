"""Extraction of files staff add, on real files made here: PDFs drawn with reportlab, text, HTML."""
from __future__ import annotations

import zlib
from pathlib import Path

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from index import extract as extract_module
from index.extract import (
    ExtractionError,
    clean_pdf_text,
    extract,
    html_to_text,
    page_of,
)
from index.model import Document
from index.parse import INITIATIVES_SECTION, parse_text

FONT = "HeiseiMin-W3"
SIZE = 11
WIDTH = 38  # characters per line, as in the ministries' Word templates
LEFT, TOP, PITCH = 60, 780, 18
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

TITLE = "第10回中小企業都市サミット おかや宣言"
PREAMBLE_1 = (
    "我々中小企業都市連絡協議会に加盟する６都市は、中小企業相互の受発注における補完や切磋琢磨による"
    "技術力向上などの中小製造業を中心とした産業集積のメリットを活かしながら、日本の「ものづくり」を支えてきた。"
)
PREAMBLE_2 = "昨今の中小企業を取り巻く現状は、原材料費やエネルギーコストの高騰等によって、厳しさを増している。"
HEADING = "（１）ものづくり人材の育成と確保"
ITEM_1 = "産学官金の連携により、若者がものづくりの魅力に触れる機会を増やし、地域の中小企業への就職を促進する。"
ITEM_2 = "熟練技能者の技術を次世代に継承するため、企業の人材育成の取組みを支援する。"
ENTRY = "○おかやものづくりフェア（岡谷市）"
ENTRY_TEXT = "市内のものづくり企業が一堂に会し、優れた技術や製品を広く発信する展示会を開催している。"


def wrap(text: str, width: int = WIDTH) -> list[str]:
    return [text[i:i + width] for i in range(0, len(text), width)]


class Sheet:
    """A reportlab page cursor: lines at a fixed pitch, as a word processor lays out a declaration."""

    def __init__(self, path: Path):
        self.canvas = canvas.Canvas(str(path), pagesize=A4)
        self.y = TOP
        self.canvas.setFont(FONT, SIZE)

    def line(self, text: str, indent: float = 0, char_space: float = 0) -> None:
        obj = self.canvas.beginText(LEFT + indent * SIZE, self.y)
        obj.setFont(FONT, SIZE)
        obj.setCharSpace(char_space)
        obj.textLine(text)
        self.canvas.drawText(obj)
        self.y -= PITCH

    def paragraph(self, text: str, first_indent: bool = True) -> None:
        for line in wrap("\u3000" + text if first_indent else text):
            self.line(line)

    def item(self, marker: str, text: str) -> None:
        """A numbered item with a hanging indent: continuation lines start under the text, not the marker."""
        lines = wrap(marker + text)
        self.line(lines[0])
        for line in wrap(text[len(lines[0]) - len(marker):], WIDTH - 1):
            self.line(line, indent=1)

    def skip(self) -> None:
        self.y -= PITCH

    def new_page(self) -> None:
        self.canvas.showPage()
        self.canvas.setFont(FONT, SIZE)
        self.y = TOP

    def save(self) -> None:
        self.canvas.drawCentredString(A4[0] / 2, 40, f"- {self.canvas.getPageNumber()} -")
        self.canvas.save()


def declaration_pdf(path: Path) -> Path:
    sheet = Sheet(path)
    sheet.line(TITLE, indent=8)
    sheet.skip()
    sheet.line("＜前文＞")
    sheet.paragraph(PREAMBLE_1)
    # letter-spaced (justified) line: pdfminer would put a space between every character
    # a justified line, letter-spaced to fill the width: pdfminer guesses a space between every character
    sheet.line("\u3000" + PREAMBLE_2[:32], char_space=1.6)
    sheet.line(PREAMBLE_2[32:])
    sheet.skip()
    sheet.line("＜宣言＞", indent=16, char_space=8)  # 均等割り付け
    sheet.line(HEADING)
    sheet.item("①", ITEM_1)
    sheet.item("②", ITEM_2)
    sheet.canvas.drawCentredString(A4[0] / 2, 40, "- 1 -")
    sheet.new_page()
    sheet.line(ENTRY)
    sheet.paragraph(ENTRY_TEXT)
    sheet.save()
    return path


DOC = Document(key="summit10-okaya", summit=10, title="おかや宣言", host_city="岡谷市", file="x.pdf")


@pytest.fixture(scope="module")
def okaya(tmp_path_factory):
    return extract(declaration_pdf(tmp_path_factory.mktemp("pdf") / "okaya.pdf"))


def test_pdf_text_keeps_the_source_characters(okaya):
    assert okaya.kind == "pdf" and okaya.warnings == ()
    for expected in (TITLE, "＜前文＞", "＜宣言＞", HEADING, ENTRY):
        assert expected in okaya.text
    assert "- 1 -" not in okaya.text and "- 2 -" not in okaya.text  # page numbers are not text
    assert "\n\n＜宣言＞\n\n" in okaya.text  # sections stand as their own paragraphs


def test_pdf_text_parses_into_the_declarations_passages(okaya):
    result = parse_text(okaya.text, DOC, city_of=lambda org: org)
    by_kind: dict[str, list] = {}
    for passage in result.passages:
        by_kind.setdefault(passage.kind, []).append(passage)
    assert [p.text for p in by_kind["preamble"]] == [PREAMBLE_1, PREAMBLE_2]  # no mid-word breaks, no spaces
    declarations = by_kind["declaration"]
    assert [(p.label, p.text) for p in declarations] == [("①", ITEM_1), ("②", ITEM_2)]
    assert declarations[0].section == ("宣言", HEADING)
    (initiative,) = by_kind["initiative"]
    assert initiative.organization == "岡谷市" and initiative.city == "岡谷市"
    assert initiative.label == "おかやものづくりフェア" and initiative.section == (INITIATIVES_SECTION,)
    assert initiative.text == ENTRY_TEXT
    assert [e.text for e in result.excluded] == [TITLE]  # the title is front matter


def test_pdf_pages_locate_offsets(okaya):
    assert len(okaya.pages) == 2 and okaya.pages[0] == 0
    assert page_of(okaya.pages, okaya.text.index(ENTRY)) == 2
    assert page_of(okaya.pages, okaya.text.index(HEADING)) == 1
    assert page_of(okaya.pages, okaya.pages[1]) == 2 and page_of(okaya.pages, okaya.pages[1] - 1) == 1
    assert page_of((), 5) == 0 and page_of(okaya.pages, -1) == 0


def test_sentence_running_over_a_page_break_stays_one_paragraph(tmp_path):
    text = PREAMBLE_1 + PREAMBLE_1
    lines = wrap("\u3000" + text)
    sheet = Sheet(tmp_path / "run.pdf")
    sheet.line("＜前文＞")
    for line in lines[:3]:
        sheet.line(line)
    sheet.new_page()
    for line in lines[3:]:
        sheet.line(line)
    sheet.save()
    result = extract(tmp_path / "run.pdf")
    passages = parse_text(result.text, DOC).passages
    assert [(p.kind, p.text) for p in passages] == [("heading", "＜前文＞"), ("preamble", text)]
    assert page_of(result.pages, result.text.index(lines[3])) == 2


def test_text_inside_a_form_xobject(tmp_path):
    """Some producers draw the whole page as one form XObject, which pdfminer treats as a figure."""
    path = tmp_path / "form.pdf"
    page = canvas.Canvas(str(path), pagesize=A4)
    page.beginForm("body")
    page.setFont(FONT, SIZE)
    page.drawString(LEFT, TOP, "＜宣言＞")
    page.drawString(LEFT, TOP - PITCH, "①" + ITEM_1[:WIDTH - 1])
    page.endForm()
    page.doForm("body")
    page.save()
    assert extract(path).text == f"＜宣言＞\n\n①{ITEM_1[:WIDTH - 1]}\n"


# --------------------------------------------------------------------------- fonts without Unicode


def pdf_bytes(objects: list[bytes]) -> bytes:
    """A PDF with a correct cross-reference table from its numbered objects (1 is the catalog)."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def handmade_pdf(path: Path, lines: list[str], to_unicode: bool = True) -> Path:
    """A PDF whose font maps glyph ids to exactly the code points given, as a subset font's ToUnicode does.

    reportlab cannot be made to emit Kangxi radicals: its CID fonts go through
    Adobe-Japan1, which maps ⾦ to 金. Real PDFs get radicals from ToUnicode
    tables like this one; without the table pdfminer can only say (cid:N).
    """
    chars = sorted({c for line in lines for c in line})
    cid = {c: i + 1 for i, c in enumerate(chars)}
    content = "".join(
        f"BT /F1 12 Tf 72 {760 - 20 * n} Td <{''.join(f'{cid[c]:04X}' for c in line)}> Tj ET\n"
        for n, line in enumerate(lines)
    ).encode()
    cmap = (
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def /CMapType 2 def\n"
        "1 begincodespacerange <0000> <FFFF> endcodespacerange\n"
        f"{len(chars)} beginbfchar\n"
        + "".join(f"<{cid[c]:04X}> <{c.encode('utf-16-be').hex().upper()}>\n" for c in chars)
        + "endbfchar endcmap CMapName currentdict /CMap defineresource pop end end\n"
    ).encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >>"
         b" /Contents 4 0 R >>"),
        stream(content),
        b"<< /Type /Font /Subtype /Type0 /BaseFont /Handmade /Encoding /Identity-H"
        + (b" /ToUnicode 7 0 R" if to_unicode else b"") + b" /DescendantFonts [6 0 R] >>",
        (b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /Handmade /DW 1000 /FontDescriptor 8 0 R"
         b" /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> >>"),
        stream(cmap),
        (b"<< /Type /FontDescriptor /FontName /Handmade /Flags 4 /FontBBox [0 -120 1000 880] /ItalicAngle 0"
         b" /Ascent 880 /Descent -120 /CapHeight 700 /StemV 80 >>"),
    ]
    path.write_bytes(pdf_bytes(objects))
    return path


def stream(data: bytes) -> bytes:
    packed = zlib.compress(data)
    return b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed + b"\nendstream"


RADICAL_LINES = ["①\u2fa6融機関と連携し、事業承継を支援する。", "\u2ed8年層の\u2f08材を育成し、地域の\u2f26業を振興する。"]


def test_radical_code_points_become_ordinary_kanji(tmp_path):
    result = extract(handmade_pdf(tmp_path / "radicals.pdf", RADICAL_LINES))
    assert "①金融機関と連携し、事業承継を支援する。" in result.text
    assert "青年層の人材を育成し、地域の子業を振興する。" in result.text
    assert not any("\u2e80" <= c <= "\u2fdf" for c in result.text)
    assert result.warnings == ("radical code points mapped to ordinary kanji: 4",)


def test_font_without_unicode_map_is_refused(tmp_path):
    with pytest.raises(ExtractionError, match="Unicode map"):
        extract(handmade_pdf(tmp_path / "cid.pdf", RADICAL_LINES, to_unicode=False))


def test_cid_glyphs_are_removed_with_a_warning():
    page = "我々中小企業都市連絡協議会は、(cid:1234)中小企業の振興を図る。\n(cid:7)(cid:8)\n次の行である。" * 3
    (text,), warnings = clean_pdf_text([page])
    assert "(cid:" not in text and "協議会は、中小企業の振興を図る。\n次の行である。" in text  # no empty line left
    assert warnings == ("(cid:…) glyphs without Unicode mapping were removed: 9",)


def test_mostly_cid_text_is_refused():
    with pytest.raises(ExtractionError, match="Unicode map"):
        clean_pdf_text(["(cid:12)(cid:13)(cid:14)の(cid:15)(cid:16)" * 20])


def test_radicals_map_but_fullwidth_digits_stay():
    (text,), _ = clean_pdf_text(["（１）\u2f2f\u2ea0の生活を守る。１０年後の\u2fa6融を考える。"])
    assert text == "（１）工民の生活を守る。１０年後の金融を考える。"


# --------------------------------------------------------------------------- refused PDFs


def test_pdf_without_text_is_a_scan(tmp_path):
    path = tmp_path / "scan.pdf"
    page = canvas.Canvas(str(path), pagesize=A4)
    page.rect(50, 50, 400, 600, fill=1)
    page.line(60, 700, 500, 700)
    page.save()
    with pytest.raises(ExtractionError, match="scan"):
        extract(path)


def test_truncated_pdf_is_refused(tmp_path, okaya):
    whole = declaration_pdf(tmp_path / "whole.pdf").read_bytes()
    path = tmp_path / "half.pdf"
    path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(ExtractionError, match="incomplete"):
        extract(path)


def test_damaged_pdf_is_refused(tmp_path):
    whole = declaration_pdf(tmp_path / "whole.pdf").read_bytes()
    path = tmp_path / "damaged.pdf"
    path.write_bytes(whole[:200] + b"\x00garbage" * 100 + whole[-40:])  # body gone, end marker kept
    with pytest.raises(ExtractionError, match="damaged"):
        extract(path)


def test_other_file_renamed_pdf_is_refused(tmp_path):
    path = tmp_path / "memo.pdf"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 100)  # a .docx (zip) renamed
    with pytest.raises(ExtractionError, match="not a PDF"):
        extract(path)


def test_password_protected_pdf_is_refused(tmp_path):
    path = tmp_path / "locked.pdf"
    page = canvas.Canvas(str(path), encrypt=StandardEncryption("secret", ownerPassword="owner"))
    page.setFont(FONT, SIZE)
    page.drawString(60, 700, PREAMBLE_1[:30])
    page.save()
    with pytest.raises(ExtractionError, match="password"):
        extract(path)


def test_permissions_only_encryption_is_read(tmp_path):
    """Many municipal PDFs are encrypted only to forbid editing; they open without a password."""
    path = tmp_path / "restricted.pdf"
    page = canvas.Canvas(str(path), encrypt=StandardEncryption("", ownerPassword="owner", canModify=0))
    # Helvetica: in reportlab's encrypted output the CID font's CIDSystemInfo strings
    # come out garbled for pdfminer, so its glyphs would read as (cid:N).
    page.setFont("Helvetica", SIZE)
    page.drawString(60, 700, "The declaration opens without a password.")
    page.save()
    assert extract(path).text == "The declaration opens without a password.\n"


# --------------------------------------------------------------------------- other files


def test_unsupported_extension(tmp_path):
    path = tmp_path / "宣言.xlsx"
    path.write_bytes(b"PK\x03\x04")
    with pytest.raises(ExtractionError, match="not supported"):
        extract(path)


def test_oversize_and_empty_files_are_refused(tmp_path, monkeypatch):
    path = tmp_path / "big.txt"
    path.write_text(PREAMBLE_1, encoding="utf-8")
    monkeypatch.setattr(extract_module, "MAX_BYTES", 100)
    with pytest.raises(ExtractionError, match="limit"):
        extract(path)
    empty = tmp_path / "empty.md"
    empty.write_bytes(b"")
    with pytest.raises(ExtractionError, match="empty"):
        extract(empty)


def test_cp932_text_is_decoded(tmp_path):
    source = "＜宣言＞\r\n\r\n（１）中小企業の振興\r\n①髙橋㈱の取組みを支援する。\r\n"
    path = tmp_path / "sjis.txt"
    path.write_bytes(source.encode("cp932"))
    result = extract(path)
    assert result.text == source.replace("\r\n", "\n") and result.kind == "text"
    assert result.warnings == ("decoded as cp932, not UTF-8",)


def test_utf8_markdown_is_kept_as_is(tmp_path):
    source = "# おかや宣言\n\n## ＜宣言＞\n\n（１）中小企業の振興\n\n- ① 支援する。\n"
    path = tmp_path / "okaya.md"
    path.write_bytes(b"\xef\xbb\xbf" + source.encode("utf-8"))
    result = extract(path)
    assert (result.text, result.kind, result.pages, result.warnings) == (source, "markdown", (), ())


def test_undecodable_and_binary_text_is_refused(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_bytes(b"\x82\xa0\xff\xfd\xfe" * 4)
    with pytest.raises(ExtractionError, match="UTF-8"):
        extract(path)
    path.write_bytes(b"abc\x00\x00def")
    with pytest.raises(ExtractionError, match="binary"):
        extract(path)


HTML = """<!DOCTYPE html>
<html><head><title>おかや宣言 | 岡谷市</title><style>p { color: red }</style>
<script>var x = "<p>script text</p>";</script></head>
<body>
<header><a href="/">岡谷市ホーム</a></header>
<nav><ul><li>トップ</li><li>市政情報</li></ul></nav>
<main>
<h1>第10回中小企業都市サミット おかや宣言</h1>
<h2>＜宣言＞</h2>
<p>我々は、ものづくり中小企業の
   振興に取り組む。R&amp;D &lt;研究開発&gt;&nbsp;を進める。</p>
<ul><li>（１）人材の育成</li><li>（２）販路の&#x62E1;大</li></ul>
<div>岡谷市長<br>今井 竜五</div>
<table><tr><td>日時</td><td>10月1日</td></tr></table>
</main>
<footer>Copyright 岡谷市</footer>
<script>document.write("tracking")</script>
</body></html>"""


def test_html_becomes_paragraphs_without_navigation(tmp_path):
    path = tmp_path / "okaya.html"
    path.write_text(HTML, encoding="utf-8")
    result = extract(path)
    assert result.kind == "html"
    assert result.text == (
        "第10回中小企業都市サミット おかや宣言\n\n＜宣言＞\n\n"
        "我々は、ものづくり中小企業の振興に取り組む。R&D <研究開発> を進める。\n\n"
        "（１）人材の育成\n\n（２）販路の拡大\n\n岡谷市長\n今井 竜五\n\n日時 10月1日\n"
    )


def test_html_in_its_declared_charset(tmp_path):
    path = tmp_path / "old.htm"
    page = '<html><head><meta charset="euc-jp"></head><body><p>宣言文です。</p></body></html>'
    path.write_bytes(page.encode("euc_jp"))
    result = extract(path)
    assert result.text == "宣言文です。\n" and result.warnings == ("decoded as euc-jp, not UTF-8",)


def test_html_to_text_keeps_pre_lines():
    assert html_to_text("<pre>一行目\n二行目</pre><p>a\n b</p>") == "一行目\n二行目\n\na b\n"
