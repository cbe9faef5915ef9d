"""The retrieval pipeline's refactoring (issue 12) changes no answer.

`tests/data/answers_before.jsonl` was recorded by `tests/record_answers.py` at
f5ff098, the commit before the pipeline was split into stages, with an index
built from this corpus. Every question in eval/ must still get the same
decision, notice and citations (passage ids in the same order, same labels and
excerpts). The two intended changes (query resources of a rolled-back version,
"More results" after a version switch) do not show on a freshly built index;
they have their own tests in test_snapshot.py.
"""
from __future__ import annotations

import json
from pathlib import Path

from .conftest import cli_env
from .record_answers import ask_all

BEFORE = Path(__file__).parent / "data" / "answers_before.jsonl"


def test_every_eval_question_gets_the_answer_it_got_before_the_refactoring(built):
    before = [json.loads(line) for line in BEFORE.read_text(encoding="utf-8").splitlines() if line.strip()]
    now = ask_all(env=cli_env(built))
    assert [(r["file"], r["id"]) for r in now] == [(r["file"], r["id"]) for r in before], "eval/ changed: record again"
    changed = [(b["file"], b["id"], b, n) for b, n in zip(before, now) if b != n]
    assert not changed, "\n".join(f"{f} {i}: before {b}\n        now    {n}" for f, i, b, n in changed[:5])
    assert sum(r["answer_found"] for r in now) > 150  # the comparison is over real answers, not empty ones
