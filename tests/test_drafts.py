"""Drafts awaiting Add/Cancel: they expire, their uploads are cleaned up, and Cancel tells the truth."""
from __future__ import annotations

import json

import pytest

from bot import curation
from index.corpus import Corpus

from .slackbot import blocks_text, curation_bot
from .test_refresh import make_pdf
from .test_slack_curation import ADMIN, click, share

OTHER_ADMIN = "UADMIN02"


@pytest.fixture(scope="module")
def uploads(tmp_path_factory):
    """The bot's upload folder (next to its database), with what a crashed process left there."""
    base = tmp_path_factory.mktemp("drafts")
    folder = base / "uploads"
    (folder / "draft-left-by-a-crash").mkdir(parents=True)
    (folder / "draft-left-by-a-crash" / "sengen.pdf").write_bytes(b"%PDF-1.4 half an upload")
    (folder / "notes.txt").write_text("not ours to delete")
    return folder


@pytest.fixture(scope="module")
def bot(slack, built, embedder, uploads):
    with curation_bot(slack, built, embedder, uploads.parent, frozenset({ADMIN, OTHER_ADMIN}), copy_index=False) as running:
        yield running


def draft(slack, bot, tmp_path, file_id: str, channel: str, ts: str) -> str:
    slack.add_file(file_id, make_pdf(tmp_path / "okaya.pdf").read_bytes(), "okaya.pdf", "pdf", "application/pdf")
    share(bot, ADMIN, "第10回", file_id, ts, channel=channel)
    [summary] = reply(slack, channel, "corpus_add_confirm")
    blocks = summary.params["blocks"]
    return (json.loads(blocks) if isinstance(blocks, str) else blocks)[-1]["elements"][0]["value"]


def reply(slack, channel: str, contains: str, count: int = 1):
    return slack.wait_for("chat.postMessage", count=count, timeout=60,
                          where=lambda c: c.params.get("channel") == channel and contains in blocks_text(c))


def drafts_on_disk(uploads) -> list[str]:
    return sorted(p.name for p in uploads.glob("draft-*"))


def test_leftover_uploads_are_removed_at_start_and_nothing_else(bot, uploads):
    assert not (uploads / "draft-left-by-a-crash").exists()
    assert (uploads / "notes.txt").read_text() == "not ours to delete"


def test_cancel_says_cancelled_only_when_something_was(slack, bot, uploads, tmp_path):
    pending = draft(slack, bot, tmp_path, "FCANCEL", "DCANCEL", "1700001001.0001")
    assert len(drafts_on_disk(uploads)) == 1
    click(bot, "corpus_add_cancel", pending, "UNOBODY", "DCANCEL")  # not an admin
    assert "only the bot's admins" in blocks_text(reply(slack, "DCANCEL", "admins")[0])
    click(bot, "corpus_add_cancel", pending, OTHER_ADMIN, "DCANCEL")  # an admin, but not the uploader
    assert "another admin" in blocks_text(reply(slack, "DCANCEL", "another admin")[0])
    assert len(drafts_on_disk(uploads)) == 1  # still there: nothing was cancelled
    click(bot, "corpus_add_cancel", pending, ADMIN, "DCANCEL")
    reply(slack, "DCANCEL", "Cancelled; nothing was added")
    assert drafts_on_disk(uploads) == []
    click(bot, "corpus_add_cancel", pending, ADMIN, "DCANCEL")  # again: there is nothing left to cancel
    assert "nothing to cancel" in blocks_text(reply(slack, "DCANCEL", "nothing to cancel")[0])
    said = [c for c in slack.calls_to("chat.postMessage") if c.params.get("channel") == "DCANCEL"]
    assert sum("Cancelled" in blocks_text(c) for c in said) == 1  # said once: when it was true


def test_a_draft_expires_after_a_day(slack, bot, uploads, tmp_path, monkeypatch):
    pending = draft(slack, bot, tmp_path, "FEXPIRE", "DEXPIRE", "1700001002.0001")
    later = curation.time.time() + curation.DRAFT_TTL + 60

    class Tomorrow:
        @staticmethod
        def time() -> float:
            return later

    monkeypatch.setattr(curation, "time", Tomorrow)
    click(bot, "corpus_add_confirm", pending, ADMIN, "DEXPIRE")
    assert "expired" in blocks_text(reply(slack, "DEXPIRE", "expired")[0])
    assert drafts_on_disk(uploads) == []  # its upload went with it
    keys = {d.key for d in Corpus.load(bot.settings.index.corpus_dir).documents}
    assert not any(key.startswith("summit10") for key in keys)
