"""Speed of the retrieval core on this machine: build time, model load, warm `ask` latency.

    .venv/bin/python bench/speed.py [--out bench/results/speed.json]

Builds a fresh index in a temporary folder (so the figure includes parsing,
embedding and writing), then asks every question of the eval sets in one
warm process. Targets (issue "retrieval core"): build of both documents
≤ 30 s including model load; warm ask p50 ≤ 50 ms on 2 CPU cores.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index.embed import Embedder  # noqa: E402
from index.evaluate import load_questions  # noqa: E402
from index.service import SummitIndex, build  # noqa: E402
from index.settings import Settings  # noqa: E402


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def measure() -> dict:
    settings = replace(Settings.from_env(), index_dir=Path(tempfile.mkdtemp(prefix="summitbot-bench-")))
    started = time.perf_counter()
    embedder = Embedder(settings.embed_model, settings.cache_dir)
    model_load = time.perf_counter() - started
    build(settings, progress=False, embedder=embedder)
    build_total = time.perf_counter() - started
    service = SummitIndex.open(settings, embedder=embedder)
    questions = [q["q"] for f in sorted((ROOT / "eval").glob("*.jsonl")) for q in load_questions(f)]
    service.ask(questions[0])  # first call warms caches (tokenizer, MeCab)
    ask_ms, embed_ms = [], []
    for question in questions:
        t0 = time.perf_counter()
        service.ask(question)
        ask_ms.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        embedder.encode_queries([question])
        embed_ms.append((time.perf_counter() - t0) * 1000)
    passages = len(service.answerer.searcher.data.passages)
    return {
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "model": settings.embed_model,
        "passages": passages,
        "model_load_s": round(model_load, 2),
        "index_build_s_including_model_load": round(build_total, 2),
        "build_passages_per_s": round(passages / (build_total - model_load), 1),
        "questions": len(questions),
        "warm_ask_ms": {"p50": round(statistics.median(ask_ms), 1), "p95": round(percentile(ask_ms, 0.95), 1),
                        "max": round(max(ask_ms), 1)},
        "query_embedding_ms": {"p50": round(statistics.median(embed_ms), 1), "p95": round(percentile(embed_ms, 0.95), 1)},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "speed.json")
    args = parser.parse_args()
    result = measure()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
