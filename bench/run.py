"""Every benchmark in one run on this machine, written to bench/results/ and docs/BENCHMARKS.md (`make bench`).

    .venv/bin/python bench/run.py [--sizes 10000 100000 1000000] [--real 10000]

1. speed    builds a fresh index into a temporary folder (timed), cold-starts `summitbot serve`,
            times warm questions; the index it built is the one the next two parts use
2. quality  pipeline against BM25 and plain dense retrieval on eval/*.jsonl
3. scale    exact against approximate faiss on 10k, 100k and 1M passages

Writes bench/results/{speed,quality,scale}.{json,md} and bench/results/latest.{json,md}, and replaces
docs/BENCHMARKS.md's section between the bench markers with the latest tables. `--render-only` redraws the
tables from bench/results/latest.json without measuring anything.
"""
from __future__ import annotations

import argparse
import json
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import quality
import scale
import speed
from common import RESULTS, ROOT, replace_section, write_result

from index.service import SummitIndex
from index.settings import Settings

BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"


PARTS = {"speed": speed.markdown, "quality": quality.markdown, "scale": scale.markdown}


def report(parts: dict[str, str], date: str, minutes: float) -> str:
    return "\n".join([
        f"Last run: {date}, `make bench`, {minutes:.0f} min "
        "(JSON and these tables in `bench/results/`).",
        "",
        "### Quality: pipeline against BM25 alone and plain dense retrieval",
        "",
        parts["quality"],
        "### Speed and memory",
        "",
        parts["speed"],
        "### Scale: exact against approximate search",
        "",
        parts["scale"],
    ])


def update_readme(text: str, readme: Path = ROOT / "docs" / "BENCHMARKS.md") -> None:
    replace_section(readme, BEGIN, END, text)


def measure_all(sizes: list[int], real: int) -> dict:
    """Speed first: it builds the fresh index that quality and scale then use."""
    started = time.perf_counter()
    index_dir = Path(tempfile.mkdtemp(prefix="summitbot-bench-"))
    results = {"date": time.strftime("%Y-%m-%d")}
    loaded: list[SummitIndex] = []  # the fresh index and model, loaded once for quality and scale

    def service() -> SummitIndex:
        if not loaded:
            loaded.append(SummitIndex.open(replace(Settings.from_env(), index_dir=index_dir)))
        return loaded[0]

    for name, measure in (
        ("speed", lambda: speed.run(index_dir)),
        ("quality", lambda: quality.compare(service())),
        ("scale", lambda: scale.run(sorted(sizes), real, service=service())),
    ):
        print(f"== {name}", flush=True)
        results[name] = measure()
        write_result(RESULTS / f"{name}.json", results[name], PARTS[name](results[name]))
    results["minutes"] = round((time.perf_counter() - started) / 60, 1)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--real", type=int, default=10_000, help="synthetic passages embedded with the real model")
    parser.add_argument("--no-readme", action="store_true", help="leave docs/BENCHMARKS.md as it is")
    parser.add_argument("--render-only", action="store_true", help="redraw the tables from latest.json")
    args = parser.parse_args()
    if args.render_only:
        results = json.loads((RESULTS / "latest.json").read_text(encoding="utf-8"))
        for name, render in PARTS.items():
            write_result(RESULTS / f"{name}.json", results[name], render(results[name]))
    else:
        results = measure_all(args.sizes, args.real)
        (RESULTS / "latest.json").write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    text = report({name: render(results[name]) for name, render in PARTS.items()}, results["date"], results["minutes"])
    (RESULTS / "latest.md").write_text(text, encoding="utf-8")
    if not args.no_readme:
        update_readme(text)
    print(text)


if __name__ == "__main__":
    main()
