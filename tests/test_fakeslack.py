"""The fake Slack speaks the real protocols: checked with slack_sdk's own clients, not with hand-made requests.

If these pass, a bot test that drives slack_bolt against FakeSlack exercises the
same HTTP encoding, retry handling and Socket Mode framing it would against Slack.
"""
from __future__ import annotations

import logging
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.socket_mode import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from tests.fakeslack import FakeSlack


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as f:
        yield f


@pytest.fixture
def web(fake: FakeSlack) -> WebClient:
    # retry_handlers=[]: no silent retries hiding what the fake answered
    return WebClient(token="xoxb-test", base_url=fake.api_url, retry_handlers=[])


def test_auth_test_and_bots_info(fake: FakeSlack, web: WebClient) -> None:
    auth = web.auth_test()
    assert auth["user_id"] == "UBOT" and auth["team_id"] == "T0001" and auth["bot_id"] == "B0001"
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


def test_other_methods_answer_like_slack(fake: FakeSlack, web: WebClient) -> None:
    posted = web.chat_postMessage(channel="C1", text="draft")
    assert web.chat_update(channel="C1", ts=posted["ts"], text="final")["text"] == "final"
    assert web.chat_postEphemeral(channel="C1", user="U1", text="psst")["message_ts"]
    assert web.reactions_add(channel="C1", timestamp=posted["ts"], name="eyes")["ok"]
    assert web.views_publish(user_id="U1", view={"type": "home", "blocks": []})["view"]["type"] == "home"
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
