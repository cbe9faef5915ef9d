"""The App Home tab: the view on plain data (bot/home.py), then the real server over HTTP against the fake Slack."""
from __future__ import annotations

import json
import time
from dataclasses import replace

import pytest
from slack_sdk.models.views import View

from bot.home import REASK_ACTION, home_view
from bot.listeners.home import reask_question
from bot.phrases import PROMPTS
from bot.records import Records
from bot.report import QuestionGroup, Report
from index.model import Answer, Decision

from .slackbot import RunningBot, blocks_text, bot_settings, event_body, post

NOW = time.time()
SOURCES = "*索引 / index* v1（2025-06-01）\n• 第9回 すみだ宣言 — 開催地 墨田区、2024-11-07、120箇所"
HOSTILE = "<!channel> @here *太字* <https://evil.example|click>"


def groups(kind: str, n: int, text: str = "質問") -> tuple[QuestionGroup, ...]:
    down = kind == "down"
    return tuple(QuestionGroup(kind=kind, question=f"{text}{i}", searched=f"{text}{i}", count=n - i,
                               last_asked=NOW - i * 3600, reasons=(("wrong_passage", 2), ("missing", 1)) if down else (),
                               notes=("違う箇所です",) if down else ())
                 for i in range(n))


def a_report(**overrides) -> Report:
    values = dict(since=NOW - 30 * 86_400, until=NOW, asked=40, found=30, declined=8, failed=1, refused=1,
                  declined_questions=groups("declined", 15), down_questions=groups("down", 12, "回答"))
    return Report(**{**values, **overrides})


def elements(view: dict) -> list[dict]:
    return [b["accessory"] for b in view["blocks"] if "accessory" in b]


def texts(view: dict) -> list[str]:
    found = []
    for block in view["blocks"]:
        if "text" in block:
            found.append(block["text"]["text"])
        found += [e["text"] for e in block.get("elements", []) if "text" in e]
    return found


def assert_within_slack_limits(view: dict) -> None:
    View(**view).validate_json()
    assert 1 <= len(view["blocks"]) <= 100
    assert all(0 < len(text) <= 3000 for text in texts(view))
    for button in elements(view):
        assert len(button["text"]["text"]) <= 75 and len(button["value"]) <= 2000
    block_ids = [b["block_id"] for b in view["blocks"] if "block_id" in b]
    assert len(block_ids) == len(set(block_ids))


def test_admin_view_shows_the_gaps_then_the_onboarding():
    view = home_view(SOURCES, PROMPTS, a_report())
    assert_within_slack_limits(view)
    shown = json.dumps(view, ensure_ascii=False)
    assert "40" in shown and "30" in shown and "75%" in shown
    buttons = elements(view)
    assert len(buttons) == 20 and {b["action_id"] for b in buttons} == {REASK_ACTION}
    assert [b["value"] for b in buttons[:10]] == [f"質問{i}" for i in range(10)]  # most frequent first, top 10
    assert [b["value"] for b in buttons[10:]] == [f"回答{i}" for i in range(10)]
    assert buttons[0]["text"]["text"] == "もう一度聞く / Ask again"
    assert "引用された箇所が質問に合っていない / The cited passage does not answer it ×2; あるはずの記載が出てこない" in shown and "違う箇所です" in shown
    assert shown.index("質問0") < shown.index("回答0") < shown.index("すみだ宣言")  # gaps first, then the onboarding
    assert "summitbot report --since 30d" in shown


def test_staff_view_is_the_onboarding_only():
    view = home_view(SOURCES, PROMPTS, None)
    assert_within_slack_limits(view)
    shown = json.dumps(view, ensure_ascii=False)
    assert elements(view) == [] and "summitbot report" not in shown
    assert "すみだ宣言" in shown and "2024-11-07" in shown  # what it covers, with dates
    assert "/summit" in shown and "DM" in shown and "@" in shown and "assistant panel" in shown  # how to ask
    assert "見つかりませんでした" in shown and "weak match" in shown  # what "not found" means
    assert "👎" in shown  # how to report a wrong answer
    assert all(p["message"] in shown for p in PROMPTS)
    first = view["blocks"][2]["text"]["text"]
    assert first.index("答えられること") < first.index("What it covers")  # Japanese first


def test_the_home_links_the_staff_guide_when_the_pages_have_an_address():
    view = home_view(SOURCES, PROMPTS, None, help_url="https://summit.example.jp/help")
    assert_within_slack_limits(view)
    assert "<https://summit.example.jp/help|" in json.dumps(view, ensure_ascii=False)
    assert "/help" not in json.dumps(home_view(SOURCES, PROMPTS, None))  # no address: no dead link


def test_long_and_hostile_text_stays_inside_the_limits():
    long = QuestionGroup(kind="down", question=HOSTILE + "長" * 5000, searched="長" * 5000, count=3, last_asked=NOW,
                         reasons=((HOSTILE * 50, 3),), notes=(HOSTILE * 100, "n" * 4000))
    report = a_report(declined_questions=(long,) * 10, down_questions=(replace(long, kind="down"),) * 10)
    view = home_view("x" * 5000, [{"title": HOSTILE, "message": HOSTILE}], report)
    assert_within_slack_limits(view)
    shown = json.dumps(view, ensure_ascii=False)
    assert "<!channel>" not in shown and "<https://evil" not in shown and "@here" not in shown
    assert all(len(b["value"]) == 2000 for b in elements(view))


def test_an_empty_report_says_none():
    view = home_view(SOURCES, PROMPTS, Report(since=NOW - 86_400 * 30, until=NOW))
    assert_within_slack_limits(view)
    assert elements(view) == [] and "ありません / none" in json.dumps(view, ensure_ascii=False)


def test_ask_again_is_a_question_of_its_own_in_the_admins_dm():
    question = reask_question("UADMIN", "駐車場はどこ？", "T-9")
    assert (question.key, question.channel, question.user) == ("home:T-9", "UADMIN", "UADMIN")
    assert question.reply_thread is None
    assert question.context_thread == "home:T-9" and not question.private and not question.response_url


# ---------------------------------------------------------------------- over HTTP, against the fake Slack

ADMIN, STAFF = "UADMIN", "U0001"


@pytest.fixture(scope="module")
def bot(slack, service, built, tmp_path_factory):
    """The bot with one admin and a month of records: a question declined twice, an answer marked 👎."""
    database = tmp_path_factory.mktemp("home") / "records.sqlite3"
    records = Records(database)
    for i, (text, outcome) in enumerate([("駐車場はどこ？", "declined"), ("駐車場はどこ?", "declined"),
                                         ("岡谷市の取組みは？", "found")]):
        record_id = records.receive(f"C0001:17000000{i}.0001", STAFF, "C0001", "", text, {})
        records.start(record_id, "test")
        records.answered(record_id, text, Answer(text, "ja", Decision(outcome, "similar")))
    records.feedback(record_id, STAFF, "down", "wrong_passage", "川口市の箇所でした")
    records.close()
    settings = replace(bot_settings(built, slack.api_url, "http"), admins=frozenset({ADMIN}))
    with RunningBot(settings, service, database) as running:
        yield running


def published_view(slack, user: str) -> dict:
    [call] = slack.wait_for("views.publish", where=lambda c: c.params.get("user_id") == user)
    view = call.params["view"]
    return view if isinstance(view, dict) else json.loads(view)


def open_home(bot, user: str, event_id: str) -> None:
    event = {"type": "app_home_opened", "user": user, "channel": "D0001", "tab": "home", "event_ts": "1.1"}
    status, _, seconds = post(bot.url + "/slack/events", event_body(event, event_id))
    assert status == 200 and seconds < 3


def click_ask_again(bot, user: str, value: str, trigger: str) -> None:
    payload = {"type": "block_actions", "user": {"id": user}, "team": {"id": "T0001"}, "api_app_id": "A0001",
               "container": {"type": "view", "view_id": "V00000001"}, "trigger_id": trigger,
               "view": {"id": "V00000001", "type": "home"},
               "actions": [{"action_id": REASK_ACTION, "block_id": "home_declined-0", "type": "button", "value": value,
                            "action_ts": "1700000000.1"}]}
    body = ("payload=" + json.dumps(payload, ensure_ascii=False)).encode()
    status, _, seconds = post(bot.url + "/slack/events", body, content_type="application/x-www-form-urlencoded")
    assert status == 200 and seconds < 3


def test_admin_home_over_http(slack, bot):
    open_home(bot, ADMIN, "Ev-home-admin")
    view = published_view(slack, ADMIN)
    assert_within_slack_limits(view)
    shown = json.dumps(view, ensure_ascii=False)
    [declined, down] = elements(view)
    assert declined["value"] == "駐車場はどこ?" and down["value"] == "岡谷市の取組みは？"
    assert "2回・最終" in shown and "The cited passage does not answer it" in shown and "川口市の箇所でした" in shown
    assert "すみだ宣言" in shown  # the onboarding under the report


def test_staff_home_over_http(slack, bot):
    open_home(bot, STAFF, "Ev-home-staff")
    view = published_view(slack, STAFF)
    assert_within_slack_limits(view)
    shown = json.dumps(view, ensure_ascii=False)
    assert elements(view) == [] and "駐車場" not in shown and "すみだ宣言" in shown and "👎" in shown


def test_ask_again_answers_in_the_admins_dm(slack, bot):
    click_ask_again(bot, ADMIN, "岡谷市と岡谷商工会議所の取組みは？", "T-reask-1")
    [answer] = slack.wait_for("chat.postMessage", where=lambda c: c.params.get("channel") == ADMIN, timeout=30)
    assert "岡谷" in blocks_text(answer) and not answer.params.get("thread_ts")
    [(key, user)] = bot.records.rows("SELECT key, user FROM questions WHERE key LIKE 'home:%'")
    assert (key, user) == ("home:T-reask-1", ADMIN)


def test_ask_again_from_someone_else_asks_nothing(slack, bot):
    click_ask_again(bot, STAFF, "岡谷市の取組みは？", "T-reask-2")
    time.sleep(1.0)
    assert [c for c in slack.calls_to("chat.postMessage") if c.params.get("channel") == STAFF] == []
    assert bot.records.rows("SELECT 1 FROM questions WHERE key = 'home:T-reask-2'") == []
