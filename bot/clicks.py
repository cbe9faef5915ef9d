"""What the buttons under an answer do: more results in place, share or keep a private answer, feedback.

Every click is answered through the interaction's response URL, so it works in
channels the bot has not joined and on private (ephemeral) answers, which the
Web API cannot edit. A click that fails is logged with an id and the person is
told that id; nothing is left half done (a shared answer is posted before the
private one is deleted).
"""
from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace

from slack_sdk import WebClient

from index.model import Answer
from index.service import SummitIndex

from .blocks import answer_blocks, fallback_text, feedback_modal
from .links import LinkMaker
from .phrases import bilingual, phrase
from .records import Record, Records
from .response_url import respond

log = logging.getLogger(__name__)

PAGE = 5  # citations a "More results" click adds


@dataclass(frozen=True)
class Click:
    """Who clicked what, on which message, and where to answer."""

    record_id: str
    user: str
    response_url: str
    ephemeral: bool  # the clicked message is a private answer
    trigger_id: str = ""

    @classmethod
    def from_body(cls, body: dict, record_id: str) -> Click:
        container = body.get("container") or {}
        return cls(record_id, (body.get("user") or {}).get("id", ""), body.get("response_url", ""),
                   bool(container.get("is_ephemeral")), body.get("trigger_id", ""))


class Clicks:
    """The buttons' work, on the clicks lane; holds what it needs of the responder."""

    def __init__(self, index, records: Records, client: WebClient, links: LinkMaker) -> None:
        self.index, self.records, self.client, self.links = index, records, client, links

    def guarded(self, work: Callable[..., None], click: Click, *args: str) -> None:
        """Run `work(click, *args)`; on any failure log it with an id and tell the person that id."""
        try:
            work(click, *args)
        except Exception:  # noqa: BLE001 - no click may fail silently or with a traceback
            error_id = uuid.uuid4().hex[:8]
            log.exception("click %s on %s failed (id %s)", work.__name__, click.record_id, error_id)
            self._tell(click, bilingual("failed", id=error_id))

    # ------------------------------------------------------------------ the buttons

    def more(self, click: Click) -> None:
        """The message grows by the next passages, in place; the button goes when there are no more."""
        record, snapshot = self._record_and_version(click)
        if record is None:
            return
        answer = whole_answer(snapshot, record, self.links, extra=PAGE)
        self.records.shown_more(record.id, answer.shown - max(record.shown, 0))
        self._replace(click, record, answer)

    def share(self, click: Click) -> None:
        """Post the private answer to the channel (with the question shown), then remove the private copy."""
        record, snapshot = self._record_and_version(click)
        if record is None:
            return
        answer = whole_answer(snapshot, record, self.links)
        respond(click.response_url, response_type="in_channel", replace_original=False, text=fallback_text(answer),
                blocks=answer_blocks(answer, record.id, question_shown=True), unfurl_links=False, unfurl_media=False)
        respond(click.response_url, delete_original=True)

    def keep(self, click: Click) -> None:
        """Keep the answer private: the same message without the Share / Only me buttons."""
        record, snapshot = self._record_and_version(click)
        if record is None:
            return
        self._replace(click, record, whole_answer(snapshot, record, self.links), share=False)

    def vote(self, click: Click, value: str) -> None:
        """👍 is thanked; 👎 opens a short form asking what was wrong (recorded with the vote)."""
        self.records.feedback(click.record_id, click.user, value)
        record = self.records.get(click.record_id)
        lang = record.lang if record and record.lang == "ja" else "en"
        if value == "down" and click.trigger_id:
            self.client.views_open(trigger_id=click.trigger_id, view=feedback_modal(click.record_id, click.response_url, lang))
        else:
            self._tell(click, phrase("thanks", lang))

    def explain(self, user: str, view: dict) -> None:
        """The 👎 form was sent: its reason and words go with the vote."""
        meta = json.loads(view.get("private_metadata") or "{}")
        values = (view.get("state") or {}).get("values") or {}
        reason = ((values.get("reason") or {}).get("reason") or {}).get("selected_option") or {}
        note = ((values.get("note") or {}).get("note") or {}).get("value") or ""
        if not self.records.explain_feedback(meta.get("record", ""), user, reason.get("value", "other"), note):
            self.records.feedback(meta.get("record", ""), user, "down", reason.get("value", "other"), note)
        if meta.get("url"):
            self._tell(Click(meta.get("record", ""), user, meta["url"], True), phrase("thanks_reason", meta.get("lang", "en")))

    # ------------------------------------------------------------------ helpers

    def _record_and_version(self, click: Click) -> tuple[Record | None, SummitIndex]:
        """The clicked answer's record, or None (after telling the person) when it is gone or out of date."""
        record = self.records.get(click.record_id)
        snapshot = self.index.snapshot()
        if record is None:
            self._tell(click, bilingual("changed"))
        elif record.index_version and record.index_version != snapshot.version:
            # another version's ranking would repeat or skip passages
            self._tell(click, bilingual("changed"))
            record = None
        return record, snapshot

    def _replace(self, click: Click, record: Record, answer: Answer, share: bool | None = None) -> None:
        private = click.ephemeral if share is None else share
        shown = not click.ephemeral and _was_slash(record)
        respond(click.response_url, replace_original=True, text=fallback_text(answer),
                blocks=answer_blocks(answer, record.id, question_shown=shown, private=private),
                unfurl_links=False, unfurl_media=False)

    def _tell(self, click: Click, text: str) -> None:
        """A short private reply to the person who clicked; a failure here is only logged."""
        try:
            respond(click.response_url, response_type="ephemeral", replace_original=False, text=text)
        except Exception as error:  # noqa: BLE001 - nothing else is left to tell them with
            log.error("could not answer a click on %s: %s", click.record_id, error)


def whole_answer(snapshot: SummitIndex, record: Record, links: LinkMaker, extra: int = 0) -> Answer:
    """The answer as its message shows it: the first page and every "More results" page so far, plus `extra`.

    A page counts citations, or for a comparison summits: "More" on a comparison adds the older summits.
    """
    question = record.effective or record.question
    first = snapshot.ask(question, top_k=PAGE, link=links)
    wanted = max(record.shown, first.shown) + extra
    if not first.found or wanted <= first.shown:
        return first
    rest = snapshot.ask(question, top_k=wanted - first.shown, offset=first.shown, link=links)
    if first.comparison and rest.comparison:  # older summits go before the newer ones: columns stay oldest first
        columns = rest.comparison.columns + first.comparison.columns
        return replace(first, groups=rest.groups + first.groups, remaining=rest.remaining,
                       comparison=replace(first.comparison, columns=columns, older=rest.comparison.older))
    return replace(first, groups=first.groups + rest.groups, remaining=rest.remaining)


def _was_slash(record: Record) -> bool:
    """A question asked with /summit or a shortcut: its text is nowhere in the channel, so a shared answer shows it."""
    try:
        return bool(json.loads(record.payload or "{}").get("response_url"))
    except ValueError:
        return False
