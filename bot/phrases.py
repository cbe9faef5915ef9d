"""Every sentence the bot says to a person, in Japanese and English, and how index/ errors are phrased.

What lives where:

* here, in `TEXT`: the framing of answers (excerpts always stay in the
  source's Japanese), the bot's replies in Slack (busy, failed, help, the
  upload dialogue, buttons), the ask page's refusal, and, merged in from
  bot/error_phrases.py, one entry per error code of index/ (and of
  bot/download.py) — `explain` turns an error into a sentence for the CLI,
  Slack or the web page;
* bot/templates/: the labels of the HTML pages (headings, form, navigation),
  which are page layout;
* bot/render_text.py, bot/render_html.py: how an answer is laid out, with
  `headline` from here.

An error entry has "ja" and "en" for people in Slack and on the web page
(say what happened; `admin: True` adds "ask an admin" where only an operator
can fix it), and "cli" for the operator at the command line (what to run or
set); without "cli" the CLI uses "en". Missing facts or an unknown code fall
back to a generic sentence with the error's own English description.
"""
from __future__ import annotations

import string

from index.model import Answer

from .error_phrases import ADMIN, ERRORS
from .phrases_compare import comparison_headline, nth

Front = str  # "cli" | "slack" | "web"


TEXT: dict[str, dict[str, object]] = {
    # ------------------------------------------------------------------ answers
    "found": {"ja": "{where}{what}から{n}件の該当箇所が見つかりました。", "en": "Found {n} passage{s} in {what}{where}."},
    "found_where": {"ja": "第{summit}回「{title}」", "en": "the {ordinal} summit's declaration ({title})"},
    "found_initiatives": {"ja": "{orgs}の取組み", "en": "the initiatives of {orgs}"},
    "outline": {"ja": "宣言文の構成から、見出しなど{n}件（その下に計{items}項目）を示します。",
                "en": "From the declarations' structure: {n} heading(s) or part(s), with {items} item(s) under them."},
    "items_under": {"ja": "{n}項目", "en": "{n} item(s)"},
    "no_match": {"ja": "宣言文の中に、この質問に答える箇所は見つかりませんでした。",
                 "en": "Nothing in the declarations answers this question."},
    "not_used": {"ja": "ただし宣言文に{terms}という語はなく、近い内容の箇所です。",
                 "en": "The declarations do not use the word(s) {terms}, though: these are the closest passages."},
    "not_mentioned": {"ja": "宣言文には{terms}の記載がありません。",
                      "en": "The declarations do not mention {terms}."},
    "rephrase": {
        "ja": "都市名（例：岡谷市）、回（例：第9回）、宣言で使われる語（例：事業承継、補助金）を含めて聞き直してみてください。",
        "en": "Try naming a city (e.g. Okaya), a summit (e.g. the 9th) or a topic the declarations use"
              " (e.g. business succession, subsidies)."},
    "no_summit": {"ja": "{asked}の宣言はまだ登録されていません（登録済み：{have}）。",
                  "en": "The index has no declaration of {asked} yet (it holds {have})."},
    "unknown_place": {
        "ja": "{places}は宣言文に出てきません。加盟都市は墨田区・川口市・大田区・岡谷市・東大阪市・尼崎市です。",
        "en": "The declarations do not mention {places}; the member cities are Sumida, Kawaguchi, Ota, Okaya,"
              " Higashiosaka and Amagasaki."},
    "joint_only": {"ja": "この回には個別の取組みの記載がないため、加盟都市共同の宣言文を示します。",
                   "en": "That summit lists no initiative of its own for them; these are the joint commitments all"
                         " member cities adopted."},
    # ---- channel controls, shortcut, assistant panel
    "config_show": {"ja": "このチャンネルの設定 — スレッドの続きの質問：{follow_ups}／回答：{answers}",
                    "en": "This channel's settings — thread follow-ups: {follow_ups}; answers: {answers}"},
    "follow_ups_always": {"ja": "メンションなしでも答える（常に）", "en": "answered without a mention (always)"},
    "follow_ups_mention": {"ja": "メンションされたときだけ答える（メンションのみ）", "en": "answered only when mentioned (mention)"},
    "answers_channel": {"ja": "チャンネルに投稿（チャンネル）", "en": "posted in the channel (channel)"},
    "answers_private": {"ja": "質問した人だけに表示（非公開）", "en": "shown only to the asker (private)"},
    "config_how": {"ja": "変更（管理者のみ）：`/summit config フォローアップ メンションのみ|常に`、`/summit config 回答 非公開|チャンネル`",
                   "en": "To change (admins only): `/summit config follow-ups mention|always`,"
                         " `/summit config answers private|channel`"},
    "config_changed": {"ja": "設定を変更しました。", "en": "Settings changed."},
    "config_unknown": {"ja": "その設定はありません。", "en": "There is no such setting."},
    "shortcut_empty": {"ja": "このメッセージには検索に使える文字がありません。", "en": "This message has no text to search with."},
    "prompt_proposals_title": {"ja": "{summit}の国への提言", "en": "Proposals of {summit}"},
    "prompt_proposals": {"ja": "{summit}宣言の国への提言は？", "en": "What did {summit} propose to the state?"},
    "prompt_city_title": {"ja": "{city}の取組み（{summit}）", "en": "{city}'s initiatives ({summit})"},
    "prompt_city": {"ja": "{summit}の{city}の取組みは？", "en": "What did {city} commit to at {summit}?"},
    "prompt_compare_title": {"ja": "{summits}の比較：事業承継", "en": "Business succession: {summits}"},
    "prompt_compare": {"ja": "{summits}の宣言で事業承継について何を求めている？",
                       "en": "What do {summits} say about business succession?"},
    "prompt_subsidies_title": {"ja": "補助金（{summit}）", "en": "Subsidies ({summit})"},
    "prompt_subsidies": {"ja": "{summit}宣言は補助金について何と言っている？", "en": "What did {summit} say about subsidies?"},
    "more_results": {"ja": "さらに表示", "en": "More results"},
    "open_passage": {"ja": "該当箇所を開く", "en": "open passage"},
    "question_label": {"ja": "質問", "en": "Question"},
    "no_more": {"ja": "これ以上の該当箇所はありません。", "en": "No more passages."},
    # ------------------------------------------------------------------ Slack and the ask page
    "busy": {"ja": "{n}件の質問に回答中です。回答が届いてから、もう一度お尋ねください。",
             "en": "You have {n} questions waiting; please ask again once they are answered."},
    "changed": {"ja": "この回答の後に宣言文が更新されました。最新の内容で探すには、もう一度質問してください。",
                "en": "The declarations have changed since this answer; please ask again to search the current ones."},
    "failed": {"ja": "申し訳ありません、回答中にエラーが発生しました（ID: {id}）。管理者に伝えてください。",
               "en": "Sorry, something went wrong while answering (id {id}); please tell the bot's admins."},
    "too_many": {"ja": "このアドレスからの質問が多すぎます。1分ほど待ってから、もう一度お試しください。",
                 "en": "Too many questions from this address; please wait a minute and ask again."},
    "thanks": {"ja": "フィードバックありがとうございます。", "en": "Thanks for the feedback."},
    # ---- private answers, feedback buttons and modal (bot/blocks.py, bot/clicks.py)
    "share": {"ja": "チャンネルに共有", "en": "Share in channel"},
    "keep": {"ja": "自分だけ", "en": "Only me"},
    "feedback_up": {"ja": "役に立った", "en": "Helpful"},
    "feedback_down": {"ja": "役に立たなかった", "en": "Not helpful"},
    "feedback_title": {"ja": "回答へのフィードバック", "en": "Feedback on the answer"},
    "feedback_send": {"ja": "送信", "en": "Send"},
    "feedback_cancel": {"ja": "閉じる", "en": "Close"},
    "feedback_what": {"ja": "何が問題でしたか？", "en": "What was wrong?"},
    "feedback_note": {"ja": "詳しく（任意）", "en": "Tell us more (optional)"},
    "reason_wrong_passage": {"ja": "引用された箇所が質問に合っていない", "en": "The cited passage does not answer it"},
    "reason_missing": {"ja": "あるはずの記載が出てこない", "en": "Something the declarations say is missing"},
    "reason_outdated": {"ja": "古い回の記載で、最新の内容ではない", "en": "It is from an older summit, not the latest"},
    "reason_other": {"ja": "その他", "en": "Something else"},
    "thanks_reason": {"ja": "ありがとうございます。管理者が確認して改善に役立てます。",
                      "en": "Thank you: the admins will look at it to improve the answers."},
    "greeting": {"ja": "中小企業都市サミットの宣言について質問してください。", "en": "Ask me about the summit declarations."},
    "searching": {"ja": "検索中…", "en": "searching…"},
    "help": {"ja": "使い方: `/summit 質問` — 例: `/summit 岡谷市の取組みは？`。`/summit sources` で登録済みの宣言一覧。",
             "en": "Usage: `/summit QUESTION` — e.g. `/summit What did Okaya commit to?`; `/summit sources` lists the"
                   " declarations."},
    "help_admin": {"ja": "管理者", "en": "admins: `/summit add`, `/summit remove KEY`, `/summit rollback`, `/summit config`"},
    "home_title": {"ja": "中小企業都市サミット 宣言", "en": "Summit declarations"},
    "sources_index": {"ja": "*索引 / index* {version}（{created}）", "en": "*index* {version} ({created})"},
    "sources_document": {"ja": "• 第{summit}回 {title} — 開催地 {host}、{date}、{count}箇所",
                         "en": "• summit {summit}: {title} — host {host}, {date}, {count} passages"},
    "no_date": {"ja": "日付不明", "en": "date unknown"},
    # ------------------------------------------------------------------ adding and removing declarations
    "not_admin": {"ja": "申し訳ありませんが、宣言文の追加・削除と設定の変更は管理者のみ行えます。",
                  "en": "Sorry, only the bot's admins can add or remove declarations or change settings."},
    "need_summit": {"ja": "何回目のサミットの宣言か、ファイルと一緒に書いてください（例：第10回）。",
                    "en": "Please say which summit this is, with the file (e.g. 第10回 or 10th)."},
    "too_big": {"ja": "ファイルが大きすぎます（上限 {limit} MB）。", "en": "The file is too large (limit {limit} MB)."},
    "bad_type": {"ja": "{name} は追加できません。PDF、Word（.docx）、テキスト、Markdown、HTML、スキャン画像（PNG・JPEG・"
                       "TIFF）のファイルを送ってください（古い .doc は .docx か PDF で保存し直してください）。",
                 "en": "{name} cannot be added: send a PDF, Word (.docx), text, Markdown or HTML file, or a scan"
                       " (PNG, JPEG, TIFF; save an old .doc as .docx or PDF first)."},
    "how_to_add": {"ja": "追加する宣言文のファイル（PDF など）を、このボットへのDMで「第N回」と書いて送ってください。",
                   "en": "Upload the declaration (e.g. a PDF) to me in a DM and say which summit it is (e.g. 第10回)."},
    "cancelled": {"ja": "追加を取りやめました。", "en": "Cancelled; nothing was added."},
    "expired": {"ja": "この確認は期限切れか、処理済みです。もう一度ファイルを送ってください。",
                "en": "This confirmation has expired or was already used; please upload the file again."},
    "nothing_to_cancel": {"ja": "取りやめる下書きはありません（期限切れか、処理済みです）。",
                          "en": "There is nothing to cancel: this draft has expired or was already used."},
    "not_yours": {"ja": "この下書きは別の管理者がアップロードしたものです。その管理者だけが追加・取りやめできます。",
                  "en": "This draft was uploaded by another admin; only they can add or cancel it."},
    "file_info": {"ja": "Slack からファイルの情報を取得できませんでした。もう一度送ってください。",
                  "en": "Slack did not give the file's details; please upload it again."},
    "building": {"ja": "追加しています（索引の作成に1分ほどかかります）…", "en": "Adding and rebuilding the index (about a minute)…"},
    "not_added": {"ja": "追加できませんでした。宣言文の一覧も索引も元のままです。",
                  "en": "Not added; the declarations and the index are as they were."},
    "unexpected": {"ja": "予期しないエラーです（サーバーのログに記録しました）。", "en": "An unexpected error (written to the server's log)."},
    "draft": {"ja": "{title}: {n}箇所", "en": "{title}: {n} passages"},
    "add_button": {"ja": "追加する", "en": "Add"},
    "cancel_button": {"ja": "取りやめ", "en": "Cancel"},
    "correct_button": {"ja": "修正して追加", "en": "Correct, then add"},
    "corrections_title": {"ja": "OCRの修正", "en": "OCR corrections"},
    "corrections_help": {"ja": "読み取りの誤りを「誤=正」で1行に1つ書くと、検索と見出しの表示に使われます（本文の引用はそのままです）。",
                         "en": "One misreading per line as WRONG=RIGHT: used for search and section labels (quoted text"
                               " stays as it is)."},
    "corrections_label": {"ja": "修正（例：電線後=震災後）", "en": "Corrections, one WRONG=RIGHT per line"},
    "added": {"ja": "追加しました：{title}（キー {key}、{passages}箇所、新規埋め込み {embedded}件、{seconds:.0f}秒）。もう質問できます。",
              "en": "Added {title} as {key}: {passages} passages ({embedded} texts embedded, {seconds:.0f} s);"
                    " index {version}; ask away."},
    "removing": {"ja": "{key} を削除しています…", "en": "Removing {key} and rebuilding the index…"},
    "rolling_back": {"ja": "索引を前の版に戻しています…", "en": "Rolling the index back…"},
    "removed": {"ja": "削除しました：{title}（索引 {version}）", "en": "Removed {title}; index {version}"},
    "rolled_back": {"ja": "索引を戻しました", "en": "Index rolled back: {previous} → {version}"},
    "nothing_changed": {"ja": "変更していません", "en": "Nothing was changed: {reason}"},
}

TEXT.update(ERRORS)  # one entry per error code: bot/error_phrases.py

# ---- App Home and report (bot/home.py, bot/report.py)
TEXT.update({
    "home_report_title": {"ja": "管理者向け：直近{days}日の質問", "en": "For admins: the last {days} days"},
    "home_counts": {"ja": "質問 {asked}件 — 引用付きで回答 {found}件（{share}）、該当なし {declined}件、エラー {failed}件、"
                          "混雑で受付せず {refused}件",
                    "en": "{asked} questions — {found} answered with citations ({share}), {declined} not found,"
                          " {failed} failed, {refused} refused while busy"},
    "home_declined": {"ja": "*「見つかりませんでした」と答えた質問*（多い順、{n}件中{shown}件）",
                      "en": "*Questions answered \"nothing found\"* (most frequent first, {shown} of {n})"},
    "home_down": {"ja": "*👎 が付いた回答*（多い順、{n}件中{shown}件）",
                  "en": "*Answers marked 👎* (most frequent first, {shown} of {n})"},
    "home_none": {"ja": "ありません", "en": "none"},
    "home_asked_count": {"ja": "{n}回・最終 {last}", "en": "asked {n}× · last {last}"},
    "home_down_count": {"ja": "👎 {n}件・最終 {last}", "en": "{n} 👎 · last asked {last}"},
    "home_reasons": {"ja": "理由", "en": "reasons"},
    "home_reask": {"ja": "もう一度聞く", "en": "Ask again"},
    "home_report_cli": {"ja": "「もう一度聞く」の回答はこのボットとの DM に届きます。全件は `summitbot report --since {days}d`（`--csv` も可）。",
                        "en": "Ask again answers in your DM with the bot. Everything: `summitbot report --since {days}d`"
                              " (or `--csv`)."},
    "home_guide": {"ja": "使い方", "en": "How to use this bot"},
    "home_full_guide": {"ja": "使い方ガイド（全文）", "en": "The staff guide"},
    "home_covers": {"ja": "*答えられること* — 次の宣言文に書かれていることだけを、原文の該当箇所を引用して答えます。",
                    "en": "*What it covers* — only what these declarations say, quoting the passages verbatim."},
    "home_how": {"ja": "*聞き方* — チャンネルで @メンションして質問する／このボットに DM を送る／`/summit 質問`"
                       "／Slack のアシスタントパネルでこのボットを選ぶ。スレッドでは続けて「川口市は？」のように聞けます。",
                 "en": "*How to ask* — mention the bot in a channel, send it a DM, type `/summit QUESTION`, or pick it"
                       " in Slack's assistant panel. In a thread, follow up (\"and Kawaguchi?\")."},
    "home_not_found": {"ja": "*「見つかりませんでした」の意味* — 宣言文の中に、その質問に答える箇所がないということです。"
                             "関係の薄い箇所で無理に答えるより、そう伝えることを優先しています。",
                       "en": "*\"Nothing found\"* means nothing in the declarations answers the question: the bot says so"
                             " rather than offer a weak match."},
    "home_wrong": {"ja": "*回答が間違っていたら* — 回答の下の 👎 を押してください（理由も書けます）。管理者が確認します。",
                   "en": "*A wrong answer?* Press 👎 under it (you can say why); the admins review every one."},
    "home_try": {"ja": "*質問の例*", "en": "*Try asking*"},
})

PROMPTS = [  # the assistant panel's suggested questions
    {"title": "岡谷市の取組み", "message": "岡谷市と岡谷商工会議所の取組みは？"},
    {"title": "国への提言（第9回）", "message": "第9回の国への提言でエネルギーについて何を求めている？"},
    {"title": "What did Okaya commit to?", "message": "What did Okaya commit to?"},
    {"title": "Business succession", "message": "What do the declarations say about business succession?"},
]


def phrase(key: str, lang: str, /, **values: object) -> str:
    """The sentence `key` in the asker's language (Japanese for "ja", English otherwise)."""
    return str(TEXT[key]["ja" if lang == "ja" else "en"]).format(**values)


def bilingual(key: str, /, **values: object) -> str:
    """The sentence `key` in Japanese and English, as the bot says it where it does not know the reader's language."""
    return f"{phrase(key, 'ja', **values)} / {phrase(key, 'en', **values)}"


def explain(error: BaseException, front: Front, lang: str | None = None) -> str:
    """An error for a person: the CLI says what to run or set; Slack and the web page say what happened.

    `lang` "ja" or "en" gives one language; None (the default off the CLI)
    both, "ja / en". A SummitError is phrased by its code and facts; anything
    else, an unknown code or missing facts, by a generic sentence and the
    error's own description.
    """
    code = getattr(error, "code", None)
    facts = getattr(error, "facts", None) or {}
    entry = TEXT.get(code) if isinstance(code, str) and "-" in code else None  # codes are kebab-case, keys not
    langs = (lang,) if lang in ("ja", "en") else ("ja", "en")
    try:
        if entry is None:
            raise KeyError(code)
        if front == "cli":
            return _format(str(entry.get("cli") or entry["en"]), facts).rstrip(".")
        return " / ".join(_format(str(entry[one]), facts) + (_admin(one) if entry.get("admin") else "") for one in langs)
    except (KeyError, IndexError, ValueError, TypeError):  # an unknown code, a missing or mistyped fact
        detail = str(error) or type(error).__name__
        if front == "cli":
            return detail
        return " / ".join(str(TEXT["error"][one]) + _admin(one) for one in langs) + f" ({detail})"


def _admin(lang: str) -> str:
    """"Ask an admin", after a sentence in `lang`: where only whoever runs the bot can fix it."""
    return ADMIN[lang] if lang == "ja" else " " + ADMIN[lang]


def _format(template: str, facts: dict) -> str:
    """`template` with the facts; a KeyError when one it names is missing (never a half-filled sentence)."""
    names = {field for _, field, _, _ in string.Formatter().parse(template) if field}
    missing = names - facts.keys()
    if missing:
        raise KeyError(", ".join(sorted(missing)))
    return template.format(**facts)


def summit_names(numbers: tuple[int, ...] | list[int], lang: str) -> str:
    if lang == "ja":
        return "、".join(f"第{n}回" for n in numbers)
    return ", ".join(_ordinal(n) for n in numbers)


def _ordinal(n: int) -> str:
    return f"the {nth(n)} summit"



def headline(answer: Answer) -> str:
    """The one line that precedes the citations, or that stands alone when nothing was found."""
    lang = answer.lang
    if answer.found and answer.comparison:
        line = comparison_headline(answer)
        if answer.notice == "not-mentioned" and answer.analysis:
            return f"{line} {phrase('not_used', lang, terms=_quoted(answer.analysis.unknown_nouns))}"
        return line
    if answer.found and answer.decision.reason == "structure":
        facts = answer.decision.evidence
        return phrase("outline", lang, n=int(facts.get("headings", 0)), items=int(facts.get("items", 0)))
    if answer.found:
        line = found_line(answer)
        if answer.notice == "joint-only":
            return f"{line} {phrase('joint_only', lang)}"
        if answer.notice == "not-mentioned" and answer.analysis:
            return f"{line} {phrase('not_used', lang, terms=_quoted(answer.analysis.unknown_nouns))}"
        return line
    if answer.notice == "no-summit" and answer.analysis:
        return phrase(
            "no_summit", lang,
            asked=summit_names(answer.analysis.summits, lang),
            have=summit_names(answer.indexed_summits, lang),
        )
    if answer.notice == "unknown-place" and answer.analysis:
        return phrase("unknown_place", lang, places="、".join(answer.analysis.unknown_places))
    missing = answer.analysis.unknown_nouns if answer.analysis and answer.decision.reason == "not-relevant" else ()
    if missing:  # say by name what the declarations lack, rather than only that nothing was found
        return f"{phrase('no_match', lang)} {phrase('not_mentioned', lang, terms=_quoted(missing))}"
    return f"{phrase('no_match', lang)} {phrase('rephrase', lang)}"


def found_line(answer: Answer) -> str:
    """What was found, in words: whose initiatives or which part, of which summit's declaration, and how many.

    Names and section labels stay as the declarations write them (with the document's OCR fixes applied to
    labels); the joint issuer is not named, since every declaration is theirs.
    """
    lang, citations = answer.lang, answer.citations
    docs = list(dict.fromkeys(c.document for c in citations))
    where = ("、" if lang == "ja" else " and ").join(
        phrase("found_where", lang, summit=d.summit, ordinal=nth(d.summit), title=d.title) for d in docs)
    orgs = list(dict.fromkeys(c.passage.organization for c in citations
                              if c.passage.organization and c.passage.organization != c.document.issuer))
    parts = list(dict.fromkeys(fixed(c.passage.section_path.split(" › ")[0], c.document.search_fixes)
                               for c in citations if c.passage.section_path))
    if orgs and len(orgs) <= 3:
        what = phrase("found_initiatives", lang, orgs=("・" if lang == "ja" else ", ").join(orgs))
    elif parts and len(parts) <= 2:
        what = "".join(f"「{p}」" for p in parts)
    else:
        what = ""
    if lang == "ja":
        return phrase("found", lang, n=len(citations), where=where, what=f"の{what}" if what else "")
    return phrase("found", lang, n=len(citations), s="" if len(citations) == 1 else "s",
                  what=f"{what} of " if what else "", where=where)


def fixed(label: str, fixes: tuple[tuple[str, str], ...]) -> str:
    """A section label with the document's recorded OCR fixes applied (the passage text itself stays verbatim)."""
    for wrong, right in fixes:
        label = label.replace(wrong, right)
    return label


def _quoted(terms: tuple[str, ...]) -> str:
    return "、".join(f"「{t}」" for t in terms[:3])


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
    if summary.get("ocr"):  # a scan: how sure OCR was, and the lines to compare with the original
        pages = ", ".join(f"p{p['page']} {p['confidence']:.0f}" + (" (縦書き)" if p["lang"] == "jpn_vert" else "")
                          for p in summary["ocr"])
        lines.append(f"OCR confidence / 文字認識の確からしさ (0–100): {pages}")
        lines += [f"low confidence / 要確認 (p{line['page']}, {line['confidence']:.0f}): {line['text']}"
                  for line in summary.get("low_confidence", ())]
    return lines + [f"warning / 注意: {item}" for item in summary["warnings"]]
