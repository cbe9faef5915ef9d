"""An Answer as Slack Block Kit: a one-line answer, one quote per cited passage, buttons.

Pure functions from plain data to dicts, so they are tested without Slack.
Limits kept: at most 50 blocks, 3,000 characters a section, 2,000 a button value.
"""
from __future__ import annotations

from index.model import Answer, Citation

from .formatting import escape, inert, link, quote, truncate
from .phrases import headline, phrase

MAX_BLOCKS = 50
CONTEXT_LIMIT = 2000
MORE_ACTION = "more_results"
FEEDBACK_UP = "feedback_up"
FEEDBACK_DOWN = "feedback_down"

def citation_blocks(citation: Citation, lang: str) -> list[dict]:
    """The verbatim excerpt as a quote, then where it comes from."""
    passage, doc = citation.passage, citation.document
    where = [
        f"*{escape(citation.label)}*",
        escape(f"第{passage.summit}回 {doc.title}"),
        escape(passage.section_path),
        escape(passage.organization),
    ]
    if citation.items:
        where.append(escape(phrase("items_under", lang, n=citation.items)))
    url = link(citation.url, phrase("open_passage", lang))
    if url:
        where.append(url)
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": quote(citation.excerpt)}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": truncate(" · ".join(where), CONTEXT_LIMIT)}]},
    ]


def answer_blocks(answer: Answer, record_id: str = "", question_shown: bool = False) -> list[dict]:
    """Blocks of a whole answer; `record_id` ties the buttons to the stored question."""
    blocks: list[dict] = []
    if question_shown:
        # Someone's own words, shown to the channel: plain_text (no mrkdwn at all) and inert (no links either).
        blocks.append({"type": "context", "elements": [
            {"type": "plain_text", "text": truncate(f"{phrase('question_label', answer.lang)}: {inert(answer.question)}", CONTEXT_LIMIT)}
        ]})
    blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": truncate(escape(headline(answer)), 3000)}})
    budget = MAX_BLOCKS - len(blocks) - 1  # keep room for the buttons
    for citation in answer.citations:
        pair = citation_blocks(citation, answer.lang)
        if len(pair) > budget:
            break
        blocks += pair
        budget -= len(pair)
    if answer.found and record_id:
        blocks.append(action_block(answer.lang, record_id, more=True))
    return blocks


def action_block(lang: str, record_id: str, more: bool) -> dict:
    """"More results" (when there may be more) and 👍/👎 feedback, all carrying the record id."""
    elements = []
    if more:
        elements.append({"type": "button", "action_id": MORE_ACTION, "value": record_id,
                         "text": {"type": "plain_text", "text": phrase("more_results", lang)}})
    elements += [
        {"type": "button", "action_id": FEEDBACK_UP, "value": record_id, "text": {"type": "plain_text", "text": "👍"}},
        {"type": "button", "action_id": FEEDBACK_DOWN, "value": record_id, "text": {"type": "plain_text", "text": "👎"}},
    ]
    return {"type": "actions", "block_id": f"answer_actions:{record_id}", "elements": elements}


def more_blocks(answer: Answer, record_id: str) -> list[dict]:
    """The next passages of an earlier answer, or a line saying there are none."""
    if not answer.citations:
        return [{"type": "section", "text": {"type": "mrkdwn", "text": phrase("no_more", answer.lang)}}]
    blocks: list[dict] = []
    for citation in answer.citations:
        blocks += citation_blocks(citation, answer.lang)
    blocks = blocks[: MAX_BLOCKS - 1]
    blocks.append(action_block(answer.lang, record_id, more=True))
    return blocks


def fallback_text(answer: Answer) -> str:
    """The notification text that accompanies the blocks (and what screen readers get)."""
    first = answer.citations[0].excerpt if answer.citations else ""
    return truncate(escape(f"{headline(answer)} {first}".strip()), 3000)
