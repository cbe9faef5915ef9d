"""One summit-number parser (index/summits.py) for questions and for the message that comes with an upload."""
from __future__ import annotations

from pathlib import Path

import pytest

from bot.curation import Curator, summit_number
from index.summits import blank_summit_mentions, first_summit, kanji_number, summit_numbers


@pytest.mark.parametrize("text, numbers", [
    ("第十回の宣言は？", [10]),
    ("第 10 回で何を決めた？", [10]),
    ("10回目のサミット", [10]),
    ("第二十一回の宣言", [21]),
    ("第二十回と第九回", [20, 9]),
    ("第9回", [9]),
    ("What did the 10th summit say?", [10]),
    ("the tenth summit", [10]),
    ("summit 10", [10]),
    ("Summit No. 8", [8]),
    ("the 21st century economy", []),
    ("the 5th floor", []),
    ("１０回目の宣言", [10]),
    ("第１０回", [10]),
    ("第　１０　回", [10]),  # ideographic spaces
    ("第2000回", []),
    ("中小企業の振興", []),
    ("8回の宣言にあって、9回（提言も含めて）ではもう出てこない", [8, 9]),  # a parenthesis after 回
    ("", []),
])
def test_summit_numbers(text, numbers):
    assert summit_numbers(text) == numbers


@pytest.mark.parametrize("kanji, value", [
    ("十", 10), ("十一", 11), ("二十", 20), ("二十一", 21), ("九十九", 99), ("三", 3), ("一〇", 10),
    ("十十", 0), ("〇十", 0), ("二十一十", 0),
])
def test_kanji_numbers(kanji, value):
    assert kanji_number(kanji) == value


def test_words_about_a_summit_itself_are_blanked():
    text = "8回目は地元開催だったはず。中小企業都市サミットで何を言った？"
    blanked = blank_summit_mentions(text)
    assert len(blanked) == len(text) and "開催" not in blanked and "都市" not in blanked and "サミット" in blanked
    assert "展示会の開催" in blank_summit_mentions("展示会の開催を支援")  # a topic's 開催 stays


def test_blanking_keeps_offsets_and_leaves_other_words():
    for text in ("第十回の宣言で岡谷は？", "What did the 10th summit say about Okaya?", "１０回目の岡谷"):
        blanked = blank_summit_mentions(text)
        assert len(blanked) == len(text) and ("岡谷" in blanked or "Okaya" in blanked)
        assert summit_numbers(blanked) == []
    assert blank_summit_mentions("the 21st century") == "the 21st century"


def test_first_summit_is_the_first_named_in_reading_order():
    assert first_summit("the 10th, not 第9回") == 10
    assert first_summit("第9回, not the 10th") == 9
    assert first_summit("宣言文です") is None


@pytest.mark.parametrize("message", ["第十回の宣言です", "10回目の宣言", "第１０回", "10th summit", "summit 10"])
def test_the_upload_flow_reads_the_summit_from_the_message(message, tmp_path, monkeypatch):
    assert summit_number(message) == 10

    class Live:  # receive() needs nothing of the index before a file is read
        settings = None

    curator = Curator(Live(), frozenset({"UADMIN"}), "xoxb-test", uploads=tmp_path / "uploads")
    received: list[int] = []
    monkeypatch.setattr(curator, "_receive_one", lambda user, summit, shared, client, say: received.append(summit))
    said: list[str] = []

    class Client:
        def chat_postMessage(self, **kwargs):
            said.append(kwargs["text"])

    curator.receive("UADMIN", message, [{"id": "F1"}], Client(), "D1", None)
    assert received == [10] and said == []


def test_the_upload_flow_asks_which_summit_when_none_is_named(tmp_path: Path):
    class Live:
        settings = None

    said: list[str] = []

    class Client:
        def chat_postMessage(self, **kwargs):
            said.append(kwargs["text"])

    curator = Curator(Live(), frozenset({"UADMIN"}), "xoxb-test", uploads=tmp_path / "uploads")
    curator.receive("UADMIN", "宣言文です (the 21st century)", [{"id": "F1"}], Client(), "D1", None)
    assert len(said) == 1 and "第10回" in said[0]
