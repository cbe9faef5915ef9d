"""`make bench` keeps working and keeps telling the truth: its parts run, at a small scale, here."""
from __future__ import annotations

import re
import sys

import pytest

from index import vectors as dense_index

from .conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
import quality  # noqa: E402
import eval_table  # noqa: E402
import run as bench_run  # noqa: E402
import scale  # noqa: E402


@pytest.fixture(scope="module")
def compared(service):
    return quality.compare(service)


def test_the_pipeline_beats_bm25_and_plain_dense_retrieval_in_each_language(compared):
    pooled = compared["sets"]["pooled"]
    assert pooled["pipeline_beats_both"] == {"ja": True, "en": True}
    for baseline in quality.BASELINES:
        for lang in quality.LANGS:
            assert all(r is None or r > 1 for r in pooled["ratios"][baseline][lang].values()), (baseline, lang)
    assert {"dev (shared)", "team (tuned on)", "held-out (blind)", "held-out 2 (blind)", "pooled"} <= set(compared["sets"])


def test_the_quality_table_shows_every_system_and_the_ratios(compared):
    table = quality.markdown(compared)
    for system in quality.SYSTEMS:
        assert re.search(rf"\| pooled \| ja \| \d+ \| {system} \|", table)
    assert "×" in table
    assert "ja yes, en yes" in table


def test_scale_compares_exact_and_approximate_search_and_marks_the_index_in_use(service, tmp_path, monkeypatch):
    monkeypatch.setattr(scale, "CACHE", tmp_path)  # the small corpus's vectors stay out of the checkout
    monkeypatch.setattr(dense_index, "EXACT_LIMIT", 1000)
    result = scale.run([300, 1500], real=300, service=service)
    small, large = result["sizes"]
    assert small["vectors"] == "real" and large["vectors"] == "synthetic"
    assert [row["chosen"] for row in small["indexes"]] == [True, False, False]  # 300 ≤ 1000: exact
    assert [row["chosen"] for row in large["indexes"]] == [False, True, False]  # 1500 > 1000: IVF
    exact, ivf, _ = large["indexes"]
    assert exact["recall@10"] == 1.0
    assert ivf["recall@10"] >= 0.95
    assert exact["bytes_per_passage"] == 4 * service.embedder.dim
    assert [s["nprobe"] for s in ivf["sweep"]] == list(scale.NPROBE_SWEEP)
    assert small["pipeline"]["passages"] == 300 and small["pipeline"]["search_ms"]["p50"] > 0
    memory = small["pipeline"]["memory_per_passage_bytes"]
    assert memory["faiss index"] >= 4 * service.embedder.dim and memory["passages"] > 100
    assert memory["total"] == sum(size for part, size in memory.items() if part != "total") or abs(
        memory["total"] - sum(size for part, size in memory.items() if part != "total")) <= 4  # rounding
    table = scale.markdown(result)
    assert table.count("| 1,500 (synthetic) |") == 3 and "✓" in table
    assert list(tmp_path.glob("scale-*.npz"))  # the real embeddings were cached


def test_the_readme_section_between_the_markers_is_replaced_and_nothing_else(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"# Title\n\nbefore\n{bench_run.BEGIN}\nold table\n{bench_run.END}\nafter\n", encoding="utf-8")
    bench_run.update_readme("new table", readme)
    assert readme.read_text(encoding="utf-8") == (
        f"# Title\n\nbefore\n{bench_run.BEGIN}\nnew table\n{bench_run.END}\nafter\n")
    readme.write_text("no markers\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="bench:begin"):
        bench_run.update_readme("x", readme)


def test_the_eval_table_has_a_row_per_set_and_language_with_the_best_baseline():
    def figures(hit1: float, unanswerable: int = 0) -> dict:
        return {"questions": 10, "hit@1": hit1, "hit@5": 1.0, "mrr": 0.9, "precision": 0.8, "excerpt@1": 0.7,
                "citations_per_answer": 1.2, "refused_answerable": 1, "unanswerable": unanswerable,
                "rightly_refused": unanswerable // 2}

    systems = {"pipeline": {"ja": figures(0.9, 4), "en": figures(0.8)},
               "bm25": {"ja": figures(0.5), "en": figures(0.1)}, "dense": {"ja": figures(0.6), "en": figures(0.3)}}
    lines = eval_table.table({"blindZ_questions.jsonl": systems, "dev_questions.jsonl": systems}).splitlines()
    assert [line.split(" | ")[0:2] for line in lines[2:]] == [["| dev", "ja"], ["| dev", "en"], ["| blindZ", "ja"],
                                                              ["| blindZ", "en"]]
    assert lines[2].endswith("| 1/10 | 2/4 | 0.600 (dense) |") and lines[3].endswith("| 1/10 | – | 0.300 (dense) |")
