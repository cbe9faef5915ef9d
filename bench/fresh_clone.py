"""The first hour, timed: a fresh clone, the README's commands, the time to the first answer and to a passed test.

    .venv/bin/python bench/fresh_clone.py [--keep]

Clones this repository (its committed HEAD) into a temporary folder and runs,
as a newcomer would: `make run` until the ask page answers a question with a
citation (install, model, index and server included), then `make test`, then
the quick lane. Writes bench/results/fresh.json and the README's table between
the fresh markers. About 15 minutes on 2 cores; the pip cache and the model
cache of this machine are used as they are (a first-ever machine also
downloads the wheels).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

from common import ROOT, machine, replace_section

BEGIN, END = "<!-- fresh:begin -->", "<!-- fresh:end -->"
QUESTION = "岡谷市の取組みは？"
RESULT = ROOT / "bench" / "results" / "fresh.json"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def first_answer(clone: Path, env: dict[str, str], timeout: float = 1800) -> float:
    """Seconds from `make run` to the ask page answering QUESTION with a citation."""
    port = free_port()
    env = {**env, "SUMMITBOT_PORT": str(port), "SUMMITBOT_HOST": "127.0.0.1"}
    started = time.monotonic()
    server = subprocess.Popen(["make", "run"], cwd=clone, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}/?q={urllib.parse.quote(QUESTION)}"
    try:
        while time.monotonic() - started < timeout:
            if server.poll() is not None:
                raise SystemExit(f"make run ended with {server.returncode} before answering")
            try:
                with urllib.request.urlopen(url, timeout=30) as response:
                    if response.status == 200 and 'class="citation"' in response.read().decode("utf-8"):
                        return time.monotonic() - started
            except OSError:
                pass
            time.sleep(1)
        raise SystemExit("no answer within the timeout")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)


def timed(command: list[str], clone: Path, env: dict[str, str]) -> tuple[float, str]:
    started = time.monotonic()
    result = subprocess.run(command, cwd=clone, env=env, capture_output=True, text=True)
    tail = (result.stdout.strip().splitlines() or [""])[-1]
    if result.returncode != 0:
        failed = "\n".join(line for line in result.stdout.splitlines() if line.startswith(("FAILED", "ERROR")))
        raise SystemExit(f"{' '.join(command)} failed ({result.returncode}): {tail}\n{failed}\n{result.stderr[-2000:]}")
    return time.monotonic() - started, tail


def minutes(seconds: float) -> str:
    return f"{int(seconds // 60)} min {int(seconds % 60):02d} s"


def markdown(result: dict) -> str:
    return "\n".join([
        f"Fresh clone, {result['date']}, commit {result['commit']} (`bench/fresh_clone.py`; {result['machine']}):",
        "",
        "| step | time | result |",
        "|---|---|---|",
        f"| `make run` to the first cited answer on the ask page (install, model, index, server) | "
        f"{minutes(result['first_answer_s'])} | |",
        f"| then `make test` | {minutes(result['make_test_s'])} | {result['make_test']} |",
        f"| then the quick lane, `pytest -m \"not slow\"` | {minutes(result['quick_lane_s'])} | {result['quick_lane']} |",
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the clone")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="summitbot-fresh-"))
    clone = folder / "summitbot"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SUMMITBOT_", "SLACK_", "VIRTUAL_ENV"))}
    try:
        print("make run, until the first answer…", flush=True)
        answer = first_answer(clone, env)
        print(f"  {minutes(answer)}; make test…", flush=True)
        test_s, test_tail = timed(["make", "test"], clone, env)
        print(f"  {minutes(test_s)}: {test_tail}; the quick lane…", flush=True)
        quick_s, quick_tail = timed([str(clone / ".venv/bin/python"), "-m", "pytest", "-q", "-m", "not slow"], clone, env)
        result = {"date": time.strftime("%Y-%m-%d"), "machine": machine(), "commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=clone, capture_output=True, text=True).stdout.strip(),
            "first_answer_s": round(answer, 1), "make_test_s": round(test_s, 1), "make_test": test_tail.strip("= "),
            "quick_lane_s": round(quick_s, 1), "quick_lane": quick_tail.strip("= ")}
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    RESULT.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    replace_section(ROOT / "README.md", BEGIN, END, markdown(result))
    print(markdown(result))


if __name__ == "__main__":
    sys.exit(main())
