"""Changes to the corpus — prepare, add, remove, roll back — as one locked, all-or-nothing step for every front end.

Slack (bot/curation.py, /summit remove and rollback) and the command line
call these; they keep only their dialogue. Each change:

1. holds the corpus lock: `fcntl.flock` on a file in the corpus folder, so two
   admins in Slack, and the server and a `summitbot` command, take turns (flock
   locks belong to an open file, so threads of one process exclude each other
   too, and the kernel releases the lock of a process that dies);
2. notes how things are: the manifest's bytes and the CURRENT index version;
3. changes the manifest (a new document gets its key here, under the lock);
4. builds a new index version in a limited child process (index/worker.py);
5. has the serving index load it, and checks it serves exactly that version.

Only then is the change reported as done. If any step fails — a refused file,
a build stopped for time or memory, a crash, a version that does not load —
everything is put back: the manifest's bytes, no new text or original file,
CURRENT on the version it was on (the failed version deleted), and the server
on that version. The exception that stopped the change is raised again.
"""
from __future__ import annotations

import fcntl
import logging
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from . import library, worker
from .atomic import write_atomic
from .corpus import MANIFEST, Corpus, CorpusError
from .model import Document
from .settings import Settings
from .store import BuildReport, IndexMissingError, IndexProblem, current_version, prune_versions, restore_current
from .store import rollback as rollback_index

log = logging.getLogger(__name__)

LOCK_FILE = ".summitbot.lock"
LOCK_WAIT = 20 * 60  # seconds to wait for another change (a build may take up to 15 minutes)
Builder = Callable[[Settings], BuildReport]


def child_build(settings: Settings) -> BuildReport:
    """The default builder: a limited child process, keeping old versions until the change is done."""
    return worker.build(settings, prune=False)


class CorpusBusy(CorpusError):
    """Another change held the corpus for longer than LOCK_WAIT."""

    code = "corpus-busy"


@dataclass(frozen=True)
class ChangeReport:
    """What a change did, for the person who asked for it."""

    action: str  # "added" | "removed" | "rolled back" | "recorded" (manifest only, no build)
    document: Document | None
    version: str  # the index version now current (and serving, when a server was given)
    previous: str  # the version current before ("" when there was none)
    passages: int = 0  # passages of the added document
    embedded: int = 0  # texts the build embedded
    seconds: float = 0.0


@contextmanager
def corpus_lock(corpus_dir: Path, wait: float = LOCK_WAIT) -> Iterator[None]:
    """Hold the corpus lock (blocking up to `wait` seconds, then CorpusBusy)."""
    corpus_dir.mkdir(parents=True, exist_ok=True)
    with (corpus_dir / LOCK_FILE).open("a") as handle:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise CorpusBusy(f"another change to the corpus held its lock for over {wait:.0f} s",
                                     "corpus-busy", waited=round(wait)) from None
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def prepare(settings: Settings, file: Path, summit: int, title: str = "", host_city: str = "", date: str = "",
            url: str = "", text_from: Path | None = None, fixes: tuple[tuple[str, str], ...] = ()) -> library.Draft:
    """Read a file as the declaration of summit `summit`, in a limited child; nothing is written.

    The draft (its parse summarised by `Draft.summary()`) is what a person checks before `add`; `text_from`
    and `fixes` are their corrections (library.prepare).
    """
    return worker.prepare(settings.corpus_dir, file, summit, title, host_city, date, url,
                          text_from=text_from, fixes=fixes)


def add(settings: Settings, draft: library.Draft, live=None, build: Builder | None = child_build) -> ChangeReport:
    """Add a prepared declaration, build, and go live — or change nothing. `build=None`: record it only."""
    started = time.monotonic()
    with corpus_lock(settings.corpus_dir):
        before = _Before.take(settings)
        doc = None
        try:
            doc = library.add(Corpus.load(settings.corpus_dir), draft)
            report = _build_and_serve(settings, live, build)
        except BaseException:
            before.restore(settings, live, new_files=_files_of(settings.corpus_dir, doc))
            raise
    return ChangeReport("added" if build else "recorded", doc, report.version if report else before.current,
                        before.current, len(draft.parse.passages), report.embedded if report else 0,
                        time.monotonic() - started)


def remove(settings: Settings, key: str, live=None, build: Builder | None = child_build) -> ChangeReport:
    """Take a declaration out, build, and go live — or change nothing. `build=None`: record it only."""
    started = time.monotonic()
    with corpus_lock(settings.corpus_dir):
        before = _Before.take(settings)
        try:
            doc = library.remove(Corpus.load(settings.corpus_dir), key)
            report = _build_and_serve(settings, live, build)
        except BaseException:
            before.restore(settings, live)
            raise
    return ChangeReport("removed" if build else "recorded", doc, report.version if report else before.current,
                        before.current, embedded=report.embedded if report else 0, seconds=time.monotonic() - started)


def rollback(settings: Settings, live=None) -> ChangeReport:
    """Make the previous index version current and serving — or change nothing."""
    started = time.monotonic()
    with corpus_lock(settings.corpus_dir):
        before = _Before.take(settings)
        try:
            _, target = rollback_index(settings.index_dir)
            _serve(live, target)
        except BaseException:
            before.restore(settings, live, drop_failed=False)  # an older version stays, even if it did not load
            raise
    return ChangeReport("rolled back", None, target, before.current, seconds=time.monotonic() - started)


def _build_and_serve(settings: Settings, live, build: Builder | None) -> BuildReport | None:
    if build is None:
        return None
    report = build(settings)
    _serve(live, report.version)
    prune_versions(settings.index_dir)  # only now: until here the change could still be undone
    return report


def _serve(live, version: str) -> None:
    """Have the serving index load `version`; an IndexProblem unless it then serves exactly that version."""
    if live is None:
        return
    serving = live.reload()
    if serving != version:
        why = live.load_error or f"{serving} is current instead"
        raise IndexProblem(f"the new index version {version} could not be loaded ({why})", "index-not-loaded",
                           version=version, why=why)


def _files_of(corpus_dir: Path, doc: Document | None) -> list[Path]:
    if doc is None:
        return []
    return [corpus_dir / name for name in (doc.file, doc.original) if name]


@dataclass(frozen=True)
class _Before:
    """How the corpus and the index were before a change, to put them back exactly."""

    manifest: bytes | None
    current: str  # "" when there was no index
    versions: frozenset[str]  # what the versions folder held (complete versions and leftovers alike)
    folders: frozenset[Path]  # the corpus's folders for documents that existed

    @classmethod
    def take(cls, settings: Settings) -> _Before:
        path = settings.corpus_dir / MANIFEST
        try:
            current = current_version(settings.index_dir)
        except IndexMissingError:
            current = ""
        documents = settings.corpus_dir / "documents"
        folders = frozenset(p for p in (documents, documents / "originals") if p.is_dir())
        return cls(path.read_bytes() if path.exists() else None, current, _listing(settings.index_dir), folders)

    def restore(self, settings: Settings, live, new_files: list[Path] = (), drop_failed: bool = True) -> None:
        """Put everything back; a step that cannot be undone is logged and reported, not hidden."""
        problems = []
        steps = (lambda: self._manifest(settings.corpus_dir), lambda: self._files(new_files),
                 lambda: self._index(settings.index_dir, drop_failed), lambda: self._serving(live))
        for step in steps:
            try:
                step()
            except Exception as error:  # noqa: BLE001 - each step is tried; all failures are reported
                log.exception("undoing a failed corpus change")
                problems.append(f"{type(error).__name__}: {error}")
        if problems:
            raise CorpusError("the failed change could not be fully undone (" + "; ".join(problems) + ")",
                              "undo-incomplete", problems="; ".join(problems),
                              manifest=str(settings.corpus_dir / MANIFEST))
        log.info("corpus change undone: manifest and index version %s as before", self.current or "(none)")

    def _manifest(self, corpus_dir: Path) -> None:
        path = corpus_dir / MANIFEST
        if self.manifest is None or (path.exists() and path.read_bytes() == self.manifest):
            return
        write_atomic(path, self.manifest)

    def _files(self, new_files: list[Path]) -> None:
        """No file the change wrote, and no folder it made for them."""
        for path in new_files:
            path.unlink(missing_ok=True)
        for folder in sorted({p.parent for p in new_files}, key=lambda p: -len(p.parts)):
            if folder not in self.folders and folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()

    def _serving(self, live) -> None:
        """The server back on the version from before (it may have loaded the new one in the meantime)."""
        if live is not None and live.current.version != self.current:
            live.reload()

    def _index(self, index_dir: Path, drop_failed: bool) -> None:
        """CURRENT as it was; the failed build's version and its half-written folder (if any) gone."""
        try:
            now = current_version(index_dir)
        except IndexMissingError:
            now = ""
        if now != self.current:
            restore_current(index_dir, self.current or None, failed=now if drop_failed else "")
        if drop_failed:
            for name in _listing(index_dir) - self.versions:
                shutil.rmtree(index_dir / "versions" / name, ignore_errors=True)


def _listing(index_dir: Path) -> frozenset[str]:
    folder = index_dir / "versions"
    return frozenset(p.name for p in folder.iterdir()) if folder.is_dir() else frozenset()
