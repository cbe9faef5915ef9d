"""Slack mrkdwn text from document and question text: escaped, unable to mention anyone, within limits."""
from __future__ import annotations

import re

SECTION_LIMIT = 3000  # characters in a section block's text
_BROADCAST = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)
_ZERO_WIDTH = "\u200b"


def escape(text: str) -> str:
    """Escape &, <, > (Slack's control characters) and break @channel/@here/@everyone.

    With <, > escaped, no `<!channel>` or `<@U123>` can be formed; the zero-width
    space keeps a literal "@here" from being linked by clients that do so.
    """
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _BROADCAST.sub(lambda m: "@" + _ZERO_WIDTH + m.group(1), text)


def truncate(text: str, limit: int) -> str:
    """At most `limit` characters, "…" marking a cut; never inside an escaped entity (`&amp;` cut to `&a`)."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    entity = cut.rfind("&")
    if entity >= 0 and ";" not in cut[entity:]:
        cut = cut[:entity]
    return cut.rstrip() + "…"


def quote(text: str, limit: int = SECTION_LIMIT) -> str:
    """A block quote of escaped text, every line quoted, within `limit` characters."""
    lines = [f"> {line}" if line else ">" for line in escape(text).split("\n")]
    return truncate("\n".join(lines), limit)


def link(url: str, label: str) -> str:
    """A mrkdwn link for web URLs only (file:// and summitbot:// mean nothing in Slack)."""
    if not url.startswith(("https://", "http://")):
        return ""
    safe = url.replace("|", "%7C").replace(">", "%3E").replace("<", "%3C")
    return f"<{safe}|{escape(label)}>"


# Slack's mrkdwn markers, as full-width look-alikes: echoed text shows them but is never bold, italic,
# struck through or code. (A zero-width space next to a marker does not help: Slack takes it as a word
# boundary, which is how people force bold inside words.)
_MARKERS = str.maketrans({"*": "＊", "_": "＿", "~": "～", "`": "｀"})
_SCHEME = re.compile(r"(?<=[A-Za-z]):(?=//)")
_DOMAIN_DOT = re.compile(r"(?<=[A-Za-z0-9-])\.(?=[A-Za-z])")
_WORD_JOINER = "\u2060"


def inert(text: str) -> str:
    """Text someone else wrote, echoed: `escape` plus no formatting and no automatic links.

    For questions repeated above an answer and document titles in the bot's own
    messages: mrkdwn markers become full-width, and an invisible word joiner
    after a URL's scheme and before each dot of a domain keeps Slack from
    turning `https://evil.example` or `evil.example` into a link.
    """
    text = escape(text).translate(_MARKERS)
    text = _SCHEME.sub(":" + _WORD_JOINER, text)
    return _DOMAIN_DOT.sub(_WORD_JOINER + ".", text)
