"""Property-based fuzzing: the parser and the extractor never crash and never invent text.

The invariants checked on every `parse_text` result (`check_parse`):

* `parse_text` returns; parsing the same source again gives the same passages
  (hence the same ids), and ids are unique;
* every passage's text is non-empty and already stripped;
* `0 <= start <= end <= len(source)` for passages and excluded blocks;
* **no invented text**: with all whitespace removed, a passage's text is a
  contiguous substring of its own span `source[start:end]`, once the span is
  freed of whitespace *and of the layout prefixes the parser strips from the
  start of a line* (a Markdown heading "# " and a list bullet "- ", "* ", "+ ",
  exactly as `index.paragraphs.MD_HEADING` / `MD_LIST` find them). Those prefixes
  must be allowed for: a passage can span several blocks (an initiative's
  paragraphs and items, an item continued by the next paragraph), and a
  later block may itself have been a "- " list line or a "# （１）…" heading,
  whose prefix then sits inside the span but not in the text. Item markers
  and labels are only ever removed at the start of a passage, i.e. before
  `start`, so nothing else needs excusing. This implies the weaker "every
  character of the text occurs in the source in the same order".
* the brief's `compact(text) in compact(source)` form holds whenever the
  source has no such layout prefix and no character that NFKC composes with a
  neighbour (combining marks, half-width ﾞ/ﾟ, Hangul jamo …). For those
  `compact` is not a fair test: it normalises *before* removing whitespace, so
  "ｶ\\nﾞ" in the source compacts to カ+U+3099 while the joined passage "ｶﾞ"
  compacts to ガ. The Japanese-like strategies avoid such characters, so the
  compact form is asserted on them; the arbitrary-Unicode strategy checks the
  whitespace-only form above.
* single-line sources: every passage text is an exact substring of the source;
* `sentence_spans(text)` gives non-empty, trimmed, ordered, non-overlapping
  spans inside the text.

Extraction (`extract`) of random bytes, truncated/spliced/bit-flipped copies
of a real reportlab PDF and PDFs drawn with random text either returns (and
its text then satisfies all of the above) or raises `ExtractionError`.

No example database is kept (`database=None`) and Hypothesis's cache goes to
the temporary directory, not the working tree: a failure prints its minimal
example, which is what to turn into an `@example` or a regular test.
"""
from __future__ import annotations

import bisect
import functools
import io
import os
import re
import tempfile
import unicodedata
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from index.extract import ExtractionError, extract
from index.model import Document
from index.paragraphs import MD_HEADING as _MD_HEADING, MD_LIST as _MD_LIST
from index.parse import parse_text, read_source
from index.sentences import sentence_spans
from index.textnorm import compact

ROOT = Path(__file__).resolve().parent.parent
CORPUS_FILES = sorted((ROOT / "corpus" / "documents").glob("*.txt"))
# Hypothesis caches what it learns under ./.hypothesis; keep the working tree clean.
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "summitbot-hypothesis")
DOC = Document(key="fuzz", summit=99, title="ファズ宣言", host_city="墨田区", file="fuzz.txt")

# FUZZ_SCALE=10 multiplies every example budget, for a longer soak than the default run (~25 s).
SCALE = int(os.environ.get("FUZZ_SCALE", "1"))
FAST = settings(max_examples=400 * SCALE, deadline=None, database=None)
SLOW = settings(max_examples=60 * SCALE, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

_SPACE = re.compile(r"\s+")


def squash(text: str) -> str:
    """All whitespace removed, nothing else changed."""
    return _SPACE.sub("", text)


def content_chars(source: str) -> tuple[str, list[int]]:
    """The source's characters that can appear in a passage: whitespace and line-start layout prefixes dropped.

    Returns the kept characters and, for each, its offset in `source`.
    """
    kept: list[str] = []
    where: list[int] = []
    offset = 0
    for line in source.split("\n"):
        skip = 0
        if line.strip():  # the parser looks for prefixes on non-blank lines only
            heading = _MD_HEADING.match(line)
            skip = heading.end() if heading else 0
            listed = _MD_LIST.match(line, skip)
            skip = listed.end() if listed else skip
        for i, char in enumerate(line):
            if i >= skip and not char.isspace():
                kept.append(char)
                where.append(offset + i)
        offset += len(line) + 1
    return "".join(kept), where


def _composes(char: str) -> bool:
    """Whether NFKC may merge this character with a neighbour (so `compact` is not slice-stable)."""
    return any(unicodedata.category(c).startswith("M") or "\u1100" <= c <= "\u11ff"
               for c in unicodedata.normalize("NFKC", char))


def has_layout_prefix(source: str) -> bool:
    return any(line.strip() and (_MD_HEADING.match(line) or _MD_LIST.match(line)) for line in source.split("\n"))


def check_parse(source: str, *, compact_form: bool = False):
    """Parse `source` and assert every invariant of the module docstring; returns the result."""
    result = parse_text(source, DOC, city_of=lambda org: org[:3])
    again = parse_text(source, DOC, city_of=lambda org: org[:3])
    assert [p.id for p in again.passages] == [p.id for p in result.passages]
    assert again == result
    ids = [p.id for p in result.passages]
    assert len(ids) == len(set(ids)), ids

    kept, where = content_chars(source)
    compact_source = compact(source)
    check_compact = (compact_form and not has_layout_prefix(source)
                     and not any(_composes(c) for c in set(source)))
    single_line = "\n" not in source
    for order, passage in enumerate(result.passages):
        assert passage.order == order
        assert passage.text and passage.text == passage.text.strip(), passage
        assert 0 <= passage.start <= passage.end <= len(source), passage
        lo, hi = bisect.bisect_left(where, passage.start), bisect.bisect_left(where, passage.end)
        assert squash(passage.text) in kept[lo:hi], (passage, source[passage.start:passage.end])
        if check_compact:
            assert compact(passage.text) in compact_source, passage
        if single_line:
            assert passage.text in source, passage
        check_sentences(passage.text)
    for excluded in result.excluded:
        assert 0 <= excluded.start <= excluded.end <= len(source), excluded
        assert squash(excluded.text) in squash(source[excluded.start:excluded.end]), excluded
    return result


def check_sentences(text: str) -> None:
    previous_end = 0
    for start, end in sentence_spans(text):
        assert previous_end <= start < end <= len(text), (text, start, end)
        assert not text[start].isspace() and not text[end - 1].isspace()
        previous_end = end


# --------------------------------------------------------------------------- strategies: Japanese-like text

KANJI_COMMON = "中小企業都市連絡協議会加盟宣言提言国区商工所技術人材育成支援地域産業振興前文別紙以上名称取組"
_char = st.one_of(
    st.characters(min_codepoint=0x3041, max_codepoint=0x3096),  # hiragana
    st.characters(min_codepoint=0x30A1, max_codepoint=0x30FA),  # katakana
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5),  # kanji
    st.sampled_from(KANJI_COMMON),
    st.sampled_from(KANJI_COMMON),
    st.sampled_from("０１２３４５６７８９0123456789"),
    st.sampled_from("、。「」（）()・：！？．.ー『』【】"),
    st.sampled_from("abcXYZ"),
    st.sampled_from([" ", "\u3000", "\t"]),
    st.sampled_from(["🙂", "🏭", "👨\u200d👩\u200d👧", "☺\ufe0f", "🇯🇵", "⺟", "⼈", "⻘"]),
    st.sampled_from(["\x00", "\x07", "\x0b", "\x0c", "\x1b", "\x1c", "\x1e", "\x1f", "\x7f",
                     "\x85", "\u2028", "\u2029", "\ufeff", "\u200b", "\r"]),
)
words = st.lists(_char, min_size=1, max_size=30).map("".join)  # emoji sequences are several code points

MARKERS = [
    "（１）", "（12）", "(3)", "( 3 )", "（ ２ ）", "①", "②", "⑳", "⑳．", "③、", "1.", "１．", "12 ", "1 ", "３、",
    "一、", "十二、", "三.", "○", "◯", "●", "◆", "■", "□",
]
WHOLE_LINES = [
    "以上", "以 上", "＜宣言＞", "＜前文＞", "【提言】", "<決議>", "〈要望〉", "別紙：国への提言", "別紙", "別紙:要請",
    "宣言", "前文", "○名前（岡谷市）", "○おかやものづくりフェア（岡谷商工会議所）", "○（川口市）", "● 事業名 (Kawaguchi)",
    "TEL 03-1234-5678", "ＦＡＸ：０３－１２３４－５６７８", "（左）市長", "(写真)", "お問い合わせ", "検索", "アクセス！",
    "#", "# ", "##", "- ", "-", "*", "   ", "\u3000", "\t", "",
]
PREFIXES = ["", "", "", "# ", "## ", "   # ", "####### ", "- ", "* ", "+ ", "  - ", "\t", "  ", "\u3000", "# - "]
ENDINGS = ["", "", "。", "」", "）", "、", ".", "！"]
SEPARATORS = ["\n", "\n", "\n", "\n\n", "\r\n", " \n", "\n \n", "\n\u3000\n", "\n\n\n"]


@st.composite
def line(draw) -> str:
    kind = draw(st.integers(0, 9))
    if kind == 0:
        return draw(st.sampled_from(WHOLE_LINES))
    if kind == 1:  # an organisation's initiative: ○name（organisation）
        bullet, (left, right) = draw(st.sampled_from("○◯●")), draw(st.sampled_from(["（）", "()"]))
        return f"{bullet}{draw(words)}{left}{draw(words)}{right}" + draw(st.sampled_from(["", "", "。", " "]))
    body = draw(words)
    if kind == 2:  # a very long line
        body *= draw(st.integers(20, 300))
    return (draw(st.sampled_from(PREFIXES)) + draw(st.sampled_from([""] * 3 + MARKERS)) + body
            + draw(st.sampled_from(ENDINGS)) + draw(st.sampled_from(["", "", " ", "  ", "\u3000", "\t"])))


@st.composite
def japanese_document(draw) -> str:
    lines = draw(st.lists(line(), max_size=40))
    if draw(st.booleans()) and lines:
        # PDF-like: long wrapped lines with an empty line after each (double-spaced detection)
        filler = draw(st.text(alphabet=st.sampled_from(KANJI_COMMON + "のをにはが"), min_size=20, max_size=40))
        lines = [ln + filler if draw(st.booleans()) else ln for ln in lines]
        seps = [draw(st.sampled_from(["\n\n", "\n\n", " \n\n", "\n \n", "\n"])) for _ in lines]
    else:
        seps = [draw(st.sampled_from(SEPARATORS)) for _ in lines]
    text = "".join(ln + sep for ln, sep in zip(lines, seps))
    return text[: draw(st.integers(0, len(text)))] if draw(st.integers(0, 4)) == 0 else text


structural_soup = st.text(alphabet=st.sampled_from(list(
    "（）()１1２①⑳。、○#-*+ \n\n\n\r\t\u3000以上＜＞別紙：提言宣言前文aあ漢TEL-0３（岡谷市）")), max_size=300)


# --------------------------------------------------------------------------- parser properties


@FAST
@given(japanese_document())
# Found by this test: a paragraph after a heading or a section continued the item *before* that heading.
@example("（１）ぁ\n（１）ァ\n以")
@example("前置きの文章です。\n\n（１）産学官金の連携\n\n＜提言＞\n\n本文です。\n")
def test_japanese_like_documents(source):
    check_parse(source, compact_form=True)


@FAST
@given(structural_soup)
def test_marker_soup(source):
    check_parse(source, compact_form=True)


@FAST
@given(st.text(max_size=400))
def test_arbitrary_unicode(source):
    check_parse(source)


@FAST
@given(st.lists(line(), min_size=1, max_size=3).map("".join))
def test_single_line_sources(source):
    source = source.replace("\n", "")
    check_parse(source, compact_form=True)


@FAST
@given(japanese_document())
def test_read_source_round_trip_parses(source):
    """What the corpus stores (read_source of UTF-8 bytes, BOM allowed) parses with the same invariants."""
    check_parse(read_source(b"\xef\xbb\xbf" + source.encode("utf-8", "surrogatepass")), compact_form=True)


@functools.cache
def corpus_lines(path: Path) -> list[str]:
    return read_source(path.read_bytes()).split("\n")


@st.composite
def mutated_corpus_file(draw) -> str:
    lines = list(corpus_lines(draw(st.sampled_from(CORPUS_FILES))))
    for _ in range(draw(st.integers(0, 12))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["delete", "duplicate", "truncate", "crlf", "indent"]))
        if action == "delete":
            del lines[i]
        elif action == "duplicate":
            lines.insert(i, lines[i])
        elif action == "truncate":
            lines[i] = lines[i][: draw(st.integers(0, len(lines[i])))]
        elif action == "crlf":
            lines[i] += "\r"
        else:
            lines[i] = draw(st.sampled_from(["  ", "\u3000", "- ", "# "])) + lines[i]
    text = "\n".join(lines)
    return text[: draw(st.integers(0, len(text)))] if draw(st.booleans()) else text


@settings(max_examples=60 * SCALE, deadline=None, database=None)
@given(mutated_corpus_file())
def test_mutated_corpus_files(source):
    check_parse(source, compact_form=True)


def test_corpus_files_as_they_are():
    assert CORPUS_FILES
    for path in CORPUS_FILES:
        result = check_parse(read_source(path.read_bytes()), compact_form=True)
        assert result.passages


# --------------------------------------------------------------------------- extraction


def check_extract(path: Path) -> None:
    """`extract` returns text that parses, or refuses with ExtractionError; anything else fails the test."""
    try:
        extracted = extract(path)
    except ExtractionError as error:
        assert str(error)
        event(f"refused: {str(error).split('(')[0].split(':')[-1].strip()[:40]}")
        return
    event(f"extracted {extracted.kind}")
    assert extracted.text.strip()
    assert list(extracted.pages) == sorted(extracted.pages)
    assert all(0 <= start <= len(extracted.text) for start in extracted.pages)
    check_parse(extracted.text)


def write_and_extract(data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"fuzz{suffix}"
        path.write_bytes(data)
        check_extract(path)


CHARSETS = ["utf-8", "shift_jis", "euc-jp", "iso-2022-jp", "cp932", "utf-16", "utf-7", "latin-1", "idna",
            "punycode", "unicode_escape", "raw_unicode_escape", "rot13", "base64", "undefined", "no-such-charset"]
_suffix = st.sampled_from([".pdf", ".txt", ".md", ".html", ".htm"])


@SLOW
@given(st.binary(max_size=3000), _suffix)
def test_extract_random_bytes(data, suffix):
    write_and_extract(data, suffix)


@SLOW
@given(st.binary(max_size=2000), st.sampled_from([b"", b"1.4\n", b"1.7\n%\xe2\xe3\xcf\xd3\n"]))
def test_extract_random_bytes_in_a_pdf_envelope(body, version):
    write_and_extract(b"%PDF-" + version + body + b"\n%%EOF\n", ".pdf")


ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "cp932", "euc-jp", "iso-2022-jp", "latin-1"]


@settings(max_examples=100 * SCALE, deadline=None, database=None)
@given(japanese_document(), st.sampled_from(ENCODINGS), st.sampled_from([".txt", ".md", ".html"]))
def test_extract_encoded_text(text, encoding, suffix):
    write_and_extract(text.encode(encoding, "ignore"), suffix)


@pytest.mark.filterwarnings("ignore:invalid escape sequence:DeprecationWarning")  # charset="unicode_escape"
@settings(max_examples=60 * SCALE, deadline=None, database=None)
@given(japanese_document(), st.sampled_from(["cp932", "euc-jp", "latin-1", "utf-8"]))
@example(text="", encoding="cp932")  # found by this test: charset="undefined" raised a bare UnicodeError
def test_extract_html_declaring_another_charset(text, encoding):
    """HTML whose <meta charset> is wrong, unknown, or names a codec that is no text encoding (each one tried)."""
    for declared in CHARSETS:
        page = f'<html><head><meta charset="{declared}"><title>t</title></head><body><p>宣言{text}</p></body></html>'
        write_and_extract(page.encode(encoding, "ignore"), ".html")


# --------------------------------------------------------------------------- PDFs made with reportlab

FONT = "HeiseiMin-W3"


@functools.cache
def _font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def draw_pdf(pages: list[list[tuple[float, float, float, str]]]) -> bytes:
    """A PDF with lines of text at (x, y, size) on each page."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    sheet = canvas.Canvas(buffer, pagesize=A4)
    for page in pages:
        for x, y, size, text in page:
            sheet.setFont(_font(), size)
            sheet.drawString(x, y, text)
        sheet.showPage()
    sheet.save()
    return buffer.getvalue()


@functools.cache
def real_pdf() -> bytes:
    with (ROOT / "corpus" / "documents" / "summit09_sumida.txt").open(encoding="utf-8") as source:
        lines = [ln.strip() for ln in source.read().split("\n") if ln.strip()][:70]
    pages = [[(60, 780 - 18 * (i % 40), 11, text) for i, text in enumerate(lines[start:start + 40])]
             for start in range(0, len(lines), 40)]
    return draw_pdf(pages)


def test_the_real_pdf_extracts():
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "real.pdf"
        path.write_bytes(real_pdf())
        extracted = extract(path)
    assert "すみだ宣言" in extracted.text and len(extracted.pages) == 2
    check_parse(extracted.text)


@SLOW
@given(st.data())
def test_extract_truncated_and_damaged_pdf(data):
    raw = real_pdf()
    how = data.draw(st.sampled_from(["truncate", "splice", "flip"]))
    if how == "truncate":
        damaged = raw[: data.draw(st.integers(0, len(raw)))]
    elif how == "splice":  # a hole in the middle, the %%EOF trailer kept
        cut = data.draw(st.integers(0, len(raw)))
        damaged = raw[:cut] + raw[data.draw(st.integers(cut, len(raw))):] + b"\n%%EOF\n"
    else:
        damaged = bytearray(raw)
        for _ in range(data.draw(st.integers(1, 20))):
            damaged[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
        damaged = bytes(damaged)
    write_and_extract(damaged, ".pdf")


_pdf_char = st.one_of(
    st.characters(min_codepoint=0x3041, max_codepoint=0x3096),
    st.characters(min_codepoint=0x30A1, max_codepoint=0x30FA),
    st.sampled_from(KANJI_COMMON + "０１２３４５６７８９0123456789、。「」（）()①②⑳○＜＞：- #"),
    st.sampled_from("ab XY"),
)
_pdf_line = st.tuples(
    st.floats(0, 560), st.floats(0, 830), st.sampled_from([6, 9, 11, 11, 11, 14, 24]),
    st.text(alphabet=_pdf_char, min_size=1, max_size=45),
)


@SLOW
@given(st.lists(st.lists(_pdf_line, max_size=25), min_size=1, max_size=3), st.booleans())
def test_extract_pdf_with_random_text(pages, in_rows):
    if in_rows:  # a regular body: left margin, fixed pitch, like a declaration
        pages = [[(60 + 11 * (i % 3 == 0), 780 - 18 * i, 11, text) for i, (_, _, _, text) in enumerate(page)]
                 for page in pages]
    # The text layer's reader is what is fuzzed here: a sparse page is refused as a scan, as it was before OCR
    # (which tests/test_ocr.py covers, at about a second a page — too slow to run on every example).
    with mock.patch("index.extract_ocr.ocr_pdf", side_effect=_refused_as_scan):
        write_and_extract(draw_pdf(pages), ".pdf")


def _refused_as_scan(raw: bytes, per_page: int = 0):
    raise ExtractionError("no usable text layer: it looks like a scan", "pdf-scanned", per_page=per_page)
