"""Answer quality against what a user would otherwise use, side by side on the same index and questions.

    .venv/bin/python bench/quality.py

  pipeline  this project (entity filters, glossary, dense + lexical bonus, refusals): a refused
            answerable question counts as a miss
  bm25      BM25 over fugashi tokens of the passages alone (the usual Japanese baseline)
  dense     the same embedding model and faiss, nothing else (a naive RAG)

hit@1, hit@5 and MRR per language on every question file in eval/ and on all of them pooled
(answerable questions; duplicates across files counted once), and the pipeline's figures as ratios
to each baseline's. Unanswerable questions are reported as refusals: only the pipeline can refuse.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from common import ROOT, standalone

from index.evaluate import Ranked, Ranker, bm25_ranker, dense_ranker, evaluate, load_questions, pipeline_ranker
from index.service import SummitIndex
from index.settings import Settings

SYSTEMS = {"pipeline": pipeline_ranker, "bm25": bm25_ranker, "dense": dense_ranker}
BASELINES = ("bm25", "dense")
METRICS = ("hit@1", "hit@5", "mrr")
LANGS = ("ja", "en")
LABELS = {"dev_questions": "dev (shared)", "questions": "team (tuned on)", "heldout_questions": "held-out (blind)",
          "heldout2_questions": "held-out 2 (blind)", "blindA_questions": "blind A (graded)",
          "blindB_questions": "blind B (graded)", "blindC_questions": "blind C (graded)"}


def question_sets() -> dict[str, list[dict]]:
    sets = {LABELS.get(path.stem, path.stem): load_questions(path) for path in sorted((ROOT / "eval").glob("*.jsonl"))}
    pooled = {item["q"]: item for items in sets.values() for item in items}
    return {**sets, "pooled": list(pooled.values())}


def ratio(ours: float, theirs: float) -> float | None:
    return round(ours / theirs, 2) if theirs else None


def comparison(scores: dict[str, dict]) -> dict:
    """Pipeline ÷ baseline for each language and metric, and whether the pipeline is ahead on all."""
    ratios = {base: {lang: {m: ratio(scores["pipeline"][lang][m], scores[base][lang][m]) for m in METRICS}
                     for lang in LANGS} for base in BASELINES}
    beats = {lang: all(scores["pipeline"][lang][m] > scores[base][lang][m] for base in BASELINES for m in METRICS)
             for lang in LANGS}
    return {"ratios": ratios, "pipeline_beats_both": beats}


def run(index_dir: Path | None = None) -> dict:
    settings = Settings.from_env()
    return compare(SummitIndex.open(replace(settings, index_dir=index_dir) if index_dir else settings))


def remembered(rank: Ranker) -> Ranker:
    """The ranker, asked each question once: the pooled set repeats every set's questions."""
    seen: dict[str, Ranked] = {}

    def rank_once(question: str) -> Ranked:
        if question not in seen:
            seen[question] = rank(question)
        return seen[question]

    return rank_once


def compare(service: SummitIndex) -> dict:
    """The three systems on every question set, over the index `service` has loaded."""
    rankers = {name: remembered(make(service)) for name, make in SYSTEMS.items()}
    result = {"index": service.version, "sets": {}}
    for name, items in question_sets().items():
        scores = {system: evaluate(rank, items) for system, rank in rankers.items()}
        result["sets"][name] = {"scores": scores, **comparison(scores)}
    return result


def _reading_order(item: tuple[str, dict]) -> tuple:
    """dev, team, held-out, held-out 2, any other file, then pooled."""
    known = list(LABELS.values())
    name = item[0]
    return name == "pooled", known.index(name) if name in known else len(known), name


def _cell(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}×"


def markdown(result: dict) -> str:
    lines = ["| questions | lang | n | system | hit@1 | hit@5 | MRR | pipeline ÷ it (hit@1 / hit@5 / MRR) |",
             "|---|---|---|---|---|---|---|---|"]
    for name, entry in sorted(result["sets"].items(), key=_reading_order):
        for lang in LANGS:
            for system in SYSTEMS:
                s = entry["scores"][system][lang]
                vs = "" if system == "pipeline" else " / ".join(_cell(entry["ratios"][system][lang][m]) for m in METRICS)
                lines.append(f"| {name} | {lang} | {s['questions']} | {system} | {s['hit@1']:.3f} | {s['hit@5']:.3f} | "
                             f"{s['mrr']:.3f} | {vs} |")
    pooled = result["sets"]["pooled"]
    refusals = pooled["scores"]["pipeline"]["all"]
    lines += ["", "Pipeline ahead of both baselines on every metric (all questions pooled): "
              + ", ".join(f"{lang} {'yes' if pooled['pipeline_beats_both'][lang] else 'NO'}" for lang in LANGS)
              + f". Unanswerable questions refused: {refusals['rightly_refused']} of {refusals['unanswerable']}; "
              f"answerable questions wrongly refused: {refusals['refused_answerable']} of {refusals['questions']}."]
    if "—" in "\n".join(lines):
        lines.append("— : the baseline answered none of these questions, so the ratio is undefined (infinite).")
    return "\n".join(lines) + "\n"


def main() -> None:
    standalone("quality", __doc__, lambda args: run(), markdown)


if __name__ == "__main__":
    main()
