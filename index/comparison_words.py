"""What makes a question a comparison of summits, in both languages, and what is left of it as a topic.

    "第8回と第9回で事業承継についてどう変わった？"      compare   (two summits, 変わった)
    "海外展開について毎回何と言っている？"            history   (毎回: every summit)
    "What is new in the 9th declaration?"            new       (the 9th's items without a counterpart in the 8th)
    "第8回にあって第9回でなくなったのは？"            dropped   (the 8th's items the 9th has no counterpart of)
    "前回と比べて？" (in a thread)                    compare   (the earlier question's summit and the one before)

One place for these words, read by the question analyser (which summits, which
kind), by the thread follow-up (a question that is nothing but "compared with
last time?" keeps the earlier topic) and by retrieval (the cue words are not the
topic, so they are neither embedded nor searched).
"""
from __future__ import annotations

import re

_NEW = re.compile(
    r"新しく(?:加|入|盛|出|登場|追加)[ぁ-ん]*|新たに(?:加|盛|入|追加|登場|出)[ぁ-ん]*|新たな(?:項目|論点|テーマ|提言|宣言|もの|点)|新規(?:に|の)(?:項目|追加|論点)"
    r"|なかった新しい|新しい(?:項目|論点|提言|もの)(?:は|って|を|が|\?|？)|初めて(?:出|登場|盛|入|加|触)|追加され|加わった|加えられ|盛り込まれた|なかった(?:もの|論点|項目|こと|話|テーマ|点|の)|(?:に|で)はなかった(?=[^？?。]{2})"
    r"|what'?s new|whats new|\bnew (?:in|items?|points?|topics?|asks?|proposals?|commitments?|pledges?|things?)\b"
    r"|\bbrand[- ]new\b|\banything new\b|\bnew on\b|\bnewly\b|(?<!value[- ])\badded\b(?![- ]value)|\bfirst time\b|\bintroduced\b|\b(?:was|were)n'?t in\b|\bnot in the\b",
    re.IGNORECASE,
)
_DROPPED = re.compile(
    r"なくなった|無くなった|消え|削除|削られ|外れ|落ち(?:た|て)|抜け(?:た|て)|引き継がれ(?:なかった|ていない|てない|ず)|継承されなかった"
    r"|抜け落ち|言わなくなった|触れなくなった|なくなって|なくなっちゃ|無くなっちゃ|無くなって|やめた|取り下げ|もう出て(?:こ|き)ない|出てこなくな"
    r"|\bdrops?\b|\bdropp\w*|\bremoved?\b|\bno longer\b|\bdid(?:n'?t| not) carry(?: over)?|\bdisappear\w*|\bleft out\b|\bomitted\b"
    r"|\bdiscontinu\w*|\babandon\w*|\bgone\b|\bnot carried\b|\bsurviv\w*|\bma(?:ke|de) it into\b"
    r"|(?:でも|には|に)残って(?:る|ます|います|いる)(?:か|の)?(?:[?？]|$)|\bstill there\b",
    re.IGNORECASE,
)
_HISTORY = re.compile(
    r"毎回|これまで|今まで|過去(?:の|に)|歴代|ずっと|推移|変遷|経緯|いつも|各回|歴史|何回も"
    r"|\bover the years\b|\bover time\b|\beach time\b|\b(?:every|each) (?:summit|year|time|declaration)s?\b"
    r"|\bacross (?:the |all )?(?:summits|declarations|years)\b|\bhistory\b|\balways\b|\bso far\b|\bin the past\b"
    r"|\b(?:past|previous|earlier|all) (?:summits|declarations)\b|\bconsistently\b|\bthrough the years\b"
    r"|\b(?:n?either)\b[^?.!]{0,40}?\b(?:summits?|declarations?)\b"
    r"|各サミット|両方の回|どの回|いずれの回|どちらの回|どっちの回|どちらかの(?:回|宣言|サミット)|両宣言|両方の宣言|(?:二|2|２)つの宣言|両サミット|\bsummits\b|\bdeclarations\b",
    re.IGNORECASE,
)
# Every summit asked about in so many words: a history even beside a summit named in passing ("Ota hosted the 8th
# - what has Ota put forward at each summit?"); 「今までの成果」 beside 第9回 is that summit's own words.
_EVERY_SUMMIT = re.compile(r"毎回|各回|歴代|各サミット|どの回|いずれの回|両宣言|両サミット|両方の宣言|両方の回"
                           r"|\b(?:every|each|all) (?:the )?(?:summit|declaration)s?\b|\bacross (?:the |all )?(?:summits|declarations)\b"
                           r"|\b(?:all|both) (?:the )?(?:summits|declarations)\b", re.IGNORECASE)
# "what did the 9th add?": what is new only with a summit named ("how do I add a declaration?" is no comparison)
_ADD = re.compile(r"(?<!value[- ])\badds?\b(?![- ]value)", re.IGNORECASE)
# Strong cues compare by themselves ("how did our position on 海外展開 change?" asks across every summit);
# weak ones only with a summit named ("第9回でも触れてる？", "did sumida keep it?").
_CHANGE = re.compile(
    r"変わ(?:った|る|り|って)|変化|違(?:い|う|った)|比べ(?:て|る|ると|たら|れば)?|比較|対比"
    r"|\bvs\.?(?![a-z])|\bversus\b|\bcompar\w*|\bdiffer\w*|\bchang\w*|\bshift\w*|\bevolv\w*|\bcontrast\w*",
    re.IGNORECASE,
)
_COMPARE = re.compile(
    _CHANGE.pattern + r"|書きぶり|書き方|扱い|どうなった|でも(?=[^。？?]{0,20}?(?:触れ|言及|書い|出て|入って|入れ|ある|あった|続|言))|→|⇒|->"
    r"|\beach (?:say|says|said)\b|\bside by side\b|\bcarr(?:y|ied) over\b|\bkeep it\b|\bkept\b|\bstill\b|\btoo\b|\bas well\b"
    r"|も含め|\bincluding the\b",
    re.IGNORECASE,
)
# "川口市の地域貢献事業者認定みたいな話、大田宣言にはあった？": an organisation's work at one summit looked for at
# another; a comparison only with an organisation and one summit named (elsewhere 補助金みたいな話 is casual speech).
_LIKE = re.compile(r"みたいな|に当たる|に相当|相当する|と似た|に似た|類似|\banything like\b|\bcomparable\b|\bequivalent\b"
                   r"|\bsimilar\b|\bcounterpart\b", re.IGNORECASE)
# "前回と比べて": the summit before the one asked about (or before the newest).
_PREVIOUS = re.compile(r"前回|前の回|その前|前の(?:サミット|宣言)|一つ前|\b(?:the )?(?:previous|last) (?:one|summit|declaration|time)\b"
                       r"|\bbefore that\b", re.IGNORECASE)
# The words to leave out of the topic: the cues above, and the question frames around them.
_FRAME = re.compile(
    "|".join(p.pattern for p in (_NEW, _ADD, _DROPPED, _HISTORY, _COMPARE, _PREVIOUS, _LIKE))
    + r"|どう|何て|なんて|何と|言って(?:る|いる)?|書いて(?:る|ある)?|触れて(?:る|いる)?|ある？|ある\?"
    r"|\bhow\b|\bwhat\b|\bdid\b|\bdo\b|\bthe\b|\bsay\b|\bsaid\b|\bbetween\b|\bwith\b"
    r"|\bour (?:position|stance|line)\b|\bposition\b|\bstance\b|立場|スタンス|姿勢|書き方|言い方|表現|両方|どちら|両回|\bboth\b|\beither\b",
    re.IGNORECASE,
)

def comparison_kind(text: str, summits_named: int) -> str:
    """compare | history | new | dropped, or "" for an ordinary question.

    Two summits named make a comparison even without a cue word ("第8回と第9回の
    事業承継"); "what is new" and "what was dropped" need their own words, and
    win over the others ("第8回にあって第9回でなくなったのは？" names two summits).
    """
    if _DROPPED.search(text):
        return "dropped"
    if (_NEW.search(text) or (summits_named and _ADD.search(text))) and not _topic_new(text):
        return "new"
    if summits_named >= 2:
        return "compare"
    if _COMPARE.search(text) and (summits_named or _PREVIOUS.search(text)):
        return "compare"
    if not summits_named and (_HISTORY.search(text) or _CHANGE.search(text)):
        return "history"  # with one summit named, "今までの成果" is that summit's own words
    if summits_named == 1 and _EVERY_SUMMIT.search(text):
        return "history"
    return ""


def _topic_new(text: str) -> bool:
    """"新しい形" and "new markets" are the 9th summit's topics, not questions about what is new."""
    return bool(re.search(r"新しい形|新たな(?:市場|展開|局面)|\bnew (?:markets?|fields?|businesse?s?|products?)\b",
                          text, re.IGNORECASE)) and not re.search(r"what'?s new|新しく加", text, re.IGNORECASE)


def looks_for_likeness(text: str) -> bool:
    """"みたいな", "anything like": read as a comparison when an organisation and one summit are named."""
    return bool(_LIKE.search(text))


def has_cue(text: str) -> bool:
    """Any word of comparison or history, whether or not the question names summits."""
    return any(p.search(text) for p in (_NEW, _DROPPED, _HISTORY, _COMPARE, _PREVIOUS))


def asks_previous(text: str) -> bool:
    """The question compares with "last time" rather than naming the other summit."""
    return bool(_PREVIOUS.search(text))


def without_cues(text: str) -> str:
    """The text with comparison cues and their frames blanked (offsets kept): what is left is the topic."""
    return _FRAME.sub(lambda m: " " * len(m.group()), text)
