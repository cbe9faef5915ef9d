"""The App Home tab as Block Kit: staff onboarding for everyone, and for admins the coverage gaps first.

Pure functions from plain data (the sources' mrkdwn, the suggested prompts, a
`bot.report.Report`) to a view dict, so the view is tested without Slack and
the listener (bot/listeners/home.py) only gathers the data and publishes.

Slack's limits are kept here, where the content is known: at most 100 blocks
a view, 3,000 characters a section, 75 a button's text, 2,000 its value.
Everything someone else wrote (questions, reasons, notes, prompts) goes
through `inert`, so a question like "@channel <https://x|y>" shows as typed.
"""
from __future__ import annotations

from collections.abc import Sequence

from .formatting import SECTION_LIMIT, inert, truncate
from .phrases import TEXT, bilingual, phrase
from .report import QuestionGroup, Report, day

REASK_ACTION = "home_reask"
MAX_BLOCKS = 100
TOP = 10  # groups shown per list; the rest are in `summitbot report`
BUTTON_VALUE_LIMIT = 2000
HEADER_LIMIT = 150


def home_view(sources: str, prompts: Sequence[dict], report: Report | None = None, top: int = TOP,
              help_url: str = "") -> dict:
    """The Home tab: for an admin (`report` given) the period's gaps, then the onboarding everyone sees, and the
    staff guide's page when the pages have a public address."""
    blocks = [_header(bilingual("home_title"))]
    if report is not None:
        blocks += admin_blocks(report, top) + [{"type": "divider"}]
    blocks += onboarding_blocks(sources, prompts)
    if help_url:
        blocks.append(_section(f"<{help_url}|{bilingual('home_full_guide')}>"))
    return {"type": "home", "blocks": blocks[:MAX_BLOCKS]}


def admin_blocks(report: Report, top: int = TOP) -> list[dict]:
    """The counts, then the declined questions and the 👎 ones, most frequent first, each with Ask again."""
    days = max(1, round(report.days))
    share = f"{report.found_share:.0%}" if report.asked else "–"
    counts = {"asked": report.asked, "found": report.found, "share": share, "declined": report.declined,
              "failed": report.failed, "refused": report.refused}
    blocks = [_header(bilingual("home_report_title", days=days)), _section(_both("home_counts", **counts))]
    for title, groups in (("home_declined", report.declined_questions), ("home_down", report.down_questions)):
        blocks.append(_section(_both(title, shown=min(top, len(groups)), n=len(groups))))
        if not groups:
            blocks.append(_context(bilingual("home_none")))
        blocks += [group_block(g, f"{title}-{i}") for i, g in enumerate(groups[:top])]
    blocks.append(_context(_both("home_report_cli", days=days)))
    return blocks


def group_block(g: QuestionGroup, block_id: str) -> dict:
    """One question group: the question, how often and when last, why (for 👎), and Ask again."""
    key = "home_down_count" if g.kind == "down" else "home_asked_count"
    counted = bilingual(key, n=g.count, last=day(g.last_asked))
    lines = [f"*{inert(truncate(' '.join(g.question.split()), 500))}*", counted]
    if g.reasons:
        said = "; ".join(f"{_reason(reason)} ×{n}" if n > 1 else _reason(reason) for reason, n in g.reasons)
        lines.append(f"{bilingual('home_reasons')}: {inert(truncate(said, 500))}")
    lines += [f"> {inert(truncate(' '.join(note.split()), 300))}" for note in g.notes[:2]]
    return {
        "type": "section",
        "block_id": block_id,  # unique in the view
        "text": {"type": "mrkdwn", "text": truncate("\n".join(lines), SECTION_LIMIT)},
        "accessory": {
            "type": "button",
            "action_id": REASK_ACTION,
            "text": {"type": "plain_text", "text": truncate(bilingual("home_reask"), 75)},
            # what was searched, so a thread's follow-up ("and 川口?") is asked with the names it carried
            "value": (g.searched or g.question)[:BUTTON_VALUE_LIMIT],
        },
    }


def onboarding_blocks(sources: str, prompts: Sequence[dict]) -> list[dict]:
    """What the bot covers, how to ask, what "not found" means, how to report a wrong answer, what to try."""
    examples = "\n".join(f"• {inert(str(p.get('message') or p.get('title') or ''))}" for p in prompts)
    return [
        _header(bilingual("home_guide")),
        _section(_both("home_covers") + "\n" + sources),
        _section(_both("home_how")),
        _section(_both("home_not_found")),
        _section(_both("home_wrong")),
        _section(bilingual("home_try") + "\n" + examples),
    ]


def _both(key: str, **values: object) -> str:
    """Japanese first, English under it: a paragraph too long for `bilingual`'s one line."""
    return f"{phrase(key, 'ja', **values)}\n{phrase(key, 'en', **values)}"


def _header(text: str) -> dict:
    return {"type": "header", "text": {"type": "plain_text", "text": truncate(text, HEADER_LIMIT)}}


def _section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": truncate(text, SECTION_LIMIT)}}


def _context(text: str) -> dict:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": truncate(text, SECTION_LIMIT)}]}


def _reason(code: str) -> str:
    """A 👎 reason as the person chose it in the form (bot/blocks.py REASONS), in both languages."""
    return bilingual(f"reason_{code}") if f"reason_{code}" in TEXT else code.replace("_", " ")
