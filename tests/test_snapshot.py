"""An index version carries the gazetteer and glossary it was built with: a rollback brings them back too."""
from __future__ import annotations

import shutil
from dataclasses import replace

from index.service import SummitIndex, build
from index.store import current_version, rollback

from .conftest import ROOT

QUESTION = "ミナモトシティの取組みは？"  # a name that is 岡谷市 only in the newer gazetteer


def test_a_rollback_answers_with_the_gazetteer_of_the_version_it_returns_to(built, embedder, tmp_path):
    shutil.copytree(ROOT / "corpus", tmp_path / "corpus")
    shutil.copytree(built.index_dir, tmp_path / "index")
    settings = replace(built, corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index")
    old = current_version(settings.index_dir)
    assert (settings.index_dir / "versions" / old / "gazetteer.toml").read_bytes() == \
        (ROOT / "corpus" / "gazetteer.toml").read_bytes()

    gazetteer = settings.corpus_dir / "gazetteer.toml"
    gazetteer.write_text(gazetteer.read_text(encoding="utf-8").replace('"おかやし", ', '"おかやし", "ミナモトシティ", '),
                         encoding="utf-8")
    new = build(settings, progress=False, embedder=embedder).version
    assert "岡谷市" in SummitIndex.open(settings, embedder=embedder).ask(QUESTION).analysis.cities

    assert rollback(settings.index_dir) == (new, old)
    rolled_back = SummitIndex.open(settings, embedder=embedder)  # the corpus folder still has the new gazetteer
    assert "岡谷市" not in rolled_back.ask(QUESTION).analysis.cities
    assert "岡谷市" in rolled_back.ask("おかやの取組みは？").analysis.cities


def test_a_damaged_gazetteer_copy_is_named_at_load(built, tmp_path):
    shutil.copytree(built.index_dir, tmp_path / "index")
    version = current_version(tmp_path / "index")
    (tmp_path / "index" / "versions" / version / "gazetteer.toml").write_text("# edited by hand\n", encoding="utf-8")
    from index.store import IndexCorruptError, load_index
    try:
        load_index(tmp_path / "index")
    except IndexCorruptError as error:
        assert "gazetteer.toml" in str(error)
    else:
        raise AssertionError("a changed gazetteer copy was loaded without complaint")
