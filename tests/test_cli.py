"""`summitbot` as a user runs it: the JSON contract, plain answers, and clear errors instead of tracebacks."""
from __future__ import annotations

import json
import os
import shutil

import pytest

from .conftest import cli_env, summitbot

REQUIRED = {"passage_id", "summit", "document", "section", "organization", "text", "excerpt", "url", "score"}


def assert_clean_failure(result, *words: str) -> None:
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    for word in words:
        assert word in result.stderr, result.stderr


def test_json_lines_from_stdin(built):
    questions = "What did 岡谷 commit to?\n\n第12回サミットの宣言は？\n住工混在問題について国にどんな対策を求めている？\n"
    result = summitbot("ask", "--json", "--top-k", "3", env=cli_env(built), stdin=questions)
    assert result.returncode == 0, result.stderr
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert [a["question"] for a in answers] == [q for q in questions.splitlines() if q]
    okaya, missing, mixed = answers
    assert okaya["answer_found"] and 1 <= len(okaya["citations"]) <= 3
    for citation in okaya["citations"] + mixed["citations"]:
        assert REQUIRED <= citation.keys()
        assert citation["excerpt"] in citation["text"]
        assert citation["url"].startswith("file://") and "#char=" in citation["url"]
    assert {c["organization"] for c in okaya["citations"]} == {"岡谷市", "岡谷商工会議所"}
    assert not missing["answer_found"] and missing["citations"] == [] and "第12回" in missing["text"]
    assert "住工混在問題が挙げられる" in mixed["citations"][0]["text"]


def test_plain_answer_is_grouped_and_cited(built):
    result = summitbot("ask", "What did Okaya commit to?", env=cli_env(built))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("Found ") and "■ 岡谷市 — 第9回中小企業都市サミット すみだ宣言" in out
    assert "■ 岡谷商工会議所" in out and "[1] 「" in out and "加盟都市・商工会議所の取組み › " in out


def test_public_url_makes_passage_links(built):
    result = summitbot("ask", "--json", "東大阪市の条例は？", env=cli_env(built, SUMMITBOT_PUBLIC_URL="https://summit.example.jp/"))
    citation = json.loads(result.stdout)["citations"][0]
    assert citation["url"].startswith(f"https://summit.example.jp/p/{citation['passage_id']}?q=")
    assert "SUMMITBOT_PUBLIC_URL" not in result.stderr


def test_without_a_server_url_it_says_how_to_get_page_links(built):
    result = summitbot("ask", "東大阪市の条例は？", env=cli_env(built))
    assert result.returncode == 0 and "file://" in result.stdout
    assert "summitbot serve" in result.stderr and "SUMMITBOT_PUBLIC_URL" in result.stderr


@pytest.mark.parametrize("question, words", [("", ("empty",)), ("   ", ("empty",)), ("q" * 50_000, ("too long", "50,000"))])
def test_bad_questions(built, question, words):
    assert_clean_failure(summitbot("ask", question, env=cli_env(built)), *words)


def test_no_index_yet(built, tmp_path):
    result = summitbot("ask", "岡谷は？", env=cli_env(built, SUMMITBOT_INDEX_DIR=str(tmp_path / "none")))
    assert_clean_failure(result, "summitbot index build")


def test_corrupt_index_is_detected(built, tmp_path):
    copy = tmp_path / "index"
    shutil.copytree(built.index_dir, copy)
    version = (copy / "CURRENT").read_text().strip()
    vectors = copy / "versions" / version / "vectors.npy"
    vectors.write_bytes(vectors.read_bytes()[: vectors.stat().st_size // 2])
    assert_clean_failure(summitbot("ask", "岡谷は？", env=cli_env(built, SUMMITBOT_INDEX_DIR=str(copy))), "damaged", "index build")


def test_unknown_model(built):
    result = summitbot("ask", "岡谷は？", env=cli_env(built, SUMMITBOT_EMBED_MODEL="no-such-org/no-such-model"))
    assert_clean_failure(result, "no-such-org/no-such-model", "SUMMITBOT_EMBED_MODEL")


def test_stdin_keeps_going_after_a_bad_line(built):
    result = summitbot("ask", "--json", env=cli_env(built), stdin="x" * 3000 + "\n岡谷は？\n")
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert "too long" in lines[0]["error"] and lines[1]["answer_found"]
    assert result.returncode == 2  # something in the batch could not be answered


def test_a_mistyped_setting_stops_serve_with_one_line(tmp_path):
    """Settings are read before anything is loaded, so no index or model is needed to see the message."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SUMMITBOT_", "SLACK_"))}
    env.update(SUMMITBOT_INDEX_DIR=str(tmp_path / "index"), SUMMITBOT_PAGES_ALLOW="10.0.0.0/8, not-a-network")
    result = summitbot("serve", "--port", "0", env=env, timeout=120)
    assert_clean_failure(result, "SUMMITBOT_PAGES_ALLOW", "not-a-network")


def test_demo_answers_and_ends_with_what_to_do_next(built):
    result = summitbot("demo", env=cli_env(built))
    assert result.returncode == 0, result.stderr
    assert "[1]" in result.stdout  # a cited answer
    assert result.stdout.rstrip().splitlines()[-5] == "Next:" and "make run" in result.stdout


def test_the_build_labels_what_it_embeds():
    """A progress bar says what it counts ("Embedding 2 passages"), not "Batches"."""
    import numpy as np

    from index.builder import EmbeddingCache

    class Recording:
        dim = 2
        labels: list = []

        def encode_passages(self, texts, progress=False):
            self.labels.append(progress)
            return np.ones((len(texts), 2), dtype=np.float32)

    cache = EmbeddingCache.__new__(EmbeddingCache)
    cache.vectors = {}
    embedder = Recording()
    cache.embed(["a", "b"], embedder, progress=True)
    cache.embed(["c"], embedder, progress=True, what="sentences")
    cache.embed(["d"], embedder, progress=False)
    assert embedder.labels == ["Embedding 2 passages", "Embedding 1 sentences", False]
