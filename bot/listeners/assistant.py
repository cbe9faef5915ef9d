"""Slack's AI-assistant side panel: prompts that follow the index, a thread title, a status while searching.

The panel is a DM thread per conversation. When one starts, the bot greets and suggests prompts
built from the summits the serving index holds (the newest summit's proposals to the state, a
member city's initiatives, a topic across the two latest, one in English), so they never name a
summit the bot cannot answer about; `PROMPTS` in bot/phrases.py stands in when the index cannot
be read. The first question of a thread becomes its title.

Nothing about the panel's chrome may cost an answer: the greeting, prompts, title and the
"searching…" status are each a Web API call that can fail (rate limits, a network fault), and a
failure is logged and passed over. The question is marked `progress="status"` whether or not the
status call succeeded (a call that timed out may still have landed), so the responder clears it
whichever way answering ends.

The thread context (the channel the user is viewing beside the panel) is kept in memory, not in
Bolt's default store, which would read the thread and rewrite the bot's greeting on every change
(conversations.replies + chat.update). Answers do not depend on it — the declarations are the same
whichever channel is open — so it is kept for Bolt's `get_thread_context` and logged, and a
malformed one is ignored.
"""
from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace
from urllib.error import URLError

from slack_bolt import App, Assistant, Say, SetStatus, SetSuggestedPrompts, SetTitle
from slack_bolt.context.assistant.thread_context import AssistantThreadContext
from slack_bolt.context.assistant.thread_context_store.store import AssistantThreadContextStore
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from index.service import LiveIndex, SummitIndex

from ..curation import Curator
from ..phrases import PROMPTS, bilingual, phrase, summit_names
from ..responder import Question, Responder, plain_text
from .curation import is_shared_file, receive_file

log = logging.getLogger(__name__)

TITLE_CHARS = 60  # a thread title longer than this is cut (the panel's list shows about this much)
EXAMPLE_CITY = "岡谷市"  # the city of the curated examples (PROMPTS, README): its initiatives answer well
MAX_PROMPTS = 4  # Slack shows at most four suggested prompts
SLACK_FAULTS = (SlackApiError, URLError, TimeoutError, OSError)  # what a Web API call raises when it fails


class MemoryContextStore(AssistantThreadContextStore):
    """The latest context of each assistant thread, for this process only (at most `limit` threads)."""

    def __init__(self, limit: int = 1000):
        self._contexts: OrderedDict[tuple[str, str], dict[str, str]] = OrderedDict()
        self._limit = limit
        self._lock = threading.Lock()

    def save(self, *, channel_id: str, thread_ts: str, context: dict[str, str]) -> None:
        if not isinstance(context, dict) or not context.get("channel_id"):
            return  # Slack sends {} when the user views no channel: nothing to keep
        with self._lock:
            self._contexts[(channel_id, thread_ts)] = dict(context)
            self._contexts.move_to_end((channel_id, thread_ts))
            while len(self._contexts) > self._limit:
                self._contexts.popitem(last=False)

    def find(self, *, channel_id: str, thread_ts: str) -> AssistantThreadContext | None:
        with self._lock:
            context = self._contexts.get((channel_id, thread_ts))
        return AssistantThreadContext(context) if context else None


def register(app: App, responder: Responder, curator: Curator) -> None:
    store = MemoryContextStore()
    assistant = Assistant(thread_context_store=store)

    @assistant.thread_started
    def on_start(payload: dict, say: Say, set_suggested_prompts: SetSuggestedPrompts) -> None:
        thread = payload.get("assistant_thread") or {}
        store.save(channel_id=thread.get("channel_id", ""), thread_ts=thread.get("thread_ts", ""),
                   context=thread.get("context") or {})
        quietly("greeting", say, bilingual("greeting"))
        quietly("suggested prompts", set_suggested_prompts, prompts=suggested_prompts(curator.live))

    @assistant.thread_context_changed
    def on_context_changed(payload: dict) -> None:
        thread = payload.get("assistant_thread") or {}
        context = thread.get("context") or {}
        store.save(channel_id=thread.get("channel_id", ""), thread_ts=thread.get("thread_ts", ""), context=context)
        log.info("assistant thread %s now beside channel %s", thread.get("thread_ts", "?"),
                 context.get("channel_id", "none") if isinstance(context, dict) else "none")

    @assistant.user_message
    def on_message(payload: dict, set_status: SetStatus, set_title: SetTitle, client: WebClient) -> None:
        if is_shared_file(payload):
            responder.lanes.admin.submit(receive_file, curator, payload, client)
            return
        if payload.get("bot_id") or payload.get("subtype"):
            return
        thread = payload["thread_ts"]
        first = not responder.records.has_thread(payload["channel"], thread)  # asked before the record is made
        quietly("status", set_status, bilingual("searching"))  # before the record: an answer never precedes it
        question = Question.from_event(payload, reply_thread=thread, context_thread=thread)
        responder.receive(replace(question, progress="status"))
        if first and question.text:
            quietly("title", set_title, thread_title(question.text))

    app.use(assistant)


def quietly(what: str, call: Callable[..., object], *args: object, **kwargs: object) -> bool:
    """Make a panel call whose failure must not stop anything else; whether it succeeded."""
    try:
        call(*args, **kwargs)
        return True
    except SLACK_FAULTS as error:
        detail = error.response.get("error") if isinstance(error, SlackApiError) else repr(error)
        log.warning("assistant %s failed (%s); carrying on", what, detail)
        return False


def thread_title(question: str) -> str:
    """The question on one line, cut to TITLE_CHARS with an ellipsis."""
    line = " ".join(plain_text(question).split())
    return line if len(line) <= TITLE_CHARS else line[:TITLE_CHARS - 1].rstrip() + "…"


def suggested_prompts(live: LiveIndex | SummitIndex) -> list[dict[str, str]]:
    """Prompts about what the serving index holds; PROMPTS when it holds nothing or cannot be read."""
    try:
        documents = live.snapshot().documents()  # newest summit first
    except Exception:  # noqa: BLE001 - a greeting must not fail on the index; the fixed prompts still help
        log.exception("could not read the index for the assistant's prompts")
        documents = []
    if not documents:
        return list(PROMPTS)
    newest = documents[0]
    older = sorted({d.summit for d in documents if d.summit < newest.summit}, reverse=True)
    summit = {lang: summit_names((newest.summit,), lang) for lang in ("ja", "en")}
    city = EXAMPLE_CITY if EXAMPLE_CITY in newest.member_cities else newest.host_city
    prompts = [_prompt("prompt_proposals", "ja", summit=summit["ja"])]
    if city:
        prompts.append(_prompt("prompt_city", "ja", summit=summit["ja"], city=city))
    if older:
        both = summit_names((older[0], newest.summit), "ja").replace("、", "と")
        prompts.append(_prompt("prompt_compare", "ja", summits=both))
    prompts.append(_prompt("prompt_subsidies", "en", summit=summit["en"]))
    taken = {p["message"] for p in prompts}
    prompts += [p for p in PROMPTS if p["message"] not in taken]  # fill up to MAX_PROMPTS with the fixed ones
    return prompts[:MAX_PROMPTS]


def _prompt(key: str, lang: str, **values: str) -> dict[str, str]:
    return {"title": phrase(f"{key}_title", lang, **values), "message": phrase(key, lang, **values)}
