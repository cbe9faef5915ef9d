"""Read a Word declaration (.docx) into the Markdown/plain-text layout `index.parse` splits.

Why not python-docx's `paragraph.text` alone: it drops what Word itself
draws. Automatic numbering ("（１）", "①", "1.") is not in the text at all but
computed by Word from numbering.xml (w:num → w:abstractNum → w:lvl) while it
lays the document out; without it a declaration's items lose the markers the
parser splits them by. So this module counts the lists itself, as Word does:
per list, level by level, restarting deeper levels and honouring
w:startOverride. It also reads inserted (tracked) text, skips deleted and
hidden text, ruby readings and text boxes, and turns tables of initiatives
into the "○取組（組織）" entries the printed declarations use.

A .docx is a ZIP file of XML parts, so before python-docx inflates anything
the archive's member count and declared sizes are checked (Python's zipfile
never inflates a member beyond its declared size); python-docx's parser does
not resolve entities. Reading runs in the limited child of index/worker.py,
which bounds time and memory on top.
"""
from __future__ import annotations

import io
import re
import struct
import zipfile
from dataclasses import dataclass

from .extract_docx_numbering import BULLETS, W, Numbering, to_int, val
from .extract_result import Extracted, ExtractionError
from .paragraphs import join_lines
from .parse import INITIATIVES_SECTION

MAX_MEMBERS = 2000  # a declaration's .docx has 10–30 parts
MAX_PART_MB = 50  # uncompressed, any one part (word/document.xml of a 200-page file is a few MB)
MAX_TOTAL_MB = 100  # uncompressed, all parts: python-docx reads every part into memory

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # compound file: a .doc, or an encrypted Office file
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
# Never shown as the paragraph's text: deletions, ruby readings, field codes, properties, alternatives.
_SKIP = {W + t for t in ("del", "moveFrom", "rt", "instrText", "delText", "pPr", "rPr", "sdtPr", "sdtEndPr")}
_SKIP.add(_MC_FALLBACK)

_ORG_HEAD = re.compile(r"団体|組織|都市|自治体|会議所|実施主体|主体")
_TITLE_HEAD = re.compile(r"取組|取り組|事業|施策|テーマ|件名")
_DESC_HEAD = re.compile(r"内容|概要|説明|詳細")


def extract_docx(raw: bytes, name: str) -> Extracted:
    """The declaration text of a .docx file's bytes, or an ExtractionError saying why there is none."""
    if raw.startswith(OLE_MAGIC):
        _refuse_compound(raw, name)
    if not raw.startswith(b"PK\x03\x04"):
        raise ExtractionError(f"{name} is not a Word document (.docx): it is not a ZIP package", "docx-invalid",
                              name=name, detail="not a ZIP package")
    _check_archive(raw, name)
    document = _open(raw, name)
    writer = _Writer(document)
    writer.container(document.element.body)
    text = "\n\n".join(writer.blocks)
    if not text.strip():
        raise ExtractionError(f"{name} contains no text", "file-no-text", name=name)
    return Extracted(text + "\n", "docx", (), tuple(writer.warnings()))


# --------------------------------------------------------------------------- refusals before parsing


def _refuse_compound(raw: bytes, name: str) -> None:
    """An OLE compound file is either an encrypted OOXML package or an old binary Word file (or neither)."""
    if "EncryptedPackage".encode("utf-16-le") in raw or "EncryptionInfo".encode("utf-16-le") in raw:
        raise ExtractionError(f"{name} is protected by a password", "docx-encrypted", name=name)
    if "WordDocument".encode("utf-16-le") in raw:
        raise ExtractionError(f"{name} is an old-format Word file (.doc), not .docx", "doc-legacy", name=name)
    raise ExtractionError(f"{name} is not a Word document (.docx): it is an OLE compound file", "docx-invalid",
                          name=name, detail="an OLE compound file")


def _check_archive(raw: bytes, name: str) -> None:
    """Refuse a ZIP that would inflate beyond reason, from its directory alone, before anything is inflated."""
    end = raw.rfind(b"PK\x05\x06", max(0, len(raw) - 65_557))
    if end < 0 or len(raw) < end + 22:
        raise ExtractionError(f"{name} is not a Word document (.docx): the ZIP directory is missing", "docx-invalid",
                              name=name, detail="the ZIP directory is missing")
    (count,) = struct.unpack_from("<H", raw, end + 10)  # 0xFFFF: ZIP64, far more than any .docx
    facts = {"name": name, "limit_mb": MAX_PART_MB, "limit_total_mb": MAX_TOTAL_MB, "limit_members": MAX_MEMBERS}
    if count > MAX_MEMBERS:
        raise ExtractionError(f"{name} has {count:,} ZIP members (at most {MAX_MEMBERS:,})", "docx-too-large",
                              members=count, unpacked_mb=0, **facts)
    try:
        infos = zipfile.ZipFile(io.BytesIO(raw)).infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        raise ExtractionError(f"{name} is not a Word document (.docx): {exc}", "docx-invalid", name=name,
                              detail=str(exc)[:200]) from exc
    biggest = max((i.file_size for i in infos), default=0) / 2**20
    total = sum(i.file_size for i in infos) / 2**20
    if len(infos) > MAX_MEMBERS or biggest > MAX_PART_MB or total > MAX_TOTAL_MB:
        raise ExtractionError(f"{name} would unpack to {total:,.0f} MB in {len(infos):,} parts (at most {MAX_PART_MB}"
                              f" MB a part, {MAX_TOTAL_MB} MB and {MAX_MEMBERS:,} parts)", "docx-too-large",
                              members=len(infos), unpacked_mb=round(total, 1), **facts)
    if any(i.flag_bits & 0x1 for i in infos):
        raise ExtractionError(f"{name} is protected by a password", "docx-encrypted", name=name)


def _open(raw: bytes, name: str):
    """python-docx's Document, or docx-invalid: anything it trips over means the package is not a usable .docx."""
    import docx

    try:
        return docx.Document(io.BytesIO(raw))
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001 - a hostile package can fail python-docx in many ways; all mean one thing
        raise ExtractionError(f"{name} is not a Word document (.docx): {type(exc).__name__}: {exc}"[:300],
                              "docx-invalid", name=name, detail=f"{type(exc).__name__}: {exc}"[:200]) from None


# --------------------------------------------------------------------------- styles and paragraphs


@dataclass(frozen=True)
class _Style:
    """What a paragraph style gives its paragraphs, its basedOn chain included."""

    heading: int = 0  # 1–9 for Heading N or an outline level, 0 for body text
    title: bool = False  # Title / Subtitle: the document's name, kept as a plain line
    num_id: str | None = None
    ilvl: int | None = None


class _Writer:
    """Walks the body once, in document order (lists count across tables), collecting the text's blocks."""

    def __init__(self, document):
        styles = document.styles.element
        self.styles = {s.get(W + "styleId", ""): s for s in styles.iter(W + "style")}
        self.default = next((s.get(W + "styleId", "") for s in styles.iter(W + "style")
                             if s.get(W + "type") == "paragraph" and s.get(W + "default") in ("1", "true")), "")
        try:
            numbering = document.part.numbering_part.element
        except (KeyError, NotImplementedError):
            numbering = None
        self.numbering = Numbering(numbering, self.styles)
        self.cache: dict[str, _Style] = {}
        self.blocks: list[str] = []
        self.section = ""  # the last heading's text: a table under the initiatives heading lists initiatives
        self.text_boxes = 0

    def warnings(self) -> list[str]:
        return [f"text in text boxes was left out: {self.text_boxes}"] if self.text_boxes else []

    def style(self, style_id: str, depth: int = 0) -> _Style:
        if style_id in self.cache or depth > 20:
            return self.cache.get(style_id, _Style())
        element = self.styles.get(style_id)
        if element is None:
            return _Style()
        parent = self.style(val(element, "basedOn", "") or "", depth + 1) if val(element, "basedOn") else _Style()
        name = (val(element, "name", "") or "").strip().lower()
        heading = re.fullmatch(r"heading ([1-9])", name)
        outline = val(element.find(W + "pPr"), "outlineLvl")
        num_pr = element.find(f"{W}pPr/{W}numPr")
        own = _Style(
            heading=int(heading.group(1)) if heading else (to_int(outline, 9) + 1 if outline is not None else 0),
            title=name in ("title", "subtitle"),
            num_id=val(num_pr, "numId"), ilvl=None if val(num_pr, "ilvl") is None else to_int(val(num_pr, "ilvl"), 0),
        )
        merged = _Style(heading=own.heading if heading or outline is not None else parent.heading,
                        title=own.title or (parent.title and not own.heading),
                        num_id=own.num_id if own.num_id is not None else parent.num_id,
                        ilvl=own.ilvl if own.ilvl is not None else parent.ilvl)
        self.cache[style_id] = merged
        return merged

    def container(self, element) -> None:
        """The paragraphs and tables of the body, a cell or a content control, as blocks."""
        for child in element:
            if child.tag == W + "p":
                line = self.paragraph(child)
                if line:
                    self.blocks.append(line)
            elif child.tag == W + "tbl":
                self.table(child)
            elif child.tag in (W + "sdt", W + "customXml", W + "sdtContent", W + "ins"):
                self.container(child)

    def paragraph(self, p) -> str:
        """One paragraph's text, its automatic number in front; headings as Markdown headings."""
        props = p.find(W + "pPr")
        style_id = val(props, "pStyle", "") or self.default
        style = self.style(style_id)
        num_pr = props.find(W + "numPr") if props is not None else None
        num_id = val(num_pr, "numId") or style.num_id
        ilvl = val(num_pr, "ilvl")
        level = to_int(ilvl, 0) if ilvl is not None else style.ilvl
        if level is None and num_id:  # a style bound to a level by w:lvl/w:pStyle
            level = next((k for k, lv in self.numbering.levels(num_id).items() if lv.style == style_id), 0)
        label = self.numbering.label(num_id, level or 0) if num_id and num_id != "0" else None
        lines = [line.strip() for line in _text(p, self).split("\n")]
        lines = [line for line in lines if line]
        if not lines:
            return ""  # an empty numbered paragraph still took its number, as in Word
        if label:
            lines[0] = label[0] + label[1] + lines[0]
        outline = val(props, "outlineLvl")
        heading = to_int(outline, 9) + 1 if outline is not None else style.heading
        text = join_lines(lines)
        if (1 <= heading <= 9 and not style.title) or (len(text) <= 30 and "。" not in text):
            self.section = text  # a heading, styled or not, says what a table after it is
        if 1 <= heading <= 9 and not style.title:
            return "#" * min(heading, 6) + " " + text
        return "\n".join(lines)

    def table(self, tbl) -> None:
        """A table of initiatives as "○取組（組織）" entries; any other table as one paragraph per row."""
        section = self.section  # before the cells' own short lines replace it
        rows = self.rows(tbl)
        self.section = section
        if not rows:
            return
        roles = _roles(rows[0])
        if roles:
            rows = rows[1:]
        elif INITIATIVES_SECTION in section and all(len(r) == 3 for r in rows):  # organisation | title | text
            roles = {"org": 0, "title": 1, "desc": 2}
        for row in rows:
            if roles:
                self.initiative(row, roles)
            else:
                cells = [join_lines(cell) for cell in row if cell]
                if cells:
                    self.blocks.append("　".join(cells))

    def initiative(self, row: list[list[str]], roles: dict[str, int]) -> None:
        def cell(role: str) -> list[str]:
            at = roles.get(role)
            return row[at] if at is not None and at < len(row) else []

        org = join_lines(cell("org")).strip("（）() ")
        title = join_lines(cell("title")).lstrip("".join(BULLETS) + " ")
        if org and 2 <= len(org) <= 40:
            self.blocks.append(f"○{title}（{org}）")
        elif title:
            self.blocks.append(title)
        self.blocks.extend(cell("desc"))

    def rows(self, tbl) -> list[list[list[str]]]:
        """Each row's cells, each cell its paragraphs; a vertically merged cell repeats the one above it."""
        rows: list[list[list[str]]] = []
        for tr in tbl.findall(W + "tr"):
            row: list[list[str]] = []
            for tc in tr.findall(W + "tc"):
                merged = tc.find(f"{W}tcPr/{W}vMerge")
                if merged is not None and merged.get(W + "val", "continue") == "continue" and rows:
                    above = rows[-1]
                    row.append(above[len(row)] if len(row) < len(above) else [])
                    continue
                outer, self.blocks = self.blocks, []
                self.container(tc)
                row.append([block.lstrip("#").strip() for block in self.blocks])
                self.blocks = outer
            rows.append(row)
        return rows


def _roles(header: list[list[str]]) -> dict[str, int]:
    """Which column holds the organisation, the initiative and its description, from a header row; {} if none."""
    roles: dict[str, int] = {}
    for at, cell in enumerate(header):
        text = join_lines(cell)
        if len(text) > 20:
            return {}
        for role, pattern in (("desc", _DESC_HEAD), ("title", _TITLE_HEAD), ("org", _ORG_HEAD)):
            if pattern.search(text) and role not in roles:
                roles[role] = at
                break
    return roles if "org" in roles and "title" in roles else {}


def _text(element, writer: _Writer) -> str:
    """The text Word shows for a paragraph: runs, insertions, links, fields' results; tabs as spaces."""
    parts: list[str] = []
    for child in element:
        tag = child.tag
        if tag in _SKIP or not isinstance(tag, str):
            continue
        if tag == W + "t":
            parts.append(child.text or "")
        elif tag == W + "tab":
            parts.append(" ")
        elif tag in (W + "br", W + "cr"):
            parts.append("\n")
        elif tag == W + "noBreakHyphen":
            parts.append("-")
        elif tag == W + "txbxContent":
            writer.text_boxes += 1
        elif tag == W + "r" and _hidden(child):
            continue
        else:
            parts.append(_text(child, writer))
    return "".join(parts)


def _hidden(run) -> bool:
    vanish = run.find(f"{W}rPr/{W}vanish")
    return vanish is not None and vanish.get(W + "val", "1") not in ("0", "false", "off")
