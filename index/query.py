"""What a question is about beyond its words: cities, chambers, summits, and glossary terms.

"What did 岡谷 commit to?" names a city; "川口商工会議所は?" a chamber; "第9回では…"
or "in the 8th summit" a summit; "すみだ宣言" is the 9th summit's declaration,
not a question about 墨田区. English domain words bring their Japanese terms
from the glossary, so that an English question can match Japanese text lexically.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from .corpus import Gazetteer, GlossaryTerm
from .lexical import QUESTION_WORDS, tokenize
from .model import Document, QueryAnalysis
from .comparison_words import asks_previous, comparison_kind, has_cue, looks_for_likeness, without_cues
from .spelling import Speller
from .summits import blank_summit_mentions, summit_numbers
from .textnorm import is_japanese

_PROPOSAL = re.compile(
    r"国に|国へ|国への|国に対し|政府|提言|要望|要請|求め|national government|central government|\bgovernment\b|\bgovt\b|\bgov\b"
    r"|\bpropos|\brequest|\bthe state\b|\bnational\b|\bask(?:s|ed)? (?:the )?(?:state|government|national)",
    re.IGNORECASE,
)
_CITY_WORDS = re.compile(r"[市区]|(?<![-\w])city\b|\bward\b|city hall|municipal", re.IGNORECASE)  # not "six-city"
# The municipality itself, not its chamber of commerce: 「大田区役所として」, 「岡谷市（市役所）」, "Okaya city hall".
_GOVERNMENT = re.compile(r"役所|役場|(?:市|区|行政|自治体)として|city hall|city office|city government|municipal government"
                         r"|ward office|the municipality", re.IGNORECASE)
# The chamber named only to be excluded: "just the city, not the chamber", 「商工会議所じゃなくて市のほう」.
NOT_CHAMBER = re.compile(r"(?:商工会議所|商議所|会議所|支部)(?:じゃ|では|で)な(?:く|い)"
                         r"|(?:商工会議所|商議所|会議所|支部)(?:は|を)?(?:除|不要|いらな|抜き|なし)"
                         r"|\bnot\s+(?:the\s+)?(?:chambers?|cci)\b|\bexcluding\s+(?:the\s+)?chambers?\b", re.IGNORECASE)
# ... and the city: "the chamber, not the city", 「市じゃなくて会議所」.
NOT_CITY = re.compile(r"(?:市|区)(?:役所)?(?:じゃ|では|で)な(?:く|い)|\bnot\s+(?:the\s+)?(?:city|cities|ward|municipalit\w*)\b",
                      re.IGNORECASE)
_GLOSS = re.compile(r"[（(]([^（）()]{1,40})[）)]")
_HOST_GLOSS = re.compile(r"(?:(?<=\s\s)|(?<=summit)|(?<=Summit)|(?<=サミット))\s?[（(]([^（）()]{1,20})[）)]")
_PREAMBLE = re.compile(r"前文|preamble|背景|現状|situation|background", re.IGNORECASE)
# A question about how a declaration is built ("what are the pillars", "何項目"), answered from its headings.
_STRUCTURE = re.compile(
    r"柱|章立て|の章|構成|見出し|目次|骨子|何項目|項目数|いくつの項目|全部でいくつ|全部で何|大項目"
    r"|\bpillars?\b|\bsections?\b(?! (?:chief|head|manager|staff))|\bchapters?\b|\bheadings?\b|\boutline\b|\bstructured?\b|table of contents"
    r"|\bconsists? of\b|\bmade up of\b|\b(?:main|what) parts\b|\bparts of (?:the|this|that)\b"
    r"|how many (?:[a-z-]+ ){0,3}(?:proposals?|items?|points?|commitments?|pledges?|recommendations?|requests?|themes?)",
    re.IGNORECASE,
)


def _asks_structure(question: str) -> bool:
    """A question about the declaration's parts; "our 男女共同参画 section" is the asker's department, not one."""
    return any(not (m.group().lower().startswith("section") and _OUR_UNIT.search(question[:m.start()]))
               for m in _STRUCTURE.finditer(question))


_OUR_UNIT = re.compile(r"\b(?:our|my|your)\s+(?:[^\s.?!]+\s+){0,3}$", re.IGNORECASE)


def _flexible(phrase: str) -> str:
    """A regex for a phrase whose words may be joined by a space, a hyphen or nothing."""
    return r"[\s\-]?".join(re.escape(part) for part in re.split(r"[\s\-]+", phrase) if part)


def _alias_pattern(alias: str) -> re.Pattern[str]:
    """Latin names match whole words (Ota is not in "total"); others match anywhere."""
    escaped = _flexible(alias)
    if alias.isascii():
        return re.compile(rf"(?<![A-Za-z]){escaped}(?:'s)?(?![A-Za-z])", re.IGNORECASE)
    return re.compile(escaped)


def _term_pattern(word: str) -> re.Pattern[str]:
    """English glossary words: whole words with plural/-ing/-ed forms; acronyms keep their case."""
    if not word.isascii():
        return re.compile(re.escape(word))
    escaped = _flexible(word)
    flags = 0 if (word.isupper() and len(word) <= 4) else re.IGNORECASE
    return re.compile(rf"(?<![A-Za-z]){escaped}(?:s|es|ing|ed|d)?(?![A-Za-z])", flags)


@dataclass
class _Terms:
    """What the glossary finds in a question (QueryAnalyzer._glossary_terms)."""

    matched: list[str] = field(default_factory=list)  # the question's words that are glossary words
    meta: list[str] = field(default_factory=list)  # ... of the glossary's meta terms (words about the texts)
    expansions: list[str] = field(default_factory=list)  # the Japanese terms of the concepts matched
    concepts: list[tuple[str, ...]] = field(default_factory=list)
    compounds: list[tuple[str, ...]] = field(default_factory=list)  # concepts written out as a compound (事業承継)
    paraphrased: set[str] = field(default_factory=set)  # the asker's own words for a term named in parentheses
    named_words: set[str] = field(default_factory=set)  # the words of that term


@dataclass
class QueryAnalyzer:
    """Compiled name and term patterns of one corpus, reused for every question."""

    declarations: list[tuple[re.Pattern[str], int]]
    organizations: list[tuple[re.Pattern[str], str]]
    cities: list[tuple[re.Pattern[str], str]]
    chamber_of_city: dict[str, str]
    city_of_chamber: dict[str, str]
    chamber_words: list[re.Pattern[str]]
    glossary: list[tuple[list[re.Pattern[str]], tuple[str, ...], bool]]
    host_summits: dict[str, tuple[int, ...]] = field(default_factory=dict)  # city → the summits it hosted
    # per concept: its Japanese terms of more than one word (事業承継, not 創業), read once at build
    compound_terms: dict[tuple[str, ...], tuple[str, ...]] = field(default_factory=dict)
    speller: Speller = field(default_factory=lambda: Speller(()))  # typos mended to the glossary's spelling

    @classmethod
    def build(cls, gazetteer: Gazetteer, glossary: tuple[GlossaryTerm, ...],
              documents: tuple[Document, ...] = ()) -> QueryAnalyzer:
        def longest_first(pairs):
            return [(_alias_pattern(a), v) for a, v in sorted(pairs, key=lambda p: -len(p[0]))]

        chambers = [o for o in gazetteer.organizations.values() if o.kind == "chamber"]
        # A declaration's own title names its summit: "おかや宣言", "がんばろう中小企業 大田宣言" and "大田宣言".
        titles = {part: d.summit for d in documents for part in (d.title, d.title.split()[-1]) if len(part) >= 3}
        return cls(
            declarations=longest_first({**titles, **gazetteer.declaration_names}.items()),
            organizations=longest_first([(a, o.name) for o in chambers for a in (o.name, *o.aliases)]),
            cities=longest_first([(a, c) for c, aliases in gazetteer.cities.items() for a in (c, *aliases)]),
            chamber_of_city={o.city: o.name for o in chambers},
            city_of_chamber={o.name: o.city for o in chambers},
            chamber_words=[_alias_pattern(w) for w in gazetteer.chamber_words],
            glossary=[([_term_pattern(w) for w in (*t.en, *t.ask)], t.ja, t.meta) for t in glossary],
            host_summits={city: tuple(sorted({d.summit for d in documents if d.host_city == city}))
                          for city in {d.host_city for d in documents}},
            compound_terms={t.ja: tuple(w for w in t.ja if len(tokenize(w)) > 1) for t in glossary if not t.meta},
            speller=Speller([w for t in glossary for term in (*t.en, *t.ja, *t.ask) for w in term.split()]
                            + [w for aliases in gazetteer.cities.values() for a in aliases for w in a.split()]
                            + sorted(QUESTION_WORDS), known=QUESTION_WORDS,
                            phrases=[term for t in glossary for term in t.en if " " in term]
                            + [w for w in gazetteer.chamber_words if " " in w]),
        )

    def analyze(self, asked: str) -> QueryAnalysis:
        question = self.speller.mend(asked)
        text = unicodedata.normalize("NFKC", question)
        summits, text = self._match(self.declarations, text)
        summits = _dedupe(summits + summit_numbers(text))
        text = self._without_host_glosses(blank_summit_mentions(text))
        comparison = comparison_kind(text, len(summits))
        if comparison:  # 変わった, "compared with", 毎回 say how to answer, not what about
            text = without_cues(text)
        organizations, text = self._match(self.organizations, text)
        names_city = bool(_CITY_WORDS.search(text))  # "岡谷市", "Okaya city", "city hall"
        cities, text = self._match(self.cities, text)
        if cities and any(p.search(text) for p in self.chamber_words) and not NOT_CHAMBER.search(text):
            # "岡谷の会議所" asks about the chamber; "岡谷市と商工会議所" about both.
            organizations = _dedupe(organizations + [self.chamber_of_city[c] for c in cities if c in self.chamber_of_city])
        if organizations and not names_city:
            cities = [c for c in cities if c not in {self.city_of_chamber.get(o) for o in organizations}]
        if cities and not organizations and _GOVERNMENT.search(question):
            organizations, cities = list(cities), []  # the city's own initiatives: the city as the organisation
        if self._names_declarations(question, cities, organizations, names_city):
            # "ota vs sumida on IP", "did sumida keep it?": the host cities stand for their summits' declarations.
            summits = _dedupe(summits + [n for c in cities for n in self.host_summits[c]])
            cities = []
            comparison = comparison_kind(question, len(summits))
            text = without_cues(text)
        if not comparison and len(summits) == 1 and (cities or organizations) and looks_for_likeness(question):
            comparison = "compare"  # "墨田区の拠点に当たるものって大田宣言にある？": the organisation's work, and the 8th
            text = without_cues(text)
        for pattern in self.chamber_words:
            text = pattern.sub(_blank, text)
        kinds = []
        if _PROPOSAL.search(question):
            kinds.append("proposal")
        if _PREAMBLE.search(question):
            kinds.append("preamble")
        if _asks_structure(question):
            kinds.append("heading")
        terms = self._glossary_terms(text)
        for word in sorted(set(terms.matched + terms.meta), key=len, reverse=True):
            text = text.replace(word, " " * len(word))
        text = _LONE_PARTICLE.sub(_blank, text)  # "第8回と第9回で…" blanked leaves と and で, which are no topic
        glossed = glosses(question)
        return QueryAnalysis(
            text=asked,
            lang="ja" if is_japanese(question) else "en",
            cities=tuple(cities),
            organizations=tuple(organizations),
            summits=tuple(summits),
            kinds=tuple(kinds),
            expansions=tuple(_dedupe(terms.expansions)),
            concepts=tuple(_dedupe(terms.concepts)),
            compounds=tuple(terms.compounds),
            glosses=tuple(sorted(glossed - terms.named_words)),
            paraphrased=tuple(sorted(terms.paraphrased - glossed)),
            matched_terms=tuple(_dedupe(terms.matched)),
            residual=" ".join(text.split()),
            proper_nouns=tuple(_capitalised(text)),
            comparison=comparison,
            previous=bool(comparison) and asks_previous(question),
        )

    def _glossary_terms(self, text: str) -> _Terms:
        """The glossary terms the text holds: each concept's words as written, the compounds written out (事業承継),
        and the asker's own words for a term named in parentheses (paraphrases below)."""
        terms = _Terms()
        found = [[m for p in patterns for m in p.finditer(text)] for patterns, _, _ in self.glossary]
        spans = [m.span() for matches in found for m in matches]
        written = {concept: [m.span() for w in words for m in re.finditer(re.escape(w), text)]
                   for concept, words in self.compound_terms.items()}
        before, named = paraphrases(text, spans + [span for at in written.values() for span in at])
        terms.paraphrased = {w for a, b in before for w in tokenize(text[a:b])}
        terms.named_words = {w for a, b in named for w in tokenize(text[a:b])}  # the term named: the topic
        for (patterns, concept, is_meta), matches in zip(self.glossary, found):
            # "economic partnership" is 経済連携, not also the "partnership" of ネットワーク・連携;
            # 共同受注 written out is that compound, not also the 受注 of 販路拡大
            others = spans + [span for other, found_at in written.items() if other != concept for span in found_at]
            kept = [m for m in matches if not _inside(m.span(), others)]
            hits = [m.group() for m in kept]
            if hits and is_meta:
                terms.meta += hits
            elif hits:
                terms.matched += hits
                if not all(_within(m.span(), before) for m in kept):  # "the next generation (succession)"
                    terms.expansions += concept
                    terms.concepts.append(concept)
        # 事業承継 written out is that compound, not any 承継 (技術承継): comparisons hold a passage to it
        terms.compounds = [c for c, at in written.items()
                           if c not in terms.concepts and at and not all(_within(span, before) for span in at)]
        return terms

    def _without_host_glosses(self, text: str) -> str:
        """The text without cities in parentheses just after a summit: 「第8回（大田）」, 「これまでのサミット（大田、すみだ）」,
        "the 9th summit (Sumida)" say where the summits were held, they do not ask about the cities."""
        def blank_if_city(match: re.Match[str]) -> str:
            named = [part.strip() for part in re.split(r"[、,・/と]| and ", match.group(1)) if part.strip()]
            cities = all(any(p.fullmatch(part) for p, _ in self.cities) for part in named)
            return _blank(match) if named and cities else match.group()
        return _HOST_GLOSS.sub(blank_if_city, text)

    def _names_declarations(self, question: str, cities: list[str], organizations: list[str], names_city: bool) -> bool:
        """Host cities named in a comparison, with no word of a city's own work: their declarations are meant."""
        return (bool(cities) and not organizations and not names_city and all(c in self.host_summits for c in cities)
                and has_cue(question) and not _OWN_WORK.search(question))

    def follow_up(self, previous: str, current: str) -> str:
        """The question to search for `current`, asked in a thread after `previous`.

        "and 川口?" keeps the earlier topic and replaces its city; "第8回では？"
        after a question on the 9th asks the earlier topic of both summits side by side
        (the asker is comparing); a question with a topic of its own keeps it, and
        inherits the earlier city and summit only when it names none.
        """
        if not previous:
            return current
        now, before = self.analyze(current), self.analyze(previous)
        topic = [w for w in tokenize(now.residual) if w not in QUESTION_WORDS and w not in _FOLLOW_WORDS]
        names_now = bool(now.cities or now.organizations)
        # the earlier question's cities, also one asked as the organisation itself (「川口は…市として」)
        cities_before = before.cities or tuple(o for o in before.organizations if o in self.chamber_of_city)
        if not names_now and cities_before and any(p.search(current) for p in self.chamber_words):
            previous = self._chamber_instead(previous, cities_before)  # "商工会議所の方は？" after one on 尼崎市
        if now.comparison and not (topic or now.matched_terms or names_now):
            # "前回と比べて？", "8回ではどうだった？比べて": the earlier topic and summit, compared;
            # "has that stayed a theme since?": the earlier topic across every summit
            base = self._without_summits(previous) if now.comparison == "history" and not now.summits else previous
            return _joined(base, current)
        if (topic or now.matched_terms) and before.comparison and not now.comparison and _NARROWING.search(current):
            # 「そのうち震災がらみのものだけだと？」 after "what did the 9th drop?": the earlier list, on this topic
            return _joined(previous, current)
        if topic or now.matched_terms:  # "what about business succession for them?": a new topic, the names kept
            if names_now or now.summits:
                return current
            # "what about women in the workforce?" after "has either summit said anything about…": every summit again
            every = [] if now.comparison or before.summits or before.comparison != "history" else [
                "毎回" if is_japanese(current) else "(each summit)"]
            return " ".join([current, *_names(before), *every])
        base = previous
        if names_now:
            _, base = self._match(self.organizations, base)
            _, base = self._match(self.cities, base)
        other_summit = bool(before.summits) and set(now.summits) != set(before.summits)
        if now.summits and not (other_summit and (now.comparison or not names_now)):
            base = self._without_summits(base)
        # else "大田宣言には？" after a question on the 9th: both summits named, the topic compared across them
        return _joined(base, current)

    def _chamber_instead(self, text: str, cities: tuple[str, ...]) -> str:
        """The text with its cities blanked and their chambers of commerce named instead."""
        _, text = self._match(self.cities, text)
        text = _GOVERNMENT.sub(_blank, text)  # 「市として」 was the city's own work; the chamber is asked now
        return " ".join([text, *(self.chamber_of_city[c] for c in cities if c in self.chamber_of_city)])

    def _without_summits(self, text: str) -> str:
        """The text with its declaration titles and summit numbers blanked."""
        _, text = self._match(self.declarations, text)
        return blank_summit_mentions(text)

    @staticmethod
    def _match(patterns, text: str) -> tuple[list, str]:
        """Values of the names found, and the text with those names blanked out."""
        found = []
        for pattern, value in patterns:
            if pattern.search(text):
                found.append(value)
                text = pattern.sub(_blank, text)
        return _dedupe(found), text


_LONE_PARTICLE = re.compile(r"(?:(?<=\s)|^)(?:から|まで|より|との|では|でも|には|と|で|の|は|に|も|や|を|が|・)"
                            r"(?=\s|[、。,.?？!！]|$)|(?:(?<=\s)|^)(?:では|での|で|と|の|は|に)(?=[\u4e00-\u9fff\u30a0-\u30ff])")
# A follow-up narrowing the earlier answer to a topic: 「そのうち…だけ」, "of those, just the ones on …".
_NARROWING = re.compile(r"そのうち|その中で|その中の|だけ(?:だと|で|に|を|は)|のみ|\bof (?:those|them|these)\b"
                        r"|\bamong (?:them|those|these)\b|\bjust the\b|\bonly the\b|\bonly (?:those|ones)\b", re.IGNORECASE)
# 事業 of a city's own work (区の事業), not of a topic (事業承継, 事業継続計画, 事業者, 事業展開)
_OWN_WORK = re.compile(r"取組|取り組|独自|事業(?![継承計者環活展化転])|施策|initiative|project|program|own\b", re.IGNORECASE)
# Beyond the question words (lexical.QUESTION_WORDS): how a follow-up points back at the earlier question.
_FOLLOW_WORDS = {"and", "also", "about", "how", "then", "じゃあ", "では", "それ", "なら", "あと", "次", "場合",
                 "時点", "とき", "時", "ころ", "頃", "位置", "つけ", "付け", "付ける", "version"}


def _joined(earlier: str, current: str) -> str:
    """The earlier question and the follow-up as one text, the earlier one ended as a sentence: its trailing aside
    (「…書いてある？議会答弁用です」) stays a statement of its own, not part of the follow-up's question."""
    earlier = " ".join(earlier.split())
    if earlier and is_japanese(earlier) and not earlier.endswith(("。", "？", "?", "！", "!", "．")):
        earlier += "。"
    return " ".join(f"{earlier} {current}".split())


def glosses(text: str) -> set[str]:
    """Words the asker wrote only inside parentheses, glossing the topic: 海外展開（kaigai tenkai）.

    In an English question the Japanese in parentheses is the topic's own name, not a gloss:
    "the IT introduction subsidy (IT導入補助金)" asks about IT導入補助金.
    """
    inside = {w for m in _GLOSS.finditer(text) for w in tokenize(m.group(1))}
    rest = _GLOSS.sub(" ", text)
    outside = set(tokenize(rest))
    return {w for w in inside - outside if is_japanese(rest) or w.isascii()}


def paraphrases(text: str, term_spans: list[tuple[int, int]]) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Where the asker says a topic in their own words and names it in parentheses: 「社員や技術者を育てる話（人材育成）」,
    "passing the business to the next generation (succession)". The spans of those own words (back to the clause's
    start), which restate the topic named and are no topic of their own, and the spans of the terms naming it.
    Words that are glossary terms themselves (「産学官連携（sangakukan renkei）」, "monozukuri hojokin (subsidy)") are
    the topic, glossed.

    Only parentheses holding nothing but glossary terms name a topic; 「住工共生（工場と住宅の共存）」 glosses 住工共生
    instead (glosses below)."""
    spans: list[tuple[int, int]] = []
    named: list[tuple[int, int]] = []
    for match in _GLOSS.finditer(text):
        start, end = match.span(1)
        terms = [(max(a, start), min(b, end)) for a, b in term_spans if a < end and b > start]
        if not terms or any(not _within((i, i + 1), terms) for i in range(start, end) if _WORDLIKE.match(text[i])):
            continue
        clause = max((m.end() for m in _CLAUSE_END.finditer(text, 0, match.start())), default=0)
        clause = max(clause, match.start() - 40)
        own = "".join(" " if _within((i, i + 1), term_spans) else text[i] for i in range(clause, match.start()))
        if any(w not in QUESTION_WORDS for w in tokenize(own)):  # 「産学官連携（sangakukan renkei）」 is the term
            spans.append((clause, match.start()))
            named.append((start, end))
    return spans, named


_WORDLIKE = re.compile(r"[\w\u3040-\u30ff\u4e00-\u9fff]")
_CLAUSE_END = re.compile(r"[、。,.;:!?！？「」『』\n]|\s[-–—]\s")


def _within(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    """The span lies within one of the spans (or is one)."""
    return any(s <= span[0] and span[1] <= e for s, e in spans)


def _inside(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    """The span lies within a longer one."""
    start, end = span
    return any(s <= start and end <= e and e - s > end - start for s, e in spans)


def _names(analysis: QueryAnalysis) -> list[str]:
    """The cities, chambers and summits an earlier question named, spelled canonically."""
    return [*analysis.cities, *analysis.organizations, *(f"第{n}回" for n in analysis.summits)]


def _blank(match: re.Match[str]) -> str:
    return " " * len(match.group())


def _capitalised(text: str) -> list[str]:
    """Capitalised Latin words not opening a sentence: names the gazetteer did not know."""
    words = re.findall(r"(?<![.?!]\s)(?<!^)\b([A-Z][a-z]+(?:-[A-Z]?[a-z]+)?)\b", text.strip())
    return [w.lower() for w in words]


def _dedupe(values: list) -> list:
    return list(dict.fromkeys(values))
