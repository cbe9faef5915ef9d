"""A damaged index is detected at load (checksums in its manifest) and the server keeps the last good version."""
from __future__ import annotations

import shutil
from dataclasses import replace

import pytest

from bot.phrases import explain
from index.service import LiveIndex, SummitIndex
from index.store import IndexCorruptError, current_version, load_index


@pytest.fixture
def copy(built, tmp_path):
    shutil.copytree(built.index_dir, tmp_path / "index")
    return replace(built, index_dir=tmp_path / "index")


def version_folder(settings):
    return settings.index_dir / "versions" / current_version(settings.index_dir)


@pytest.mark.parametrize("name, damage", [
    ("vectors.npy", lambda b: b[: len(b) // 2]),
    ("lexical.npz", lambda b: b[:100] + b"\x00" * 64 + b[164:]),
    ("passages.jsonl", lambda b: b.replace("岡谷".encode(), "岡山".encode(), 1)),
    ("dense.faiss", lambda b: b""),
])
def test_damaged_files_are_named_at_load(copy, name, damage):
    path = version_folder(copy) / name
    path.write_bytes(damage(path.read_bytes()))
    with pytest.raises(IndexCorruptError) as error:
        load_index(copy.index_dir)
    assert name in str(error.value) and error.value.code == "index-file-damaged" and error.value.facts["file"] == name
    assert "summitbot index build" in explain(error.value, "cli") and "管理者" in explain(error.value, "slack")


def test_damaged_manifest(copy):
    (version_folder(copy) / "manifest.json").write_text("{ not json")
    with pytest.raises(IndexCorruptError, match="manifest") as error:
        load_index(copy.index_dir)
    assert error.value.code == "index-manifest-damaged" and "summitbot index build" in explain(error.value, "cli")


def test_server_keeps_the_last_good_version(copy, embedder):
    live = LiveIndex(copy, SummitIndex.open(copy), check_every=0.0)
    good = live.version
    damaged = copy.index_dir / "versions" / "29991231T000000-ffffff"
    shutil.copytree(version_folder(copy), damaged)
    (damaged / "vectors.npy").write_bytes(b"\x93NUMPY broken")
    (copy.index_dir / "CURRENT").write_text(damaged.name + "\n")
    live.reload()
    assert live.version == good and live.snapshot().ask("岡谷は？").found
