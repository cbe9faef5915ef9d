"""/summit QUESTION: answered in the channel with the question repeated (the slash text is invisible to others)."""
from __future__ import annotations

import logging

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from index import changes

from ..curation import TEXT, USER_ERRORS, Curator, sources_text
from ..formatting import escape, inert
from ..responder import Question, Responder, plain_text

HELP = {
    "ja": "使い方: `/summit 質問` — 例: `/summit 岡谷市の取組みは？`。`/summit sources` で登録済みの宣言一覧。",
    "en": "Usage: `/summit QUESTION` — e.g. `/summit What did Okaya commit to?`; `/summit sources` lists the declarations.",
    "admin": "管理者 / admins: `/summit add`, `/summit remove KEY`, `/summit rollback`",
}
ADMIN_WORDS = ("add", "remove", "rollback")
WORKING = {"remove": "{key} を削除しています… / Removing {key} and rebuilding the index…",
           "rollback": "索引を前の版に戻しています… / Rolling the index back…"}

log = logging.getLogger(__name__)


def register(app: App, responder: Responder, curator: Curator) -> None:
    @app.command("/summit")
    def on_summit(ack: Ack, command: dict, respond: Respond, client: WebClient) -> None:
        text = plain_text(command.get("text", ""))
        word, _, rest = text.partition(" ")
        if not text or text.lower() in ("help", "ヘルプ", "?"):
            ack(response_type="ephemeral", text="\n".join(HELP.values()))
            return
        if word.lower() == "sources":
            ack(response_type="ephemeral", text=sources_text(curator.live))
            return
        if word.lower() in ADMIN_WORDS:
            user, word, argument = command.get("user_id", ""), word.lower(), rest.strip()
            ack(response_type="ephemeral", text=admin_command(curator, user, word, argument))
            if curator.is_admin(user) and word in WORKING:  # the change itself takes tens of seconds
                responder.lanes.admin.submit(run_admin, curator, word, argument, respond)
            return
        # recorded before the acknowledgement; the answer follows through the response_url
        responder.receive(Question(
            key=f"slash:{command.get('trigger_id') or command.get('channel_id', '') + ':' + text}",
            user=command.get("user_id", ""),
            channel=command.get("channel_id", ""),
            text=text,
            reply_thread=None,
            context_thread="",
            response_url=command.get("response_url", ""),
        ))
        ack()


def admin_command(curator: Curator, user: str, word: str, argument: str) -> str:
    """/summit add | remove KEY | rollback — for SUMMITBOT_ADMINS only: the immediate answer."""
    if not curator.is_admin(user):
        return TEXT["not_admin"]
    if word == "add":
        return TEXT["how_to_add"]
    return WORKING[word].format(key=escape(argument))


def run_admin(curator: Curator, word: str, argument: str, respond: Respond) -> None:
    """Remove or roll back through index/changes.py, then say what happened (nothing changes on failure)."""
    try:
        if word == "remove":
            report = changes.remove(curator.live.settings, argument, curator.live)
            text = (f"削除しました：{inert(report.document.display_title)}（索引 {escape(report.version)}）"
                    f" / Removed {inert(report.document.display_title)}; index {escape(report.version)}")
        else:
            report = changes.rollback(curator.live.settings, curator.live)
            text = f"索引を戻しました / Index rolled back: {escape(report.previous)} → {escape(report.version)}"
    except USER_ERRORS as error:
        text = f"変更していません / Nothing was changed: {escape(str(error))}"
    except Exception:  # noqa: BLE001 - no traceback reaches a user; changes has undone everything
        log.exception("/summit %s failed", word)
        text = f"変更していません / Nothing was changed: {TEXT['unexpected']}"
    respond(response_type="ephemeral", replace_original=False, text=text)
