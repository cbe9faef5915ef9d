"""When are an 8th-summit item and a 9th-summit passage counterparts? Similarity signals on labelled pairs (issue 17).

    .venv/bin/python bench/counterparts.py     # bench/results/counterparts.{json,md}

It reads the current index version (SUMMITBOT_INDEX_DIR, else .index): build it first from the corpus as it is.

The pairs are eval/compare/counterpart_pairs.jsonl: a verbatim snippet of an
8th-summit passage, one of a 9th-summit passage, and whether they are on the
same topic, labelled blind from the texts. Each snippet is mapped to the
content passage (not a heading) whose text contains it; an initiative's
`○事業名（組織名）` line is its label and organisation, not its text, so a snippet of
that line is looked for there when no text holds it (reported as `title`).

Signals, each from what the built index already holds:

  passage   cosine of the two passage vectors (organisation + heading path + text, as indexed)
  sentence  the best cosine between a sentence of one and a sentence of the other
  bm25      BM25 of each passage's tokens against the other, over its score against itself, both ways averaged
  own_bm25  the same over the passages' own words only (no heading path; an initiative with its name), as
            index/retrieval/alignment.py scores counterparts: the signal comparisons use
  jaccard   Jaccard of the two passages' content-word token sets (index/lexical.py tokenize, as indexed)
  blend     the retrieval's own blend: max(passage, sentence) + Weights.lexical · bm25 (no fitting)
  logistic  L2 logistic regression over the four (bench/calibrate.py fit), refitted in every fold

For each: ROC AUC (with a pair-bootstrap 95 % interval), the threshold that
maximises accuracy on all pairs (ties: higher F1, then the middle of the tied
range) with precision / recall / F1 of "same topic" at it, and the accuracy of
a threshold chosen without the pair judged: leave-one-pair-out, and leaving out
every pair of one 8th-summit item at a time (pairs share items, so the second is
the stricter). The chosen signal is the one with the best grouped
cross-validated accuracy.
"""
from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

from common import ROOT, standalone

PAIRS = ROOT / "eval" / "compare" / "counterpart_pairs.jsonl"
SIGNALS = ("passage", "sentence", "bm25", "own_bm25", "jaccard", "blend", "logistic")
FEATURES = ("passage", "sentence", "bm25", "jaccard")  # what the logistic combination is fitted on
BOOTSTRAP = 2000
SEED = 0


# --- the measures: plain numbers in, numbers out (tests/test_counterparts_bench.py) -------------------------------

def roc_auc(scores, labels) -> float:
    """Probability that a random positive scores above a random negative (ties count half)."""
    s, y = np.asarray(scores, dtype=float), np.asarray(labels, dtype=bool)
    pos, neg = s[y], s[~y]
    if not len(pos) or not len(neg):
        return float("nan")
    above = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(above / (len(pos) * len(neg)))


def confusion(scores, labels, threshold: float) -> dict:
    """Accuracy, precision, recall and F1 of "same topic" when a pair counts as counterparts at score ≥ threshold."""
    s, y = np.asarray(scores, dtype=float), np.asarray(labels, dtype=bool)
    said = s >= threshold
    tp, fp, fn = int((said & y).sum()), int((said & ~y).sum()), int((~said & y).sum())
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"accuracy": float((said == y).mean()), "precision": precision, "recall": recall, "f1": f1,
            "tp": tp, "fp": fp, "fn": fn, "tn": int((~said & ~y).sum())}


def best_threshold(scores, labels) -> float:
    """The threshold maximising accuracy (then F1), at the middle of the best range of cut points.

    Cut points lie halfway between consecutive distinct scores (and beyond both ends).
    """
    s = np.unique(np.asarray(scores, dtype=float))
    cuts = np.concatenate([[s[0] - 1.0], (s[:-1] + s[1:]) / 2, [s[-1] + 1.0]])
    quality = [(m["accuracy"], m["f1"]) for m in (confusion(scores, labels, c) for c in cuts)]
    best = max(quality)
    tied = [c for c, q in zip(cuts, quality) if q == best]
    return float(tied[len(tied) // 2])


def bootstrap_auc(scores, labels, rounds: int = BOOTSTRAP, seed: int = SEED) -> tuple[float, float]:
    """2.5 % and 97.5 % quantiles of the AUC over pairs drawn with replacement."""
    s, y = np.asarray(scores, dtype=float), np.asarray(labels, dtype=bool)
    rng = np.random.default_rng(seed)
    aucs = []
    for _ in range(rounds):
        pick = rng.integers(0, len(s), len(s))
        if y[pick].all() or not y[pick].any():
            continue
        aucs.append(roc_auc(s[pick], y[pick]))
    return float(np.quantile(aucs, 0.025)), float(np.quantile(aucs, 0.975))


def cross_validated(scores, labels, groups) -> dict:
    """Accuracy of thresholds chosen on the other groups, each group's pairs judged once; and the thresholds' range."""
    s, y, g = np.asarray(scores, dtype=float), np.asarray(labels, dtype=bool), np.asarray(groups)
    right, thresholds = np.zeros(len(s), dtype=bool), []
    for group in dict.fromkeys(g.tolist()):
        held = g == group
        threshold = best_threshold(s[~held], y[~held])
        thresholds.append(threshold)
        right[held] = (s[held] >= threshold) == y[held]
    return {"accuracy": float(right.mean()), "folds": len(thresholds),
            "threshold_min": float(min(thresholds)), "threshold_max": float(max(thresholds))}


def fitted_cross_validated(x: np.ndarray, labels, groups) -> dict:
    """`cross_validated` for the logistic combination: in each fold the model and its threshold come from the rest."""
    from calibrate import fit, probability

    y, g = np.asarray(labels, dtype=bool), np.asarray(groups)
    right, thresholds = np.zeros(len(y), dtype=bool), []
    for group in dict.fromkeys(g.tolist()):
        held = g == group
        model = fit(x[~held], y[~held].astype(float))
        threshold = best_threshold(probability(model, x[~held]), y[~held])
        thresholds.append(threshold)
        right[held] = (probability(model, x[held]) >= threshold) == y[held]
    return {"accuracy": float(right.mean()), "folds": len(thresholds),
            "threshold_min": float(min(thresholds)), "threshold_max": float(max(thresholds))}


# --- the index: snippets to passages, signals of a pair of passages --------------------------------------------

def load_pairs(path: Path = PAIRS) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def title_line(passage) -> str:
    """An initiative's `○事業名（組織名）` line as the source has it (the parser keeps it as label + organisation)."""
    return f"{passage.label}（{passage.organization}）" if passage.kind == "initiative" else ""


def locate(snippet: str, passages) -> tuple[list[int], str]:
    """Rows of the content passages containing `snippet`, and where it was found ("text", "title" or "")."""
    content = [(r, p) for r, p in enumerate(passages) if p.kind != "heading"]
    rows = [r for r, p in content if snippet in p.text]
    if rows:
        return rows, "text"
    rows = [r for r, p in content if snippet in title_line(p)]
    return rows, "title" if rows else ""


class PairSignals:
    """The similarity signals of any two passages of one loaded index."""

    def __init__(self, data) -> None:
        from index.lexical import tokenize
        from index.store import passage_context

        self.data = data
        self.tokens = [tokenize(passage_context(p, data.documents[p.document])) for p in data.passages]
        self.vectors = np.asarray(data.vectors, dtype=np.float32)
        from index.retrieval.alignment import Counterparts

        self.counterparts = Counterparts(data.passages, data.documents, threshold=0.0)

    def passage(self, a: int, b: int) -> float:
        return float(self.vectors[a] @ self.vectors[b])

    def sentence(self, a: int, b: int) -> float:
        sa, sb = self.data.sentence_rows(a), self.data.sentence_rows(b)
        if not len(sa) or not len(sb):
            return self.passage(a, b)
        return float((self.data.sentence_vectors[sa] @ self.data.sentence_vectors[sb].T).max())

    def _bm25(self, source: int, target: int) -> float:
        scores = self.data.lexical.scores(self.tokens[source])
        own = float(scores[source])
        return float(scores[target]) / own if own > 0 else 0.0

    def bm25(self, a: int, b: int) -> float:
        return (self._bm25(a, b) + self._bm25(b, a)) / 2

    def own_bm25(self, a: int, b: int) -> float:
        return self.counterparts.score(a, b)

    def jaccard(self, a: int, b: int) -> float:
        ta, tb = set(self.tokens[a]), set(self.tokens[b])
        return len(ta & tb) / len(ta | tb) if ta | tb else 0.0

    def blend(self, a: int, b: int) -> float:
        from index.retrieval.tuning import Weights

        weights = Weights()
        dense = (1 - weights.sentence) * self.passage(a, b) + weights.sentence * max(self.sentence(a, b),
                                                                                     self.passage(a, b))
        return dense + weights.lexical * self.bm25(a, b)

    def features(self, a: int, b: int) -> list[float]:
        return [getattr(self, name)(a, b) for name in FEATURES]


def mapped_pairs(pairs: list[dict], passages) -> tuple[list[dict], dict]:
    """Each pair with its two passage rows, and what did not map cleanly (none, several, the other summit)."""
    problems: dict[str, list] = {"not_found": [], "several": [], "wrong_summit": [], "title_line": []}
    rows = []
    for line, pair in enumerate(pairs, 1):
        found = {}
        for side, summit in (("a", 8), ("b", 9)):
            hits, where = locate(pair[side], passages)
            if not hits:
                problems["not_found"].append({"line": line, "side": side, "snippet": pair[side]})
            elif len(hits) > 1:
                problems["several"].append({"line": line, "side": side, "snippet": pair[side],
                                            "passages": [passages[r].id for r in hits]})
            else:
                if where == "title":
                    problems["title_line"].append({"line": line, "side": side, "snippet": pair[side],
                                                   "passage": passages[hits[0]].id})
                if passages[hits[0]].summit != summit:
                    problems["wrong_summit"].append({"line": line, "side": side, "snippet": pair[side],
                                                     "summit": passages[hits[0]].summit})
                found[side] = hits[0]
        if len(found) == 2:
            rows.append({"line": line, "a": found["a"], "b": found["b"], "same_topic": bool(pair["same_topic"]),
                         "note": pair.get("note", "")})
    return rows, problems


def label_checks(rows: list[dict], passages) -> dict:
    """Pairs of passages labelled more than once (and whether the labels agree), and how often passages recur."""
    by_rows = defaultdict(list)
    for r in rows:
        by_rows[(r["a"], r["b"])].append(r)
    repeated = [{"lines": [r["line"] for r in group], "labels": [r["same_topic"] for r in group],
                 "a": passages[a].id, "b": passages[b].id}
                for (a, b), group in by_rows.items() if len(group) > 1]
    a_counts = Counter(r["a"] for r in rows)
    b_counts = Counter(r["b"] for r in rows)
    return {"repeated_pairs": repeated, "conflicting": [x for x in repeated if len(set(x["labels"])) > 1],
            "eighth_items": len(a_counts), "ninth_passages": len(b_counts),
            "most_used_eighth": [[passages[a].id, n] for a, n in a_counts.most_common(3)],
            "most_used_ninth": [[passages[b].id, n] for b, n in b_counts.most_common(3)]}


def measure(args=None) -> dict:
    from calibrate import fit, probability

    from index.service import SummitIndex
    from index.settings import Settings

    index = SummitIndex.open(Settings.from_env())
    data = index.data
    passages = data.passages
    rows, problems = mapped_pairs(load_pairs(), passages)
    signals = PairSignals(data)
    y = np.array([r["same_topic"] for r in rows])
    groups_item = [r["a"] for r in rows]
    groups_pair = list(range(len(rows)))
    values = {name: np.array([getattr(signals, name)(r["a"], r["b"]) for r in rows]) for name in SIGNALS[:-1]}
    x = np.array([signals.features(r["a"], r["b"]) for r in rows])
    model = fit(x, y.astype(float))
    values["logistic"] = probability(model, x)

    table = {}
    for name in SIGNALS:
        s = values[name]
        threshold = best_threshold(s, y)
        low, high = bootstrap_auc(s, y)
        if name == "logistic":
            loo, grouped = fitted_cross_validated(x, y, groups_pair), fitted_cross_validated(x, y, groups_item)
        else:
            loo, grouped = cross_validated(s, y, groups_pair), cross_validated(s, y, groups_item)
        table[name] = {"auc": roc_auc(s, y), "auc_95": [low, high], "threshold": threshold,
                       **confusion(s, y, threshold), "loo": loo, "by_item": grouped,
                       "positives": [float(v) for v in np.quantile(s[y], (0, 0.5, 1))],
                       "negatives": [float(v) for v in np.quantile(s[~y], (0, 0.5, 1))]}
    chosen = max(SIGNALS, key=lambda n: (table[n]["by_item"]["accuracy"], table[n]["loo"]["accuracy"], table[n]["auc"]))

    # What the chosen threshold would call new: 9th-summit content passages with no 8th-summit passage at or above it.
    eighth = [r for r, p in enumerate(passages) if p.summit == 8 and p.kind != "heading"]
    ninth = [r for r, p in enumerate(passages) if p.summit == 9 and p.kind != "heading"]

    def pair_score(a: int, b: int) -> float:
        if chosen == "logistic":
            return float(probability(model, np.array([signals.features(a, b)]))[0])
        return getattr(signals, chosen)(a, b)

    against = {b: {a: pair_score(a, b) for a in eighth} for b in ninth}
    new = [b for b in ninth if max(against[b].values()) < table[chosen]["threshold"]]
    by_kind = Counter(passages[b].kind for b in new)
    # Whether a labelled counterpart is its 9th-summit passage's best 8th-summit match (rank 1 of the 8th's items).
    ranks = [1 + sum(v > against[r["b"]][r["a"]] for v in against[r["b"]].values()) for r in rows if r["same_topic"]]

    errors = [{"line": r["line"], "same_topic": r["same_topic"], "score": round(float(values[chosen][i]), 4),
               "note": r["note"]}
              for i, r in enumerate(rows) if (values[chosen][i] >= table[chosen]["threshold"]) != r["same_topic"]]
    return {"index_version": data.version, "pairs": len(load_pairs()), "measured": len(rows),
            "positives": int(y.sum()), "negatives": int((~y).sum()), "mapping": problems,
            "labels": label_checks(rows, passages), "signals": table, "chosen": chosen,
            "logistic_weights": dict(zip((*FEATURES, "bias"), [round(float(w), 3) for w in model[2]])),
            "chosen_errors": errors,
            "ninth_without_counterpart": {"count": len(new), "of": len(ninth), "by_kind": dict(by_kind),
                                          "eighth_items": len(eighth)},
            "positive_ranks": {"rank_1": sum(k == 1 for k in ranks), "top_3": sum(k <= 3 for k in ranks),
                               "of": len(ranks), "median": float(np.median(ranks))},
            "pair_values": [{"line": r["line"], "same_topic": r["same_topic"],
                             **{n: round(float(values[n][i]), 4) for n in SIGNALS}} for i, r in enumerate(rows)]}


def markdown(result: dict) -> str:
    lines = [f"{result['measured']} of {result['pairs']} labelled pairs measured ({result['positives']} same topic, "
             f"{result['negatives']} not; {result['labels']['eighth_items']} distinct 8th-summit items, "
             f"{result['labels']['ninth_passages']} 9th-summit passages), index {result['index_version']}.", "",
             "| signal | AUC (95 % bootstrap) | threshold | accuracy | precision | recall | F1 | "
             "leave-one-pair-out acc. | leave-one-8th-item-out acc. (thresholds) |",
             "|---|---|---|---|---|---|---|---|---|"]
    for name in SIGNALS:
        t = result["signals"][name]
        g = t["by_item"]
        mark = " **(chosen)**" if name == result["chosen"] else ""
        lines.append(f"| {name}{mark} | {t['auc']:.3f} ({t['auc_95'][0]:.2f}–{t['auc_95'][1]:.2f}) | "
                     f"{t['threshold']:.3f} | {t['accuracy']:.3f} | {t['precision']:.3f} | {t['recall']:.3f} | "
                     f"{t['f1']:.3f} | {t['loo']['accuracy']:.3f} | {g['accuracy']:.3f} "
                     f"({g['threshold_min']:.3f}–{g['threshold_max']:.3f}) |")
    chosen = result["chosen"]
    new = result["ninth_without_counterpart"]
    ranks = result["positive_ranks"]
    mapping = result["mapping"]
    lines += ["", f"Chosen: **{chosen}** at ≥ {result['signals'][chosen]['threshold']:.3f} "
              f"(best leave-one-8th-item-out accuracy). At that threshold {new['count']} of {new['of']} 9th-summit "
              f"content passages have no 8th-summit counterpart ("
              + ", ".join(f"{k} {v}" for k, v in sorted(new["by_kind"].items())) + ") against the "
              f"{new['eighth_items']} 8th-summit items. Of the {ranks['of']} labelled counterparts, {ranks['rank_1']} "
              f"are their 9th-summit passage's best-scoring 8th-summit item, {ranks['top_3']} among its best three "
              f"(median rank {ranks['median']:g})."]
    notes = []
    if mapping["title_line"]:
        notes.append("snippets found only in an initiative's title line (label + organisation): lines "
                     + ", ".join(str(p["line"]) for p in mapping["title_line"]))
    for key, what in (("not_found", "found in no passage"), ("several", "found in several passages"),
                      ("wrong_summit", "found in the other summit")):
        if mapping[key]:
            notes.append(f"snippets {what}: lines " + ", ".join(str(p["line"]) for p in mapping[key]))
    repeated = result["labels"]["repeated_pairs"]
    if repeated:
        notes.append("the same two passages labelled more than once: "
                     + "; ".join(f"lines {'/'.join(map(str, r['lines']))} "
                                 f"({'conflicting' if len(set(r['labels'])) > 1 else 'agreeing'})" for r in repeated))
    if notes:
        lines += ["", "Mapping: " + "; ".join(notes) + "."]
    return "\n".join(lines) + "\n"


def main() -> None:
    standalone("counterparts", __doc__, measure, markdown)


if __name__ == "__main__":
    main()
