"""Replacing one file so that a reader, or a crash, sees the old bytes or the new ones, never a mix.

The corpus manifest, CURRENT, the embedding cache and every other single file
index/ rewrites go through `write_atomic`: the new bytes are written to a
temporary file beside the target (same folder, so the rename stays on one
file system), synced, renamed over the target, and the folder is synced so
the rename itself survives a power cut. A failure leaves the target as it was
and no temporary file behind. Whole folders (an index version, the converted
model) are renamed by their owners instead.
"""
from __future__ import annotations

import os
import uuid
from pathlib import Path


def write_atomic(path: Path, data: bytes | str, mode: int | None = None) -> None:
    """Replace `path` with `data` (str is written as UTF-8) in one step; `mode`: the new file's permissions."""
    path = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with tmp.open("xb") as handle:
            handle.write(payload)
            handle.flush()
            if mode is not None:
                os.fchmod(handle.fileno(), mode)
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_folder(path.parent)


def fsync_folder(folder: Path) -> None:
    """Make a rename or a new entry in `folder` durable (a no-op where folders cannot be opened)."""
    try:
        descriptor = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
