"""/summit config: show a channel's settings (anyone), change them (admins only).

    /summit config                                   the channel's settings and how to change them
    /summit config follow-ups mention | always       フォローアップ メンションのみ | 常に
    /summit config answers private | channel         回答 非公開 | チャンネル

The words are matched after NFKC folding and lower-casing, so full-width letters and the
ideographic space typed by a Japanese input method work as well. Showing the settings is open to
everyone in the channel — it explains why the bot answers as it does there; changing them is for
SUMMITBOT_ADMINS, like adding declarations. The settings themselves live in bot/channels.py.
"""
from __future__ import annotations

import unicodedata
from typing import Protocol

from ..channels import ChannelConfig, ChannelSettings
from ..phrases import bilingual, phrase

# what a person may type for each setting and value (folded: see _fold); English first, then Japanese
SETTINGS: dict[str, str] = {
    "follow-ups": "follow_ups", "followups": "follow_ups", "follow_ups": "follow_ups", "follow-up": "follow_ups",
    "フォローアップ": "follow_ups", "続きの質問": "follow_ups", "スレッド": "follow_ups",
    "answers": "answers", "answer": "answers", "回答": "answers", "返答": "answers",
}
VALUES: dict[str, dict[str, str]] = {
    "follow_ups": {"always": "always", "常に": "always", "いつでも": "always", "mention": "mention",
                   "mentions": "mention", "メンションのみ": "mention", "メンション": "mention"},
    "answers": {"channel": "channel", "public": "channel", "チャンネル": "channel", "公開": "channel",
                "private": "private", "非公開": "private", "本人のみ": "private"},
}


class Admins(Protocol):
    """What this needs of bot/curation.py's Curator: who is an admin."""

    def is_admin(self, user: str) -> bool: ...


def config_command(channels: ChannelSettings, curator: Admins, user: str, channel: str, argument: str) -> str:
    """The ephemeral reply to `/summit config ARGUMENT` in `channel`, after making the change it asks for."""
    words = _fold(argument).split()
    if not words:
        return settings_text(channels.get(channel)) + "\n" + bilingual("config_how")
    if not curator.is_admin(user):
        return bilingual("not_admin")
    change = parse(words)
    if change is None:
        return bilingual("config_unknown") + "\n" + bilingual("config_how")
    name, value = change
    changed = channels.set(channel, user, **{name: value})
    return bilingual("config_changed") + "\n" + settings_text(changed)


def parse(words: list[str]) -> tuple[str, str] | None:
    """(setting, value) from the folded words, e.g. ["回答", "非公開"] → ("answers", "private"); None if not one."""
    if len(words) != 2:
        return None
    name = SETTINGS.get(words[0])
    value = VALUES.get(name or "", {}).get(words[1])
    return (name, value) if name and value else None


def settings_text(config: ChannelConfig) -> str:
    """The channel's settings, one line per language (each value named in that language)."""
    return "\n".join(
        phrase("config_show", lang, follow_ups=phrase(f"follow_ups_{config.follow_ups}", lang),
               answers=phrase(f"answers_{config.answers}", lang))
        for lang in ("ja", "en"))


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower().strip()
