"""Downloading an uploaded file with the bot token — only from Slack, only over HTTPS, never redirected.

Slack's files.info gives `url_private_download`, which Slack's documentation
says may point to any host; whoever receives the request receives the bot
token. So the token is sent only to:

* Slack's file hosts, over HTTPS on the default port (`SLACK_FILE_HOSTS`:
  files.slack.com for slack.com workspaces, files.slack-gov.com for GovSlack);
* the host of the configured `SLACK_API_URL` (Enterprise set-ups, and the fake
  Slack of the tests), with that URL's own scheme and port.

Redirects are refused, not followed: Slack serves a private file directly to
the bearer of a valid token, so a redirect means something else answered
(a sign-in page, another host), and urllib would forward the Authorization
header to wherever it points. file:, ftp:, data: and every other scheme are
refused before anything is opened, and the opener has no handler for them.
"""
from __future__ import annotations

import logging
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from index.errors import SummitError

log = logging.getLogger(__name__)

SLACK_FILE_HOSTS = frozenset({"files.slack.com", "files.slack-gov.com"})
TIMEOUT = 60.0  # seconds for the whole download to start answering

class DownloadRefused(SummitError):
    """The file was not downloaded: a code (download-refused, …) and the facts, phrased by bot/phrases.py."""

    code = "download-failed"


def check_url(url: str, api_url: str = "") -> str:
    """`url` when the token may be sent to it, else a DownloadRefused naming what was refused."""
    if not url:
        raise DownloadRefused("Slack gave no download URL for the file", "download-no-url")
    parts, api = urlsplit(url), urlsplit(api_url)
    where = f"{parts.scheme or '?'}://{parts.hostname or '?'}" + (f":{parts.port}" if _port(parts) else "")
    if parts.username is not None or parts.password is not None:
        raise DownloadRefused(f"not downloaded: {where} is not a Slack file host", "download-refused", where=where)
    slack = parts.scheme == "https" and parts.hostname in SLACK_FILE_HOSTS and _port(parts) in (None, 443)
    configured = (bool(api.hostname) and api.scheme in ("http", "https") and parts.scheme == api.scheme
                  and parts.hostname == api.hostname and _port(parts) == _port(api))
    if not (slack or configured):
        raise DownloadRefused(f"not downloaded: {where} is not a Slack file host", "download-refused", where=where)
    return url


def _port(parts) -> int | None:
    try:
        return parts.port
    except ValueError:  # a port that is not a number
        return -1


def _opener() -> urllib.request.OpenerDirector:
    """HTTP(S) only; proxies for HTTPS only (a CONNECT tunnel keeps the header encrypted).

    There is no redirect handler: a 3xx comes back as an HTTPError and is refused.
    """
    https_proxy = {k: v for k, v in urllib.request.getproxies().items() if k == "https"}
    opener = urllib.request.OpenerDirector()
    for handler in (urllib.request.ProxyHandler(https_proxy), urllib.request.HTTPHandler(),
                    urllib.request.HTTPSHandler(), urllib.request.HTTPDefaultErrorHandler(),
                    urllib.request.HTTPErrorProcessor()):
        opener.add_handler(handler)
    return opener


def fetch_private(url: str, token: str, api_url: str, limit: int) -> bytes:
    """The file's bytes (at most `limit`), fetched with the bot token; DownloadRefused otherwise."""
    check_url(url, api_url)
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    try:
        with _opener().open(request, timeout=TIMEOUT) as response:
            data = response.read(limit + 1)
    except urllib.error.HTTPError as error:
        if 300 <= error.code < 400:
            raise DownloadRefused(f"not downloaded: redirected (HTTP {error.code})", "download-redirected") from None
        raise DownloadRefused(f"download failed: HTTP {error.code}", "download-failed",
                              reason=f"HTTP {error.code}") from None
    except (urllib.error.URLError, OSError) as error:
        log.warning("download from %s failed: %s", urlsplit(url).hostname, type(error).__name__)
        raise DownloadRefused(f"download failed: {type(error).__name__}", "download-failed",
                              reason=type(error).__name__) from None
    if len(data) > limit:
        raise DownloadRefused(f"the file is larger than {limit} bytes", "download-too-large",
                              limit_mb=limit // (1024 * 1024))
    return data
