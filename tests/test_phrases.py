"""Errors from index/ carry a code and facts; bot/phrases.py phrases them for the CLI, Slack and the web page."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.download import DownloadRefused, check_url
from bot.phrases import TEXT, bilingual, explain, headline, phrase
from index import worker
from index.errors import SummitError
from index.extract import ExtractionError, extract
from index.sandbox import Outcome
from index.service import QuestionError, clean_question
from index.versions import IndexMissingError, current_version

ROOT = Path(__file__).resolve().parent.parent
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def raised(call, *args) -> SummitError:
    with pytest.raises(SummitError) as error:
        call(*args)
    return error.value


@pytest.mark.parametrize("question, code", [
    ("", "question-empty"), ("\x00\x01", "question-empty"), ("🙂🙂🙂", "question-no-words"),
    ("x" * 50_000, "question-too-long"),
])
def test_each_question_code_is_phrased_in_both_languages(question, code):
    error = raised(clean_question, question)
    assert isinstance(error, QuestionError) and error.code == code
    ja, en = explain(error, "slack", "ja"), explain(error, "slack", "en")
    assert JAPANESE.search(ja) and not JAPANESE.search(en) and en[0].isupper()
    assert explain(error, "web") == f"{ja} / {en}" == explain(error, "slack")
    assert not JAPANESE.search(explain(error, "cli"))
    if code == "question-too-long":
        assert "50,000" in ja and "50,000" in en and "too long" in explain(error, "cli")
    assert "管理者" not in ja and "admin" not in en  # the asker can fix this one


def test_the_cli_names_the_command_and_slack_says_ask_an_admin(tmp_path):
    error = raised(current_version, tmp_path / "none")
    assert isinstance(error, IndexMissingError) and error.code == "index-missing"
    assert "summitbot" not in str(error) and "admin" not in str(error)  # index/ knows no front end
    assert explain(error, "cli") == f"there is no index in {tmp_path / 'none'} yet: run `summitbot index build`"
    slack = explain(error, "slack")
    assert "管理者" in slack and "admins" in slack and "summitbot index build" not in slack and str(tmp_path) not in slack


def test_extraction_refusals_are_codes_and_facts_not_bilingual_messages(tmp_path):
    (tmp_path / "empty.pdf").write_bytes(b"")
    (tmp_path / "sengen.xlsx").write_bytes(b"PK")
    empty, docx = raised(extract, tmp_path / "empty.pdf"), raised(extract, tmp_path / "sengen.xlsx")
    assert isinstance(empty, ExtractionError) and empty.code == "file-empty" and empty.facts == {"name": "empty.pdf"}
    assert docx.code == "file-type-unsupported" and docx.facts["suffix"] == ".xlsx"
    for error in (empty, docx):
        assert not JAPANESE.search(str(error)) and " / " not in str(error)
        assert JAPANESE.search(explain(error, "slack")) and error.facts["name"] in explain(error, "cli")


def test_a_refusal_crosses_from_the_reading_child_with_its_code_and_facts():
    answer = {"ok": False, "error": "ExtractionError", "message": "x.pdf is empty", "code": "file-empty",
              "facts": {"name": "x.pdf"}}
    outcome = Outcome("prepare", answer, "", 0.1, 0.1, 10.0, 0, "")
    with pytest.raises(ExtractionError) as error:
        worker._value(outcome, worker.READ_STOPPED, ExtractionError, worker.READ_LIMITS)
    assert (error.value.code, error.value.facts, str(error.value)) == ("file-empty", {"name": "x.pdf"}, "x.pdf is empty")


def test_a_stopped_child_becomes_an_error_of_its_own_code():
    outcome = Outcome("prepare", None, "memory", 3.0, 2.5, 500.0, -9, "")
    with pytest.raises(ExtractionError) as error:
        worker._value(outcome, worker.READ_STOPPED, ExtractionError, worker.READ_LIMITS)
    assert error.value.code == "read-too-much-memory" and error.value.facts["mb"] == worker.READ_LIMITS.address_mb
    assert "too much memory" in explain(error.value, "slack") and "メモリ" in explain(error.value, "slack")


def test_download_refusals_are_phrased_too():
    error = raised(check_url, "https://evil.example/x.pdf")
    assert isinstance(error, DownloadRefused) and error.code == "download-refused"
    assert "https://evil.example" in explain(error, "slack") and "ダウンロードしませんでした" in explain(error, "slack")


def test_unknown_codes_missing_facts_and_other_errors_fall_back_to_a_generic_sentence():
    for error in (SummitError("the thing broke", "no-such-code"), SummitError("the thing broke", "question-too-long"),
                  ValueError("the thing broke")):
        assert explain(error, "cli") == "the thing broke"
        said = explain(error, "slack")
        assert "the thing broke" in said and "エラーが発生しました" in said and "Something went wrong" in said
        assert explain(error, "web", "en").startswith("Something went wrong.")


def test_every_code_index_raises_has_a_sentence_in_both_languages():
    """Every code written in index/ (and bot/download.py) has an entry; a new one without is caught here."""
    sources = [*(ROOT / "index").glob("*.py"), ROOT / "bot" / "download.py"]
    codes = set()
    for path in sources:
        text = path.read_text(encoding="utf-8")
        for statement in re.findall(r"raise \w+\((.*?)\)(?: from \w+)?$", text, re.DOTALL | re.MULTILINE):
            codes |= set(re.findall(r'(?:\)|"),\s*"([a-z]+(?:-[a-z]+)+)"', statement))  # Error("...", "code", …)
        codes |= set(re.findall(r'\bcode = "([a-z0-9-]+)"', text))  # a class's default code
        codes |= set(re.findall(r'\("([a-z]+(?:-[a-z]+)+)", "', text))  # worker.READ_STOPPED / BUILD_STOPPED
    assert len(codes) > 40, sorted(codes)
    missing = sorted(code for code in codes if code != "error" and code not in TEXT)
    assert not missing
    for code in codes - {"error"}:
        assert JAPANESE.search(str(TEXT[code]["ja"])) and not JAPANESE.search(str(TEXT[code]["en"]).replace("第N回", ""))


def test_the_slack_sentences_keep_their_wording():
    assert bilingual("not_admin").startswith("申し訳ありませんが") and "only the bot's admins" in bilingual("not_admin")
    assert phrase("more_results", "ja") == "さらに表示" and phrase("more_results", "en") == "More results"
    assert bilingual("help_admin") == "管理者 / admins: `/summit add`, `/summit remove KEY`, `/summit rollback`, `/summit config`"
    added = phrase("added", "en", title="おかや宣言", key="summit10-okaya", passages=4, embedded=8, seconds=3.2,
                   version="v2")  # a fact may be called key or lang
    assert added == "Added おかや宣言 as summit10-okaya: 4 passages (8 texts embedded, 3 s); index v2; ask away."
    assert bilingual("removing", key="summit10-okaya-2").startswith("summit10-okaya-2 を削除しています")


def test_a_declined_answer_names_the_words_the_declarations_lack():
    from index.model import Answer, Decision, QueryAnalysis

    analysis = QueryAnalysis(text="インボイス制度は？", lang="ja", unknown_nouns=("インボイス",))
    declined = Answer("インボイス制度は？", "ja", Decision("declined", "not-relevant", "no-match"), (), analysis)
    line = headline(declined)
    assert "見つかりませんでした" in line and "「インボイス」の記載がありません" in line
    english = Answer("invoice?", "en", Decision("declined", "not-relevant", "no-match"), (),
                     QueryAnalysis(text="invoice?", lang="en", unknown_nouns=("インボイス",)))
    assert "do not mention 「インボイス」" in headline(english)
    place = Answer("横浜は？", "ja", Decision("declined", "unknown-place", "unknown-place"), (),
                   QueryAnalysis(text="横浜は？", lang="ja", unknown_places=("横浜",), unknown_nouns=("天気",)))
    assert "記載がありません" not in headline(place)  # the unknown place is the reason said


def test_a_found_answer_says_by_name_which_asked_word_the_declarations_lack():
    from index.model import Answer, Decision, QueryAnalysis

    analysis = QueryAnalysis(text="インボイス制度の補助は？", lang="ja", unknown_nouns=("インボイス",))
    partly = Answer(analysis.text, "ja", Decision("partly", "covered", "not-mentioned"), (), analysis)
    assert "「インボイス」という語はなく、近い内容の箇所です" in headline(partly)
    found = Answer(analysis.text, "ja", Decision("found", "covered", ""), (), analysis)
    assert "インボイス" not in headline(found)  # said only when the decision says so
