"""The corpus folder: the manifest of declarations, their files, the gazetteer and the glossary."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from .errors import SummitError
from .model import Document, Passage
from .parse import ParseResult, parse_text, read_source

MANIFEST = "summits.toml"
GAZETTEER = "gazetteer.toml"
GLOSSARY = "glossary.toml"


class CorpusError(SummitError):
    """The corpus folder is missing something, has a malformed file, or refuses a change: a code and the facts."""

    code = "corpus-error"


def _load_toml(path: Path) -> dict:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError as exc:
        raise CorpusError(f"{path} is missing", "corpus-file-missing", path=str(path)) from exc
    except tomllib.TOMLDecodeError as exc:
        raise CorpusError(f"{path} is not valid TOML: {exc}", "corpus-file-invalid", path=str(path),
                          detail=str(exc)) from exc


def _document(entry: dict, where: Path) -> Document:
    try:
        return Document.from_dict(entry)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise CorpusError(f"{where}: a [[document]] entry lacks or mistypes {exc}", "corpus-entry-invalid",
                          path=str(where), detail=str(exc)) from exc


_OPTIONAL = ("notes", "search_fixes", "original", "pages")  # left out of a manifest entry when empty


def manifest_entry(doc: Document) -> dict:
    """The document's [[document]] entry in summits.toml: `Document.to_dict` without empty optional fields."""
    return {name: value for name, value in doc.to_dict().items() if value or name not in _OPTIONAL}


@dataclass(frozen=True)
class Organization:
    name: str
    city: str
    kind: str  # city | chamber
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Gazetteer:
    """Names of the member cities and their chambers, as questions spell them."""

    cities: dict[str, tuple[str, ...]]
    organizations: dict[str, Organization]
    chamber_words: tuple[str, ...]
    declaration_names: dict[str, int]

    def city_of(self, organization: str) -> str:
        """The city an organization belongs to ("" when unknown and not itself a city)."""
        if organization in self.cities:
            return organization
        org = self.organizations.get(organization)
        if org:
            return org.city
        for city, aliases in self.cities.items():
            if any(alias in organization for alias in aliases if len(alias) >= 2 and not alias.isascii()):
                return city
        return ""

    @classmethod
    def load(cls, path: Path) -> Gazetteer:
        data = _load_toml(path)
        cities = {c["name"]: tuple(c.get("aliases", [])) or (c["name"],) for c in data.get("city", [])}
        orgs = {name: Organization(name, name, "city", aliases) for name, aliases in cities.items()}
        for entry in data.get("organization", []):
            orgs[entry["name"]] = Organization(
                entry["name"], entry["city"], entry.get("kind", "chamber"), tuple(entry.get("aliases", []))
            )
        words = data.get("chamber_words", {})
        names = {alias: int(d["summit"]) for d in data.get("declaration_name", []) for alias in d["aliases"]}
        return cls(cities, orgs, tuple(words.get("ja", [])) + tuple(words.get("en", [])), names)


@dataclass(frozen=True)
class GlossaryTerm:
    ja: tuple[str, ...]
    en: tuple[str, ...]
    ask: tuple[str, ...]
    meta: bool = False  # words about asking ("commit", "propose"): blanked, neither expanded nor counted


def load_glossary(path: Path) -> list[GlossaryTerm]:
    data = _load_toml(path)
    return [
        GlossaryTerm(tuple(t.get("ja", [])), tuple(t.get("en", [])), tuple(t.get("ask", [])), bool(t.get("meta")))
        for t in data.get("term", [])
    ]


@dataclass(frozen=True)
class Corpus:
    """The corpus folder as loaded: documents in manifest order, plus the name lists."""

    root: Path
    documents: tuple[Document, ...]
    gazetteer: Gazetteer
    glossary: tuple[GlossaryTerm, ...]

    @classmethod
    def load(cls, root: Path) -> Corpus:
        if not root.is_dir():
            raise CorpusError(f"corpus folder {root} does not exist", "corpus-folder-missing", path=str(root))
        manifest = root / MANIFEST
        docs = tuple(_document(e, manifest) for e in _load_toml(manifest).get("document", []))
        keys = [d.key for d in docs]
        if len(set(keys)) != len(keys):
            raise CorpusError(f"{manifest}: document keys must be unique, got {keys}", "corpus-duplicate-keys",
                              path=str(manifest), keys=sorted({k for k in keys if keys.count(k) > 1}))
        return cls(root, docs, Gazetteer.load(root / GAZETTEER), tuple(load_glossary(root / GLOSSARY)))

    def document(self, key: str) -> Document:
        for doc in self.documents:
            if doc.key == key:
                return doc
        raise KeyError(key)

    def source(self, doc: Document) -> str:
        path = self.root / doc.file
        if not path.resolve().is_relative_to(self.root.resolve()):  # a symlink (or `..`) out of the corpus
            raise CorpusError(f"{path} is listed in {MANIFEST} but lies outside the corpus folder {self.root}",
                              "document-outside-corpus", path=str(path), corpus_dir=str(self.root))
        try:
            return read_source(path.read_bytes())
        except FileNotFoundError as exc:
            raise CorpusError(f"{path} is listed in {MANIFEST} but missing", "document-missing", path=str(path)) from exc
        except UnicodeDecodeError as exc:
            raise CorpusError(f"{path} is not UTF-8 text: {exc}", "document-not-utf8", path=str(path),
                              detail=str(exc)) from exc

    def parse(self, doc: Document) -> ParseResult:
        return parse_text(self.source(doc), doc, self.gazetteer.city_of)

    def passages(self) -> list[Passage]:
        """All passages of all documents, in manifest then document order."""
        return [p for doc in self.documents for p in self.parse(doc).passages]
