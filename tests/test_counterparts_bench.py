"""bench/counterparts.py's measures on toy numbers and toy passages: no index, no model."""
from __future__ import annotations

import sys

import pytest

from index.model import Passage

from .conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
import counterparts  # noqa: E402


def test_auc_is_one_for_a_perfect_order_a_half_for_ties_and_zero_reversed():
    assert counterparts.roc_auc([0.1, 0.2, 0.8, 0.9], [False, False, True, True]) == 1.0
    assert counterparts.roc_auc([0.5, 0.5, 0.5, 0.5], [False, True, False, True]) == 0.5
    assert counterparts.roc_auc([0.9, 0.8, 0.2, 0.1], [False, False, True, True]) == 0.0
    # one positive below one of two negatives: 3 of 4 (positive, negative) pairs in order
    assert counterparts.roc_auc([0.1, 0.4, 0.3, 0.9], [False, False, True, True]) == 0.75


def test_the_threshold_sits_halfway_in_the_gap_that_separates_the_classes():
    scores, labels = [0.1, 0.2, 0.3, 0.7, 0.8], [False, False, False, True, True]
    threshold = counterparts.best_threshold(scores, labels)
    assert threshold == pytest.approx(0.5)
    assert counterparts.confusion(scores, labels, threshold) == {
        "accuracy": 1.0, "precision": 1.0, "recall": 1.0, "f1": 1.0, "tp": 2, "fp": 0, "fn": 0, "tn": 3}


def test_precision_and_recall_count_same_topic_as_the_positive_class():
    m = counterparts.confusion([0.9, 0.6, 0.4, 0.2], [True, False, True, False], 0.5)
    assert (m["tp"], m["fp"], m["fn"], m["tn"]) == (1, 1, 1, 1)
    assert m["precision"] == m["recall"] == m["accuracy"] == 0.5


def test_cross_validation_judges_each_group_with_a_threshold_chosen_without_it():
    # Separable in sample; without the positive at 0.45 the cut falls at 0.5 and misjudges it.
    scores = [0.1, 0.2, 0.8, 0.9, 0.45]
    labels = [False, False, True, True, True]
    per_pair = counterparts.cross_validated(scores, labels, range(5))
    assert per_pair["folds"] == 5
    assert counterparts.best_threshold(scores, labels) == pytest.approx(0.325)
    assert per_pair["accuracy"] == pytest.approx(4 / 5)
    assert (per_pair["threshold_min"], per_pair["threshold_max"]) == pytest.approx((0.275, 0.5))
    assert counterparts.cross_validated(scores, labels, ["x", "x", "y", "y", "z"])["folds"] == 3


def passage(kind: str, text: str, label: str = "", organization: str = "") -> Passage:
    return Passage(id=f"p-{text[:4]}", document="d", summit=9, kind=kind, section=(), label=label,
                   organization=organization, city="x" if organization else "", text=text, start=0, end=len(text),
                   order=0)


def test_snippets_map_to_content_passages_and_to_an_initiatives_title_line():
    passages = [passage("heading", "地域ブランドの推進"),
                passage("declaration", "地域ブランドの推進を図る。"),
                passage("initiative", "岡谷市の基幹産業である製造業の活性化を図る。", label="新規受注開拓支援事業",
                        organization="岡谷市")]
    assert counterparts.locate("地域ブランドの推進", passages) == ([1], "text")  # the heading is no content
    assert counterparts.locate("新規受注開拓支援事業（岡谷市）", passages) == ([2], "title")
    assert counterparts.locate("を図る", passages) == ([1, 2], "text")
    assert counterparts.locate("半導体", passages) == ([], "")
