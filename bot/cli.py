"""`summitbot`: build the index, ask questions, measure quality.

Every failure a user can cause (no index yet, an unknown model, an empty or
huge question, a broken corpus file) ends with one line saying what to do,
never a traceback.
"""
from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections.abc import Iterable
from pathlib import Path

from index.errors import SummitError
from index.settings import Settings

from .links import LinkMaker
from .phrases import explain, summary_lines
from .render_text import answer_json, render_text

log = logging.getLogger("summitbot")

SAMPLE_QUESTION = "What did 岡谷 commit to?"
USER_ERRORS = (SummitError,)  # whatever index/ expects people to cause and fix: one line (bot/phrases.py)


class UsageError(Exception):
    pass


def _import_index() -> None:
    """index/service.py's names, imported once a command needs them rather than on start: `summitbot report`
    reads only the bot's database and starts without numpy's and scipy's import time."""
    global QuestionError, SummitIndex, build, clean_question
    from index.service import QuestionError, SummitIndex, build, clean_question


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="summitbot", description="Cited answers from the 中小企業都市サミット declarations.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    commands = parser.add_subparsers(dest="command", required=True)

    ask = commands.add_parser("ask", help="answer a question (or one per line from stdin) with cited excerpts")
    ask.add_argument("question", nargs="*", help="the question; omit to read one question per line from stdin")
    ask.add_argument("--json", action="store_true", help="print one JSON object per question")
    ask.add_argument("--top-k", type=int, default=5, metavar="N", help="cite at most N passages (default 5)")

    index = commands.add_parser("index", help="manage the search index")
    index_commands = index.add_subparsers(dest="index_command", required=True)
    build_cmd = index_commands.add_parser("build", help="build the index from the corpus folder (embeds only what is new)")
    build_cmd.add_argument("--quiet", action="store_true", help="no progress bar")
    index_commands.add_parser("rollback", help="make the previous index version current again")
    index_commands.add_parser("versions", help="list the index versions (* marks the current one)")

    corpus = commands.add_parser("corpus", help="add, list or remove declarations")
    corpus_commands = corpus.add_subparsers(dest="corpus_command", required=True)
    add = corpus_commands.add_parser("add", help="add a declaration (PDF, text, Markdown, HTML, or a scan: PNG, JPEG,"
                                                 " TIFF) and show how it parses")
    add.add_argument("file", type=Path)
    add.add_argument("--summit", type=int, required=True, help="the summit's number (第N回)")
    add.add_argument("--title", default="", help="the declaration's title (default: read from the text)")
    add.add_argument("--host-city", default="", help="the host city (default: from the title)")
    add.add_argument("--date", default="", help="the summit's date, YYYY-MM-DD")
    add.add_argument("--url", default="", help="where the declaration is published")
    add.add_argument("--dry-run", action="store_true", help="only show how it parses; change nothing")
    add.add_argument("--text-out", type=Path, metavar="TEXT_FILE",
                     help="write the text as it would be indexed to TEXT_FILE (to correct it), and change nothing")
    add.add_argument("--text-from", type=Path, metavar="TEXT_FILE",
                     help="add TEXT_FILE (the corrected text) as the declaration's text; FILE stays the original")
    add.add_argument("--fix", action="append", default=[], metavar="WRONG=RIGHT",
                     help="an OCR misreading to correct in search and section labels (the text shown stays as it is);"
                          " repeatable, e.g. --fix 電線後=震災後")
    corpus_commands.add_parser("list", help="the declarations in the corpus")
    remove = corpus_commands.add_parser("remove", help="take a declaration out of the corpus")
    remove.add_argument("key", help="the document key (see `summitbot corpus list`)")

    evaluate = commands.add_parser("eval", help="hit@1, hit@5 and MRR per language on question files")
    evaluate.add_argument("files", nargs="+", type=Path, help="JSONL question files (see eval/)")
    evaluate.add_argument("--systems", default="bm25,dense,rrf,pipeline", help="comma-separated: bm25,dense,rrf,pipeline")
    evaluate.add_argument("--json", type=Path, metavar="OUT", help="also write the figures as JSON")

    commands.add_parser("demo", help="answer a sample question on the terminal")

    serve = commands.add_parser("serve", help="run the Slack bot and the web pages (Socket Mode or HTTP)")
    serve.add_argument("--host", help="address to listen on (default SUMMITBOT_HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default SUMMITBOT_PORT or 8080)")

    commands.add_parser("doctor", help="check Python, disk, model, index, corpus, database, Slack, the public URL"
                                       " and the optional system packages; the fix for each problem")

    report = commands.add_parser("report", help="what the bot declined, got 👎 for or failed on (the bot's database)")
    report.add_argument("--since", default="30d",
                        help="a period back from now (30d, 12h, 2w) or an ISO date (default 30d)")
    report.add_argument("--csv", action="store_true", help="print CSV: one row per question group")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    _load_dotenv()
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("pdfminer").setLevel(logging.ERROR)  # its font warnings mean nothing to staff
    try:
        settings = Settings.from_env()
    except ValueError as exc:  # a mistyped setting: which, in one line
        print(f"summitbot: {exc}", file=sys.stderr)
        return 2
    if args.command not in ("report", "doctor"):  # `report` reads SQLite only; `doctor` loads no model
        _import_index()
    handlers = {"ask": _ask, "index": _index, "corpus": _corpus, "eval": _eval, "demo": _demo, "serve": _serve,
                "report": _report, "doctor": _doctor}
    try:
        return handlers[args.command](args, settings)
    except USER_ERRORS as exc:
        print(f"summitbot: {explain(exc, 'cli')}", file=sys.stderr)
        return 2
    except UsageError as exc:
        print(f"summitbot: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("summitbot: interrupted", file=sys.stderr)
        return 130


def _load_dotenv() -> None:
    """Settings come from the environment; a `.env` in the working directory fills gaps."""
    from dotenv import load_dotenv

    load_dotenv(Path.cwd() / ".env", override=False)


def _open(settings: Settings) -> SummitIndex:
    """The index and the model, saying so on a terminal: loading takes seconds, and silence looks like a hang."""
    if sys.stderr.isatty():
        print(f"summitbot: loading the index ({settings.index_dir}) and the model…", file=sys.stderr, flush=True)
    return SummitIndex.open(settings)


def _ask(args: argparse.Namespace, settings: Settings) -> int:
    if args.top_k < 1:
        raise UsageError("--top-k must be at least 1")
    if args.question:
        questions: Iterable[str] = [clean_question(" ".join(args.question))]  # fail before loading the model
        stream = False
    else:
        questions = (line.rstrip("\n") for line in sys.stdin)
        stream = True
    service = _open(settings)
    links = LinkMaker(settings.public_url, settings.corpus_dir)
    status = 0
    for question in questions:
        if stream and not question.strip():
            continue
        try:
            answer = service.ask(question, top_k=args.top_k, link=links)
        except QuestionError as exc:
            if not stream:
                raise
            status = 2
            said = explain(exc, "cli")
            print(json.dumps({"question": question[:200], "error": said, "code": exc.code}, ensure_ascii=False)
                  if args.json else f"summitbot: {said}")
            continue
        if args.json:
            print(json.dumps(answer_json(answer), ensure_ascii=False), flush=True)
        else:
            print(render_text(answer) + ("\n" if stream else ""), flush=True)
    _say_how_to_link(settings)
    return status


def _say_how_to_link(settings: Settings) -> None:
    """Without a server URL the links open the source files; say how to get links to the passage pages."""
    if not settings.public_url:
        print("summitbot: links open the source files; to link to the passage pages, run `summitbot serve` and set "
              "SUMMITBOT_PUBLIC_URL to its address (e.g. http://127.0.0.1:8080)", file=sys.stderr)


def _index(args: argparse.Namespace, settings: Settings) -> int:
    from index import changes
    from index.store import versions

    if args.index_command == "rollback":
        report = changes.rollback(settings)
        print(f"index rolled back from {report.previous} to {report.version}; a running server switches within seconds")
        return 0
    if args.index_command == "versions":
        current = (settings.index_dir / "CURRENT").read_text().strip() if (settings.index_dir / "CURRENT").exists() else ""
        for version in versions(settings.index_dir):
            print(("* " if version == current else "  ") + version)
        return 0
    from index.embed import build_embedder

    started = time.perf_counter()
    embedder = build_embedder(settings.embed_model, settings.cache_dir)
    with changes.corpus_lock(settings.corpus_dir):  # no corpus change (Slack, another command) mid-build
        report = build(settings, progress=not args.quiet, embedder=embedder)
    seconds = time.perf_counter() - started
    data = SummitIndex.open(settings, embedder=embedder).data  # proves the new version loads
    print(f"index {report.version}: {report.passages} passages from {len(data.documents)} documents in {seconds:.1f} s "
          f"(embedded {report.embedded} new texts, reused {report.reused}) → {settings.index_dir}")
    print(f"  {report.dense_index} over {report.passages} passages")
    engine = data.manifest.get("query_engine") or {}
    if engine:
        print(f"  questions: {engine['engine']} agrees with {data.manifest['model']} to cosine "
              f"{engine['min_cosine']:.4f} (min) / {engine['mean_cosine']:.4f} (mean) over {engine['probes']} probes")
    for label, keys in (("added", report.added), ("changed", report.changed), ("removed", report.removed)):
        if keys:
            print(f"  {label}: {', '.join(keys)}")
    return 0


def _corpus(args: argparse.Namespace, settings: Settings) -> int:
    """list, add, remove: changes go through index/changes.py (the corpus lock); reading a file through a
    limited child process (changes.prepare), as the server does."""
    from index import changes, library
    from index.corpus import Corpus

    corpus = Corpus.load(settings.corpus_dir)
    if args.corpus_command == "list":
        for doc in corpus.documents:
            count = len(corpus.parse(doc).passages)
            print(f"{doc.key:24} 第{doc.summit}回 {doc.title}  開催地 {doc.host_city or '—'}  {doc.date or '—'}  {count} passages")
        return 0
    if args.corpus_command == "remove":
        doc = changes.remove(settings, args.key, build=None).document
        print(f"removed {doc.key} ({doc.display_title}); run `summitbot index build` to take it out of the index")
        return 0
    draft = changes.prepare(settings, args.file, args.summit, args.title, args.host_city, args.date, args.url,
                            text_from=args.text_from, fixes=library.parse_fixes(args.fix))
    print("\n  ".join(summary_lines(draft.summary())))
    for wrong, right in draft.document.search_fixes:
        print(f"  fix / 修正: {wrong} → {right} (search and labels)")
    if args.text_out:
        args.text_out.write_text(draft.text, encoding="utf-8")
        print(f"\nwrote the text to {args.text_out}: correct it, then add it with\n  summitbot corpus add {args.file} "
              f"--summit {args.summit} --text-from {args.text_out}\n(nothing was changed)")
        return 0
    if args.dry_run:
        print("\n(dry run: nothing was changed)")
        return 0
    doc = changes.add(settings, draft, build=None).document
    print(f"\nadded {doc.key} → {settings.corpus_dir / doc.file}; run `summitbot index build` to make it searchable")
    return 0


def _eval(args: argparse.Namespace, settings: Settings) -> int:
    from index.evaluate import SYSTEMS, load_questions, evaluate

    names = [n.strip() for n in args.systems.split(",") if n.strip()]
    unknown = [n for n in names if n not in SYSTEMS]
    if unknown:
        raise UsageError(f"unknown system(s) {unknown}; choose from {list(SYSTEMS)}")
    from index.evaluate_compare import COMPARERS, comparison_table, evaluate_comparisons, is_comparison_set

    service = _open(settings)
    report: dict = {}
    tables = []
    for path in args.files:
        questions = load_questions(path)
        if is_comparison_set(questions):  # gold per summit: eval/compare/
            report[path.name] = {"comparison": {name: evaluate_comparisons(make(service), questions)
                                                for name, make in COMPARERS.items()}}
            tables.append(comparison_table(path.name, report[path.name]["comparison"]))
        else:
            report[path.name] = {name: evaluate(SYSTEMS[name](service), questions) for name in names}
            tables.append(format_eval({path.name: report[path.name]}))
    print("\n".join(tables))
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


def format_eval(report: dict) -> str:
    """A Markdown table per question file: one row per system and language (index/evaluate.py defines each figure)."""
    lines = []
    for file, systems in report.items():
        lines += [f"\n{file}", "", "| system | lang | answerable | hit@1 | hit@5 | MRR | precision | excerpt@1 "
                  "| citations/answer | wrongly declined | unanswerable declined |", "|---|---|---|---|---|---|---|---|---|---|---|"]
        for system, langs in systems.items():
            for lang in ("ja", "en", "all"):
                if lang not in langs:
                    continue
                s = langs[lang]
                declined = f"{s['rightly_refused']}/{s['unanswerable']}" if s["unanswerable"] else "–"
                lines.append(f"| {system} | {lang} | {s['questions']} | {s['hit@1']:.3f} | {s['hit@5']:.3f} | {s['mrr']:.3f} "
                             f"| {s['precision']:.3f} | {s['excerpt@1']:.3f} | {s['citations_per_answer']:.1f} "
                             f"| {s['refused_answerable']}/{s['questions']} | {declined} |")
    return "\n".join(lines)


def _demo(args: argparse.Namespace, settings: Settings) -> int:
    service = _open(settings)
    print(f"$ summitbot ask \"{SAMPLE_QUESTION}\"\n")
    print(render_text(service.ask(SAMPLE_QUESTION, link=LinkMaker(settings.public_url, settings.corpus_dir))))
    _say_how_to_link(settings)
    print(NEXT_STEPS)
    return 0


NEXT_STEPS = """
Next:
  summitbot ask "第8回と第9回で事業承継についてどう変わった？"   ask your own question (Japanese or English)
  make run                                                 serve the ask page and the passage pages
  README, "In Slack"                                       connect it to your workspace
  summitbot corpus add FILE --summit N                     add a new summit's declaration"""


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    from dataclasses import replace

    from .server import serve
    from .settings import BotSettings

    logging.getLogger().setLevel(logging.INFO)
    logging.getLogger("faiss.loader").setLevel(logging.WARNING)
    try:
        bot_settings = BotSettings.from_env()
    except ValueError as exc:  # a mistyped setting: say which, in one line, and do not start
        raise UsageError(str(exc)) from None
    overrides = {k: v for k, v in (("host", args.host), ("port", args.port)) if v is not None}
    serve(replace(bot_settings, **overrides))
    return 0


def _doctor(args: argparse.Namespace, settings: Settings) -> int:
    """Every check of bot/doctor.py, one line each; 1 when something a user needs is broken."""
    from .doctor import report
    from .settings import BotSettings

    try:
        bot_settings = BotSettings.from_env()
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    text, status = report(bot_settings)
    print(text)
    return status


def _report(args: argparse.Namespace, settings: Settings) -> int:
    """The coverage report of bot/report.py from the bot's database (SUMMITBOT_DB); no index, no model."""
    from .records import Records
    from .report import build_report, parse_since, report_csv, report_text
    from .settings import BotSettings

    try:
        since = parse_since(args.since)
        database = BotSettings.from_env().database
    except ValueError as exc:  # a bad --since or a mistyped setting: one line
        raise UsageError(str(exc)) from None
    if not database.exists():  # opening would create an empty one
        raise UsageError(f"no bot database at {database}: set SUMMITBOT_DB to the file `summitbot serve` records to")
    records = Records(database)
    try:
        report = build_report(records, since=since)
    finally:
        records.close()
    print(report_csv(report) if args.csv else report_text(report), end="" if args.csv else "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
