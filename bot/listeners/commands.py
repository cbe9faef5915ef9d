"""/summit QUESTION: answered in the channel with the question repeated (the slash text is invisible to others)."""
from __future__ import annotations

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from index import library
from index.corpus import Corpus, CorpusError
from index.service import build
from index.store import IndexProblem, rollback

from ..curation import TEXT, Curator, sources_text
from ..formatting import escape
from ..responder import Question, Responder, plain_text

HELP = {
    "ja": "使い方: `/summit 質問` — 例: `/summit 岡谷市の取組みは？`。`/summit sources` で登録済みの宣言一覧。",
    "en": "Usage: `/summit QUESTION` — e.g. `/summit What did Okaya commit to?`; `/summit sources` lists the declarations.",
    "admin": "管理者 / admins: `/summit add`, `/summit remove KEY`, `/summit rollback`",
}
ADMIN_WORDS = ("add", "remove", "rollback")


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
            ack(response_type="ephemeral", text=admin_command(curator, command.get("user_id", ""), word.lower(), rest.strip()))
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
    """/summit add | remove KEY | rollback — for SUMMITBOT_ADMINS only."""
    if not curator.is_admin(user):
        return TEXT["not_admin"]
    settings = curator.live.settings
    try:
        if word == "add":
            return TEXT["how_to_add"]
        if word == "remove":
            doc = library.remove(Corpus.load(settings.corpus_dir), argument)
            build(settings, progress=False, embedder=curator.live.current.embedder)
            curator.live.reload()
            return f"削除しました / Removed: {escape(doc.display_title)}"
        before, after = rollback(settings.index_dir)
        curator.live.reload()
        return f"索引を戻しました / Index rolled back: {escape(before)} → {escape(after)}"
    except (CorpusError, IndexProblem) as error:
        return escape(str(error))
