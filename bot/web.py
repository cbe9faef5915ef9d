"""The pages: / (ask), /p/<passage> (a cited passage in its document), /d/<document>, its source, static files."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from index.service import LiveIndex, QuestionError, SummitIndex

from .guard import SANDBOX_CSP, SECURITY_HEADERS
from .phrases import bilingual, explain
from .ratelimit import ClientLimiter
from .render_html import ask_page, document_page, help_page, not_found_page, passage_page

STATIC = Path(__file__).parent / "static"
# Everything the pages use comes from this server, and no other site may frame them. bot/guard.py adds
# these to every response; the pages name them too, so that they hold wherever the routes are mounted.
_HEADERS = SECURITY_HEADERS
_ORIGINAL_HEADERS = {"content-security-policy": SANDBOX_CSP, "x-content-type-options": "nosniff"}


def _html(body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(body, status_code=status, headers=_HEADERS)


def page_routes(index: LiveIndex | SummitIndex, public_url: str, limiter: ClientLimiter | None = None) -> list:
    """Routes over the serving index; `public_url` makes the links people copy and share.

    Each request reads one snapshot of the index, so a page never mixes two
    versions. The ask page answers each client (address) a few questions at a
    time, so one client cannot starve others.
    """
    limiter = limiter or ClientLimiter()

    def source_url(snap: SummitIndex, key: str, offset: int | None = None) -> str:
        """The published original (with #page=N when the page is known), else our copy of it."""
        doc = snap.document(key)
        if doc is None:
            return ""
        page = doc.page_of(offset) if offset is not None else 0
        fragment = f"#page={page}" if page else ""
        if doc.source_url:
            return doc.source_url + fragment
        if doc.original:
            return f"/d/{quote(key)}/original{fragment}"
        return f"/d/{quote(key)}/source"

    async def ask(request: Request) -> Response:
        question = request.query_params.get("q", "")
        snap = index.snapshot()
        if not question.strip():
            return _html(ask_page(snap.documents()))
        with limiter.slot(request.client.host if request.client else "") as allowed:
            if not allowed:
                return _html(ask_page(snap.documents(), question, error=bilingual("too_many")), status=429)
            try:
                answer = await run_in_threadpool(snap.ask, question)  # the page links passages itself
            except QuestionError as error:
                return _html(ask_page(snap.documents(), question, error=explain(error, "web")), status=400)
        return _html(ask_page(snap.documents(), question, answer))

    async def passage(request: Request) -> Response:
        snap = index.snapshot()
        found = snap.passage(request.path_params["passage_id"])
        if found is None:
            return _html(not_found_page(snap.documents(), request.query_params.get("q", "")), status=404)
        doc = snap.document(found.document)
        share = f"{public_url}/p/{quote(found.id)}" if public_url else f"/p/{quote(found.id)}"
        counterparts = await run_in_threadpool(snap.counterparts, found.id)  # tokenises the corpus on first use
        return _html(passage_page(found, doc, snap.document_passages(doc.key), snap.documents(), share,
                                  source_url(snap, doc.key, found.start), counterparts,
                                  request.query_params.get("q", "")[:200]))

    async def guide(request: Request) -> Response:
        return _html(help_page(index.snapshot().documents()))

    async def document(request: Request) -> Response:
        snap = index.snapshot()
        doc = snap.document(request.path_params["key"])
        if doc is None:
            return _html(not_found_page(snap.documents()), status=404)
        return _html(document_page(doc, snap.document_passages(doc.key), snap.documents(), source_url(snap, doc.key)))

    async def source(request: Request) -> Response:
        text = index.snapshot().source_text(request.path_params["key"])
        if text is None:
            return PlainTextResponse("not found", status_code=404)
        return PlainTextResponse(text, headers=_HEADERS)

    async def original(request: Request) -> Response:
        path = index.snapshot().original_path(request.path_params["key"])
        if path is None:
            return PlainTextResponse("not found", status_code=404)
        return original_response(path)

    return [
        Route("/", ask, methods=["GET"]),
        Route("/help", guide, methods=["GET"]),
        Route("/d/{key}/original", original, methods=["GET"]),
        Route("/p/{passage_id}", passage, methods=["GET"]),
        Route("/d/{key}", document, methods=["GET"]),
        Route("/d/{key}/source", source, methods=["GET"]),
        Mount("/static", app=StaticFiles(directory=STATIC), name="static"),
    ]


def original_response(path: Path) -> FileResponse:
    """An uploaded original, served so that it cannot act as a page of this site.

    A PDF opens in the browser's viewer (citations link to #page=N), sandboxed:
    no script, no forms, no access to this origin. Anything else, an uploaded
    HTML file above all (a meta refresh, a fake login form), is only a download
    of an opaque type: it is never rendered from this origin.
    """
    if path.suffix.lower() == ".pdf" and _starts_with(path, b"%PDF-"):
        return FileResponse(path, media_type="application/pdf", headers=_ORIGINAL_HEADERS, content_disposition_type="inline")
    return FileResponse(path, media_type="application/octet-stream", filename=path.name, headers=_ORIGINAL_HEADERS)


def _starts_with(path: Path, magic: bytes) -> bool:
    with path.open("rb") as handle:
        return handle.read(len(magic)) == magic
