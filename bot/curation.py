"""Admins add a new declaration from Slack: upload in a DM, check the parse, confirm, and it is live.

The flow: a file shared in a DM by an admin (SUMMITBOT_ADMINS) with the
summit's number in the message → download with the bot token, from Slack's
file hosts only (bot/download.py) → extract and parse in a limited child
process (index/worker.py; nothing written) → a summary with Add/Cancel → on
Add, index/changes.py updates the corpus under the corpus lock, builds the
index in a child process and has the server load it; "added" is said only
once the new version is serving, and on any failure nothing is changed.
Anyone else gets a polite refusal.

Drafts wait at most DRAFT_TTL, kept in the bot's database (bot/drafts.py), so
a restart loses none; their uploads live in one folder of the bot's own (next
to its database), from which the bot removes at start whatever no draft needs.
Every method can be called from any thread and blocks until done.
"""
from __future__ import annotations

import json
import logging
import re
import shutil
import tempfile
import time
import unicodedata
import uuid
from dataclasses import replace
from pathlib import Path

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from index import changes, library
from index.errors import SummitError
from index.extract import MAX_BYTES, SUPPORTED
from index.service import LiveIndex
from index.summits import first_summit

from .download import fetch_private
from .drafts import DraftStore, Pending
from .formatting import escape, inert
from .phrases import bilingual, explain, phrase, summary_lines

log = logging.getLogger(__name__)

CONFIRM_ACTION = "corpus_add_confirm"
CANCEL_ACTION = "corpus_add_cancel"
CORRECT_ACTION = "corpus_add_correct"  # opens the corrections form; its submission adds with the fixes
CORRECTIONS_VIEW = "corpus_add_corrections"
DRAFT_TTL = 24 * 3600  # seconds a draft waits for Add or Cancel
UPLOAD_PREFIX = "draft-"
USER_ERRORS = (SummitError, OSError)  # told to the admin (bot/phrases.py explains them); anything else is a bug


class Curator:
    """Holds drafts awaiting confirmation (in the database `drafts` keeps; in memory without one)."""

    def __init__(self, live: LiveIndex, admins: frozenset[str], bot_token: str, api_url: str = "",
                 uploads: Path | None = None, drafts: DraftStore | None = None):
        self.live = live
        self.admins = admins
        self._token = bot_token
        self._api_url = api_url
        # next to the bot's database (bot/server.py); else a folder of this process alone
        self.uploads = uploads or Path(tempfile.mkdtemp(prefix="summitbot-uploads-"))
        self.drafts = drafts or DraftStore()
        self.expire()
        clear_uploads(self.uploads, keep=self.drafts.folders())

    def is_admin(self, user: str) -> bool:
        return user in self.admins

    def receive(self, user: str, text: str, files: list[dict], client: WebClient, channel: str,
                thread: str | None) -> None:
        """A file shared in a DM: check, download, parse, and ask for confirmation."""
        def say(message: str, blocks: list[dict] | None = None) -> None:
            client.chat_postMessage(channel=channel, thread_ts=thread, text=message, blocks=blocks,
                                    unfurl_links=False, unfurl_media=False)

        self.expire()
        if not self.is_admin(user):
            say(bilingual("not_admin"))
            return
        summit = summit_number(text)
        if summit is None:
            say(bilingual("need_summit"))
            return
        for shared in files:
            self._receive_one(user, summit, shared, client, say)

    def _receive_one(self, user: str, summit: int, shared: dict, client: WebClient, say) -> None:
        try:
            info = client.files_info(file=shared["id"])["file"]
        except (SlackApiError, KeyError) as error:
            log.warning("files.info for %s failed: %s", shared.get("id"), error)
            say(bilingual("file_info"))
            return
        name = info.get("name") or "file"
        if Path(name).suffix.lower() not in SUPPORTED:
            say(bilingual("bad_type", name=inert(name)))
            return
        if int(info.get("size") or 0) > MAX_BYTES:
            say(bilingual("too_big", limit=MAX_BYTES // (1024 * 1024)))
            return
        self.uploads.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(prefix=UPLOAD_PREFIX, dir=self.uploads))
        path = folder / safe_name(name)
        try:
            url = info.get("url_private_download") or ""
            path.write_bytes(fetch_private(url, self._token, self._api_url, MAX_BYTES))
            draft = changes.prepare(self.live.settings, path, summit)
        except USER_ERRORS as error:  # refused by Slack's hosts, the reader or the corpus: nothing was kept
            shutil.rmtree(folder, ignore_errors=True)
            say(f"{inert(name)}: {escape(explain(error, 'slack'))}")
            return
        pending_id = uuid.uuid4().hex[:12]
        self.drafts.put(pending_id, Pending(draft, user, folder, time.time()))
        say(bilingual("draft", title=inert(draft.document.display_title), n=len(draft.parse.passages)),
            confirm_blocks(draft, pending_id))

    def confirm(self, pending_id: str, user: str, client: WebClient, channel: str, thread: str | None,
                fixes: tuple[tuple[str, str], ...] = ()) -> None:
        """Add the document (with the admin's OCR `fixes`), rebuild, and report what is new — once it is served."""
        def say(message: str) -> None:
            client.chat_postMessage(channel=channel, thread_ts=thread, text=message, unfurl_links=False,
                                    unfurl_media=False)

        pending, refusal = self._take(pending_id, user, bilingual("expired"))
        if pending is None:
            say(refusal)
            return
        say(bilingual("building"))
        draft = pending.draft
        if fixes:  # recorded with the document: they apply to search and section labels, not to the text shown
            merged = tuple(dict((*draft.document.search_fixes, *fixes)).items())
            draft = replace(draft, document=replace(draft.document, search_fixes=merged))
        try:
            report = changes.add(self.live.settings, draft, self.live)
        except USER_ERRORS as error:
            say(f"{bilingual('not_added')}\n{escape(explain(error, 'slack'))}")
            return
        except Exception:  # noqa: BLE001 - no traceback reaches a user; changes.add has undone everything
            log.exception("adding %s failed", pending.draft.original.name)
            say(f"{bilingual('not_added')}\n{bilingual('unexpected')}")
            return
        finally:
            shutil.rmtree(pending.folder, ignore_errors=True)
        facts = {"title": inert(report.document.display_title), "key": escape(report.document.key),
                 "passages": report.passages, "embedded": report.embedded, "seconds": report.seconds,
                 "version": escape(report.version)}
        say(f"{phrase('added', 'ja', **facts)}\n{phrase('added', 'en', **facts)}")

    def cancel(self, pending_id: str, user: str, client: WebClient, channel: str, thread: str | None) -> None:
        """Drop a draft — and say so only when there was one to drop."""
        pending, refusal = self._take(pending_id, user, bilingual("nothing_to_cancel"))
        if pending is not None:
            shutil.rmtree(pending.folder, ignore_errors=True)
        client.chat_postMessage(channel=channel, thread_ts=thread, text=refusal or bilingual("cancelled"))

    def _take(self, pending_id: str, user: str, gone: str) -> tuple[Pending | None, str]:
        """The draft, taken out, or None and the truthful reason why not (`gone`: expired or used)."""
        if not self.is_admin(user):
            return None, bilingual("not_admin")
        self.expire()
        pending = self.drafts.get(pending_id)
        if pending is None:
            return None, gone
        if pending.user != user:
            return None, bilingual("not_yours")
        taken = self.drafts.take(pending_id)  # None when another click took it meanwhile
        return (taken, "") if taken is not None else (None, gone)

    def expire(self, now: float | None = None) -> int:
        """Drop drafts older than DRAFT_TTL and their uploads; how many were dropped."""
        now = time.time() if now is None else now
        dropped = self.drafts.expire(now - DRAFT_TTL)
        for pending in dropped:
            shutil.rmtree(pending.folder, ignore_errors=True)
        return len(dropped)


def clear_uploads(uploads: Path, keep: set[str] = frozenset()) -> None:
    """Remove uploads no draft needs (left by a process that stopped mid-upload); only our own folders."""
    if not uploads.is_dir():
        return
    for leftover in uploads.glob(UPLOAD_PREFIX + "*"):
        if leftover.name not in keep and leftover.is_dir() and not leftover.is_symlink():
            shutil.rmtree(leftover, ignore_errors=True)
            log.info("removed a leftover upload folder %s", leftover.name)


def safe_name(name: str) -> str:
    """The uploaded file's name without folders or odd characters (it becomes a path on this disk)."""
    stem, suffix = Path(name).stem, Path(name).suffix.lower()
    stem = re.sub(r"[^\w\-]+", "_", unicodedata.normalize("NFKC", stem)).strip("._")[:80] or "upload"
    return stem + suffix


def summit_number(text: str) -> int | None:
    """The summit the upload's message names (第十回, 10回目, 10th, summit 10 …: index/summits.py), or None."""
    return first_summit(text)


def confirm_blocks(draft: library.Draft, pending_id: str) -> list[dict]:
    """The parse for a person to check (the file's own words: plain text, inert), and the two buttons."""
    lines = [inert(line) for line in summary_lines(draft.summary())]
    return [
        {"type": "section", "text": {"type": "plain_text", "text": "\n".join(lines)[:3000]}},
        {"type": "actions", "elements": [
            {"type": "button", "style": "primary", "action_id": CONFIRM_ACTION, "value": pending_id,
             "text": {"type": "plain_text", "text": bilingual("add_button")}},
            {"type": "button", "action_id": CORRECT_ACTION, "value": pending_id,
             "text": {"type": "plain_text", "text": bilingual("correct_button")}},
            {"type": "button", "action_id": CANCEL_ACTION, "value": pending_id,
             "text": {"type": "plain_text", "text": bilingual("cancel_button")}},
        ]},
    ]


def corrections_view(pending_id: str, channel: str, thread: str | None) -> dict:
    """The form for OCR corrections (電線後=震災後, one per line), applied to search and labels, then Add."""
    return {
        "type": "modal", "callback_id": CORRECTIONS_VIEW,
        "private_metadata": json.dumps({"draft": pending_id, "channel": channel, "thread": thread or ""}),
        "title": {"type": "plain_text", "text": phrase("corrections_title", "ja")},
        "submit": {"type": "plain_text", "text": phrase("add_button", "ja")},
        "close": {"type": "plain_text", "text": phrase("cancel_button", "ja")},
        "blocks": [
            {"type": "section", "text": {"type": "plain_text", "text": bilingual("corrections_help")}},
            {"type": "input", "block_id": "fixes", "label": {"type": "plain_text", "text": bilingual("corrections_label")},
             "element": {"type": "plain_text_input", "action_id": "fixes", "multiline": True, "max_length": 2000,
                         "placeholder": {"type": "plain_text", "text": "電線後=震災後"}}},
        ],
    }


def submitted_corrections(view: dict) -> tuple[str, str, str | None, tuple[tuple[str, str], ...]]:
    """(draft id, channel, thread, fixes) of a sent corrections form; CorpusError for a malformed line."""
    meta = json.loads(view.get("private_metadata") or "{}")
    text = ((((view.get("state") or {}).get("values") or {}).get("fixes") or {}).get("fixes") or {}).get("value") or ""
    return meta.get("draft", ""), meta.get("channel", ""), meta.get("thread") or None, library.parse_fixes(text.splitlines())


def sources_text(live: LiveIndex) -> str:
    """The summits and documents in the index, with dates and passage counts."""
    snap = live.snapshot()
    lines = [phrase("sources_index", "ja", version=escape(snap.version),
                    created=escape(snap.data.manifest.get("created", "")))]
    for doc in snap.documents():
        lines.append(phrase("sources_document", "ja", summit=doc.summit, title=inert(doc.title),
                            host=escape(doc.host_city or "—"), date=escape(doc.date or phrase("no_date", "ja")),
                            count=len(snap.document_passages(doc.key))))
    return "\n".join(lines)
