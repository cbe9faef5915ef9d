"""BM25 over fugashi (MeCab + UniDic-lite) tokens, kept in a sparse matrix.

Like bm25s, the scores of every term for every passage are computed once at
build time, so a query is one sparse row-sum over its terms.
"""
from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy import sparse

from .textnorm import search_form

# Parts of speech that carry no topic: particles, auxiliaries, symbols, blanks.
_SKIP_POS = {"助詞", "助動詞", "補助記号", "記号", "空白"}
_STOPWORDS = {
    "する", "ある", "いる", "なる", "れる", "られる", "こと", "もの", "よう", "ため", "これ", "それ",
    "等", "その", "この", "何", "どこ", "どの", "どんな", "どう", "どのよう", "ます", "です", "教える",
    "いう", "言う", "思う", "について", "行う", "おる", "下さる", "くださる", "ください",
    "the", "a", "an", "of", "to", "in", "on", "for", "and", "or", "is", "are", "was", "were", "be",
    "what", "which", "who", "how", "does", "do", "did", "about", "with", "by", "from", "at", "as",
    "that", "this", "it", "its", "their", "they", "there", "any", "into", "will", "would", "can",
}
# Words that say how a question asks, not what it is about; they carry no topic.
QUESTION_WORDS = {
    "取り組み", "取組み", "取組", "取り組む", "事業", "書く", "言う", "宣言", "サミット", "回", "国", "提言",
    "部分", "話", "関する", "内容", "具体", "的", "挙がる", "触れる", "名前", "それぞれ", "一緒", "前文",
    "冒頭", "目指す", "やる", "約束", "求める", "要望", "願う", "お", "いつ", "誰", "どれ", "ところ", "掲げる",
    "つく", "中", "小", "企業", "中小", "施策", "活動", "支援", "重点", "計画", "予定", "考える", "ほしい",
    "say", "says", "said", "mention", "mentions", "declaration", "declarations", "summit", "commit",
    "committed", "committing", "passage", "passages", "anything", "something", "doing", "plan", "plans",
    "planning", "want", "wants", "ask", "asks", "asking", "tell", "i", "me", "my", "us", "we", "our", "you", "your",
    "they", "them",
    "deal", "deals", "also", "both", "each", "other", "side", "part", "parts", "get", "make", "there",
    "have", "has", "had", "one", "new", "more", "most", "way", "ways", "kind", "some", "being", "so",
    "first", "second", "third", "why", "when", "where", "whose", "cities", "city", "members", "member",
    "chamber", "commerce", "promote", "promoting", "support", "supporting", "help", "helping", "use",
    "run", "runs", "hold", "holds", "give", "gives", "going", "try", "trying", "work", "working", "re",
    # fillers and requests for a summary
    "pls", "please", "thanks", "thank", "hi", "hey", "hall", "all", "just", "quick", "quickly", "list",
    "summary", "summarize", "summarise", "overview", "show", "what's", "whats", "lately", "now", "currently",
    "は", "くる", "概要", "まとめ", "一覧", "全部", "全て", "すべて", "ざっくり", "簡単", "ちょっと", "一言", "主な",
    # how a text treats a topic, not the topic: 「BCPについての記述」, 「円安の影響」, 「大田区役所として」
    "記述", "記載", "言及", "紹介", "扱い", "扱う", "書き方", "述べる", "載る", "影響", "役所", "位置付け", "位置づけ",
    "theme", "themes", "topic", "topics", "stayed", "stay", "still", "since", "remain", "remained", "mentioned",
    "contribute", "contributed", "contributes",
    # whose work, not what: 「大田区役所としての独自事業」
    "独自", "own",
    # how a follow-up points back, and what a text is made of: "has that been there every time?", 「項目」
    "been", "every", "time", "ok", "okay", "put", "forward", "方", "項目", "item", "items", "テーマ",
    "出る", "来る", "入る", "含める", "含む", "対する", "対す", "逆", "関係", "論点", "がらみ", "絡み",
    "two", "three", "actually", "really", "exactly", "specifically", "concrete", "concretely", "stuff",
    # how an aspect or an inclusion is asked about: 「人材面で」, 「盛り込まれた」, 「打ち出された」
    "面", "盛り込む", "込む", "打ち出す", "取り上げる", "出す", "表明", "関連", "取組む",
    # who, as the asker points at them: 「自分のとこの取組み」, 「市のほう」, 「各都市」, 「商議所じゃなくて」
    "自分", "とこ", "市", "区", "各", "じゃ", "ない", "もう", "で", "っけ", "同士", "these", "those",
    # what the asker does with the answer, not what it is about: 「次の宣言案の参考に」, 「新市長へのレク資料」,
    # 「宣言本文では」, 「発言をまとめて」, 「地元開催」; 対応 and 対策 ask for a response (on_topic.asks_for_action)
    "ベース", "力", "市長", "区長", "首長", "新市", "長", "レク", "レクチャー", "該当", "使う", "自身", "地元",
    "はず", "両方", "方針", "対応", "対策", "対処", "参考", "案", "草案", "文案", "本文", "発言", "次", "次回",
    "資料", "原稿", "挨拶", "スピーチ", "準備", "確認", "整理", "要約", "要点", "ポイント", "箇所", "文言", "表現",
    "言葉", "文章", "説明", "回答", "件", "参照", "引用", "詳細", "一部", "上記", "当時", "時点", "立場",
    "スタンス", "姿勢", "考え方", "中身", "内訳", "レベル", "会社", "向け", "位置", "さん",
    "mean", "means", "bring", "brings", "brought", "announce", "announced", "announcement", "present", "presented",
    "table", "tabled", "raise", "raised", "offer", "offered", "ward", "wards", "either", "neither",
    "itself", "themselves", "position", "positions", "stance", "wording", "draft", "drafting", "reference",
    "speech", "statement", "statements", "text", "texts", "exact", "quote", "quotes",
    "handle", "handles", "handled", "treat", "treats", "treated", "cover", "covers", "covered",
    # a kind of topic, not the topic: 「グリーン系の取組み」, 「環境ビジネス」, "the business side"
    "系", "ビジネス", "business", "businesses",
    # how the declarations act on a topic, said in everyday verbs (支援 above): 「企業を支える話」, 「信金と組んで」
    "支える", "組む",
    # 企業 above, in English
    "company", "companies", "firm", "firms", "enterprise", "enterprises", "according",
    # whom a proposal is addressed to (query._PROPOSAL reads it): "the national govt"
    "government", "govt", "gov", "national", "state",
}
K1 = 1.2
B = 0.75


CHUNK = 4000  # characters per MeCab call: a 200,000-character line crashes MeCab (SIGSEGV)
_BREAK = re.compile(r"[\n。．.!?！？\s]")
_TAGGER_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def _tagger():
    """One MeCab tagger per process; creating it loads the dictionary (~100 ms, ~22 MB).

    A fugashi Tagger is not thread-safe: its nodes point into the lattice of
    the last parse, so 16 threads sharing one got another question's words in
    about 1 of 300 tokenisations. Callers hold `_TAGGER_LOCK` from the parse
    until they have copied what they need; a tokenisation takes well under a
    millisecond, so one locked tagger costs less than one tagger per thread
    (22 MB each).
    """
    import fugashi

    return fugashi.Tagger()


def chunks(text: str, size: int = CHUNK) -> list[str]:
    """`text` in pieces of at most `size` characters, cut after a sentence end or space where there is one.

    MeCab is only ever given bounded input, whatever a document holds; a cut
    inside a word (only in text with no break for `size` characters, which no
    declaration has) costs at most that one word.
    """
    pieces: list[str] = []
    while len(text) > size:
        window = text[:size]
        cut = max((m.end() for m in _BREAK.finditer(window, size // 2)), default=size)
        pieces.append(text[:cut])
        text = text[cut:]
    pieces.append(text)
    return pieces


def tokenize(text: str) -> list[str]:
    """Content-word lemmas of the search form of `text`."""
    return [lemma for lemma, _ in tagged_tokens(text)]


def tagged_tokens(text: str) -> list[tuple[str, str]]:
    """Content-word lemmas, each with "place", "country" or "name" for proper nouns, "noun" for common ones, else "".

    UniDic tags a country as 地名-国 (中国, アメリカ) and a city or region as
    地名-一般: a question about 中国市場 is about a market, not an unknown city.
    """
    tokens: list[tuple[str, str]] = []
    for surface, feature in _parse(search_form(text)):
        pos1, pos2, pos3, pos4, base = feature
        if pos1 in _SKIP_POS:
            continue
        lemma = (base or surface).lower()
        if lemma in _STOPWORDS or not any(ch.isalnum() for ch in lemma):
            continue
        proper = pos2 == "固有名詞"
        place = "country" if pos4 == "国" else "place"
        common = pos1 == "名詞" and pos2 == "普通名詞" and pos3 not in ("助数詞可能", "副詞可能")  # not 年, 明日
        tokens.append((lemma, (place if pos3 == "地名" else "name") if proper else "noun" if common else ""))
    return tokens


def _parse(text: str) -> list[tuple[str, tuple[str, str, str, str, str | None]]]:
    """(surface, (pos1, pos2, pos3, pos4, base form)) of every word, copied out under the tagger's lock."""
    with _TAGGER_LOCK:
        tagger = _tagger()
        return [(word.surface, (word.feature.pos1, word.feature.pos2, word.feature.pos3, word.feature.pos4,
                                getattr(word.feature, "orthBase", None)))
                for piece in chunks(text) for word in tagger(piece)]


@dataclass
class LexicalIndex:
    """Per-term BM25 weights of every passage: a (terms × passages) CSR matrix."""

    vocab: dict[str, int]
    weights: sparse.csr_matrix
    idf: np.ndarray

    @classmethod
    def build(cls, texts: list[list[str]]) -> LexicalIndex:
        vocab: dict[str, int] = {}
        rows, cols, counts = [], [], []
        for doc_id, tokens in enumerate(texts):
            tf: dict[int, int] = {}
            for tok in tokens:
                term = vocab.setdefault(tok, len(vocab))
                tf[term] = tf.get(term, 0) + 1
            for term, count in tf.items():
                rows.append(term)
                cols.append(doc_id)
                counts.append(count)
        n_docs = max(len(texts), 1)
        lengths = np.array([len(t) for t in texts] or [0], dtype=np.float32)
        avg = float(lengths.mean()) or 1.0
        tf_matrix = sparse.csr_matrix(
            (np.array(counts, dtype=np.float32), (rows, cols)), shape=(len(vocab), len(texts))
        )
        df = np.diff(tf_matrix.indptr).astype(np.float32)
        idf = np.log(1.0 + (n_docs - df + 0.5) / (df + 0.5)).astype(np.float32)
        coo = tf_matrix.tocoo()
        norm = K1 * (1 - B + B * lengths[coo.col] / avg)
        values = idf[coo.row] * coo.data * (K1 + 1) / (coo.data + norm)
        weights = sparse.csr_matrix((values.astype(np.float32), (coo.row, coo.col)), shape=tf_matrix.shape)
        return cls(vocab, weights, idf)

    def scores(self, terms: list[str], term_weights: list[float] | None = None) -> np.ndarray:
        """BM25 score of every passage for the query terms (weights default to 1)."""
        out = np.zeros(self.weights.shape[1], dtype=np.float32)
        for i, term in enumerate(terms):
            row = self.vocab.get(term)
            if row is None:
                continue
            start, end = self.weights.indptr[row], self.weights.indptr[row + 1]
            weight = term_weights[i] if term_weights else 1.0
            out[self.weights.indices[start:end]] += weight * self.weights.data[start:end]
        return out

    def known(self, term: str) -> bool:
        return term in self.vocab

    def save(self, folder: Path) -> list[str]:
        sparse.save_npz(folder / "lexical.npz", self.weights)
        np.save(folder / "idf.npy", self.idf)
        (folder / "vocab.json").write_text(json.dumps(self.vocab, ensure_ascii=False), encoding="utf-8")
        return ["lexical.npz", "idf.npy", "vocab.json"]

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        vocab = json.loads((folder / "vocab.json").read_text(encoding="utf-8"))
        return cls(vocab, sparse.load_npz(folder / "lexical.npz").tocsr(), np.load(folder / "idf.npy"))
