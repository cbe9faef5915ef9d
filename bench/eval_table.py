"""docs/QUALITY.md's eval table from `summitbot eval eval/*.jsonl --json bench/results/eval.json` (run by `make eval`).

One row per question set and language: the pipeline's figures and the best
of the three baselines of the same run, written between docs/QUALITY.md's
`<!-- eval:begin -->` and `<!-- eval:end -->` markers.

    python bench/eval_table.py [bench/results/eval.json]
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from common import RESULTS, ROOT, replace_section

BEGIN, END = "<!-- eval:begin -->", "<!-- eval:end -->"
ORDER = ("dev", "questions", "heldout", "heldout2", "blindA", "blindB", "blindC")  # oldest set first
BASELINES = ("bm25", "dense", "rrf")
HEADER = ("| questions | lang | n | hit@1 | hit@5 | MRR | precision | excerpt@1 | citations/answer | wrongly declined "
          "| unanswerable declined | best baseline hit@1 |\n|---|---|---|---|---|---|---|---|---|---|---|---|")


def set_name(file: str) -> str:
    return file.removesuffix(".jsonl").removesuffix("_questions")


def row(name: str, lang: str, systems: dict) -> str:
    s = systems["pipeline"][lang]
    best, system = max((systems[b][lang]["hit@1"], b) for b in BASELINES if b in systems)
    declined = f"{s['rightly_refused']}/{s['unanswerable']}" if s["unanswerable"] else "–"
    return (f"| {name} | {lang} | {s['questions']} | {s['hit@1']:.3f} | {s['hit@5']:.3f} | {s['mrr']:.3f} "
            f"| {s['precision']:.3f} | {s['excerpt@1']:.3f} | {s['citations_per_answer']:.1f} "
            f"| {s['refused_answerable']}/{s['questions']} | {declined} | {best:.3f} ({system}) |")


def table(report: dict) -> str:
    by_name = {set_name(file): systems for file, systems in report.items()}
    names = [n for n in ORDER if n in by_name] + sorted(set(by_name) - set(ORDER))
    return "\n".join([HEADER] + [row(n, lang, by_name[n]) for n in names for lang in ("ja", "en")])


def main() -> None:
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else RESULTS / "eval.json"
    replace_section(ROOT / "docs" / "QUALITY.md", BEGIN, END, table(json.loads(source.read_text(encoding="utf-8"))))
    print(f"docs/QUALITY.md eval table updated from {source}")


if __name__ == "__main__":
    main()
