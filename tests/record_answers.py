"""Record what `summitbot ask --json` answers to every question in eval/, for the regression test.

Run once from the checkout whose answers are the reference (the commit before a
refactoring), with an index built from the same corpus:

    python -m tests.record_answers > tests/data/answers_before.jsonl

`tests/test_answer_regression.py` asks the same questions of the current code and
compares passage ids, their order, excerpts and the found decision.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUESTION_FILES = sorted((ROOT / "eval").glob("*.jsonl"))
TOP_K = 5


def eval_questions() -> list[tuple[str, str, str]]:
    """(file, id, question) of every question in eval/, in file order."""
    rows = []
    for path in QUESTION_FILES:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                rows.append((path.name, item["id"], item["q"]))
    return rows


def essentials(answer: dict) -> dict:
    """What must not change: the decision, the notice and each citation's passage, label and excerpt."""
    return {
        "answer_found": answer["answer_found"],
        "notice": answer.get("notice", ""),
        "citations": [[c["label"], c["passage_id"], c["excerpt_start"], c["excerpt"]] for c in answer["citations"]],
    }


def ask_all(env: dict[str, str] | None = None, cwd: Path = ROOT) -> list[dict]:
    """Every eval question through one `summitbot ask --json` process (questions on stdin)."""
    rows = eval_questions()
    stdin = "".join(q.replace("\n", " ") + "\n" for _, _, q in rows)
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "ask", "--json", "--top-k", str(TOP_K)],
        input=stdin, capture_output=True, text=True, encoding="utf-8", cwd=cwd, env=env or dict(os.environ), check=True,
    )
    answers = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert len(answers) == len(rows), (len(answers), len(rows), result.stderr[-2000:])
    return [{"file": f, "id": i, "question": q, **essentials(a)} for (f, i, q), a in zip(rows, answers)]


if __name__ == "__main__":
    for row in ask_all():
        print(json.dumps(row, ensure_ascii=False))
