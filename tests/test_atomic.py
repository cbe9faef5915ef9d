"""index/atomic.py: one file replaced in one step, nothing left behind when writing fails."""
from __future__ import annotations

import stat

import pytest

from index import atomic
from index.atomic import write_atomic


def test_replaces_the_file_and_leaves_no_temporary_file(tmp_path):
    path = tmp_path / "summits.toml"
    path.write_text("old")
    write_atomic(path, "新しい")
    write_atomic(tmp_path / "CURRENT", b"v2\n", mode=0o600)
    assert path.read_text(encoding="utf-8") == "新しい" and (tmp_path / "CURRENT").read_bytes() == b"v2\n"
    assert stat.S_IMODE((tmp_path / "CURRENT").stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["CURRENT", "summits.toml"]


def test_a_failed_write_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "summits.toml"
    path.write_text("old")

    def broken(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(atomic.os, "replace", broken)
    with pytest.raises(OSError, match="disk full"):
        write_atomic(path, "new")
    assert path.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["summits.toml"]
