"""The parser on both declarations we have, and on a layout it has never seen."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from index.corpus import Corpus
from index.model import Document
from index.parse import INITIATIVES_SECTION, parse_text
from index.textnorm import compact

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return Corpus.load(CORPUS)


@pytest.fixture(scope="module")
def sumida(corpus):
    return corpus.parse(corpus.document("summit09-sumida"))


@pytest.fixture(scope="module")
def ota(corpus):
    return corpus.parse(corpus.document("summit08-ota"))


def kinds(result) -> Counter:
    return Counter(p.kind for p in result.passages)


def test_ninth_summit_structure(sumida):
    count = kinds(sumida)
    assert count["declaration"] == 13  # （１）①–④, （２）①–④, （３）①–⑤
    assert count["proposal"] == 12  # 別紙 （１）①–③, （２）①–③, （３）①–⑥
    assert count["initiative"] == 12  # one per city and per chamber
    assert count["preamble"] >= 8
    first = next(p for p in sumida.passages if p.kind == "declaration")
    assert first.section == ("宣言", "（１）ものづくりの「新市場開拓」に向けて") and first.label == "①"
    energy = next(p for p in sumida.passages if "産業界に負担を転嫁しない" in p.text)
    assert energy.kind == "proposal" and energy.label == "⑤" and energy.section[0] == "別紙：国への提言"


def test_ninth_summit_organizations_and_cities(sumida):
    initiatives = [p for p in sumida.passages if p.kind == "initiative"]
    by_org = {p.organization: p.city for p in initiatives}
    assert by_org == {
        "墨田区": "墨田区", "東京商工会議所墨田支部": "墨田区",
        "川口市": "川口市", "川口商工会議所": "川口市",
        "大田区": "大田区", "東京商工会議所大田支部": "大田区",
        "岡谷市": "岡谷市", "岡谷商工会議所": "岡谷市",
        "東大阪市": "東大阪市", "東大阪商工会議所": "東大阪市",
        "尼崎市": "尼崎市", "尼崎商工会議所": "尼崎市",
    }
    okaya_chamber = next(p for p in initiatives if p.organization == "岡谷商工会議所")
    assert okaya_chamber.label == "地域活性化を目指す振興事業"
    assert okaya_chamber.text.count("\n") == 2  # its three paragraphs stay paragraphs
    intro = next(p for p in sumida.passages if p.text.startswith("加えて、"))
    assert intro.section == (INITIATIVES_SECTION,)  # introduces the entries, is not a proposal


def test_eighth_summit_structure_and_noise(ota):
    count = kinds(ota)
    assert count["declaration"] == 16 and count["preamble"] == 3
    texts = "".join(p.text for p in ota.passages)
    for noise in ("大田区産業プラザ", "03-3733-6600", "TEL", "高畠一郎", "約11分", "小説業都ホサミツ", "首脳が集結"):
        assert noise not in texts
    reasons = {e.reason for e in ota.excluded}
    assert {"front-matter", "caption", "contact"} <= reasons
    bcp = next(p for p in ota.passages if "事業継続計画" in p.text)
    assert bcp.label == "(3)" and bcp.section[1].startswith("1 ")
    assert next(p for p in ota.passages if p.text.endswith("住工共生のまちづくりを進めること")).label == "(3)"


def test_lines_are_joined_without_breaking_words(sumida, ota):
    texts = [p.text for p in sumida.passages + ota.passages]
    joined = "".join(texts)
    # words that the source wraps across lines
    for word in ("受発注における補完", "デザイナー、クリエイター", "メリットを活かしながら", "Business Continuity Plan"):
        assert word in joined
    for passage in sumida.passages + ota.passages:
        if passage.kind != "initiative":
            assert "\n" not in passage.text, passage.section_path
        assert "  " not in passage.text and not passage.text.startswith(("-", "#", " "))


def test_spans_point_back_into_the_source(corpus, sumida, ota):
    for key, result in (("summit09-sumida", sumida), ("summit08-ota", ota)):
        source = corpus.source(corpus.document(key))
        for passage in result.passages:
            assert compact(source[passage.start:passage.end]).replace("-", "") == compact(passage.text).replace("-", "")


def test_ids_are_stable_and_follow_the_text(corpus, sumida):
    doc = corpus.document("summit09-sumida")
    source = corpus.source(doc)
    again = parse_text(source, doc, corpus.gazetteer.city_of)
    assert [p.id for p in again.passages] == [p.id for p in sumida.passages]
    assert len({p.id for p in sumida.passages}) == len(sumida.passages)
    changed = parse_text(source.replace("地域ブランド事業を積極的", "地域ブランド事業を一層積極的"), doc, corpus.gazetteer.city_of)
    differing = [a.id for a, b in zip(sumida.passages, changed.passages) if a.id != b.id]
    assert len(differing) == 1


NEW_LAYOUT = """第10回中小企業都市サミット おかや宣言

前文
我々加盟6都市は、ものづくりの灯を次代につなぐため、
ここに宣言する。

1. 人材の確保と育成
(1) 若手技術者の育成を支援する。
(2) 女性や高齢者が活躍できる職場づくりを進める。

2. デジタル化の推進
(1) 中小企業のＤＸを後押しする。

○ものづくり人材塾（岡谷市）
地域の企業と学校が連携し、技能を伝える塾を開く。

○デジタル相談窓口（尼崎商工会議所）
専門家による相談窓口を設ける。
"""


def test_a_new_layout_still_parses(corpus):
    doc = Document(key="summit10-okaya", summit=10, title="おかや宣言", host_city="岡谷市", file="x.txt")
    result = parse_text(NEW_LAYOUT, doc, corpus.gazetteer.city_of)
    count = kinds(result)
    assert count["declaration"] == 3 and count["initiative"] == 2 and count["preamble"] == 1
    preamble = next(p for p in result.passages if p.kind == "preamble")
    assert preamble.text == "我々加盟6都市は、ものづくりの灯を次代につなぐため、ここに宣言する。"
    dx = next(p for p in result.passages if "ＤＸ" in p.text)
    assert dx.section == ("2. デジタル化の推進",) and dx.label == "(1)"
    orgs = {p.organization: p.city for p in result.passages if p.kind == "initiative"}
    assert orgs == {"岡谷市": "岡谷市", "尼崎商工会議所": "尼崎市"}
    assert result.excluded and result.excluded[0].text.startswith("第10回")
