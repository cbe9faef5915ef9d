"""Could a fitted decision beat the hand-set rules? Logistic regression over the evidence of every eval/ question.

    .venv/bin/python bench/calibrate.py     # cross-validated figures, by question file left out

Measured (docs/ANSWERING.md): at the operating point below it declines about
as many unanswerable questions as the rules do, at the same cost in answerable
ones, so the rules still decide; this is the yardstick for better features.

A question is a positive when it is answerable. Questions the rules decide
(no candidates, an unknown place, a question naming only an organisation) are
left out of the fit: the model only judges the rest. The operating point is
the lowest probability at which, in cross-validation, at most MAX_WRONGLY_DECLINED
of the answerable questions are declined; the figures printed are those of
files the model was not fitted on.
"""
from __future__ import annotations

import argparse
import sys

import numpy as np

from common import ROOT

from index.evaluate import load_questions
from index.retrieval.decision import names_only
from index.retrieval.features import FEATURES, evidence
from index.service import SummitIndex
from index.settings import Settings

MAX_WRONGLY_DECLINED = 0.03
L2 = 1.0


def collect(index: SummitIndex) -> list[dict]:
    """Evidence and label of every question the model judges, with its file for cross-validation."""
    rows = []
    for path in sorted((ROOT / "eval").glob("*.jsonl")):
        for item in load_questions(path):
            question = index.pipeline.analyse(item["q"])
            ranking = index.pipeline.rank(question)
            if not ranking.hits or question.analysis.unknown_places:
                continue
            if ranking.found.filtered and names_only(question.analysis):
                continue
            rows.append({"file": path.stem, "id": item.get("id", ""), "label": int(item["answerable"]),
                         "x": evidence(question, ranking.hits, ranking.found).vector()})
    return rows


def fit(x: np.ndarray, y: np.ndarray, l2: float = L2) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(mean, scale, weights with the bias last) by Newton's method on the L2-penalised log-likelihood."""
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-6
    z = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
    w = np.zeros(z.shape[1])
    penalty = np.full(z.shape[1], l2)
    penalty[-1] = 0.0
    for _ in range(50):
        p = 1 / (1 + np.exp(-z @ w))
        gradient = z.T @ (p - y) + penalty * w
        hessian = (z * (p * (1 - p))[:, None]).T @ z + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return mean, scale, w


def probability(model: tuple[np.ndarray, np.ndarray, np.ndarray], x: np.ndarray) -> np.ndarray:
    mean, scale, w = model
    z = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
    return 1 / (1 + np.exp(-z @ w))


def cross_validated(rows: list[dict]) -> np.ndarray:
    """Each row's probability from a model fitted on the other files."""
    files = sorted({r["file"] for r in rows})
    x, y = np.array([r["x"] for r in rows]), np.array([r["label"] for r in rows], dtype=float)
    out = np.zeros(len(rows))
    for file in files:
        held = np.array([r["file"] == file for r in rows])
        out[held] = probability(fit(x[~held], y[~held]), x[held])
    return out


def operating_point(p: np.ndarray, y: np.ndarray) -> float:
    """The highest threshold that declines at most MAX_WRONGLY_DECLINED of the answerable questions."""
    positives = np.sort(p[y == 1])
    allowed = int(MAX_WRONGLY_DECLINED * len(positives))
    return float(positives[allowed]) if len(positives) else 0.5


def main() -> int:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    index = SummitIndex.open(Settings.from_env())
    rows = collect(index)
    y = np.array([r["label"] for r in rows], dtype=float)
    p = cross_validated(rows)
    threshold = operating_point(p, y)
    for file in sorted({r["file"] for r in rows}):
        held = np.array([r["file"] == file for r in rows])
        answered = p[held] >= threshold
        pos, neg = y[held] == 1, y[held] == 0
        print(f"{file:24} judged {held.sum():3}  answerable declined {int((~answered & pos).sum())}/{int(pos.sum())}"
              f"  unanswerable declined {int((~answered & neg).sum())}/{int(neg.sum())}  (held out)")
    model = fit(np.array([r["x"] for r in rows]), y)
    print(f"threshold {threshold:.3f}; weights per standard deviation:")
    for name, weight in zip((*FEATURES, "bias"), model[2]):
        print(f"  {name:10} {weight:+.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
