"""Buttons under an answer: "More results", Share / Only me, 👍/👎 and the 👎 form.

Each click is acknowledged at once and its work runs on the clicks lane (never
behind questions), guarded so that a failure is answered with an id.
"""
from __future__ import annotations

from collections.abc import Callable

from slack_bolt import Ack, App

from ..blocks import FEEDBACK_ACTION, FEEDBACK_DOWN, FEEDBACK_MODAL, FEEDBACK_UP, KEEP_ACTION, MORE_ACTION, SHARE_ACTION
from ..clicks import Click
from ..responder import Responder


def register(app: App, responder: Responder) -> None:
    clicks, submit = responder.clicks, responder.lanes.clicks.submit

    def on_button(work: Callable[[Click], None]) -> Callable[..., None]:
        """A listener that acknowledges at once and leaves `work` to the clicks lane."""
        def listener(ack: Ack, body: dict, action: dict) -> None:
            ack()
            submit(clicks.guarded, work, Click.from_body(body, action["value"]))
        return listener

    for action_id, work in ((MORE_ACTION, clicks.more), (SHARE_ACTION, clicks.share), (KEEP_ACTION, clicks.keep)):
        app.action(action_id)(on_button(work))

    @app.action(FEEDBACK_ACTION)
    def on_feedback(ack: Ack, body: dict, action: dict) -> None:
        """Slack's feedback buttons: the value is "up:<record>" or "down:<record>"."""
        ack()
        vote, _, record_id = str(action.get("value", "")).partition(":")
        if vote in ("up", "down") and record_id:
            _vote(Click.from_body(body, record_id), vote)

    @app.action(FEEDBACK_UP)
    @app.action(FEEDBACK_DOWN)
    def on_old_feedback(ack: Ack, body: dict, action: dict) -> None:
        """The 👍/👎 buttons of answers posted before Slack's feedback buttons were used."""
        ack()
        _vote(Click.from_body(body, action["value"]), "up" if action["action_id"] == FEEDBACK_UP else "down")

    def _vote(click: Click, vote: str) -> None:
        if vote == "down":  # the form must open within the trigger's 3 s: here, not behind other clicks
            clicks.guarded(clicks.vote, click, vote)
        else:
            submit(clicks.guarded, clicks.vote, click, vote)

    @app.view(FEEDBACK_MODAL)
    def on_reason(ack: Ack, body: dict, view: dict) -> None:
        ack()
        submit(clicks.explain, (body.get("user") or {}).get("id", ""), view)
