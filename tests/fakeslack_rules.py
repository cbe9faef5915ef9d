"""What Slack checks before it acts on a Web API call: scopes and Block Kit payloads.

Kept apart from tests/fakeslack.py (the servers) so that the rules can be read,
and tested, on their own. Two halves:

* ``METHOD_SCOPES`` -- the one table of the Web API methods the fake knows and
  the bot-token scope each needs (from each method's reference page on
  docs.slack.dev). A method missing here is ``unknown_method`` in the fake, so
  nobody calls something whose scope is never checked. Methods that read a
  conversation need the scope of that conversation's kind (``channels:history``
  for a public channel, ``im:history`` for a DM ...), hence :class:`ByKind`.
* ``check_blocks`` / ``check_view`` -- slack_sdk's own models
  (``Block.parse``, ``View``, ``validate_json``) plus the documented limits the
  models do not enforce (slack_sdk validates one object, not what it contains),
  with problems reported the way Slack words them: ``"<what> [json-pointer:/blocks/0/text/text]"``.
"""
from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block, BlockElement
from slack_sdk.models.views import View

JsonDict = dict[str, Any]
MANIFEST = Path(__file__).resolve().parent.parent / "slack-app-manifest.yaml"

# ---------------------------------------------------------------------- scopes


@dataclass(frozen=True)
class ByKind:
    """A scope that depends on the conversation: ``{kind}:{action}``, kind one of channels/groups/im/mpim."""

    action: str

    def scope(self, kind: str) -> str:
        return f"{kind}:{self.action}"


#: method -> the bot scope Slack requires (None: the token type alone decides).
METHOD_SCOPES: dict[str, str | ByKind | None] = {
    "auth.test": None,
    "apps.connections.open": None,  # app-level token (connections:write), checked as a token type
    "bots.info": "users:read",  # docs.slack.dev/reference/methods/bots.info lists users:read
    "users.info": "users:read",
    "chat.postMessage": "chat:write",
    "chat.postEphemeral": "chat:write",
    "chat.update": "chat:write",
    "chat.delete": "chat:write",
    "reactions.add": "reactions:write",
    "reactions.remove": "reactions:write",
    "reactions.get": "reactions:read",
    "conversations.history": ByKind("history"),
    "conversations.replies": ByKind("history"),
    "conversations.info": ByKind("read"),
    "files.info": "files:read",
    "assistant.threads.setStatus": "assistant:write",
    "assistant.threads.setTitle": "assistant:write",
    "assistant.threads.setSuggestedPrompts": "assistant:write",
    "views.open": None,
    "views.publish": None,
    "views.update": None,
    "views.push": None,
}

#: Events API subscriptions (manifest names) -> the scope that subscribing needs.
EVENT_SCOPES: dict[str, str | None] = {
    "app_home_opened": None,
    "app_mention": "app_mentions:read",
    "assistant_thread_started": "assistant:write",
    "assistant_thread_context_changed": "assistant:write",
    "message.channels": "channels:history",
    "message.groups": "groups:history",
    "message.im": "im:history",
    "message.mpim": "mpim:history",
    "reaction_added": "reactions:read",
    "reaction_removed": "reactions:read",
    "file_shared": "files:read",
}

#: Which conversation kinds a ``message.*`` subscription means the bot works in.
EVENT_KINDS = {"message.channels": "channels", "message.groups": "groups", "message.im": "im", "message.mpim": "mpim"}


def channel_kind(channel: str, overrides: dict[str, str] | None = None) -> str:
    """The kind of a conversation id as Slack's scopes name it (a G… id may also be an mpim: see overrides)."""
    if overrides and channel in overrides:
        return overrides[channel]
    return {"D": "im", "U": "im", "W": "im", "G": "groups"}.get(channel[:1], "channels")  # U…: the app's DM


def scope_needed(method: str, params: JsonDict, kinds: dict[str, str] | None = None) -> str | None:
    """The scope a call of ``method`` with ``params`` needs; KeyError for a method not in the table."""
    rule = METHOD_SCOPES[method]
    if isinstance(rule, ByKind):
        return rule.scope(channel_kind(str(params.get("channel", "")), kinds))
    return rule


def missing_scope(needed: str, provided: Iterable[str]) -> JsonDict:
    """Slack's answer to a call the token's scopes do not cover."""
    return {"ok": False, "error": "missing_scope", "needed": needed, "provided": ",".join(sorted(provided))}


#: Methods that act in a conversation: in a channel (C…, G…) the bot has not joined Slack answers not_in_channel.
MEMBER_METHODS = frozenset({"chat.postMessage", "chat.update", "chat.postEphemeral", "reactions.add", "reactions.remove"})


def membership_required(method: str, channel: str, scopes: Iterable[str]) -> bool:
    """True when a call of ``method`` into ``channel`` only works if the bot is a member there.

    DMs are always fine; chat:write.public lets chat.postMessage post to public
    channels the bot has not joined (and only that method, only C… channels).
    """
    if method not in MEMBER_METHODS or channel[:1] not in ("C", "G"):
        return False
    return not (method == "chat.postMessage" and channel.startswith("C") and "chat:write.public" in scopes)


def read_manifest(path: Path = MANIFEST) -> JsonDict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def manifest_scopes(path: Path = MANIFEST) -> frozenset[str]:
    """The bot scopes the app asks for at install (oauth_config.scopes.bot)."""
    return frozenset(read_manifest(path)["oauth_config"]["scopes"]["bot"])


def scopes_for_features(manifest: JsonDict, methods: Iterable[str]) -> dict[str, set[str]]:
    """Each scope the app needs -> why (methods called, events subscribed, slash commands).

    A method that reads a conversation needs that kind's scope for every kind the
    bot receives messages in (its ``message.*`` subscriptions).
    """
    events = manifest.get("settings", {}).get("event_subscriptions", {}).get("bot_events", [])
    kinds = sorted(EVENT_KINDS[e] for e in events if e in EVENT_KINDS)
    needed: dict[str, set[str]] = {}
    for event in events:
        if EVENT_SCOPES[event]:  # KeyError: an event this table does not know yet
            needed.setdefault(EVENT_SCOPES[event], set()).add(f"event {event}")
    features = manifest.get("features", {})
    if features.get("slash_commands") or features.get("shortcuts"):
        needed.setdefault("commands", set()).add("slash commands / shortcuts")
    for method in methods:
        rule = METHOD_SCOPES[method]
        scopes = [rule.scope(k) for k in kinds] if isinstance(rule, ByKind) else [rule] if rule else []
        for scope in scopes:
            needed.setdefault(scope, set()).add(method)
    return needed

# ---------------------------------------------------------------------- Block Kit

MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
MESSAGE_TEXT = 40_000
#: (block type, field) -> maximum characters of that text object's text.
TEXT_LIMITS = {("section", "text"): 3000, ("header", "text"): 150, ("input", "label"): 2000, ("input", "hint"): 2000}
ELEMENT_LIMITS = {"context": 10, "actions": 25, "context_actions": 5}
#: Block and element types slack_sdk may not know; their shape is checked here instead.
OWN_BLOCKS = {"context_actions"}
OWN_ELEMENTS = {"feedback_buttons", "icon_button"}


class Problems(list[str]):
    """Problems found so far, each with the json-pointer of the offending field (Slack's wording)."""

    def add(self, path: str, message: str) -> None:
        self.append(f"{message} [json-pointer:{path}]")

    def too_long(self, path: str, value: object, limit: int) -> None:
        if isinstance(value, str) and len(value) > limit:
            self.add(path, f"must be less than {limit + 1} characters")


def parse_json_param(value: Any) -> Any:
    """Form-encoded clients send blocks and views as JSON text; JSON clients send them as they are."""
    return json.loads(value) if isinstance(value, str) else value


def check_message(params: JsonDict) -> JsonDict | None:
    """Slack's error for a message payload (chat.* or a response_url), or None when it would be posted."""
    text = params.get("text")
    if isinstance(text, str) and len(text) > MESSAGE_TEXT:
        return {"ok": False, "error": "msg_too_long"}
    if "blocks" not in params or params["blocks"] in (None, ""):
        return None
    try:
        blocks = parse_json_param(params["blocks"])
    except ValueError:
        return {"ok": False, "error": "invalid_blocks_format"}
    if not isinstance(blocks, list):
        return {"ok": False, "error": "invalid_blocks_format"}
    problems = check_blocks(blocks, MESSAGE_BLOCKS, "/blocks")
    return {"ok": False, "error": "invalid_blocks", "errors": list(problems)} if problems else None


def check_view_param(params: JsonDict) -> JsonDict | None:
    """Slack's error for the ``view`` of a views.* call, or None when it would be shown."""
    try:
        view = parse_json_param(params.get("view"))
    except ValueError:
        view = None
    problems = check_view(view) if isinstance(view, dict) else Problems(["must be an object [json-pointer:/view]"])
    if not problems:
        return None
    return {"ok": False, "error": "invalid_arguments",
            "response_metadata": {"messages": [f"[ERROR] {p}" for p in problems]}}


def check_view(view: JsonDict) -> Problems:
    """A modal or Home tab: slack_sdk's View checks (title ≤24, submit/close ≤24, 1..100 blocks) and each block."""
    problems = Problems()
    try:
        View(**copy.deepcopy(view)).validate_json()
    except (SlackObjectFormationError, TypeError, ValueError, AttributeError) as exc:
        problems.add("/view", str(exc))
    if view.get("type") == "modal":
        if not isinstance(view.get("title"), dict):
            problems.add("/view/title", "is required for a modal")
        for field in ("title", "submit", "close"):
            _check_text(view.get(field), f"/view/{field}", problems, limit=24, plain_only=True)
        blocks = view.get("blocks") or []
        if any(isinstance(b, dict) and b.get("type") == "input" for b in blocks) and not view.get("submit"):
            problems.add("/view/submit", "is required when the view has input blocks")
    blocks = view.get("blocks")
    if not isinstance(blocks, list):
        problems.add("/view/blocks", "must be an array")
    else:
        problems.extend(check_blocks(blocks, VIEW_BLOCKS, "/view/blocks"))
    return problems


def check_blocks(blocks: list[Any], limit: int, path: str) -> Problems:
    """Every block of one message or view: count, unique block_ids, each block's own rules."""
    problems = Problems()
    if len(blocks) > limit:
        problems.add(path, f"no more than {limit} items allowed")
    seen: set[str] = set()
    for i, block in enumerate(blocks):
        where = f"{path}/{i}"
        if not isinstance(block, dict) or not isinstance(block.get("type"), str):
            problems.add(where, "must be a block object with a type")
            continue
        block_id = block.get("block_id")
        if block_id is not None:
            problems.too_long(f"{where}/block_id", block_id, 255)
            if block_id in seen:
                problems.add(f"{where}/block_id", f"duplicate block_id {block_id!r}")
            seen.add(block_id)
        _check_block(block, where, problems)
    return problems


def _check_block(block: JsonDict, path: str, problems: Problems) -> None:
    """slack_sdk's model of the block (unknown types are invalid unless checked here), then the limits."""
    kind = block["type"]
    if kind not in OWN_BLOCKS:
        _sdk_validate(Block.parse, block, path, problems)
    for (block_type, field), limit in TEXT_LIMITS.items():
        if kind == block_type and field in block:
            _check_text(block[field], f"{path}/{field}", problems, limit, plain_only=kind == "header" or field != "text")
    if kind == "section":
        for i, item in enumerate(block.get("fields") or []):
            _check_text(item, f"{path}/fields/{i}", problems, limit=2000)
        if "accessory" in block:
            _check_element(block["accessory"], f"{path}/accessory", problems)
    elements = block.get("elements")
    if kind in ELEMENT_LIMITS:
        _check_elements(kind, elements, path, problems)
    if kind == "input" and "element" in block:
        _check_element(block["element"], f"{path}/element", problems)


def _check_elements(kind: str, elements: Any, path: str, problems: Problems) -> None:
    """The elements of a context, actions or context_actions block: count, unique action_ids, each element."""
    if not isinstance(elements, list) or not elements:
        problems.add(f"{path}/elements", "must contain at least 1 item")
        return
    if len(elements) > ELEMENT_LIMITS[kind]:
        problems.add(f"{path}/elements", f"no more than {ELEMENT_LIMITS[kind]} items allowed")
    action_ids: set[str] = set()
    for i, element in enumerate(elements):
        where = f"{path}/elements/{i}"
        if kind == "context":
            if isinstance(element, dict) and element.get("type") in ("plain_text", "mrkdwn"):
                _check_text(element, where, problems, limit=3000)
            elif not (isinstance(element, dict) and element.get("type") == "image"):
                problems.add(where, "must be a text object or an image element")
            continue
        if kind == "context_actions" and not (isinstance(element, dict) and element.get("type") in OWN_ELEMENTS):
            problems.add(where, "must be a feedback_buttons or icon_button element")
            continue
        _check_element(element, where, problems)
        action_id = element.get("action_id") if isinstance(element, dict) else None
        if action_id is None:
            continue
        if action_id in action_ids:
            problems.add(f"{where}/action_id", f"duplicate action_id {action_id!r} in the block")
        action_ids.add(action_id)


def _check_element(element: Any, path: str, problems: Problems) -> None:
    """One interactive element: slack_sdk's model, then button and feedback_buttons limits."""
    if not isinstance(element, dict) or not isinstance(element.get("type"), str):
        problems.add(path, "must be an element object with a type")
        return
    kind = element["type"]
    problems.too_long(f"{path}/action_id", element.get("action_id"), 255)
    if kind in ("feedback_buttons", "icon_button"):
        _check_own_element(element, path, problems)
        return
    _sdk_validate(BlockElement.parse, element, path, problems)
    if kind == "button":
        _check_text(element.get("text"), f"{path}/text", problems, limit=75, plain_only=True)
        problems.too_long(f"{path}/value", element.get("value"), 2000)
        problems.too_long(f"{path}/url", element.get("url"), 3000)


def _check_own_element(element: JsonDict, path: str, problems: Problems) -> None:
    """feedback_buttons (docs.slack.dev/reference/block-kit/block-elements/feedback-buttons-element) and icon_button."""
    if element["type"] == "icon_button":
        if not element.get("icon"):
            problems.add(f"{path}/icon", "is required")
        _check_text(element.get("text"), f"{path}/text", problems, limit=75, plain_only=True)
        problems.too_long(f"{path}/value", element.get("value"), 2000)
        return
    for side in ("positive_button", "negative_button"):
        button, where = element.get(side), f"{path}/{side}"
        if not isinstance(button, dict):
            problems.add(where, "is required")
            continue
        _check_text(button.get("text"), f"{where}/text", problems, limit=75, plain_only=True)
        if not isinstance(button.get("value"), str) or not button["value"]:
            problems.add(f"{where}/value", "is required")
        problems.too_long(f"{where}/value", button.get("value"), 2000)
        problems.too_long(f"{where}/accessibility_label", button.get("accessibility_label"), 75)
        unknown = set(button) - {"text", "value", "accessibility_label"}
        if unknown:
            problems.add(where, f"unknown fields {sorted(unknown)}")


def _check_text(obj: Any, path: str, problems: Problems, limit: int, plain_only: bool = False) -> None:
    """A text object: plain_text or mrkdwn (plain_text only where Slack says so), 1..limit characters."""
    if obj is None:
        return
    allowed = ("plain_text",) if plain_only else ("plain_text", "mrkdwn")
    if not isinstance(obj, dict) or obj.get("type") not in allowed:
        problems.add(f"{path}/type", f"must be one of {list(allowed)}")
        return
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        problems.add(f"{path}/text", "must be more than 0 characters")
    else:
        problems.too_long(f"{path}/text", text, limit)


def _sdk_validate(parse: Callable[[JsonDict], Any], obj: JsonDict, path: str, problems: Problems) -> None:
    """slack_sdk's model of ``obj``: an unknown type or a model error is what Slack rejects too."""
    try:
        model = parse(copy.deepcopy(obj))  # the models may consume what they are given
        if model is None:
            problems.add(f"{path}/type", f"unknown type {obj.get('type')!r}")
            return
        model.validate_json()
    except SlackObjectFormationError as exc:
        problems.add(path, str(exc))
    except (TypeError, ValueError, AttributeError, KeyError) as exc:  # a required field missing, a wrong type
        problems.add(path, f"failed to match all allowed schemas ({exc})")


#: Methods whose payload Slack validates before acting; each check returns Slack's error body or None.
PAYLOAD_CHECKS: dict[str, Callable[[JsonDict], JsonDict | None]] = {
    "chat.postMessage": check_message,
    "chat.postEphemeral": check_message,
    "chat.update": check_message,
    "response_url": check_message,
    "views.open": check_view_param,
    "views.publish": check_view_param,
    "views.update": check_view_param,
    "views.push": check_view_param,
}
