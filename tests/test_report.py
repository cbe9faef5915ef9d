"""The coverage report (bot/report.py) on a real Records database, and `summitbot report` as a real process."""
from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

import pytest

import bot.records as records_module
from bot.records import FAILED, REFUSED, ANSWERED, Records
from bot.report import DAY, build_report, normalise, parse_since, report_csv, report_text
from index.model import Answer, Decision

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2025, 6, 30, 12, 0).timestamp()
FOUND = Decision("found", "covered")
DECLINED = Decision("declined", "not-relevant", notice="no-match")


class Clock:
    """Records stamps rows with time.time(); this one is set by the test."""

    def __init__(self, now: float) -> None:
        self.now = now

    def time(self) -> float:
        return self.now


def ask(db: Records, clock: Clock, key: str, text: str, days_ago: float, outcome: str, user: str = "U1") -> str:
    """One question through the records' own life cycle, asked `days_ago` before NOW."""
    clock.now = NOW - days_ago * DAY
    record_id = db.receive(key, user, "C1", "", text, {"text": text})
    assert record_id
    if outcome in ("found", "declined"):
        db.start(record_id, "test")
        db.answered(record_id, text, Answer(text, "ja", FOUND if outcome == "found" else DECLINED))
    elif outcome in (FAILED, REFUSED):
        db.finish(record_id, outcome, "RuntimeError: boom" if outcome == FAILED else "too many questions waiting")
    elif outcome == "not_searched":
        db.finish(record_id, ANSWERED, "question refused: too long")
    return record_id


def vote(db: Records, clock: Clock, record_id: str, user: str, value: str, days_ago: float, reason: str = "",
         note: str = "") -> None:
    clock.now = NOW - days_ago * DAY
    db.feedback(record_id, user, value, reason, note)


@pytest.fixture
def filled(tmp_path, monkeypatch) -> Path:
    """A database with questions in every state, repeats written differently, old rows and an admin's re-ask."""
    clock = Clock(NOW)
    monkeypatch.setattr(records_module, "time", SimpleNamespace(time=clock.time))
    path = tmp_path / "records.sqlite3"
    db = Records(path)
    okaya = ask(db, clock, "C1:1", "岡谷市の取組みは？", 20, "found")
    ask(db, clock, "C1:2", "岡谷市の取組みは？", 10, "found")
    succession = ask(db, clock, "C1:3", "事業承継について", 5, "found")
    # declined: the weather three times, written three ways; parking twice, more recently; one older than 30 days
    ask(db, clock, "C1:4", "明日の天気は？", 25, "declined")
    ask(db, clock, "C1:5", "明日の天気は?", 15, "declined", user="U2")
    ask(db, clock, "C1:6", " 明日の  天気は ", 9, "declined")
    ask(db, clock, "C1:7", "駐車場はどこ？", 3, "declined")
    ask(db, clock, "C1:8", "駐車場はどこ", 2, "declined", user="U3")
    ask(db, clock, "C1:9", "Lunch menu?", 4, "declined")
    ask(db, clock, "C1:10", "明日の天気は？", 45, "declined")
    ask(db, clock, "C1:11", "何か", 1, FAILED)
    ask(db, clock, "C1:12", "混雑時の質問", 1, REFUSED)
    ask(db, clock, "C1:13", "x" * 10, 1, "not_searched")
    ask(db, clock, "C1:14", "受付中の質問", 0.01, "received")
    ask(db, clock, "home:T-1", "駐車場はどこ？", 1, "declined", user="UADMIN")  # an admin's Ask again: left out
    # 👎: Okaya's answer twice (two reasons, one note repeated), succession once; an up, a 👎 changed to 👍, an old one
    vote(db, clock, okaya, "U1", "down", 19, "wrong_passage", "別の都市の箇所です")
    vote(db, clock, okaya, "U2", "down", 8, "missing", "別の都市の箇所です")
    vote(db, clock, succession, "U3", "down", 4, "wrong_passage", "")
    vote(db, clock, succession, "U4", "up", 4)
    vote(db, clock, succession, "U5", "down", 4)
    vote(db, clock, succession, "U5", "up", 3)
    old = ask(db, clock, "C1:15", "古い質問", 40, "found")
    vote(db, clock, old, "U1", "down", 39, "wrong_passage")
    db.close()
    return path


def report_of(path: Path, since_days: float = 30):
    db = Records(path)
    try:
        return build_report(db, since=NOW - since_days * DAY, until=NOW)
    finally:
        db.close()


def test_counts_by_outcome(filled):
    report = report_of(filled)
    assert (report.asked, report.found, report.declined, report.failed, report.refused, report.pending,
            report.not_searched) == (13, 3, 6, 1, 1, 1, 1)
    assert report.found_share == pytest.approx(3 / 13)
    assert report.days == pytest.approx(30)


def test_declined_questions_grouped_most_frequent_first(filled):
    groups = report_of(filled).declined_questions
    assert [(g.question, g.count) for g in groups] == [(" 明日の  天気は ", 3), ("駐車場はどこ", 2), ("Lunch menu?", 1)]
    weather, parking, _ = groups
    assert weather.last_asked == pytest.approx(NOW - 9 * DAY)  # the 45-day-old one is outside the period
    assert parking.last_asked == pytest.approx(NOW - 2 * DAY)  # the admin's re-ask a day ago does not count
    assert all(g.kind == "declined" and not g.reasons for g in groups)


def test_down_votes_with_reasons_and_notes(filled):
    groups = report_of(filled).down_questions
    assert [(g.question, g.count) for g in groups] == [("岡谷市の取組みは？", 2), ("事業承継について", 1)]
    okaya, succession = groups
    assert okaya.reasons == (("wrong_passage", 1), ("missing", 1)) and okaya.notes == ("別の都市の箇所です",)
    assert succession.reasons == (("wrong_passage", 1),) and succession.notes == ()


def test_failed_questions_carry_their_error(filled):
    [failed] = report_of(filled).failed_questions
    assert failed.question == "何か" and failed.reasons == (("RuntimeError: boom", 1),)


def test_a_shorter_period(filled):
    report = report_of(filled, since_days=5)
    assert [(g.question, g.count) for g in report.declined_questions] == [("駐車場はどこ", 2), ("Lunch menu?", 1)]
    assert [g.question for g in report.down_questions] == ["事業承継について"]


def test_ties_go_to_the_most_recent():
    from bot.report import group

    rows = [("a", "a", 10.0, "", ""), ("b", "b", 30.0, "", ""), ("c", "c", 20.0, "", "")]
    assert [g.question for g in group("declined", rows)] == ["b", "c", "a"]


def test_normalise():
    assert normalise("明日の天気は？") == normalise(" 明日の　天気は?") == "明日の天気は"
    assert normalise("What did 岡谷 commit to?") == "what did岡谷commit to"
    assert normalise("ＡＢＣ？") == normalise("abc") == "abc"
    assert normalise("  What  did Okaya commit to? ") == "what did okaya commit to"
    assert normalise("？！") == ""


@pytest.mark.parametrize("value, seconds", [("30d", 30 * DAY), ("12h", 12 * 3600), ("2w", 14 * DAY), ("7D", 7 * DAY)])
def test_parse_since_periods(value, seconds):
    assert parse_since(value, now=NOW) == pytest.approx(NOW - seconds)


def test_parse_since_dates():
    assert parse_since("2025-06-01", now=NOW) == datetime(2025, 6, 1).timestamp()
    assert parse_since("2025-06-01T09:30", now=NOW) == datetime(2025, 6, 1, 9, 30).timestamp()


@pytest.mark.parametrize("value", ["", "30", "d30", "thirty days", "0d", "2025-13-01", "2030-01-01", "-3d"])
def test_parse_since_refuses_with_a_sentence(value):
    with pytest.raises(ValueError, match="--since"):
        parse_since(value, now=NOW)


def test_text_and_csv(filled):
    report = report_of(filled)
    text = report_text(report)
    assert "questions asked                    13" in text and "(23%)" in text
    assert text.index("明日の 天気は") < text.index("駐車場はどこ") < text.index("Lunch menu?")
    assert "reasons: wrong_passage; missing" in text and "“別の都市の箇所です”" in text
    rows = list(csv.DictReader(io.StringIO(report_csv(report))))
    assert [(r["kind"], r["question"], r["count"]) for r in rows] == [
        ("declined", " 明日の  天気は ", "3"), ("declined", "駐車場はどこ", "2"), ("declined", "Lunch menu?", "1"),
        ("down", "岡谷市の取組みは？", "2"), ("down", "事業承継について", "1"), ("failed", "何か", "1")]
    assert rows[3]["reasons"] == "wrong_passage; missing" and rows[3]["notes"] == "別の都市の箇所です"
    assert rows[0]["last_asked"] == datetime.fromtimestamp(NOW - 9 * DAY).date().isoformat()


def test_an_empty_period_reports_zeroes(tmp_path):
    db = Records(tmp_path / "empty.sqlite3")
    report = build_report(db)
    db.close()
    assert report.asked == 0 and report.found_share == 0.0 and report.declined_questions == ()
    assert "none" in report_text(report)
    assert report_csv(report).strip() == "kind,question,count,last_asked,reasons,notes"


# ---------------------------------------------------------------------- `summitbot report`, as a user runs it

def run(*args: str, database: Path, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUMMITBOT_")}
    env.update(SUMMITBOT_DB=str(database), PYTHONIOENCODING="utf-8")
    script = Path(sys.executable).parent / "summitbot"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "bot.cli"]
    return subprocess.run([*command, *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=60)


@pytest.fixture
def recent(tmp_path) -> Path:
    """Questions stamped now (the command reports back from the real clock)."""
    path = tmp_path / "now.sqlite3"
    db = Records(path)
    for i, (text, decision) in enumerate([("明日の天気は？", DECLINED), ("明日の天気は?", DECLINED),
                                          ("岡谷市の取組みは？", FOUND)]):
        record_id = db.receive(f"C1:{i}", "U1", "C1", "", text, {})
        db.answered(record_id, text, Answer(text, "ja", decision))
    db.feedback(record_id, "U2", "down", "wrong_passage", "違う箇所です")
    db.close()
    return path


def test_cli_report(recent, tmp_path):
    result = run("report", "--since", "30d", database=recent, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "questions asked                     3" in result.stdout
    assert "2× asked   last" in result.stdout and "明日の天気は" in result.stdout
    assert "reasons: wrong_passage" in result.stdout and "違う箇所です" in result.stdout


def test_cli_report_csv(recent, tmp_path):
    result = run("report", "--since", "2w", "--csv", database=recent, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["kind"], r["count"], r["reasons"], r["notes"]) for r in rows] == [
        ("declined", "2", "", ""), ("down", "1", "wrong_passage", "違う箇所です")]
    assert rows[0]["last_asked"] == datetime.now().date().isoformat()


@pytest.mark.parametrize("since", ["30x", "yesterday", "2030-01-01"])
def test_cli_report_bad_since(recent, tmp_path, since):
    result = run("report", "--since", since, database=recent, cwd=tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("summitbot: --since")
    assert "Traceback" not in result.stderr


def test_cli_report_without_a_database(tmp_path):
    missing = tmp_path / "nowhere" / "records.sqlite3"
    result = run("report", database=missing, cwd=tmp_path)
    assert result.returncode == 2 and "SUMMITBOT_DB" in result.stderr and "Traceback" not in result.stderr
    assert not missing.exists()  # a report creates no database


def test_cli_report_loads_no_index(recent, tmp_path):
    """Fast because it never imports the retrieval core or a model."""
    code = ("import sys; from bot.cli import main; status = main(['report']); "
            "loaded = [m for m in ('index.service', 'torch', 'faiss', 'scipy', 'bot.responder') if m in sys.modules]; "
            "print('LOADED', loaded); sys.exit(status)")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUMMITBOT_")}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=60,
                            env={**env, "SUMMITBOT_DB": str(recent), "PYTHONIOENCODING": "utf-8"})
    assert result.returncode == 0, result.stderr
    assert "LOADED []" in result.stdout
