"""A person checks a new declaration before it goes in: the text to correct, OCR fixes, drafts that wait.

`summitbot corpus add` as an admin runs it (a real subprocess, a real PDF);
the Slack side (drafts kept in SQLite across a restart, the corrections form)
over real HTTP against the fake Slack.
"""
from __future__ import annotations

import shutil
import tomllib
from dataclasses import replace

from index.corpus import Corpus

from .conftest import ROOT, cli_env, summitbot
from .test_refresh import make_pdf


def corpus_copy(built, tmp_path):
    settings = replace(built, corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index")
    shutil.copytree(ROOT / "corpus", settings.corpus_dir)
    return settings


def test_text_out_then_text_from_adds_the_corrected_text_and_keeps_the_original(built, tmp_path):
    settings = corpus_copy(built, tmp_path)
    manifest = (settings.corpus_dir / "summits.toml").read_bytes()
    pdf, text = make_pdf(tmp_path / "okaya.pdf"), tmp_path / "okaya.txt"
    out = summitbot("corpus", "add", str(pdf), "--summit", "10", "--text-out", str(text), env=cli_env(settings))
    assert out.returncode == 0, out.stderr
    assert f"--text-from {text}" in out.stdout and "nothing was changed" in out.stdout
    assert (settings.corpus_dir / "summits.toml").read_bytes() == manifest  # writing the text changes nothing
    extracted = text.read_text(encoding="utf-8")
    assert "技能伝承マイスター制度" in extracted
    text.write_text(extracted.replace("技能伝承マイスター制度", "技能伝承マイスター認定制度"), encoding="utf-8")
    added = summitbot("corpus", "add", str(pdf), "--summit", "10", "--text-from", str(text),
                      "--fix", "電線後=震災後", env=cli_env(settings))
    assert added.returncode == 0, added.stderr
    assert "edited by hand" in added.stdout and "fix / 修正: 電線後 → 震災後" in added.stdout
    [doc] = [d for d in Corpus.load(settings.corpus_dir).documents if d.summit == 10]
    stored = (settings.corpus_dir / doc.file).read_text(encoding="utf-8")
    assert "技能伝承マイスター認定制度" in stored  # the person's text, not the extraction
    assert (settings.corpus_dir / doc.original).read_bytes() == pdf.read_bytes()  # the published PDF is kept
    assert doc.search_fixes == (("電線後", "震災後"),) and doc.pages == ()
    with (settings.corpus_dir / "summits.toml").open("rb") as handle:
        entry = [e for e in tomllib.load(handle)["document"] if e["summit"] == 10][0]
    assert entry["search_fixes"] == {"電線後": "震災後"}  # recorded per document in the manifest


def test_a_malformed_fix_is_refused_before_anything_is_read(built, tmp_path):
    settings = corpus_copy(built, tmp_path)
    result = summitbot("corpus", "add", str(make_pdf(tmp_path / "x.pdf")), "--summit", "10", "--fix", "電線後",
                       env=cli_env(settings))
    assert result.returncode == 2 and "WRONG=RIGHT" in result.stderr and "Traceback" not in result.stderr
