"""The framing text of answers in the asker's language; excerpts always stay in the source's Japanese."""
from __future__ import annotations

from index.model import Answer

_TEXT = {
    "found": {
        "ja": "{n}件の該当箇所が見つかりました。",
        "en": "Found {n} passage(s) in the declarations.",
    },
    "no_match": {
        "ja": "宣言文の中に、この質問に答える箇所は見つかりませんでした。",
        "en": "Nothing in the declarations answers this question.",
    },
    "rephrase": {
        "ja": "都市名（例：岡谷市）、回（例：第9回）、宣言で使われる語（例：事業承継、補助金）を含めて聞き直してみてください。",
        "en": "Try naming a city (e.g. Okaya), a summit (e.g. the 9th) or a topic the declarations use (e.g. business succession, subsidies).",
    },
    "no_summit": {
        "ja": "{asked}の宣言はまだ登録されていません（登録済み：{have}）。",
        "en": "The index has no declaration of {asked} yet (it holds {have}).",
    },
    "unknown_place": {
        "ja": "{places}は宣言文に出てきません。加盟都市は墨田区・川口市・大田区・岡谷市・東大阪市・尼崎市です。",
        "en": "The declarations do not mention {places}; the member cities are Sumida, Kawaguchi, Ota, Okaya, Higashiosaka and Amagasaki.",
    },
    "joint_only": {
        "ja": "この回には個別の取組みの記載がないため、加盟都市共同の宣言文を示します。",
        "en": "That summit lists no initiative of its own for them; these are the joint commitments all member cities adopted.",
    },
}


def phrase(key: str, lang: str, **values: object) -> str:
    return _TEXT[key]["ja" if lang == "ja" else "en"].format(**values)


def summit_names(numbers: tuple[int, ...] | list[int], lang: str) -> str:
    if lang == "ja":
        return "、".join(f"第{n}回" for n in numbers)
    return ", ".join(_ordinal(n) for n in numbers)


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"the {n}{suffix} summit"


def headline(answer: Answer) -> str:
    """The one line that precedes the citations, or that stands alone when nothing was found."""
    lang = answer.lang
    if answer.found:
        line = phrase("found", lang, n=len(answer.citations))
        return f"{line} {phrase('joint_only', lang)}" if answer.notice == "joint-only" else line
    if answer.notice == "no-summit" and answer.analysis:
        return phrase(
            "no_summit", lang,
            asked=summit_names(answer.analysis.summits, lang),
            have=summit_names(answer.indexed_summits, lang),
        )
    if answer.notice == "unknown-place" and answer.analysis:
        return phrase("unknown_place", lang, places="、".join(answer.analysis.unknown_places))
    return f"{phrase('no_match', lang)} {phrase('rephrase', lang)}"


def summary_lines(summary: dict) -> list[str]:
    """The parse of a new declaration (index.library.Draft.summary), for a person to check before it goes live."""
    kinds = ", ".join(f"{kind} {count}" for kind, count in summary["kinds"].items())
    lines = [
        f"{summary['title']}  (key {summary['key']}, 開催地 / host {summary['host_city'] or '—'})",
        f"passages / 箇所: {summary['passages']} ({kinds})",
        f"sections / 節: {' / '.join(summary['sections']) or '—'}",
        f"organizations / 組織: {', '.join(summary['organizations']) or '—'}",
    ]
    lines += [f"set aside / 除外: {item}" for item in summary["set_aside"]]
    return lines + [f"warning / 注意: {item}" for item in summary["warnings"]]
