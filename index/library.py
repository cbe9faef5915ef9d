"""Adding and removing declarations: extract, parse for review, then record in the corpus atomically.

`prepare` writes nothing: it extracts the text, parses it and returns a Draft
whose summary a person checks. `add` stores the extracted text (and the
original file) and appends the manifest entry; the manifest is replaced in one
step (index/atomic.py), so a failure leaves the corpus as it was. The index changes only
with the next `summitbot index build`.

The document's key is given by `add`, from the corpus as it is then (callers
hold the corpus lock, index/changes.py): two drafts of one summit prepared side
by side get two keys, never the same one twice. The key in a draft's summary
is what it would be if nothing else were added first.
"""
from __future__ import annotations

import re
import shutil
import tomllib
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

import tomli_w

from .atomic import write_atomic
from .corpus import MANIFEST, Corpus, CorpusError, manifest_entry
from .extract_result import LOW_CONFIDENCE, PageConfidence
from .model import Document
from .parse import ParseResult, parse_text

MAX_PASSAGE = 5_000  # characters; the longest passage of the real declarations has 589
_TITLE = re.compile(r"^\s*(?:第\s*[0-9０-９一二三四五六七八九十]+\s*回\s*中小企業都市サミット\s*)?(.{1,30}?(?:宣言|決議))\s*$")


@dataclass(frozen=True)
class Draft:
    """A parsed declaration not yet in the corpus."""

    document: Document
    text: str  # the extracted text, to be stored as the corpus file
    original: Path
    parse: ParseResult
    warnings: tuple[str, ...] = ()
    pages: tuple[int, ...] = ()
    ocr: tuple[PageConfidence, ...] = ()  # a scan's OCR confidence, per page (index/extract_ocr.py)

    def summary(self) -> dict:
        """What a person checks before the document goes live."""
        passages = self.parse.passages
        return {
            "key": self.document.key,
            "summit": self.document.summit,
            "title": self.document.display_title,
            "host_city": self.document.host_city,
            "passages": len(passages),
            "kinds": dict(Counter(p.kind for p in passages)),
            "sections": list(dict.fromkeys(p.section[0] for p in passages if p.section)),
            "organizations": sorted({p.organization for p in passages if p.city}),
            "set_aside": [f"{e.reason}: {e.text[:40]}" for e in self.parse.excluded],
            "warnings": list(self.warnings),
            # A scan's: how sure OCR was of each page, and the lines a person should compare with the original.
            "ocr": [{"page": p.page, "confidence": p.mean, "lang": p.lang} for p in self.ocr],
            "low_confidence": [{"page": p.page, "confidence": c, "text": t} for p in self.ocr
                               for t, c in p.low_lines(LOW_CONFIDENCE)],
        }


def prepare(corpus: Corpus, file: Path, summit: int, title: str = "", host_city: str = "", date: str = "",
            url: str = "", text_from: Path | None = None, fixes: tuple[tuple[str, str], ...] = ()) -> Draft:
    """Extract and parse `file` as the declaration of summit `summit`; nothing is written.

    `text_from`: a person's corrected text of `file` (UTF-8 or Markdown, e.g. what `--text-out` wrote), used
    instead of the extraction; `file` stays the published original. `fixes`: (wrong, right) OCR corrections
    recorded with the document, applied to search and section labels, never to the text shown.
    """
    from .extract import extract

    if summit < 1:
        raise CorpusError(f"the summit number must be 1 or more, not {summit}", "summit-number-invalid", summit=summit)
    extracted = extract(file)
    if text_from is not None:  # the person's text replaces the extraction; its page offsets no longer apply
        edited = extract(text_from)
        extracted = replace(edited, pages=(), warnings=(*edited.warnings, f"text from {text_from.name}, edited by hand"))
    title = title or _guess_title(extracted.text) or f"第{summit}回宣言"
    host_city = host_city or _guess_host(corpus, title)
    doc = Document(
        key=_new_key(corpus, summit, host_city), summit=summit, title=title, host_city=host_city,
        file=f"documents/{_new_key(corpus, summit, host_city)}.txt",
        member_cities=tuple(corpus.gazetteer.cities), date=date, source_url=url, search_fixes=tuple(fixes),
    )
    result = parse_text(extracted.text, doc, corpus.gazetteer.city_of)
    # What the layout set aside (a newsletter's masthead, captions, …) is not in the text; the review shows it too.
    result = ParseResult(result.passages, sorted([*result.excluded, *extracted.set_aside], key=lambda e: e.start))
    if not result.passages:
        raise CorpusError(f"no declaration text was found in {file.name}", "no-declaration-text", name=file.name)
    longest = max(len(p.text) for p in result.passages)
    if longest > MAX_PASSAGE:
        raise CorpusError(f"{file.name} has a passage of {longest:,} characters without a paragraph break (at most"
                          f" {MAX_PASSAGE:,} make sense): its text is not laid out as a declaration",
                          "passage-too-long", name=file.name, length=longest, limit=MAX_PASSAGE)
    return Draft(doc, extracted.text, file, result, extracted.warnings, extracted.pages, extracted.ocr)


def parse_fixes(items: list[str] | tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """OCR corrections as a person writes them, one per item: `電線後=震災後`, `電線後→震災後` or `電線後 -> 震災後`.

    A malformed one is refused (code fix-malformed) rather than dropped: a correction someone typed and
    never saw applied would be worse than being asked again.
    """
    fixes = []
    for item in (i.strip() for i in items):
        if not item:
            continue
        wrong, sep, right = re.sub(r"\s*(?:->|→|＝|=)\s*", "=", item, count=1).partition("=")
        if not sep or not wrong.strip() or not right.strip() or wrong.strip() == right.strip():
            raise CorpusError(f"the correction {item!r} is not WRONG=RIGHT", "fix-malformed", item=item[:80])
        fixes.append((wrong.strip(), right.strip()))
    return tuple(fixes)


def add(corpus: Corpus, draft: Draft) -> Document:
    """Store the draft's text and original under a new key, and append its manifest entry (atomically).

    Never overwrites a file: the key is new to the manifest and to the files in documents/.
    """
    root = corpus.root
    for existing in corpus.documents:
        if (root / existing.file).is_file() and (root / existing.file).read_bytes() == draft.text.encode("utf-8"):
            raise CorpusError(f"this text is already in the corpus as {existing.key} ({existing.display_title})",
                              "already-in-corpus", key=existing.key, title=existing.display_title)
    key = _new_key(corpus, draft.document.summit, draft.document.host_city)
    text_path = root / "documents" / f"{key}.txt"
    original = root / "documents" / "originals" / f"{key}{draft.original.suffix.lower()}"
    doc = replace(draft.document, key=key, file=str(text_path.relative_to(root)),
                  original=str(original.relative_to(root)), pages=draft.pages)
    written: list[Path] = []
    try:
        text_path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(text_path, draft.text.encode("utf-8"))
        written.append(text_path)
        original.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(draft.original, original)
        written.append(original)
        _write_manifest(root, [*_entries(root), manifest_entry(doc)])
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return doc


def remove(corpus: Corpus, key: str) -> Document:
    """Take a document out of the manifest (its files are kept, renamed, for the record)."""
    doc = corpus.document(key) if any(d.key == key for d in corpus.documents) else None
    if doc is None:
        raise CorpusError(f"there is no document {key!r} in the corpus", "unknown-document", key=key)
    _write_manifest(corpus.root, [e for e in _entries(corpus.root) if e.get("key") != key])
    return doc


def _entries(root: Path) -> list[dict]:
    with (root / MANIFEST).open("rb") as handle:
        return tomllib.load(handle).get("document", [])


def _write_manifest(root: Path, entries: list[dict]) -> None:
    """Keep the manifest's explanatory header; rewrite the entries; replace the file in one step."""
    path = root / MANIFEST
    header = "".join(line for line in path.read_text(encoding="utf-8").splitlines(keepends=True)
                     if line.startswith("#")) if path.exists() else ""
    body = tomli_w.dumps({"document": entries})
    write_atomic(path, (header + "\n" + body).encode("utf-8"))


def _guess_title(text: str) -> str:
    for line in text.splitlines()[:15]:
        match = _TITLE.match(line.strip())
        if match:
            return match.group(1).strip()
    return ""


def _guess_host(corpus: Corpus, title: str) -> str:
    """おかや宣言 → 岡谷市: a city named in the declaration's title hosted it."""
    for city, aliases in corpus.gazetteer.cities.items():
        if any(alias in title for alias in (city, *aliases) if not alias.isascii()):
            return city
    return ""


def _new_key(corpus: Corpus, summit: int, host_city: str) -> str:
    """summit10-okaya: the summit and the host's romaji name, made unique."""
    romaji = next((a for a in corpus.gazetteer.cities.get(host_city, ()) if a.isascii() and " " not in a), "")
    base = f"summit{summit:02d}-{romaji.lower()}" if romaji else f"summit{summit:02d}"
    documents = corpus.root / "documents"
    taken = {d.key for d in corpus.documents} | {p.stem for p in documents.glob("*.txt")}
    taken |= {p.stem for p in (documents / "originals").glob("*")}
    key, n = base, 2
    while key in taken:
        key, n = f"{base}-{n}", n + 1
    return key
