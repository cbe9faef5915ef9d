"""The fake Slack speaks the real protocols: checked with slack_sdk's own clients, not with hand-made requests.

If these pass, a bot test that drives slack_bolt against FakeSlack exercises the
same HTTP encoding, retry handling and Socket Mode framing it would against Slack,
and is refused what Slack would refuse: invalid Block Kit, calls into channels
the bot has not joined, methods outside the manifest's scopes. The last tests
hold the manifest to least privilege against what bot/ actually calls.
"""
from __future__ import annotations

import json
import logging
import re
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.socket_mode import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from tests.fakeslack import FakeSlack
from tests.fakeslack_rules import METHOD_SCOPES, manifest_scopes, read_manifest, scopes_for_features

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as f:
        yield f


@pytest.fixture
def web(fake: FakeSlack) -> WebClient:
    # retry_handlers=[]: no silent retries hiding what the fake answered
    return WebClient(token="xoxb-test", base_url=fake.api_url, retry_handlers=[])


#: Every scope some method of the fake needs: for tests of behaviour, not of scopes.
ALL_SCOPES = frozenset(
    s for rule in METHOD_SCOPES.values() if rule
    for s in ([rule] if isinstance(rule, str) else [rule.scope(k) for k in ("channels", "groups", "im", "mpim")])
)


@pytest.fixture
def roomy() -> Iterator[FakeSlack]:
    """A fake whose bot token has every scope, for methods the manifest does not (yet) grant."""
    with FakeSlack(scopes=ALL_SCOPES) as f:
        yield f


def test_auth_test_and_bots_info(roomy: FakeSlack) -> None:
    web = WebClient(token="xoxb-test", base_url=roomy.api_url, retry_handlers=[])
    fake = roomy
    auth = web.auth_test()
    assert auth["user_id"] == "UBOT" and auth["team_id"] == "T0001" and auth["bot_id"] == "B0001"
    assert auth.headers["X-OAuth-Scopes"] == ",".join(sorted(ALL_SCOPES))  # bolt reads the bot's scopes from it
    assert web.bots_info(bot="B0001")["bot"] == {"id": "B0001", "user_id": "UBOT", "name": "summitbot", "app_id": "A0001"}
    call = fake.calls_to("auth.test")[0]
    assert call.token == "xoxb-test" and "token" not in call.params


def test_post_message_gives_distinct_increasing_ts(fake: FakeSlack, web: WebClient) -> None:
    first = web.chat_postMessage(channel="C1", text="one")
    second = web.chat_postMessage(channel="C1", text="two")
    assert first["channel"] == "C1" and first["message"]["text"] == "one"
    assert first["message"]["ts"] == first["ts"]
    assert float(first["ts"]) < float(second["ts"])
    assert [c.params["text"] for c in fake.wait_for("chat.postMessage", count=2)] == ["one", "two"]


def test_replies_see_posted_and_registered_thread_messages(fake: FakeSlack, web: WebClient) -> None:
    fake.add_message("C1", "1700000000.000001", "what does the declaration say?", "U123")
    reply = web.chat_postMessage(channel="C1", text="it says...", thread_ts="1700000000.000001")
    web.chat_postMessage(channel="C1", text="unrelated")
    web.chat_postMessage(channel="C2", text="other channel", thread_ts="1700000000.000001")

    messages = web.conversations_replies(channel="C1", ts="1700000000.000001")["messages"]
    assert [m["text"] for m in messages] == ["what does the declaration say?", "it says..."]
    assert messages[1]["ts"] == reply["ts"] and messages[1]["user"] == "UBOT"


def test_form_encoded_calls_and_token_param_are_understood(fake: FakeSlack) -> None:
    client = WebClient(base_url=fake.api_url)
    response = client.api_call("chat.postMessage", params={"token": "xoxb-form", "channel": "C9", "text": "hi"})
    assert response["ok"] and response["channel"] == "C9"
    call = fake.calls_to("chat.postMessage")[0]
    assert call.token == "xoxb-form" and call.params == {"channel": "C9", "text": "hi"}


def test_other_methods_answer_like_slack(roomy: FakeSlack) -> None:
    fake, web = roomy, WebClient(token="xoxb-test", base_url=roomy.api_url, retry_handlers=[])
    posted = web.chat_postMessage(channel="C1", text="draft")
    assert web.chat_update(channel="C1", ts=posted["ts"], text="final")["text"] == "final"
    assert web.chat_postEphemeral(channel="C1", user="U1", text="psst")["message_ts"]
    assert web.reactions_add(channel="C1", timestamp=posted["ts"], name="eyes")["ok"]
    with pytest.raises(SlackApiError, match="already_reacted"):
        web.reactions_add(channel="C1", timestamp=posted["ts"], name="eyes")
    assert web.reactions_get(channel="C1", timestamp=posted["ts"])["message"]["reactions"][0]["name"] == "eyes"
    assert web.reactions_remove(channel="C1", timestamp=posted["ts"], name="eyes")["ok"]
    with pytest.raises(SlackApiError, match="no_reaction"):
        web.reactions_remove(channel="C1", timestamp=posted["ts"], name="eyes")
    # the asker's message came in an event the test never registered: 👀 on it and off again still works
    assert web.reactions_add(channel="C1", timestamp="1.000009", name="eyes")["ok"]
    assert web.reactions_remove(channel="C1", timestamp="1.000009", name="eyes")["ok"]
    assert web.reactions_add(channel="C1", timestamp="1.000010", name="eyes")["ok"]
    fake.add_message("C1", "1.000010", "registered after the bot reacted", "U1")
    assert web.reactions_remove(channel="C1", timestamp="1.000010", name="eyes")["ok"]
    assert web.users_info(user="U1")["user"]["id"] == "U1"
    home = {"type": "home", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}]}
    assert web.views_publish(user_id="U1", view=home)["view"]["type"] == "home"
    assert web.conversations_info(channel="D123")["channel"] == {"id": "D123", "is_im": True, "is_channel": False}
    assert web.conversations_info(channel="C123")["channel"]["is_im"] is False
    assert web.assistant_threads_setStatus(channel_id="D1", thread_ts="1.2", status="thinking")["ok"]
    assert web.chat_delete(channel="C1", ts=posted["ts"])["ok"]
    assert web.conversations_replies(channel="C1", ts=posted["ts"])["messages"] == []

    with pytest.raises(SlackApiError) as unknown:
        web.api_call("chat.scheduleMessage", json={"channel": "C1"})
    assert unknown.value.response.status_code == 200
    assert unknown.value.response["error"] == "unknown_method"
    assert fake.calls[-1].method == "chat.scheduleMessage" and not fake.calls[-1].ok


def test_tokens_are_checked_like_slack(fake: FakeSlack, web: WebClient) -> None:
    with pytest.raises(SlackApiError, match="not_allowed_token_type"):
        web.apps_connections_open(app_token="xoxb-test")
    with pytest.raises(SlackApiError, match="not_allowed_token_type"):
        WebClient(token="xapp-test", base_url=fake.api_url).chat_postMessage(channel="C1", text="hi")
    with pytest.raises(SlackApiError, match="not_authed"):
        WebClient(base_url=fake.api_url).chat_postMessage(channel="C1", text="hi")
    assert web.apps_connections_open(app_token="xapp-test")["url"] == fake.socket_url
    assert fake.calls_to("chat.postMessage") == []


def test_rate_limit_is_retried_once_after_retry_after(fake: FakeSlack) -> None:
    client = WebClient(
        token="xoxb-test", base_url=fake.api_url, retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)]
    )
    fake.fail_next("chat.postMessage", 429, retry_after=1)
    start = time.monotonic()
    response = client.chat_postMessage(channel="C1", text="hi")
    elapsed = time.monotonic() - start

    assert response["ok"]
    limited, posted = [c for c in fake.calls if c.method == "chat.postMessage"]
    assert (limited.status, limited.response["error"]) == (429, "ratelimited")
    assert len(fake.calls_to("chat.postMessage")) == 1
    # the handler sleeps Retry-After plus up to 1 s of jitter
    assert 1.0 <= posted.time - limited.time < 2.5 and elapsed < 3


def test_server_error_raises_without_a_retry_handler(fake: FakeSlack, web: WebClient) -> None:
    fake.fail_next("chat.postMessage", 500)
    with pytest.raises(SlackApiError) as failed:
        web.chat_postMessage(channel="C1", text="hi")
    assert failed.value.response.status_code == 500
    assert fake.calls_to("chat.postMessage") == []
    assert web.chat_postMessage(channel="C1", text="again")["ok"]  # only the next call failed


def test_api_level_error_via_fail_next(fake: FakeSlack, web: WebClient) -> None:
    fake.fail_next("chat.postMessage", 200, body={"ok": False, "error": "channel_not_found"})
    with pytest.raises(SlackApiError, match="channel_not_found"):
        web.chat_postMessage(channel="C404", text="hi")


def test_delayed_response_times_out_but_the_call_took_effect(fake: FakeSlack) -> None:
    client = WebClient(token="xoxb-test", base_url=fake.api_url, timeout=0.3, retry_handlers=[])
    fake.delay_next("chat.postMessage", 1.0)
    with pytest.raises(Exception) as timed_out:  # urllib surfaces it as TimeoutError or URLError
        client.chat_postMessage(channel="C1", text="slow")
    assert "timed out" in str(timed_out.value)
    assert len(fake.calls_to("chat.postMessage")) == 1


def test_wait_for_filters_and_reports_all_calls_on_timeout(fake: FakeSlack, web: WebClient) -> None:
    threading.Timer(0.2, lambda: web.chat_postMessage(channel="C2", text="later")).start()
    (call,) = fake.wait_for("chat.postMessage", where=lambda c: c.params["channel"] == "C2", timeout=5)
    assert call.params["text"] == "later"
    with pytest.raises(AssertionError, match=r"(?s)expected 2 successful chat.postMessage.*channel.*C2"):
        fake.wait_for("chat.postMessage", count=2, timeout=0.2)


def test_file_download_needs_the_bearer_token(fake: FakeSlack, web: WebClient) -> None:
    fake.add_file("F1", b"%PDF-1.4 fake", "宣言 2024.pdf", "pdf", "application/pdf")
    info = web.files_info(file="F1")["file"]
    assert (info["id"], info["name"], info["size"], info["mimetype"]) == ("F1", "宣言 2024.pdf", 13, "application/pdf")
    url = info["url_private_download"]
    assert url.startswith(fake.base_url + "/files/F1/")

    with urllib.request.urlopen(urllib.request.Request(url, headers={"Authorization": "Bearer xoxb-test"})) as r:
        assert r.status == 200 and r.read() == b"%PDF-1.4 fake"
        assert r.headers["Content-Type"] == "application/pdf"
    with pytest.raises(urllib.error.HTTPError) as forbidden:
        urllib.request.urlopen(url)
    assert forbidden.value.code == 403
    assert [d.status for d in fake.downloads] == [200, 403]
    with pytest.raises(SlackApiError, match="file_not_found"):
        web.files_info(file="F404")


def test_two_instances_run_side_by_side_and_stop_quickly() -> None:
    a, b = FakeSlack().start(), FakeSlack(bot_user_id="UOTHER").start()
    try:
        assert a.api_url != b.api_url and a.socket_url != b.socket_url
        assert WebClient(token="xoxb-a", base_url=a.api_url).auth_test()["user_id"] == "UBOT"
        assert WebClient(token="xoxb-b", base_url=b.api_url).auth_test()["user_id"] == "UOTHER"
        assert len(a.calls) == len(b.calls) == 1
    finally:
        start = time.monotonic()
        a.stop()
        b.stop()
        assert time.monotonic() - start < 2
    a.stop()  # idempotent


def wait_for_new_session(client: SocketModeClient, old_session: str | None, timeout: float) -> None:
    """Wait until the builtin client has switched to its new connection.

    fake.wait_for_socket() only says the server side is ready; the client swaps
    its current session a moment later, and closing it in between trips a race
    in slack_sdk 3.47's Connection.disconnect() (AttributeError on None.close).
    """
    deadline = time.monotonic() + timeout
    while not (client.is_connected() and client.session_id() != old_session):
        assert time.monotonic() < deadline, "the Socket Mode client did not switch to a new session"
        time.sleep(0.02)


def test_socket_mode_envelopes_acks_and_reconnect(fake: FakeSlack, caplog: pytest.LogCaptureFixture) -> None:
    received: list[SocketModeRequest] = []

    def listener(client: SocketModeClient, req: SocketModeRequest) -> None:
        received.append(req)
        client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))

    # ping_interval=0.5: the builtin client only reconnects after a lost connection
    # on its session monitor's tick, which runs every ping_interval seconds
    client = SocketModeClient(app_token="xapp-test", web_client=WebClient(base_url=fake.api_url), ping_interval=0.5)
    client.socket_mode_request_listeners.append(listener)
    caplog.set_level(logging.CRITICAL, logger="slack_sdk")  # the drop makes it log errors, by design
    try:
        client.connect()
        fake.wait_for_socket(timeout=5)
        assert fake.calls_to("apps.connections.open")[0].token == "xapp-test"

        event = {"type": "app_mention", "user": "U1", "text": "<@UBOT> hello", "channel": "C1", "ts": "1.000001"}
        first = fake.send_envelope({"event": event, "type": "event_callback"})
        assert fake.wait_for_ack(first, timeout=5) == {"envelope_id": first}
        assert received[0].type == "events_api" and received[0].payload["event"]["text"] == "<@UBOT> hello"

        old_session = client.session_id()
        fake.drop_socket_connections()
        fake.wait_for_socket(timeout=5)
        assert fake.socket_connections == 2
        assert len(fake.calls_to("apps.connections.open")) == 2

        second = fake.send_envelope({"command": "/summit"}, type="slash_commands", accepts_response_payload=True)
        assert fake.wait_for_ack(second, timeout=5)["envelope_id"] == second
        assert [r.envelope_id for r in received] == [first, second]
        wait_for_new_session(client, old_session, timeout=5)
    finally:
        start = time.monotonic()
        client.close()
        assert time.monotonic() - start < 2


def test_disconnect_message_makes_the_client_reconnect_at_once(fake: FakeSlack) -> None:
    # default ping_interval (5 s): the disconnect path does not depend on it
    client = SocketModeClient(app_token="xapp-test", web_client=WebClient(base_url=fake.api_url))
    try:
        client.connect()
        fake.wait_for_socket(timeout=5)
        old_session = client.session_id()
        fake.send_disconnect()
        wait_for_new_session(client, old_session, timeout=3)
        assert fake.socket_connections == 2
        fake.wait_for_socket(timeout=3)
    finally:
        client.close()


def test_send_envelope_without_client_fails_loudly(fake: FakeSlack) -> None:
    with pytest.raises(AssertionError, match="no Socket Mode client"):
        fake.send_envelope({"event": {}})
    with pytest.raises(AssertionError, match="no Socket Mode client connected"):
        fake.wait_for_socket(timeout=0.1)


# ---------------------------------------------------------------------- what Slack checks before it acts


def section(text: str, **extra: object) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}, **extra}


def button(action_id: str, value: str, text: str = "👍") -> dict:
    return {"type": "button", "action_id": action_id, "value": value, "text": {"type": "plain_text", "text": text}}


def feedback(value: str = "r1", label: str = "helpful") -> dict:
    """Slack's native feedback buttons, which the bot may send instead of two plain buttons."""
    def side(emoji: str, verdict: str) -> dict:
        return {"text": {"type": "plain_text", "text": emoji}, "value": f"{verdict}:{value}", "accessibility_label": label}
    return {"type": "context_actions", "elements": [
        {"type": "feedback_buttons", "action_id": "feedback", "positive_button": side("👍", "up"),
         "negative_button": side("👎", "down")}]}


def refusal(call: pytest.ExceptionInfo[SlackApiError]) -> dict:
    return call.value.response.data


def post_json(url: str, payload: dict) -> dict:
    """POST to a response URL the way bolt's respond() does."""
    data = json.dumps(payload).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=5) as r:
        return json.loads(r.read())


def test_a_whole_answer_is_accepted(fake: FakeSlack, web: WebClient) -> None:
    """What the bot posts: a headline, quotes with their sources, buttons; also native feedback buttons."""
    blocks = [section("1件見つかりました。")]
    for i in range(24):
        blocks += [section("> " + "新規受注開拓を推進する事業。" * 200), {"type": "context", "elements": [
            {"type": "mrkdwn", "text": f"*[{i + 1}]* · 第9回 すみだ宣言 · <https://summit.example.jp/p/{i}|該当箇所を開く>"}]}]
    blocks.append({"type": "actions", "block_id": "answer_actions:r1", "elements": [
        button("more_results", "r1", "More results"), button("feedback_up", "r1"), button("feedback_down", "r1", "👎")]})
    assert len(blocks) == 50 and len(blocks[1]["text"]["text"]) == 2802
    assert web.chat_postMessage(channel="C1", text="1件見つかりました。", blocks=blocks)["ok"]
    assert web.chat_postMessage(channel="C1", thread_ts="1.2", text="x", blocks=[section("ok"), feedback()])["ok"]
    assert len(fake.calls_to("chat.postMessage")) == 2


@pytest.mark.parametrize("blocks, pointer", [
    ([{"type": "frobnicate"}], "/blocks/0/type"),
    ([section("x" * 3001)], "/blocks/0/text/text"),
    ([section("")], "/blocks/0/text/text"),
    ([section("a", block_id="b1"), section("b", block_id="b1")], "/blocks/1/block_id"),
    ([section("a", block_id="b" * 256)], "/blocks/0/block_id"),
    ([section("a")] * 51, "/blocks"),
    ([{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}], "/blocks/0/text/text"),
    ([{"type": "header", "text": {"type": "mrkdwn", "text": "*h*"}}], "/blocks/0/text/type"),
    ([{"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * 11}], "/blocks/0/elements"),
    ([{"type": "actions", "elements": [button(f"a{i}", "v") for i in range(26)]}], "/blocks/0/elements"),
    ([{"type": "actions", "elements": [button("a", "v", "t" * 76)]}], "/blocks/0/elements/0/text/text"),
    ([{"type": "actions", "elements": [button("a", "v" * 2001)]}], "/blocks/0/elements/0/value"),
    ([{"type": "actions", "elements": [button("a" * 256, "v")]}], "/blocks/0/elements/0/action_id"),
    ([{"type": "actions", "elements": [button("a", "v"), button("a", "w")]}], "/blocks/0/elements/1/action_id"),
    ([{"type": "actions", "elements": [{"type": "teleport", "action_id": "t"}]}], "/blocks/0/elements/0/type"),
    ([{"type": "input", "label": {"type": "plain_text", "text": "l" * 2001},
       "element": {"type": "plain_text_input", "action_id": "q"}}], "/blocks/0/label/text"),
    ([{"type": "context_actions", "elements": [button("a", "v")]}], "/blocks/0/elements/0"),
])
def test_invalid_blocks_are_refused_like_slack(fake: FakeSlack, web: WebClient, blocks: list, pointer: str) -> None:
    with pytest.raises(SlackApiError) as refused:
        web.chat_postMessage(channel="C1", text="fallback", blocks=blocks)
    body = refusal(refused)
    assert refused.value.response.status_code == 200 and body["error"] == "invalid_blocks"
    assert any(e.endswith(f"[json-pointer:{pointer}]") for e in body["errors"]), body["errors"]
    (call,) = [c for c in fake.calls if c.method == "chat.postMessage"]  # recorded, with what was refused
    assert not call.ok and call.response == body and fake.calls_to("chat.postMessage") == []


@pytest.mark.parametrize("side, pointer", [
    ({"text": {"type": "plain_text", "text": "👍"}}, "positive_button/value"),
    ({"text": {"type": "plain_text", "text": "y" * 76}, "value": "v"}, "positive_button/text/text"),
    ({"text": {"type": "mrkdwn", "text": "👍"}, "value": "v"}, "positive_button/text/type"),
    ({"text": {"type": "plain_text", "text": "👍"}, "value": "v", "accessibility_label": "l" * 76},
     "positive_button/accessibility_label"),
])
def test_feedback_buttons_are_checked_by_their_documented_shape(web: WebClient, side: dict, pointer: str) -> None:
    block = feedback()
    block["elements"][0]["positive_button"] = side
    with pytest.raises(SlackApiError) as refused:
        web.chat_postMessage(channel="C1", text="x", blocks=[block])
    assert any(f"/blocks/0/elements/0/{pointer}]" in e for e in refusal(refused)["errors"]), refusal(refused)


def test_every_message_method_checks_its_blocks_and_text(fake: FakeSlack, web: WebClient) -> None:
    too_long = [section("x" * 3001)]
    posted = web.chat_postMessage(channel="C1", text="draft")
    with pytest.raises(SlackApiError, match="invalid_blocks"):
        web.chat_update(channel="C1", ts=posted["ts"], text="x", blocks=too_long)
    with pytest.raises(SlackApiError, match="invalid_blocks"):
        web.chat_postEphemeral(channel="C1", user="U1", text="x", blocks=too_long)
    with pytest.raises(SlackApiError, match="invalid_blocks"):  # form-encoded: blocks arrive as JSON text
        WebClient(base_url=fake.api_url).api_call(
            "chat.postMessage", params={"token": "xoxb-form", "channel": "C1", "text": "x", "blocks": json.dumps(too_long)})
    with pytest.raises(SlackApiError, match="invalid_blocks_format"):
        web.api_call("chat.postMessage", json={"channel": "C1", "text": "x", "blocks": {"type": "section"}})
    with pytest.raises(SlackApiError, match="msg_too_long"):
        web.chat_postMessage(channel="C1", text="x" * 40_001)
    assert web.chat_postMessage(channel="C1", text="x" * 40_000)["ok"]


def modal(title: str = "Feedback", blocks: list | None = None, **extra: object) -> dict:
    return {"type": "modal", "title": {"type": "plain_text", "text": title},
            "blocks": [section("why?")] if blocks is None else blocks, **extra}


@pytest.mark.parametrize("view, pointer", [
    (modal("t" * 25), "/view"),
    (modal(submit={"type": "plain_text", "text": "s" * 25}), "/view/submit/text"),
    (modal(close={"type": "plain_text", "text": "c" * 25}), "/view/close/text"),
    (modal(blocks=[{"type": "input", "label": {"type": "plain_text", "text": "Why?"},
                    "element": {"type": "plain_text_input", "action_id": "why"}}]), "/view/submit"),
    ({"type": "modal", "blocks": [section("no title")]}, "/view/title"),
    (modal(blocks=[section("a")] * 101), "/view/blocks"),
    ({"type": "home", "blocks": [section("x" * 3001)]}, "/view/blocks/0/text/text"),
])
def test_invalid_views_are_refused_like_slack(fake: FakeSlack, web: WebClient, view: dict, pointer: str) -> None:
    with pytest.raises(SlackApiError) as refused:
        web.views_open(trigger_id="T1", view=view)
    body = refusal(refused)
    assert body["error"] == "invalid_arguments"
    assert any(m.startswith("[ERROR] ") and f"[json-pointer:{pointer}" in m
               for m in body["response_metadata"]["messages"]), body
    assert [c.ok for c in fake.calls if c.method == "views.open"] == [False]


def test_valid_views_are_accepted_by_every_views_method(web: WebClient) -> None:
    form = modal(blocks=[section("a")] * 99 + [{"type": "input", "label": {"type": "plain_text", "text": "Why?"},
                                                  "element": {"type": "plain_text_input", "action_id": "why"}}],
                 submit={"type": "plain_text", "text": "送信"}, close={"type": "plain_text", "text": "Cancel"})
    opened = web.views_open(trigger_id="T1", view=form)["view"]
    assert web.views_update(view_id=opened["id"], view=form)["ok"]
    assert web.views_push(trigger_id="T2", view=modal())["ok"]
    assert web.views_publish(user_id="U1", view={"type": "home", "blocks": [section("a")] * 100})["ok"]


def test_response_urls_check_blocks_but_not_membership(fake: FakeSlack, web: WebClient) -> None:
    fake.leave("C1")
    url = fake.base_url + "/commands/T0001/1/abc"
    assert post_json(url, {"response_type": "ephemeral", "text": "answer", "blocks": [section("ok")]}) == {"ok": True}
    assert post_json(url, {"text": "answer", "blocks": [section("x" * 3001)]})["error"] == "invalid_blocks"
    assert [c.ok for c in fake.calls if c.method == "response_url"] == [True, False]
    with pytest.raises(SlackApiError, match="not_in_channel"):
        web.chat_postMessage(channel="C1", text="the same answer, posted")


def test_not_in_channel(web: WebClient) -> None:
    fake = FakeSlack(not_in=["G2"]).start()
    try:
        web = WebClient(token="xoxb-test", base_url=fake.api_url, retry_handlers=[])
        posted = web.chat_postMessage(channel="C1", text="member by default")
        fake.leave("C1")
        assert not fake.is_member("C1") and not fake.is_member("G2")
        for call in (lambda: web.chat_postMessage(channel="C1", text="hi"),
                     lambda: web.chat_postMessage(channel="G2", text="hi"),
                     lambda: web.chat_update(channel="C1", ts=posted["ts"], text="edit"),
                     lambda: web.chat_postEphemeral(channel="C1", user="U1", text="psst")):
            with pytest.raises(SlackApiError) as refused:
                call()
            assert refusal(refused) == {"ok": False, "error": "not_in_channel"}
        assert web.chat_postMessage(channel="D1", text="DMs always work")["ok"]
        assert web.chat_postEphemeral(channel="D1", user="U1", text="psst")["ok"]
        fake.join("C1")
        assert web.chat_postMessage(channel="C1", text="back")["ok"]
    finally:
        fake.stop()


def test_reactions_need_membership_and_chat_write_public_opens_public_channels_only() -> None:
    with FakeSlack(scopes=ALL_SCOPES | {"chat:write.public"}, not_in=["C1", "G1"]) as fake:
        web = WebClient(token="xoxb-test", base_url=fake.api_url, retry_handlers=[])
        assert web.chat_postMessage(channel="C1", text="public channel, not joined")["ok"]
        for call in (lambda: web.chat_postMessage(channel="G1", text="private"),
                     lambda: web.reactions_add(channel="C1", timestamp="1.2", name="eyes"),
                     lambda: web.reactions_remove(channel="C1", timestamp="1.2", name="eyes")):
            with pytest.raises(SlackApiError, match="not_in_channel"):
                call()


def test_missing_scope_names_what_was_needed_and_provided() -> None:
    with FakeSlack(scopes=["app_mentions:read", "commands"]) as fake:
        web = WebClient(token="xoxb-test", base_url=fake.api_url, retry_handlers=[])
        with pytest.raises(SlackApiError) as refused:
            web.chat_postMessage(channel="C1", text="hi")
        assert refusal(refused) == {"ok": False, "error": "missing_scope", "needed": "chat:write",
                                    "provided": "app_mentions:read,commands"}
        assert [c.response["error"] for c in fake.calls] == ["missing_scope"]
        assert web.auth_test()["ok"] and web.views_publish(user_id="U1", view={"type": "home", "blocks": [section("a")]})


def test_manifest_scopes_by_default_and_history_scopes_by_conversation_kind(fake: FakeSlack, web: WebClient) -> None:
    assert fake.scopes == manifest_scopes()
    for channel, scope in (("C1", "channels:history"), ("G1", "groups:history"), ("D1", "im:history")):
        assert web.conversations_history(channel=channel)["ok"] and web.conversations_replies(channel=channel, ts="1.2")
        assert fake.scopes_exercised[scope] == 2
    fake.channel_kinds["G9"] = "mpim"
    with pytest.raises(SlackApiError) as refused:
        web.conversations_history(channel="G9")
    assert refusal(refused)["needed"] == "mpim:history"
    web.chat_postMessage(channel="C1", text="hi")
    assert fake.scopes_exercised["chat:write"] == 1 and "files:read" not in fake.scopes_exercised


def test_unknown_methods_fail_loudly(fake: FakeSlack, web: WebClient, caplog: pytest.LogCaptureFixture) -> None:
    with pytest.raises(SlackApiError) as unknown:
        web.api_call("pins.add", json={"channel": "C1", "timestamp": "1.2"})
    assert refusal(unknown) == {"ok": False, "error": "unknown_method"}
    assert "pins.add" in caplog.text and "METHOD_SCOPES" in caplog.text
    assert fake.calls[-1].method == "pins.add" and not fake.calls[-1].ok


# ---------------------------------------------------------------------- least privilege

#: What bolt's helpers in a listener call: helper -> Web API methods (slack_bolt/context/*).
BOLT_HELPERS = {
    r"\bsay\(|\bSay\b": ("chat.postMessage",),
    r"\bset_status\(|\bSetStatus\b": ("assistant.threads.setStatus",),
    r"\bset_title\(|\bSetTitle\b": ("assistant.threads.setTitle",),
    r"\bset_suggested_prompts\(|\bSetSuggestedPrompts\b": ("assistant.threads.setSuggestedPrompts",),
    # Assistant() keeps each thread's context with its default store: conversations.replies, chat.update
    r"\bAssistant\(": ("conversations.replies", "chat.update"),
}
_FAMILIES = r"(?:chat|views|reactions|conversations|files|assistant_threads|users|bots|pins|team)_[A-Za-z]+"
#: client.chat_postMessage(...), and the name as a string for getattr(client, "reactions_add") style calls
METHOD_CALL = re.compile(rf"\.({_FAMILIES})\b|[\"']({_FAMILIES})[\"']")
API_CALL = re.compile(r"api_call\(\s*[\"']([a-z]+(?:\.[A-Za-z]+)+)[\"']")


def methods_the_bot_calls() -> dict[str, set[str]]:
    """Web API method -> files of bot/ that call it, directly (client.chat_postMessage) or through bolt's helpers."""
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / "bot").rglob("*.py")):
        source, name = path.read_text(encoding="utf-8"), str(path.relative_to(ROOT))
        names = {attr or text for attr, text in METHOD_CALL.findall(source)}
        methods = {m.replace("_", ".") for m in names} | set(API_CALL.findall(source))
        methods |= {m for pattern, ms in BOLT_HELPERS.items() if re.search(pattern, source) for m in ms}
        for method in methods:
            found.setdefault(method, set()).add(name)
    return found


def test_the_fake_knows_every_method_the_bot_calls() -> None:
    unknown = {m: files for m, files in methods_the_bot_calls().items() if m not in METHOD_SCOPES}
    assert not unknown, f"add these to METHOD_SCOPES in tests/fakeslack_rules.py (and to the fake): {unknown}"


def test_manifest_asks_for_exactly_the_scopes_the_bot_needs() -> None:
    """Least privilege: each scope in the manifest is needed by a method the bot calls or an event it subscribes to.

    Reports both directions: scopes granted but unused (drop them) and scopes
    needed but not granted (the bot would get missing_scope), each with why.
    """
    needed = scopes_for_features(read_manifest(), methods_the_bot_calls())
    granted = manifest_scopes()
    unused = sorted(granted - needed.keys())
    missing = {s: sorted(why) for s, why in needed.items() if s not in granted}
    assert not unused and not missing, f"manifest scopes not needed: {unused}; needed, not in the manifest: {missing}"
