"""One serialisation of a Document (to_dict / from_dict) for the corpus manifest, index manifests and drafts."""
from __future__ import annotations

import json
import tomllib
from dataclasses import replace
from pathlib import Path

import tomli_w

from index.corpus import MANIFEST, Corpus, _document, manifest_entry

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def documents():
    return Corpus.load(CORPUS).documents


def test_round_trip_through_json_and_toml():
    docs = documents()
    assert any(d.search_fixes for d in docs)  # the case that differs between the formats is covered
    for doc in docs:
        doc = replace(doc, original="documents/originals/x.pdf", pages=(0, 1200))
        assert type(doc).from_dict(json.loads(json.dumps(doc.to_dict(), ensure_ascii=False))) == doc
        entry = tomllib.loads(tomli_w.dumps({"document": [manifest_entry(doc)]}))["document"][0]
        assert _document(entry, CORPUS / MANIFEST) == doc


def test_the_manifest_as_written_by_hand_still_loads():
    raw = tomllib.loads((CORPUS / MANIFEST).read_text(encoding="utf-8"))["document"]
    assert [d.key for d in documents()] == [e["key"] for e in raw]
    fixed = next(d for d in documents() if d.search_fixes)
    entry = next(e for e in raw if e["key"] == fixed.key)
    assert dict(fixed.search_fixes) == entry["search_fixes"]


def test_index_manifests_written_before_to_dict_still_load():
    """Versions built before: every field, search_fixes as [wrong, right] pairs, a sha256 beside them."""
    for doc in documents():
        old = {name: getattr(doc, name) for name in type(doc).__dataclass_fields__}
        old.update(member_cities=list(doc.member_cities), search_fixes=[list(p) for p in doc.search_fixes],
                   pages=list(doc.pages), sha256="0" * 64)
        assert type(doc).from_dict(json.loads(json.dumps(old, ensure_ascii=False))) == doc


def test_a_new_entry_leaves_out_empty_optional_fields():
    doc = replace(documents()[0], notes="", search_fixes=(), original="", pages=())
    entry = manifest_entry(doc)
    assert not {"notes", "search_fixes", "original", "pages"} & entry.keys()
    assert {"key", "summit", "title", "host_city", "file", "member_cities", "issuer", "date", "source_url"} <= entry.keys()
