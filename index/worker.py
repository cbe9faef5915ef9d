"""Reading an uploaded file and building the index, each in a limited child process (index/sandbox.py).

Both halves of the protocol are here. The parent calls `prepare` (extract and
parse a file for review) or `build` (a new index version); each starts
`python -m index.worker`, which sets its limits, does the work and answers in
JSON. The parent turns the answer back into a Draft or a BuildReport, and a
refusal back into the same exception the in-process code raises
(ExtractionError, CorpusError, IndexProblem), with its code and facts, so
callers handle one set of errors. A child stopped for time or memory, or one
that crashed, becomes an error of its own code (read-too-much-memory,
build-too-slow, …) that bot/phrases.py says to a person; nothing of the
child's state survives.

Limits, from measurements on this machine (2 CPUs; README, "A new summit is held"):

* reading: 90 s wall, 60 s CPU, 512 MB address space. A 200-page declaration
  PDF took 5.4 s CPU and 48 MB; the 200,000-character line 7 s and 221 MB of
  address space; a 400 MB Flate bomb needs over 830 MB and is stopped.
* building: 15 min wall, 30 min CPU, 3 GB resident memory watched by the
  parent. A fresh build of the whole corpus peaked at 1.55 GB resident but maps
  2.6 GB of address space (torch), which is why RSS, not RLIMIT_AS, bounds it.
"""
from __future__ import annotations

import json
import logging
import os
import resource
import sys
import traceback
from dataclasses import asdict, fields
from pathlib import Path

from .corpus import CorpusError
from .embed import EmbeddingModelError
from .extract import ExtractionError
from .sandbox import Limits, Outcome, run
from .settings import Settings
from .store import BuildReport, IndexProblem

log = logging.getLogger(__name__)

READ_LIMITS = Limits(seconds=90, cpu_seconds=60, address_mb=512)
BUILD_LIMITS = Limits(seconds=900, cpu_seconds=1800, rss_mb=3072)

_ERRORS: dict[str, type[Exception]] = {"ExtractionError": ExtractionError, "CorpusError": CorpusError,
                                       "IndexProblem": IndexProblem, "EmbeddingModelError": EmbeddingModelError}

# Why a child stopped without an answer of its own: the code of the error raised, and its English description.
READ_STOPPED = {
    "time": ("read-too-slow", "reading the file took too long and was stopped after {seconds:.0f} s"),
    "memory": ("read-too-much-memory", "reading the file took too much memory (over {mb} MB) and was stopped"),
    "crash": ("read-crashed", "the file could not be read: the reader stopped unexpectedly"),
    "error": ("read-failed", "the file could not be read ({detail})"),
}
BUILD_STOPPED = {
    "time": ("build-too-slow", "the index build took too long and was stopped after {seconds:.0f} s"),
    "memory": ("build-too-much-memory", "the index build took too much memory (over {mb} MB) and was stopped"),
    "crash": ("build-crashed", "the index build failed (the build process stopped unexpectedly)"),
    "error": ("build-failed", "the index build failed ({detail})"),
}


class BuildFailed(IndexProblem):
    """The build child was stopped or crashed; no new version became current."""

    code = "build-failed"


# --------------------------------------------------------------------------- the parent's side


def prepare(corpus_dir: Path, file: Path, summit: int, title: str = "", host_city: str = "", date: str = "",
            url: str = "", limits: Limits = READ_LIMITS, text_from: Path | None = None,
            fixes: tuple[tuple[str, str], ...] = ()):
    """`library.prepare` in a limited child: the Draft, or ExtractionError / CorpusError saying why not."""
    draft, _, error = prepare_with_outcome(corpus_dir, file, summit, title, host_city, date, url, limits,
                                           text_from, fixes)
    if error is not None:
        raise error
    return draft


def prepare_with_outcome(corpus_dir: Path, file: Path, summit: int, title: str = "", host_city: str = "",
                         date: str = "", url: str = "", limits: Limits = READ_LIMITS, text_from: Path | None = None,
                         fixes: tuple[tuple[str, str], ...] = ()):
    """(Draft or None, what the child used, the refusal or None): `prepare` for those who measure it."""
    request = {"corpus_dir": str(corpus_dir), "file": str(Path(file).resolve()), "summit": summit, "title": title,
               "host_city": host_city, "date": date, "url": url,
               "text_from": str(Path(text_from).resolve()) if text_from else "", "fixes": [list(f) for f in fixes]}
    outcome = run("prepare", request, limits)
    try:
        return draft_from_dict(_value(outcome, READ_STOPPED, ExtractionError, limits)), outcome, None
    except tuple(_ERRORS.values()) as error:
        return None, outcome, error


def build(settings: Settings, limits: Limits = BUILD_LIMITS, prune: bool = True) -> BuildReport:
    """`service.build` in a limited child (it loads the model itself): the report, or an IndexProblem."""
    request = {"settings": {k: str(v) for k, v in asdict(settings).items()}, "prune": prune}
    outcome = run("build", request, limits)
    value = _value(outcome, BUILD_STOPPED, BuildFailed, limits)
    return BuildReport(**{f.name: tuple(value[f.name]) if isinstance(value[f.name], list) else value[f.name]
                          for f in fields(BuildReport)})


def _value(outcome: Outcome, stopped: dict, stop_error: type[Exception], limits: Limits) -> dict:
    """The child's value, or its refusal raised as the original exception type (with `.outcome` for measuring)."""
    answer = outcome.answer or {}
    if answer.get("ok"):
        return answer["value"]
    known = _ERRORS.get(answer.get("error", ""))
    if known is not None:  # the same error as in process: its code and facts crossed with it
        error: Exception = known(answer.get("message", ""), answer.get("code") or None, **answer.get("facts", {}))
    else:  # stopped, out of memory, crashed, or an unexpected error (logged with the child's stderr)
        reason = outcome.stopped or answer.get("stopped") or ("error" if answer.get("message") else "crash")
        if reason in ("error", "crash"):
            log.error("the %s child failed (exit %d): %s\n%s", outcome.task, outcome.returncode,
                      answer.get("message", ""), outcome.stderr[-2000:])
        code, english = stopped[reason]
        values = {"seconds": round(outcome.seconds, 1), "mb": limits.address_mb or limits.rss_mb,
                  "detail": answer.get("message", "")[:300]}
        error = stop_error(english.format(**values), code, **values)
    error.outcome = outcome  # type: ignore[attr-defined]
    raise error


def draft_from_dict(value: dict):
    """A Draft from its plain form (`draft_to_dict`): across the child's pipe, and in the bot's saved drafts."""
    from .extract_result import PageConfidence
    from .library import Draft
    from .model import Document, Excluded, Passage
    from .parse import ParseResult

    document = Document.from_dict(value["document"])
    parse = ParseResult([Passage.from_dict(p) for p in value["passages"]], [Excluded(**e) for e in value["excluded"]])
    return Draft(document, value["text"], Path(value["original"]), parse, tuple(value["warnings"]),
                 tuple(value["pages"]), tuple(PageConfidence.from_dict(p) for p in value.get("ocr", ())))


# --------------------------------------------------------------------------- the child's side


def _limit(limits: dict) -> None:
    """Limits the child sets on itself before any work (a threaded parent cannot use preexec_fn)."""
    cpu = int(limits["cpu_seconds"])
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))  # SIGXCPU at the soft limit, SIGKILL at the hard one
    if limits.get("address_mb"):
        size = int(limits["address_mb"]) * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (size, size))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a crash leaves no core file behind


def _prepare(request: dict) -> dict:
    from . import library
    from .corpus import Corpus

    text_from = Path(request["text_from"]) if request.get("text_from") else None
    draft = library.prepare(Corpus.load(Path(request["corpus_dir"])), Path(request["file"]), int(request["summit"]),
                            request["title"], request["host_city"], request["date"], request["url"], text_from,
                            tuple((str(w), str(r)) for w, r in request.get("fixes", ())))
    return draft_to_dict(draft)


def draft_to_dict(draft) -> dict:
    """A Draft as plain JSON data (the inverse of `draft_from_dict`)."""
    return {"document": draft.document.to_dict(), "text": draft.text, "original": str(draft.original),
            "passages": [p.to_dict() for p in draft.parse.passages],
            "excluded": [asdict(e) for e in draft.parse.excluded],
            "warnings": list(draft.warnings), "pages": list(draft.pages),
            "ocr": [asdict(page) for page in draft.ocr]}


def _build(request: dict) -> dict:
    from .service import build as build_in_process

    given = request["settings"]
    settings = Settings(**{k: Path(v) if k.endswith("_dir") else v for k, v in given.items()})
    return asdict(build_in_process(settings, progress=False, prune=bool(request.get("prune", True))))


TASKS = {"prepare": _prepare, "build": _build}


def _high_water_kb() -> int:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, not inherited from the forking parent)."""
    with open("/proc/self/status", "rb") as status:
        return next((int(line.split()[1]) for line in status if line.startswith(b"VmHWM:")), 0)


def main() -> int:
    request = json.loads(sys.stdin.buffer.read())
    answer_out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # whatever a library prints goes to stderr; stdout carries only the answer
    _limit(request["limits"])
    try:
        answer = {"ok": True, "value": TASKS[request["task"]](request)}
    except MemoryError:
        answer = {"ok": False, "stopped": "memory"}
    except tuple(_ERRORS.values()) as error:
        base = next(name for name, kind in _ERRORS.items() if isinstance(error, kind))
        answer = {"ok": False, "error": base, "message": str(error), "code": error.code,
                  "facts": json.loads(json.dumps(error.facts, default=str))}
    except Exception as error:  # noqa: BLE001 - reported to the parent, which says it plainly
        traceback.print_exc()
        answer = {"ok": False, "error": "", "message": f"{type(error).__name__}: {error}"}
    answer["peak_kb"] = _high_water_kb()
    answer_out.write(json.dumps(answer, ensure_ascii=False).encode("utf-8"))
    answer_out.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
