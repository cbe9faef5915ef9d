"""The index folder's versions: which one is current, switching, rolling back, pruning, checksums.

    .index/
      CURRENT                 name of the serving version (replaced atomically)
      versions/<version>/     manifest.json, passages.jsonl, vectors.npy, dense.faiss, sentences.npz,
                              lexical.npz, idf.npy, vocab.json, gazetteer.toml, glossary.toml

A build (index/builder.py) writes a new version beside the current one and
switches CURRENT only when every file is written, checksummed and synced, so
an interrupted build leaves the serving version untouched; loading
(index/store.py) verifies the checksums in the manifest.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from pathlib import Path

from .atomic import write_atomic
from .errors import SummitError

FORMAT = 1
KEEP_VERSIONS = 3  # versions kept for `index rollback`


class IndexProblem(SummitError):
    """Base of index problems: a code (index-missing, index-file-damaged, …) and the facts, phrased by bot/."""

    code = "index-problem"


class IndexMissingError(IndexProblem):
    """No index has been built in this folder yet."""

    code = "index-missing"


class IndexCorruptError(IndexProblem):
    """A version's manifest or one of its files is missing, damaged or of an old format: build it again."""

    code = "index-corrupt"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def fsync_tree(folder: Path) -> None:
    for file in folder.iterdir():
        with file.open("rb") as handle:
            os.fsync(handle.fileno())


def switch_current(index_dir: Path, version: str) -> None:
    write_atomic(index_dir / "CURRENT", version + "\n")


def prune_old(versions: Path, keep: int) -> None:
    """Keep the newest versions (for rollback) and drop leftovers of killed builds."""
    done = sorted(p for p in versions.iterdir() if p.is_dir() and not p.name.startswith("."))
    for old in done[:-keep]:
        shutil.rmtree(old, ignore_errors=True)
    for partial in versions.glob(".*.partial"):
        if time.time() - partial.stat().st_mtime > 3600:
            shutil.rmtree(partial, ignore_errors=True)


def prune_versions(index_dir: Path) -> None:
    """Keep the newest KEEP_VERSIONS versions (what a build does when it prunes)."""
    if (index_dir / "versions").is_dir():
        prune_old(index_dir / "versions", keep=KEEP_VERSIONS)


def versions(index_dir: Path) -> list[str]:
    """Complete versions, oldest first."""
    folder = index_dir / "versions"
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))


def rollback(index_dir: Path) -> tuple[str, str]:
    """Make the version before the current one current again; returns (from, to)."""
    current = current_version(index_dir)
    older = [v for v in versions(index_dir) if v < current]
    if not older:
        raise IndexProblem(f"there is no version older than {current} to roll back to", "no-older-version",
                           current=current)
    target = older[-1]
    read_manifest(index_dir / "versions" / target)
    verify(index_dir / "versions" / target, read_manifest(index_dir / "versions" / target))
    switch_current(index_dir, target)
    return current, target


def restore_current(index_dir: Path, version: str | None, failed: str = "") -> None:
    """Undo a change: make `version` current again (None: there was no index) and delete version `failed`.

    Used when a new version was built but must not stay (it could not be
    loaded, or the change it belongs to failed): the index is then exactly as
    it was, and the failed version cannot take a rollback slot.
    """
    if version is None:
        (index_dir / "CURRENT").unlink(missing_ok=True)
    else:
        switch_current(index_dir, version)
    if failed and failed != version and "/" not in failed and not failed.startswith("."):
        shutil.rmtree(index_dir / "versions" / failed, ignore_errors=True)


def current_version(index_dir: Path) -> str:
    pointer = index_dir / "CURRENT"
    if not pointer.exists():
        raise IndexMissingError(f"there is no index in {index_dir} yet", "index-missing", index_dir=str(index_dir))
    return pointer.read_text(encoding="utf-8").strip()


def read_manifest(folder: Path) -> dict:
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise IndexCorruptError(f"index version {folder.name} has no manifest", "index-no-manifest",
                                version=folder.name) from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise IndexCorruptError(f"index manifest {folder / 'manifest.json'} is damaged", "index-manifest-damaged",
                                version=folder.name, path=str(folder / "manifest.json")) from exc
    if manifest.get("format") != FORMAT:
        raise IndexCorruptError(f"index version {folder.name} has an old format", "index-old-format",
                                version=folder.name)
    return manifest


def verify(folder: Path, manifest: dict) -> None:
    for name, expected in manifest.get("files", {}).items():
        path = folder / name
        if not path.exists() or file_sha256(path) != expected:
            raise IndexCorruptError(f"index file {path} is missing or damaged (checksum mismatch)",
                                    "index-file-damaged", version=folder.name, path=str(path), file=name)
