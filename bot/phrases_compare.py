"""The sentences of an answer across summits, in Japanese and English: headline, column titles, 記載なし.

Kept beside bot/phrases.py (which calls `comparison_headline` for answers with a
comparison) so that every front end — Block Kit, the ask page, the terminal —
says the same words: "第8回: 記載なし" is one phrase, not three renderings.
"""
from __future__ import annotations

from index.model import Answer, Comparison, SummitColumn

WORDS: dict[str, dict[str, str]] = {
    "compare": {"ja": "{summits}の記載を比べました（{n}件）。", "en": "The {summits} side by side ({n} passage{s})."},
    "history": {"ja": "各回の記載です（{summits}、{n}件）。", "en": "What each summit said ({summits}; {n} passage{s})."},
    "new": {"ja": "第{summit}回の項目のうち、第{against}回に対応する記載がないもの（{n}件）です。",
            "en": "Items of the {nth} summit with no counterpart in the {against_nth} ({n})."},
    "dropped": {"ja": "第{summit}回の項目のうち、第{against}回に対応する記載がないもの（{n}件）です。",
                "en": "Items of the {nth} summit with no counterpart in the {against_nth} ({n})."},
    "changes": {"ja": "第{early}回から第{late}回への変化です。引き継がれなかった項目が{dropped}件、新しく加わった項目が{added}件です。",
                "en": "From the {early_nth} to the {late_nth} summit: {dropped} item(s) not carried over, "
                      "{added} new."},
    "none-new": {"ja": "第{summit}回の項目には、どれも第{against}回に対応する記載があります。",
                 "en": "Every item of the {nth} summit has a counterpart in the {against_nth}."},
    "none-dropped": {"ja": "第{summit}回の項目は、どれも第{against}回に引き継がれています。",
                     "en": "Every item of the {nth} summit has a counterpart in the {against_nth}."},
    "carried-new": {"ja": "この点で第{summit}回に新しい項目はありません。第{summit}回の記載（{n}件）には、どれも第{against}回に"
                           "対応する記載があります（各記載のページに対応箇所を示します）。",
                    "en": "Nothing new on this in the {nth} summit: each of its {n} passage{s} on it has a counterpart in "
                          "the {against_nth} (each passage's page shows it)."},
    "kept-dropped": {"ja": "この点で第{summit}回から消えた項目はありません。第{summit}回の記載は、どれも第{against}回に引き継がれて"
                            "います。",
                     "en": "Nothing on this was dropped after the {nth} summit: what it said on it has a counterpart in "
                           "the {against_nth}."},
    "column_carried": {"ja": "第{summit}回の記載（第{other}回にも対応する記載あり）",
                       "en": "In the {nth}, with a counterpart in the {other_nth}"},
    "none-changes": {"ja": "第{early}回と第{late}回の項目は、どれも互いに対応する記載があります。",
                     "en": "Every item of the {early_nth} and {late_nth} summits has a counterpart in the other."},
    "column": {"ja": "第{summit}回「{title}」", "en": "{nth} summit ({title})"},
    "column_dropped": {"ja": "第{summit}回にあって第{other}回にないもの", "en": "In the {nth}, not in the {other_nth}"},
    "column_new": {"ja": "第{summit}回で新しく加わったもの", "en": "New in the {nth}"},
    "not-mentioned": {"ja": "記載なし", "en": "Not mentioned"},
    "joint-only": {"ja": "独自の記載なし（共同宣言のみ）", "en": "Nothing of its own (only the joint declaration)"},
    "joint": {"ja": "この回には個別の取組みの記載がないため、共同宣言の記載を示します。",
              "en": "No initiative of its own at this summit: the joint declaration all cities adopted."},
    "none": {"ja": "該当なし", "en": "None"},
    "kept": {"ja": "該当なし（どれも引き継がれています）", "en": "None (each was carried over)"},
    "older": {"ja": "これより前の{n}回分は「さらに表示」で示します。", "en": "{n} earlier summit(s) under “More results”."},
    "topics": {"ja": "テーマ: {topics}", "en": "Topics: {topics}"},
}


def say(key: str, lang: str, **facts: object) -> str:
    return WORDS[key]["ja" if lang == "ja" else "en"].format(**facts)


def nth(n: int) -> str:
    """1st, 2nd, 3rd, 11th, 21st: the ordinal every English sentence of the bot uses (bot/phrases.py too)."""
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def comparison_headline(answer: Answer) -> str:
    """The line above the columns: what was compared, and how many passages; for what is new, against what."""
    comparison, lang = answer.comparison, answer.lang
    assert comparison is not None
    n = len(answer.citations)
    if comparison.kind == "changes":
        early, late = comparison.columns[0], comparison.columns[-1]
        facts = {"early": early.summit, "late": late.summit, "early_nth": nth(early.summit), "late_nth": nth(late.summit),
                 "dropped": len(early.citations), "added": len(late.citations)}
        return say("none-changes" if not n else "changes", lang, **facts)
    if comparison.kind in ("new", "dropped"):
        summit = comparison.columns[0].summit
        facts = {"summit": summit, "against": comparison.against, "nth": nth(summit),
                 "against_nth": nth(comparison.against), "n": n}
        if comparison.columns[0].note in ("carried", "kept"):
            return say(f"{comparison.columns[0].note}-{comparison.kind}", lang, s="" if n == 1 else "s", **facts)
        return say(f"none-{comparison.kind}" if not n else comparison.kind, lang, **facts)
    summits = _summit_list([c.summit for c in comparison.columns], lang)
    line = say(comparison.kind, lang, summits=summits, n=n, s="" if n == 1 else "s")
    if comparison.older:
        line += " " + say("older", lang, n=comparison.older)
    return line


def column_title(column: SummitColumn, comparison: Comparison, lang: str) -> str:
    """第8回「がんばろう中小企業 大田宣言」, or for what is new / dropped, what the list is."""
    if comparison.kind in ("new", "dropped", "changes"):
        other = comparison.against or _other(column, comparison)
        kind = "column_dropped" if column is comparison.columns[0] and comparison.kind != "new" else "column_new"
        kind = "column_carried" if column.note == "carried" else kind
        return say(kind, lang, summit=column.summit, other=other, nth=nth(column.summit), other_nth=nth(other))
    title = column.document.title if column.document else ""
    return say("column", lang, summit=column.summit, title=title, nth=nth(column.summit))


def empty_cell(column: SummitColumn, lang: str) -> str:
    """記載なし, or why the column is empty in words."""
    return say(column.note if column.note in WORDS else "not-mentioned", lang)


def column_note(column: SummitColumn, lang: str) -> str:
    """What to say above a column's citations: that the joint declaration stands in; else nothing."""
    return say("joint", lang) if column.note == "joint" and column.citations else ""


def _other(column: SummitColumn, comparison: Comparison) -> int:
    others = [c.summit for c in comparison.columns if c.summit != column.summit]
    return others[0] if others else column.summit


def _summit_list(summits: list[int], lang: str) -> str:
    if lang == "ja":
        return "と".join(f"第{s}回" for s in summits)
    names = [nth(s) for s in summits]
    return (", ".join(names[:-1]) + " and " + names[-1] + " summits") if len(names) > 1 else f"{names[0]} summit"
