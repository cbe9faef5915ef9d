"""What the benchmark scripts share: paths, percentiles, the machine's description, peak memory."""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
CACHE = ROOT / ".bench-cache"  # embeddings of the synthetic corpus, reused by later runs
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def replace_section(path: Path, begin: str, end: str, text: str) -> None:
    """Replace what lies between the `begin` and `end` markers of a generated section (README tables)."""
    content = path.read_text(encoding="utf-8")
    if begin not in content or end not in content:
        raise SystemExit(f"{path} has no {begin} … {end} section to replace")
    head, rest = content.split(begin, 1)
    _, tail = rest.split(end, 1)
    path.write_text(f"{head}{begin}\n{text}\n{end}{tail}", encoding="utf-8")


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (share 0.5 = median) of a non-empty list."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def summary_ms(seconds: list[float]) -> dict:
    """p50/p95/max in milliseconds, rounded for a table."""
    ms = [s * 1000 for s in seconds]
    return {"p50": round(percentile(ms, 0.5), 2), "p95": round(percentile(ms, 0.95), 2), "max": round(max(ms), 2)}


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"


def peak_rss_mb() -> float:
    """This process's peak resident memory so far (Linux reports kilobytes)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def rss_mb() -> float:
    """This process's resident memory now."""
    with open("/proc/self/statm") as statm:
        return round(int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20, 1)


def write_result(out: Path, result: dict, markdown: str) -> None:
    """The figures as JSON at `out` and as a Markdown table beside it (.md)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    out.with_suffix(".md").write_text(markdown, encoding="utf-8")


def standalone(name: str, doc: str, measure: Callable[[argparse.Namespace], dict], render: Callable[[dict], str],
               add_arguments: Callable[[argparse.ArgumentParser], None] = lambda parser: None) -> None:
    """The command line of one benchmark part run alone: measure, write bench/results/<name>.*, print."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--out", type=Path, default=RESULTS / f"{name}.json")
    add_arguments(parser)
    args = parser.parse_args()
    result = measure(args)
    write_result(args.out, result, render(result))
    print(render(result))


def eval_questions() -> list[str]:
    """Every question of eval/*.jsonl, each once, in file order."""
    from index.evaluate import load_questions

    return list(dict.fromkeys(q["q"] for f in sorted((ROOT / "eval").glob("*.jsonl")) for q in load_questions(f)))
