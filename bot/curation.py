"""Admins add a new declaration from Slack: upload in a DM, check the parse, confirm, and it is live.

The flow: a file shared in a DM by an admin (SUMMITBOT_ADMINS) with the
summit's number in the message → download with the bot token → extract and
parse (nothing written) → a summary with Confirm/Cancel → on Confirm the
corpus is updated, the index rebuilt (only new passages are embedded) and the
serving index switches to it. Anyone else gets a polite refusal.
"""
from __future__ import annotations

import logging
import re
import tempfile
import threading
import time
import unicodedata
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

from slack_sdk import WebClient

from index import library
from index.corpus import Corpus, CorpusError
from index.extract import MAX_BYTES, SUPPORTED, ExtractionError
from index.service import LiveIndex, build
from index.store import IndexProblem

from .formatting import escape
from .phrases import summary_lines

log = logging.getLogger(__name__)

CONFIRM_ACTION = "corpus_add_confirm"
CANCEL_ACTION = "corpus_add_cancel"
_SUMMIT = re.compile(r"第\s*([0-9]+)\s*回|\b([0-9]+)(?:st|nd|rd|th)\b|\bsummit\s*([0-9]+)", re.IGNORECASE)

TEXT = {
    "not_admin": "申し訳ありませんが、宣言文の追加・削除は管理者のみ行えます。/ Sorry, only the bot's admins can add or remove declarations.",
    "need_summit": "何回目のサミットの宣言か、ファイルと一緒に書いてください（例：第10回）。/ Please say which summit this is, with the file (e.g. 第10回 or 10th).",
    "too_big": "ファイルが大きすぎます（上限 {limit} MB）。/ The file is too large (limit {limit} MB).",
    "bad_type": "{name} は追加できません。PDF、テキスト、Markdown、HTML のファイルを送ってください。/ {name} cannot be added: send a PDF, text, Markdown or HTML file.",
    "how_to_add": "追加する宣言文のファイル（PDF など）を、このボットへのDMで「第N回」と書いて送ってください。/ Upload the declaration (e.g. a PDF) to me in a DM and say which summit it is (e.g. 第10回).",
    "cancelled": "追加を取りやめました。/ Cancelled; nothing was added.",
    "expired": "この確認は期限切れです。もう一度ファイルを送ってください。/ This confirmation has expired; please upload the file again.",
    "building": "追加しています… / Adding and rebuilding the index…",
}


@dataclass
class Pending:
    draft: library.Draft
    user: str
    folder: tempfile.TemporaryDirectory
    created: float


class Curator:
    """Holds drafts awaiting confirmation (in memory: a restart asks for the file again)."""

    def __init__(self, live: LiveIndex, admins: frozenset[str], bot_token: str):
        self.live = live
        self.admins = admins
        self._token = bot_token
        self._pending: dict[str, Pending] = {}
        self._lock = threading.Lock()

    def is_admin(self, user: str) -> bool:
        return user in self.admins

    def receive(self, user: str, text: str, files: list[dict], client: WebClient, channel: str, thread: str | None) -> None:
        """A file shared in a DM: check, download, parse, and ask for confirmation."""
        def say(message: str, blocks: list[dict] | None = None) -> None:
            client.chat_postMessage(channel=channel, thread_ts=thread, text=message, blocks=blocks)

        if not self.is_admin(user):
            say(TEXT["not_admin"])
            return
        summit = summit_number(text)
        if summit is None:
            say(TEXT["need_summit"])
            return
        for shared in files:
            self._receive_one(user, summit, shared, client, say)

    def _receive_one(self, user: str, summit: int, shared: dict, client: WebClient, say) -> None:
        info = client.files_info(file=shared["id"])["file"]
        name = info.get("name") or "file"
        if Path(name).suffix.lower() not in SUPPORTED:
            say(TEXT["bad_type"].format(name=escape(name)))
            return
        if int(info.get("size") or 0) > MAX_BYTES:
            say(TEXT["too_big"].format(limit=MAX_BYTES // (1024 * 1024)))
            return
        folder = tempfile.TemporaryDirectory(prefix="summitbot-upload-")
        path = Path(folder.name) / Path(name).name
        try:
            path.write_bytes(self._download(info["url_private_download"]))
            corpus = Corpus.load(self.live.settings.corpus_dir)
            draft = library.prepare(corpus, path, summit)
        except (ExtractionError, CorpusError, OSError) as error:
            folder.cleanup()
            say(f"{escape(name)}: {escape(str(error))}")
            return
        pending_id = uuid.uuid4().hex[:12]
        with self._lock:
            self._pending[pending_id] = Pending(draft, user, folder, time.time())
        say(f"{draft.document.display_title}: {len(draft.parse.passages)} passages", confirm_blocks(draft, pending_id))

    def _download(self, url: str) -> bytes:
        """Slack serves private files to the bearer of the bot token (never logged)."""
        request = urllib.request.Request(url, headers={"Authorization": f"Bearer {self._token}"})
        with urllib.request.urlopen(request, timeout=60) as response:
            data = response.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise OSError(TEXT["too_big"].format(limit=MAX_BYTES // (1024 * 1024)))
        return data

    def confirm(self, pending_id: str, user: str, client: WebClient, channel: str, thread: str | None) -> None:
        """Add the document, rebuild, and report what is new."""
        pending = self._take(pending_id, user)
        if pending is None:
            client.chat_postMessage(channel=channel, thread_ts=thread, text=TEXT["expired"])
            return
        client.chat_postMessage(channel=channel, thread_ts=thread, text=TEXT["building"])
        try:
            corpus = Corpus.load(self.live.settings.corpus_dir)
            doc = library.add(corpus, pending.draft)
            report = build(self.live.settings, progress=False, embedder=self.live.current.embedder)
        except (CorpusError, IndexProblem, OSError) as error:
            client.chat_postMessage(channel=channel, thread_ts=thread, text=f"追加できませんでした / Not added: {escape(str(error))}")
            return
        finally:
            pending.folder.cleanup()
        self.live.reload()
        new = len(pending.draft.parse.passages)
        client.chat_postMessage(
            channel=channel, thread_ts=thread,
            text=(f"追加しました：{escape(doc.display_title)}（{new}箇所、新規埋め込み {report.embedded}件）。もう質問できます。\n"
                  f"Added {escape(doc.display_title)}: {new} passages ({report.embedded} texts embedded); ask away."),
        )

    def cancel(self, pending_id: str, user: str, client: WebClient, channel: str, thread: str | None) -> None:
        pending = self._take(pending_id, user)
        if pending is not None:
            pending.folder.cleanup()
        client.chat_postMessage(channel=channel, thread_ts=thread, text=TEXT["cancelled"])

    def _take(self, pending_id: str, user: str) -> Pending | None:
        with self._lock:
            pending = self._pending.get(pending_id)
            if pending is None or pending.user != user or not self.is_admin(user):
                return None
            return self._pending.pop(pending_id)


def summit_number(text: str) -> int | None:
    match = _SUMMIT.search(unicodedata.normalize("NFKC", text or ""))
    if not match:
        return None
    return int(next(group for group in match.groups() if group))


def confirm_blocks(draft: library.Draft, pending_id: str) -> list[dict]:
    """The parse for a person to check, and the two buttons."""
    lines = [escape(line) for line in summary_lines(draft.summary())]
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)[:3000]}},
        {"type": "actions", "elements": [
            {"type": "button", "style": "primary", "action_id": CONFIRM_ACTION, "value": pending_id,
             "text": {"type": "plain_text", "text": "追加する / Add"}},
            {"type": "button", "action_id": CANCEL_ACTION, "value": pending_id,
             "text": {"type": "plain_text", "text": "取りやめ / Cancel"}},
        ]},
    ]


def sources_text(live: LiveIndex) -> str:
    """The summits and documents in the index, with dates and passage counts."""
    data = live.data
    lines = [f"*索引 / index* {escape(live.version)}（{escape(data.manifest.get('created', ''))}）"]
    for doc in sorted(data.documents.values(), key=lambda d: -d.summit):
        count = len(live.document_passages(doc.key))
        lines.append(f"• 第{doc.summit}回 {escape(doc.title)} — 開催地 {escape(doc.host_city or '—')}、"
                     f"{escape(doc.date or '日付不明')}、{count}箇所")
    return "\n".join(lines)
