"""The evaluation's figures on hand-made rankings: what hit@k, precision and the declined rates count."""
from __future__ import annotations

import pytest

from index.evaluate import Ranked, evaluate

QUESTIONS = [
    {"id": "Q1", "q": "two parts", "lang": "ja", "answerable": True, "gold": [["甲"], ["乙"]],
     "relevant": [{"text": "甲", "grade": 2}, {"text": "乙", "grade": 2}, {"text": "丙", "grade": 1}]},
    {"id": "Q2", "q": "one part", "lang": "ja", "answerable": True, "gold": [["丁"]]},
    {"id": "Q3", "q": "nothing", "lang": "ja", "answerable": False, "gold": []},
]


def ranker(answers: dict[str, Ranked]):
    return lambda question: answers[question]


def test_a_question_with_two_parts_may_use_two_citations_for_hit_at_1():
    scores = evaluate(ranker({
        "two parts": Ranked(True, ["乙の話", "甲の話", "丙の話"], ["乙の話", "甲の話", "丙の話"]),
        "one part": Ranked(True, ["戊", "丁"], ["戊"]),  # shown: 戊; "More results": 丁
        "nothing": Ranked(False, [], []),
    }), QUESTIONS)["ja"]
    assert scores["hit@1"] == 0.5 and scores["hit@5"] == 1.0  # Q2 is found on the second page
    assert scores["mrr"] == pytest.approx((1 + 0.5) / 2)
    assert scores["precision"] == pytest.approx(3 / 4)  # 乙 甲 丙 relevant (graded), 戊 not; 丁 was not shown
    assert scores["excerpt@1"] == 0.5 and scores["citations_per_answer"] == 2.0
    assert (scores["rightly_refused"], scores["unanswerable"], scores["declined"]) == (1, 1, 1.0)


def test_declining_an_answerable_question_counts_against_it():
    scores = evaluate(ranker({
        "two parts": Ranked(False, [], []),
        "one part": Ranked(True, ["丁"], ["丁"]),
        "nothing": Ranked(True, ["甲"], ["甲"]),
    }), QUESTIONS)["ja"]
    assert scores["refused_answerable"] == 1 and scores["wrongly_declined"] == 0.5
    assert scores["declined"] == 0.0 and scores["misses"] == ["Q1"]
