"""Questions answered at the same time get the same answers as when asked alone; MeCab sees bounded input."""
from __future__ import annotations

import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from index.lexical import chunks, tokenize

from .conftest import ROOT

QUESTIONS = [
    "岡谷市の精密工業技術と薬草の連携について", "住工混在問題について国に何を求めている", "東大阪市の中小企業振興条例は何を定めていますか",
    "エネルギーコストの高騰への支援", "事業承継の円滑化と後継者育成", "What did Okaya commit to?",
    "How will Sumida use vacant factories?", "川口商工会議所のブランド認定は？",
]


def test_tokenisation_in_many_threads_equals_tokenisation_alone():
    alone = {q: tokenize(q) for q in QUESTIONS}
    wrong: list[str] = []
    lock = threading.Lock()

    def run(offset: int) -> None:
        for n in range(300):
            question = QUESTIONS[(offset + n) % len(QUESTIONS)]
            if tokenize(question) != alone[question]:
                with lock:
                    wrong.append(question)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not wrong, f"{len(wrong)} of {16 * 300} tokenisations mixed in another thread's words"


def test_a_200000_character_line_does_not_crash_the_tokenizer():
    """MeCab segfaults on one 200,000-character run; tokenising happens in bounded chunks (in a child, so a crash fails only this test)."""
    code = "from index.lexical import tokenize; print(len(tokenize('x' * 200_000)), len(tokenize(' x' * 200_000)))"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"tokenizer crashed (exit {result.returncode}): {result.stderr[-500:]}"


def test_chunks_are_bounded_and_lose_nothing():
    text = ("中小企業の振興を図る。" * 2000) + ("x" * 9000) + "\n終わり"
    pieces = chunks(text, size=1000)
    assert "".join(pieces) == text
    assert max(len(p) for p in pieces) <= 1000
    assert all(p.endswith("。") for p in pieces[:5])  # cut after a sentence end where there is one


@pytest.mark.slow
def test_concurrent_answers_cite_what_the_same_question_alone_cites(service):
    def ids(question: str) -> tuple[str, ...]:
        return tuple(c.passage.id for c in service.ask(question).citations)

    alone = {q: ids(q) for q in QUESTIONS}
    with ThreadPoolExecutor(max_workers=16) as pool:
        together = list(pool.map(lambda n: (QUESTIONS[n % len(QUESTIONS)], ids(QUESTIONS[n % len(QUESTIONS)])), range(320)))
    differing = [q for q, cited in together if cited != alone[q]]
    assert not differing, f"{len(differing)} of {len(together)} concurrent answers differ from the same question alone"
