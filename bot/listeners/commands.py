"""/summit QUESTION: answered in the channel with the question repeated (the slash text is invisible to others)."""
from __future__ import annotations

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from ..responder import Question, Responder, plain_text

HELP = {
    "ja": "使い方: `/summit 質問` — 例: `/summit 岡谷市の取組みは？`、`/summit 第9回で事業承継について何と言っている？`",
    "en": "Usage: `/summit QUESTION` — e.g. `/summit What did Okaya commit to?`",
}


def register(app: App, responder: Responder) -> None:
    @app.command("/summit")
    def on_summit(ack: Ack, command: dict, respond: Respond, client: WebClient) -> None:
        text = plain_text(command.get("text", ""))
        if not text or text.lower() in ("help", "ヘルプ", "?"):
            ack(response_type="ephemeral", text=f"{HELP['ja']}\n{HELP['en']}")
            return
        ack()  # within Slack's 3 seconds; the answer follows through the response_url
        question = Question(
            key=f"slash:{command.get('trigger_id') or command.get('channel_id', '') + ':' + text}",
            user=command.get("user_id", ""),
            channel=command.get("channel_id", ""),
            text=text,
            reply_thread=None,
            context_thread="",
        )
        responder.answer(question, client, post=respond)
