"""Text the bot did not write — a document's title, a /summit question — is shown inert in `text` and `blocks`.

Inert: no mention (`<!channel>`), no formatting (`*bold*`), no link (`https://…`,
a bare domain), checked in what the fake Slack received over real HTTP.
"""
from __future__ import annotations

import json

import pytest


from .slackbot import click, curation_bot, feedback_record, post, slash_body
from .test_refresh import PAGE_ONE
from .test_slack_curation import ADMIN, messages_to, share

TITLE = "<!channel>*b*https://x.jp宣言"  # within the 30 characters a guessed title may have


@pytest.fixture(scope="module")
def bot(slack, built, embedder, tmp_path_factory):
    base = tmp_path_factory.mktemp("echo")
    with curation_bot(slack, built, embedder, base, frozenset({ADMIN}), copy_index=False) as running:
        yield running


def shown(call) -> tuple[str, str]:
    """The posted `text` and the posted blocks, as JSON text."""
    blocks = call.params.get("blocks") or []
    return str(call.params.get("text", "")), json.dumps(json.loads(blocks) if isinstance(blocks, str) else blocks,
                                                        ensure_ascii=False)


def assert_inert(field: str, *hostile: str) -> None:
    for bad in hostile:
        assert bad not in field, (bad, field)


def test_a_documents_title_is_inert_in_the_confirmation(slack, bot):
    text = "\n".join([PAGE_ONE[0], TITLE, *PAGE_ONE[2:]])
    slack.add_file("FTITLE", text.encode(), "sengen.txt", "text", "text/plain")
    share(bot, ADMIN, "第10回", "FTITLE", "1700000701.0001", channel="DECHO")
    [summary] = messages_to(slack, "DECHO", contains="corpus_add_confirm")
    for field in shown(summary):
        assert "channel" in field and "x" in field  # the title is shown …
        assert_inert(field, "<!channel>", "*b*", "https://x.jp", "x.jp")  # … but does nothing


def test_a_repeated_question_is_inert(slack, bot):
    response_url = slack.api_url.replace("/api/", "/commands/T0001/3/echo")
    question = "&lt;!channel&gt; *bold* https://evil.example 岡谷市の取組みは？"  # as Slack sends what was typed
    status, _, _ = post(bot.url + "/slack/events", slash_body(question, response_url, trigger_id="T-echo"),
                        content_type="application/x-www-form-urlencoded")
    assert status == 200
    [private] = slack.wait_for("response_url", timeout=60)
    action_url = slack.api_url.replace("/api/", "/actions/T0001/3/share")
    assert click(bot, "share_answer", feedback_record(private), "C0001", action_url, ephemeral=True) == 200
    call = slack.wait_for("response_url", where=lambda c: c.params.get("response_type") == "in_channel")[0]
    text, blocks = shown(call)
    assert "bold" in blocks and "evil" in blocks and "岡谷市の取組みは" in blocks  # the question is repeated …
    for field in (text, blocks):
        assert_inert(field, "<!channel>", "*bold*", "https://evil.example", "evil.example")  # … inert
