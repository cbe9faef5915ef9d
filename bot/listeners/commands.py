"""/summit QUESTION: answered privately first, with Share / Only me; shared, it shows the question (the slash
text is invisible to others). /summit help | sources, and the admins' add | remove | rollback | config."""
from __future__ import annotations

import logging

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from index import changes

from ..channels import ChannelSettings
from ..curation import USER_ERRORS, Curator, sources_text
from ..formatting import escape, inert
from ..phrases import bilingual, explain, phrase
from ..responder import Question, Responder, plain_text
from .config import config_command

ADMIN_WORDS = ("add", "remove", "rollback")
WORKING = {"remove": "removing", "rollback": "rolling_back"}  # what the admin is told at once (bot/phrases.py)


def help_text() -> str:
    return "\n".join((phrase("help", "ja"), phrase("help", "en"), bilingual("help_admin")))

log = logging.getLogger(__name__)


def register(app: App, responder: Responder, curator: Curator, channels: ChannelSettings) -> None:
    @app.command("/summit")
    def on_summit(ack: Ack, command: dict, respond: Respond, client: WebClient) -> None:
        text = plain_text(command.get("text", ""))
        word, _, rest = text.partition(" ")
        if not text or text.lower() in ("help", "ヘルプ", "?"):
            ack(response_type="ephemeral", text=help_text())
            return
        if word.lower() == "sources":
            ack(response_type="ephemeral", text=sources_text(curator.live))
            return
        if word.lower() == "config":
            ack(response_type="ephemeral", text=config_command(channels, curator, command.get("user_id", ""),
                                                               command.get("channel_id", ""), rest.strip()))
            return
        if word.lower() in ADMIN_WORDS:
            user, word, argument = command.get("user_id", ""), word.lower(), rest.strip()
            ack(response_type="ephemeral", text=admin_command(curator, user, word, argument))
            if curator.is_admin(user) and word in WORKING:  # the change itself takes tens of seconds
                responder.lanes.admin.submit(run_admin, curator, word, argument, respond)
            return
        # recorded before the acknowledgement; the answer replaces the "searching…" through the response_url,
        # privately first: the asker shares it with a button (bot/clicks.py)
        responder.receive(Question(
            key=f"slash:{command.get('trigger_id') or command.get('channel_id', '') + ':' + text}",
            user=command.get("user_id", ""),
            channel=command.get("channel_id", ""),
            text=text,
            reply_thread=None,
            context_thread="",
            response_url=command.get("response_url", ""),
            private=True,
        ))
        ack(response_type="ephemeral", text=bilingual("searching"))


def admin_command(curator: Curator, user: str, word: str, argument: str) -> str:
    """/summit add | remove KEY | rollback — for SUMMITBOT_ADMINS only: the immediate answer."""
    if not curator.is_admin(user):
        return bilingual("not_admin")
    if word == "add":
        return bilingual("how_to_add")
    return bilingual(WORKING[word], key=escape(argument))


def run_admin(curator: Curator, word: str, argument: str, respond: Respond) -> None:
    """Remove or roll back through index/changes.py, then say what happened (nothing changes on failure)."""
    try:
        if word == "remove":
            report = changes.remove(curator.live.settings, argument, curator.live)
            text = bilingual("removed", title=inert(report.document.display_title), version=escape(report.version))
        else:
            report = changes.rollback(curator.live.settings, curator.live)
            text = bilingual("rolled_back", previous=escape(report.previous), version=escape(report.version))
    except USER_ERRORS as error:
        text = bilingual("nothing_changed", reason=escape(explain(error, "slack")))
    except Exception:  # noqa: BLE001 - no traceback reaches a user; changes has undone everything
        log.exception("/summit %s failed", word)
        text = bilingual("nothing_changed", reason=bilingual("unexpected"))
    respond(response_type="ephemeral", replace_original=False, text=text)
