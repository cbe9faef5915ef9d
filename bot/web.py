"""The pages: / (ask), /p/<passage> (a cited passage in its document), /d/<document>, its source, static files."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from index.service import QuestionError, SummitIndex

from .guard import SANDBOX_CSP, SECURITY_HEADERS
from .ratelimit import ClientLimiter
from .render_html import ask_page, document_page, not_found_page, passage_page

STATIC = Path(__file__).parent / "static"
# Everything the pages use comes from this server, and no other site may frame them. bot/guard.py adds
# these to every response; the pages name them too, so that they hold wherever the routes are mounted.
_HEADERS = SECURITY_HEADERS
TOO_MANY = ("このアドレスからの質問が多すぎます。1分ほど待ってから、もう一度お試しください。"
            " / Too many questions from this address; please wait a minute and ask again.")
_ORIGINAL_HEADERS = {"content-security-policy": SANDBOX_CSP, "x-content-type-options": "nosniff"}


def _html(body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(body, status_code=status, headers=_HEADERS)


def page_routes(index: SummitIndex, public_url: str, limiter: ClientLimiter | None = None) -> list:
    """Routes over the loaded index; `public_url` makes the links people copy and share.

    The ask page answers each client (address) a few questions at a time, so one client cannot starve others.
    """
    limiter = limiter or ClientLimiter()

    def documents():
        return sorted(index.data.documents.values(), key=lambda d: -d.summit)

    def source_url(key: str, offset: int | None = None) -> str:
        """The published original (with #page=N when the page is known), else our copy of it."""
        doc = index.document(key)
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
        if not question.strip():
            return _html(ask_page(documents()))
        with limiter.slot(request.client.host if request.client else "") as allowed:
            if not allowed:
                return _html(ask_page(documents(), question, error=TOO_MANY), status=429)
            try:
                answer = await run_in_threadpool(index.ask, question)
            except QuestionError as error:
                return _html(ask_page(documents(), question, error=str(error)), status=400)
        return _html(ask_page(documents(), question, answer))

    async def passage(request: Request) -> Response:
        found = index.passage(request.path_params["passage_id"])
        if found is None:
            return _html(not_found_page(documents(), request.query_params.get("q", "")), status=404)
        doc = index.document(found.document)
        share = f"{public_url}/p/{quote(found.id)}" if public_url else f"/p/{quote(found.id)}"
        return _html(passage_page(found, doc, index.document_passages(doc.key), documents(), share,
                                  source_url(doc.key, found.start)))

    async def document(request: Request) -> Response:
        doc = index.document(request.path_params["key"])
        if doc is None:
            return _html(not_found_page(documents()), status=404)
        return _html(document_page(doc, index.document_passages(doc.key), documents(), source_url(doc.key)))

    async def source(request: Request) -> Response:
        text = index.source_text(request.path_params["key"])
        if text is None:
            return PlainTextResponse("not found", status_code=404)
        return PlainTextResponse(text, headers=_HEADERS)

    async def original(request: Request) -> Response:
        path = index.original_path(request.path_params["key"])
        if path is None:
            return PlainTextResponse("not found", status_code=404)
        return original_response(path)

    return [
        Route("/", ask, methods=["GET"]),
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
