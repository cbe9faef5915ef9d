"""Word declarations (.docx): headings, Word's automatic numbering and tables come out as the parser's layout;
hostile or unusable Word files are refused with one clear line and add nothing.

The files are made here with python-docx; the numbering definitions the
declarations need (（１） in full-width digits, ①) are written into
numbering.xml with lxml, because the point is numbering that only Word
computes: none of these numbers is in the paragraphs' text.
"""
from __future__ import annotations

import json
import shutil
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

docx = pytest.importorskip("docx", reason="python-docx is a dependency")
from docx.oxml.ns import qn  # noqa: E402
from lxml import etree  # noqa: E402

from bot.phrases import explain  # noqa: E402
from index import worker  # noqa: E402
from index.corpus import Corpus  # noqa: E402
from index.extract import ExtractionError, extract  # noqa: E402
from index.extract_docx_numbering import format_number  # noqa: E402
from index.model import Document  # noqa: E402
from index.parse import INITIATIVES_SECTION, parse_text  # noqa: E402

from .conftest import ROOT, cli_env, summitbot  # noqa: E402

ITEM = ("decimalFullWidth", "（%1）")  # （１）（２）… as the declarations number their pillars
CIRCLED = ("decimalEnclosedCircle", "%2")  # ①②… under each pillar
QUESTION = "第10回の宣言で、技能伝承マイスター制度について何と言っている？"


# --------------------------------------------------------------------------- making Word files


def abstract(document, abstract_id: int, levels: list[tuple[str, str]], start: int = 1) -> None:
    """A w:abstractNum with these (numFmt, lvlText) levels, before the first w:num as the schema orders them."""
    numbering = document.part.numbering_part.element
    element = etree.Element(qn("w:abstractNum"))
    element.set(qn("w:abstractNumId"), str(abstract_id))
    for ilvl, (fmt, text) in enumerate(levels):
        lvl = etree.SubElement(element, qn("w:lvl"))
        lvl.set(qn("w:ilvl"), str(ilvl))
        for tag, value in (("w:start", str(start)), ("w:numFmt", fmt), ("w:lvlText", text)):
            etree.SubElement(lvl, qn(tag)).set(qn("w:val"), value)
    first_num = numbering.find(qn("w:num"))
    if first_num is not None:
        first_num.addprevious(element)
    else:
        numbering.append(element)


def num(document, num_id: int, abstract_id: int, start_override: int | None = None) -> None:
    """A w:num (a list) of an abstract definition; with w:startOverride when Word says "Restart at N"."""
    element = etree.SubElement(document.part.numbering_part.element, qn("w:num"))
    element.set(qn("w:numId"), str(num_id))
    etree.SubElement(element, qn("w:abstractNumId")).set(qn("w:val"), str(abstract_id))
    if start_override is not None:
        override = etree.SubElement(element, qn("w:lvlOverride"))
        override.set(qn("w:ilvl"), "0")
        etree.SubElement(override, qn("w:startOverride")).set(qn("w:val"), str(start_override))


def numbered(paragraph, num_id: int, ilvl: int | None = 0):
    """Give a paragraph w:numPr, as Word does for a paragraph of a numbered list."""
    num_pr = etree.SubElement(paragraph._p.get_or_add_pPr(), qn("w:numPr"))
    if ilvl is not None:
        etree.SubElement(num_pr, qn("w:ilvl")).set(qn("w:val"), str(ilvl))
    etree.SubElement(num_pr, qn("w:numId")).set(qn("w:val"), str(num_id))
    return paragraph


def list_style(document, name: str, num_id: int):
    """A paragraph style whose paragraphs are numbered by list `num_id` (numbering inherited from the style)."""
    from docx.enum.style import WD_STYLE_TYPE

    style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    etree.SubElement(etree.SubElement(style.element.get_or_add_pPr(), qn("w:numPr")),
                     qn("w:numId")).set(qn("w:val"), str(num_id))
    return style


def declaration(path: Path) -> Path:
    """The 10th summit's declaration as staff would write it in Word: every number automatic."""
    document = docx.Document()
    abstract(document, 90, [ITEM, CIRCLED])
    num(document, 90, 90)
    list_style(document, "宣言の柱", 90)
    document.add_paragraph("第10回中小企業都市サミット", style="Title")
    document.add_paragraph("おかや宣言", style="Title")
    document.add_heading("前文", 1)
    document.add_paragraph("我々中小企業都市連絡協議会に加盟する６都市は、精密加工の技を次代につなぐため、ここに宣言する。")
    document.add_heading("宣言", 1)
    document.add_paragraph("技能の継承に向けて", style="宣言の柱")  # （１） from the style
    numbered(document.add_paragraph("熟練技能者の精密加工の技能を若手へ継承する「技能伝承マイスター制度」を創設する。"), 90, 1)
    numbered(document.add_paragraph("高等専門学校と連携し、ものづくり人材を育成する。"), 90, 1)
    document.add_paragraph("販路の開拓に向けて", style="宣言の柱")
    numbered(document.add_paragraph("海外見本市への共同出展を支援する。"), 90, 1)
    document.add_heading(INITIATIVES_SECTION, 1)
    table = document.add_table(rows=3, cols=3)
    rows = [("加盟都市・商工会議所", "取組み", "内容"),
            ("岡谷市", "信州ものづくり未来塾", "市内企業と学校が連携し、微細加工の体験講座を開く。"),
            ("岡谷商工会議所", "技の見本市", "会員企業の技を一堂に紹介する見本市を開く。")]
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    document.save(path)
    return path


EXPECTED = """第10回中小企業都市サミット

おかや宣言

# 前文

我々中小企業都市連絡協議会に加盟する６都市は、精密加工の技を次代につなぐため、ここに宣言する。

# 宣言

（１）技能の継承に向けて

①熟練技能者の精密加工の技能を若手へ継承する「技能伝承マイスター制度」を創設する。

②高等専門学校と連携し、ものづくり人材を育成する。

（２）販路の開拓に向けて

①海外見本市への共同出展を支援する。

# 加盟都市・商工会議所の取組み

○信州ものづくり未来塾（岡谷市）

市内企業と学校が連携し、微細加工の体験講座を開く。

○技の見本市（岡谷商工会議所）

会員企業の技を一堂に紹介する見本市を開く。
"""


# --------------------------------------------------------------------------- what comes out


def test_headings_automatic_numbering_and_the_initiatives_table_come_out_as_the_parsers_layout(tmp_path):
    extracted = extract(declaration(tmp_path / "okaya.docx"))
    assert extracted.kind == "docx" and extracted.pages == () and extracted.warnings == ()
    assert extracted.text == EXPECTED

    corpus = Corpus.load(ROOT / "corpus")
    doc = Document(key="summit10-okaya", summit=10, title="おかや宣言", host_city="岡谷市", file="x.txt")
    passages = parse_text(extracted.text, doc, corpus.gazetteer.city_of).passages
    items = [(p.section, p.label) for p in passages if p.kind == "declaration"]
    assert items == [(("宣言", "（１）技能の継承に向けて"), "①"), (("宣言", "（１）技能の継承に向けて"), "②"),
                     (("宣言", "（２）販路の開拓に向けて"), "①")]
    initiatives = [(p.label, p.organization, p.city) for p in passages if p.kind == "initiative"]
    assert initiatives == [("信州ものづくり未来塾", "岡谷市", "岡谷市"), ("技の見本市", "岡谷商工会議所", "岡谷市")]
    assert [p.text for p in passages if p.kind == "preamble"] == [EXPECTED.split("\n\n")[3]]


def test_restarts_continuations_hand_typed_numbers_and_other_formats(tmp_path):
    document = docx.Document()
    abstract(document, 80, [("decimal", "%1.")])
    abstract(document, 81, [("aiueoFullWidth", "%1．"), ("iroha", "(%2)")])
    abstract(document, 82, [("japaneseCounting", "%1、")], start=9)
    num(document, 80, 80)
    num(document, 81, 80)  # another list of the same definition, no override: it continues the count
    num(document, 82, 80, start_override=1)  # "Restart at 1"
    num(document, 83, 81)
    num(document, 84, 82)
    numbered(document.add_paragraph("first"), 80)
    numbered(document.add_paragraph(""), 80)  # empty: Word gives it 2., and the next one 3.
    numbered(document.add_paragraph("third"), 81)
    numbered(document.add_paragraph("restarted"), 82)
    numbered(document.add_paragraph("and on"), 82)
    document.add_paragraph("（７）手で打った番号はそのまま。")
    numbered(document.add_paragraph("ア項"), 83)
    numbered(document.add_paragraph("イロハのイ"), 83, 1)
    numbered(document.add_paragraph("イロハのロ"), 83, 1)
    numbered(document.add_paragraph("イ項"), 83)
    numbered(document.add_paragraph("イロハのイ again"), 83, 1)  # a deeper level restarts under a new item
    numbered(document.add_paragraph("九番目"), 84)
    numbered(document.add_paragraph("十番目"), 84)
    unnumbered = document.add_paragraph("no number", style="List Number")
    numbered(unnumbered, 0, None)  # numId 0: the style's numbering switched off
    document.add_paragraph("from the style", style="List Number")
    path = tmp_path / "lists.docx"
    document.save(path)
    assert extract(path).text.split("\n\n") == [
        "1. first", "3. third", "1. restarted", "2. and on", "（７）手で打った番号はそのまま。",
        "ア．ア項", "(ｲ) イロハのイ", "(ﾛ) イロハのロ", "イ．イ項", "(ｲ) イロハのイ again", "九、九番目", "十、十番目",
        "no number", "1. from the style\n",
    ]


@pytest.mark.parametrize("n, fmt, shown", [
    (12, "decimalFullWidth", "１２"), (3, "decimalEnclosedCircle", "③"), (21, "decimalEnclosedCircle", "㉑"),
    (51, "decimalEnclosedCircle", "51"), (1, "decimalEnclosedParen", "⑴"), (2, "aiueoFullWidth", "イ"),
    (3, "iroha", "ﾊ"), (23, "japaneseCounting", "二十三"), (110, "japaneseCounting", "百十"),
    (27, "upperLetter", "AA"), (4, "lowerRoman", "iv"), (2, "ideographTraditional", "乙"), (7, "decimalZero", "07"),
    (5, "someFutureFormat", "5"),
])
def test_word_number_formats(n, fmt, shown):
    assert format_number(n, fmt) == shown


def test_text_word_shows_and_nothing_else(tmp_path):
    """Tracked insertions in, deletions and hidden text out, ruby without its reading, other tables one row a line."""
    document = docx.Document()
    paragraph = document.add_paragraph("中小企業の")
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    extra = etree.fromstring(
        f'<w:p xmlns:w="{w}"><w:ins w:id="1" w:author="a"><w:r><w:t>新たな</w:t></w:r></w:ins>'
        f'<w:del w:id="2" w:author="a"><w:r><w:delText>古い</w:delText></w:r></w:del>'
        f'<w:r><w:rPr><w:vanish/></w:rPr><w:t>隠し文字</w:t></w:r>'
        f'<w:r><w:ruby><w:rt><w:r><w:t>ぎのう</w:t></w:r></w:rt><w:rubyBase><w:r><w:t>技能</w:t></w:r></w:rubyBase>'
        f'</w:ruby></w:r><w:r><w:t>を</w:t><w:br/><w:t>守る。</w:t></w:r></w:p>')
    for child in extra:
        paragraph._p.append(child)
    table = document.add_table(rows=2, cols=2)
    for r, row in enumerate([("日時", "2026年11月20日"), ("会場", "岡谷市文化会館")]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    path = tmp_path / "shown.docx"
    document.save(path)
    assert extract(path).text == "中小企業の新たな技能を\n守る。\n\n日時　2026年11月20日\n\n会場　岡谷市文化会館\n"


def test_a_table_without_a_header_under_the_initiatives_heading_lists_initiatives(tmp_path):
    document = docx.Document()
    document.add_paragraph(INITIATIVES_SECTION)  # typed as a plain line, not a Heading style
    table = document.add_table(rows=2, cols=3)
    for r, row in enumerate([("（岡谷市）", "○信州ものづくり未来塾", "体験講座を開く。"), ("岡谷商工会議所", "技の見本市", "")]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    path = tmp_path / "entries.docx"
    document.save(path)
    assert extract(path).text == (f"{INITIATIVES_SECTION}\n\n○信州ものづくり未来塾（岡谷市）\n\n体験講座を開く。"
                                  "\n\n○技の見本市（岡谷商工会議所）\n")


# --------------------------------------------------------------------------- what is refused


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def _ole(*streams: str) -> bytes:
    """The start of an OLE compound file naming these streams (as the directory does, in UTF-16LE)."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + b"".join(s.encode("utf-16-le") for s in streams)


def hostile(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    bomb = _zip(tmp_path / "bomb.docx", {"[Content_Types].xml": b"<Types/>",
                                         "word/document.xml": b"<w:document>" + b" " * (60 * 2**20)})
    many = _zip(tmp_path / "many.docx", {f"word/media/{n}.xml": b"x" for n in range(2001)})
    locked = tmp_path / "locked.docx"
    locked.write_bytes(_ole("EncryptionInfo", "EncryptedPackage"))
    renamed = tmp_path / "renamed.docx"
    renamed.write_bytes(_ole("WordDocument", "1Table"))
    legacy = tmp_path / "sengen.doc"
    legacy.write_bytes(_ole("WordDocument"))
    garbage = tmp_path / "garbage.docx"
    garbage.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 8)
    sheet = _zip(tmp_path / "sheet.docx", {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
    return {"bomb": (bomb, "docx-too-large"), "many": (many, "docx-too-large"), "locked": (locked, "docx-encrypted"),
            "renamed": (renamed, "doc-legacy"), "legacy": (legacy, "doc-legacy"), "garbage": (garbage, "docx-invalid"),
            "sheet": (sheet, "docx-invalid")}


def test_hostile_and_unusable_word_files_are_refused_with_their_code(tmp_path):
    for label, (path, code) in hostile(tmp_path).items():
        with pytest.raises(ExtractionError) as refused:
            extract(path)
        assert refused.value.code == code, label
        said = explain(refused.value, "cli")
        assert path.name in said and "\n" not in said, said
        assert "\n" not in explain(refused.value, "slack")
    bomb = tmp_path / "bomb.docx"
    assert "compression bomb" in explain(extract_error(bomb), "cli")
    assert ".docx or PDF" in explain(extract_error(tmp_path / "sengen.doc"), "cli")


def extract_error(path: Path) -> ExtractionError:
    with pytest.raises(ExtractionError) as refused:
        extract(path)
    return refused.value


def test_word_files_are_read_in_the_limited_child(tmp_path):
    """The .docx path is the prepare path: the child (index/worker.py) reads it and its refusal crosses back."""
    draft = worker.prepare(ROOT / "corpus", declaration(tmp_path / "okaya.docx"), 10)
    assert draft.text == EXPECTED and draft.document.key == "summit10-okaya" and draft.document.host_city == "岡谷市"
    assert draft.summary()["kinds"]["initiative"] == 2
    bomb, code = hostile(tmp_path)["bomb"]
    with pytest.raises(ExtractionError) as refused:
        worker.prepare(ROOT / "corpus", bomb, 10)
    assert refused.value.code == code and refused.value.outcome.peak_mb < 200  # refused before anything inflated


@pytest.mark.slow  # runs `summitbot corpus add` as a process per file
def test_the_command_line_refuses_hostile_word_files_in_one_line_and_adds_nothing(settings, tmp_path):
    workspace = replace(settings, corpus_dir=tmp_path / "corpus")
    shutil.copytree(ROOT / "corpus", workspace.corpus_dir)
    manifest = (workspace.corpus_dir / "summits.toml").read_bytes()
    files = sorted(p.relative_to(workspace.corpus_dir) for p in workspace.corpus_dir.rglob("*"))
    (tmp_path / "files").mkdir()
    cases = hostile(tmp_path / "files")
    for label in ("bomb", "locked", "legacy", "garbage"):
        path, _ = cases[label]
        result = summitbot("corpus", "add", str(path), "--summit", "11", env=cli_env(workspace), timeout=120)
        assert result.returncode == 2, (label, result.stdout, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr, result.stderr
        assert result.stderr.startswith(f"summitbot: {path.name}"), result.stderr
    assert (workspace.corpus_dir / "summits.toml").read_bytes() == manifest
    assert sorted(p.relative_to(workspace.corpus_dir) for p in workspace.corpus_dir.rglob("*")) == files


# --------------------------------------------------------------------------- end to end


@pytest.mark.slow
def test_a_word_declaration_is_added_indexed_and_answered(built, tmp_path):
    workspace = replace(built, corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index")
    shutil.copytree(ROOT / "corpus", workspace.corpus_dir)
    shutil.copytree(built.index_dir, workspace.index_dir)
    env = cli_env(workspace)
    before = json.loads(summitbot("ask", "--json", QUESTION, env=env).stdout)
    assert not before["answer_found"]

    added = summitbot("corpus", "add", str(declaration(tmp_path / "okaya-sengen.docx")), "--summit", "10", env=env)
    assert added.returncode == 0, added.stderr
    assert "summit10-okaya" in added.stdout and "initiative 2" in added.stdout, added.stdout
    doc = next(d for d in Corpus.load(workspace.corpus_dir).documents if d.summit == 10)
    assert doc.original.endswith(".docx") and (workspace.corpus_dir / doc.file).read_text(encoding="utf-8") == EXPECTED
    built_new = summitbot("index", "build", "--quiet", env=env)
    assert built_new.returncode == 0, built_new.stderr

    answer = json.loads(summitbot("ask", "--json", QUESTION, env=env).stdout)
    assert answer["answer_found"], answer
    first = answer["citations"][0]
    assert first["summit"] == 10 and "技能伝承マイスター制度" in first["text"], first
    okaya = json.loads(summitbot("ask", "--json", "第10回で岡谷市の取組みは？", env=env).stdout)
    assert {(c["summit"], c["organization"]) for c in okaya["citations"]} == {(10, "岡谷市"), (10, "岡谷商工会議所")}
    assert any("微細加工の体験講座" in c["text"] for c in okaya["citations"]), okaya  # the table's row, as an entry
