"""One process, one ASGI server: Slack's HTTP endpoint (or a Socket Mode connection), health, pages.

The index and model are loaded before the server accepts anything, so the
first question is answered as fast as the hundredth.
"""
from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import AsyncIterator, Mapping
from typing import Any

import uvicorn
from slack_bolt import BoltRequest
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.adapter.starlette.handler import to_starlette_response
from slack_sdk.signature import SignatureVerifier
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp
from uvicorn.main import STARTUP_FAILURE

from index.service import LiveIndex, SummitIndex

from .app import build_app, web_client
from .channels import ChannelSettings
from .curation import Curator
from .drafts import DraftStore
from .guard import guard, quiet_bolt_logs
from .links import LinkMaker
from .protocol import GuardedH11Protocol
from .records import Records
from .responder import Responder
from .settings import BotSettings
from .web import page_routes

log = logging.getLogger("summitbot.server")

MAX_BODY = 1_000_000  # bytes; Slack's payloads are far smaller; every route refuses more (bot/guard.py)
_TIMESTAMP = re.compile(r"[0-9]{1,12}")  # Unix seconds, ASCII digits only, as Slack sends them


def create_app(settings: BotSettings, index: SummitIndex | LiveIndex, records: Records) -> ASGIApp:
    """The ASGI application; Slack's side is attached according to `settings.mode`."""
    quiet_bolt_logs()  # before Bolt makes its loggers: they copy its filters
    live = index if isinstance(index, LiveIndex) else LiveIndex(settings.index, index)
    curator = Curator(live, settings.admins, settings.bot_token, settings.api_url, settings.database.parent / "uploads",
                      DraftStore(settings.database))
    links = LinkMaker(settings.public_url, settings.index.corpus_dir)
    responder = (Responder(live, records, web_client(settings), per_user=settings.max_waiting, links=links)
                 if settings.mode != "offline" else None)
    # per-channel settings (/summit config), in the records' database file; opened once, here
    channels = ChannelSettings(settings.database) if responder is not None else None
    bolt = build_app(settings, responder, curator, channels) if responder is not None and channels is not None else None
    # HTTP mode checks the signature before a body is even parsed; other modes refuse the endpoint.
    verifier = SignatureVerifier(settings.signing_secret) if settings.mode == "http" else None
    socket: list[SocketModeHandler] = []

    async def slack_events(request: Request) -> Response:
        if bolt is None or verifier is None:
            return JSONResponse({"error": "HTTP mode is not configured"}, status_code=404)
        body = await request.body()
        if len(body) > MAX_BODY:
            return JSONResponse({"error": "body too large"}, status_code=413)
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return JSONResponse({"error": "malformed body"}, status_code=400)
        if not signed(verifier, text, request.headers):
            return JSONResponse({"error": "invalid signature or stale timestamp"}, status_code=401)
        try:
            bolt_request = BoltRequest(body=text, query=request.query_params, headers=request.headers)
        except ValueError:  # malformed JSON or form body
            return JSONResponse({"error": "malformed body"}, status_code=400)
        return to_starlette_response(await run_in_threadpool(bolt.dispatch, bolt_request))

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok", "index": live.snapshot().version, "slack": settings.mode})

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if bolt is not None and settings.mode == "socket":
            handler = SocketModeHandler(bolt, settings.app_token)  # opens the socket through bolt's client
            await run_in_threadpool(handler.connect)
            socket.append(handler)
            log.info("connected to Slack in Socket Mode")
        elif bolt is not None:
            log.info("Slack events are accepted at POST /slack/events")
        else:
            log.warning(settings.missing())
        if responder is not None:
            responder.recover()  # questions acknowledged before a crash are answered now
        yield
        for handler in socket:
            await run_in_threadpool(handler.close)
        if responder is not None:
            await run_in_threadpool(responder.close)
        if channels is not None:
            channels.close()
        curator.drafts.close()

    routes = [
        Route("/slack/events", slack_events, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
        *page_routes(live, settings.public_url),
    ]
    starlette = Starlette(routes=routes, lifespan=lifespan)
    return guard(starlette, MAX_BODY, settings.pages_allow, settings.pages_password)


def serve(settings: BotSettings) -> None:
    """Load everything, then serve until interrupted."""
    index = LiveIndex(settings.index)  # follows new index versions without a restart
    records = Records(settings.database, retention_days=settings.retention_days)
    app = create_app(settings, index, records)
    log.info("serving on http://%s:%d (Slack: %s); pages and citation links at %s", settings.host, settings.port,
             settings.mode, settings.public_url)
    if settings.link_warning():
        log.warning(settings.link_warning())
    try:
        server = uvicorn.Server(uvicorn_config(app, settings.host, settings.port))
        with contextlib.suppress(KeyboardInterrupt):
            server.run()
        if not server.started:  # e.g. the port is taken; uvicorn has said why
            raise SystemExit(STARTUP_FAILURE)
    finally:
        records.close()


def signed(verifier: SignatureVerifier, body: str, headers: Mapping[str, str]) -> bool:
    """Slack's signature over the body, with a timestamp that is one: `abc` or 5,000 digits is a 401, not a 500."""
    if not _TIMESTAMP.fullmatch(headers.get("x-slack-request-timestamp", "")):
        return False
    return verifier.is_valid_request(body, dict(headers))


def uvicorn_config(app: ASGIApp, host: str, port: int, **overrides: Any) -> uvicorn.Config:
    """How the app is served, by `summitbot serve` and by the tests alike.

    Request heads must arrive within a few seconds (GuardedH11Protocol: uvicorn
    has no such timeout), no `Server: uvicorn` header, no websocket upgrades
    (nothing here speaks websocket; Socket Mode is a client connection).
    """
    options: dict[str, Any] = {
        "host": host, "port": port, "http": GuardedH11Protocol, "ws": "none", "server_header": False,
        "log_level": "info", "access_log": False,
    }
    return uvicorn.Config(app, **{**options, **overrides})
