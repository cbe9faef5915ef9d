"""One process, one ASGI server: Slack's HTTP endpoint (or a Socket Mode connection), health, pages.

The index and model are loaded before the server accepts anything, so the
first question is answered as fast as the hundredth.
"""
from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

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

from index.service import LiveIndex, SummitIndex

from .app import build_app, web_client
from .curation import Curator
from .records import Records
from .responder import Responder
from .settings import BotSettings
from .web import page_routes

log = logging.getLogger("summitbot.server")

MAX_BODY = 1_000_000  # bytes; Slack's payloads are far smaller


def create_app(settings: BotSettings, index: SummitIndex | LiveIndex, records: Records) -> Starlette:
    """The ASGI application; Slack's side is attached according to `settings.mode`."""
    live = index if isinstance(index, LiveIndex) else LiveIndex(settings.index, index)
    curator = Curator(live, settings.admins, settings.bot_token)
    responder = Responder(live, records, web_client(settings)) if settings.mode != "offline" else None
    bolt = build_app(settings, responder, curator) if responder is not None else None
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
        if not verifier.is_valid_request(text, dict(request.headers)):
            return JSONResponse({"error": "invalid signature or stale timestamp"}, status_code=401)
        try:
            bolt_request = BoltRequest(body=text, query=request.query_params, headers=request.headers)
        except ValueError:  # malformed JSON or form body
            return JSONResponse({"error": "malformed body"}, status_code=400)
        return to_starlette_response(await run_in_threadpool(bolt.dispatch, bolt_request))

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok", "index": live.version, "slack": settings.mode})

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

    routes = [
        Route("/slack/events", slack_events, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
        *page_routes(live, settings.index.public_url),
    ]
    return Starlette(routes=routes, lifespan=lifespan)


def serve(settings: BotSettings) -> None:
    """Load everything, then serve until interrupted."""
    index = LiveIndex(settings.index)  # follows new index versions without a restart
    records = Records(settings.database)
    app = create_app(settings, index, records)
    log.info("serving on http://%s:%d (Slack: %s)", settings.host, settings.port, settings.mode)
    try:
        uvicorn.run(app, host=settings.host, port=settings.port, log_level="info", access_log=False)
    finally:
        records.close()
