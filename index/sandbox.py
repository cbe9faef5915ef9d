"""Run one piece of risky work in a fresh, limited Python process and read back its JSON answer.

Why a child process: a hostile or broken file can make a C library crash
(MeCab on a 200,000-character line), inflate a compression bomb to gigabytes
or keep pdfminer busy for minutes. In the server's own process that kills or
starves every question in flight; in a child it only ends the child.

Why a fresh interpreter (`python -m index.worker`) and not fork: the server
is threaded, and a forked copy of a threaded process may hold locks nobody
will release. The child sets its own rlimits before doing anything
(RLIMIT_CPU for CPU seconds, RLIMIT_AS for address space), because
`preexec_fn` is unsafe in a threaded parent. The parent adds what rlimits
cannot: a wall-clock deadline (a child blocked on I/O uses no CPU) and, for
builds, a watch on resident memory — torch maps gigabytes of address space it
never touches, so RLIMIT_AS cannot bound a build; its RSS can.

The answer comes on the child's stdout as one JSON object; anything else the
child prints goes to stderr (the worker moves it there), which is kept for
the log, bounded.
"""
from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
POLL = 0.05  # seconds between looks at the child
MAX_ANSWER = 256 * 1024 * 1024  # bytes of JSON read back at most


@dataclass(frozen=True)
class Limits:
    """How much a child may take before it is stopped."""

    seconds: float  # wall clock; the parent kills the child after it
    cpu_seconds: int  # RLIMIT_CPU, set by the child on itself (SIGXCPU ends it)
    address_mb: int = 0  # RLIMIT_AS, set by the child on itself (0: none)
    rss_mb: int = 0  # resident memory, watched by the parent (0: not watched)


@dataclass(frozen=True)
class Outcome:
    """What became of a child: its answer, or why it has none, and what it used."""

    task: str
    answer: dict | None  # the child's JSON answer, None when it gave none
    stopped: str  # "" | "time" | "memory" | "crash": why the child ended without an answer
    seconds: float  # wall clock
    cpu_seconds: float  # user + system time of the child
    peak_mb: float  # the child's maximum resident memory
    returncode: int
    stderr: str  # the end of the child's stderr, for the log


def run(task: str, request: dict, limits: Limits) -> Outcome:
    """Run `python -m index.worker` on `request` (plus the limits) and wait for it, within `limits`."""
    payload = json.dumps({**request, "task": task, "limits": limits.__dict__}).encode("utf-8")
    with tempfile.TemporaryFile() as stdin, tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as stderr:
        stdin.write(payload)
        stdin.seek(0)
        started = time.monotonic()
        child = subprocess.Popen([sys.executable, "-m", "index.worker"], stdin=stdin, stdout=stdout, stderr=stderr,
                                 cwd=PROJECT_ROOT, env=_environment(), start_new_session=True)
        stopped, status, usage, peak_kb = _wait(child, limits, started)
        seconds = time.monotonic() - started
        answer = _read_answer(stdout)
        tail = _tail(stderr)
    returncode = os.waitstatus_to_exitcode(status)
    peak_mb = max(peak_kb, int((answer or {}).get("peak_kb") or 0)) / 1024
    if not stopped and answer is None:
        stopped = _why(returncode, usage, limits, peak_mb)
    stopped = stopped or (answer or {}).get("stopped", "")  # the child's own MemoryError
    outcome = Outcome(task, answer if not stopped else None, stopped, seconds, usage.ru_utime + usage.ru_stime,
                      peak_mb, returncode, tail)
    if outcome.stopped:
        log.warning("%s child stopped (%s) after %.1f s, %.0f MB, exit %d: %s", task, outcome.stopped, seconds,
                    peak_mb, returncode, tail[-500:])
    return outcome


def _environment() -> dict[str, str]:
    """The parent's environment, with this checkout first on the path and no stray hub access."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PROJECT_ROOT), env.get("PYTHONPATH", "")) if p)
    env.setdefault("HF_HUB_OFFLINE", "1")
    return env


def _wait(child: subprocess.Popen, limits: Limits, started: float) -> tuple[str, int, object, int]:
    """Reap the child (wait4 gives its own rusage), killing it at the deadline or over the RSS limit."""
    stopped, peak_kb = "", 0
    while True:
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            child.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
            return stopped, status, usage, peak_kb
        rss_kb, high_kb = _memory_kb(child.pid)
        peak_kb = max(peak_kb, high_kb)
        if not stopped and time.monotonic() - started > limits.seconds:
            stopped = "time"
        elif not stopped and limits.rss_mb and rss_kb > limits.rss_mb * 1024:
            stopped = "memory"
        if stopped:
            _kill(child.pid)
            pid, status, usage = os.wait4(child.pid, 0)
            child.returncode = os.waitstatus_to_exitcode(status)
            return stopped, status, usage, peak_kb
        time.sleep(POLL)


def _kill(pid: int) -> None:
    """SIGKILL the child's whole session (it leads one), so no grandchild or thread outlives it."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _memory_kb(pid: int) -> tuple[int, int]:
    """The child's resident memory now and its high-water mark (VmRSS, VmHWM), in KB.

    Not the rusage's ru_maxrss: Linux keeps that across exec, so a child forked
    from a 1 GB server would report 1 GB. VmHWM belongs to the new program.
    """
    found = {}
    try:
        with open(f"/proc/{pid}/status", "rb") as handle:
            for line in handle:
                if line.startswith((b"VmRSS:", b"VmHWM:")):
                    found[line[:5]] = int(line.split()[1])
    except (OSError, IndexError, ValueError):
        pass
    return found.get(b"VmRSS", 0), found.get(b"VmHWM", 0)


def _why(returncode: int, usage, limits: Limits, peak_mb: float) -> str:
    """A child that died without answering: over its CPU time, its memory, or something else (a crash)."""
    cpu = usage.ru_utime + usage.ru_stime
    if returncode == -signal.SIGXCPU or (returncode == -signal.SIGKILL and cpu >= limits.cpu_seconds):
        return "time"
    if limits.address_mb and peak_mb >= 0.9 * limits.address_mb:
        return "memory"
    return "crash"


def _read_answer(stdout) -> dict | None:
    stdout.seek(0)
    raw = stdout.read(MAX_ANSWER + 1)
    if not raw or len(raw) > MAX_ANSWER:
        return None
    try:
        answer = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    return answer if isinstance(answer, dict) else None


def _tail(stderr, size: int = 4000) -> str:
    stderr.seek(0, os.SEEK_END)
    stderr.seek(max(0, stderr.tell() - size))
    return stderr.read().decode("utf-8", "replace")
