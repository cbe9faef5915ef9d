"""An Answer as Slack Block Kit: a one-line answer, one quote per cited passage, buttons, the feedback modal.

A comparison answer has one section per summit (oldest first), each with its excerpts or 記載なし.

Pure functions from plain data to dicts, so they are tested without Slack.
Limits kept: at most 50 blocks, 3,000 characters a section, 2,000 a button value.
"""
from __future__ import annotations

import json

from index.model import Answer, Citation

from .formatting import escape, inert, link, quote, truncate
from .phrases import bilingual, fixed, headline, phrase
from .phrases_compare import column_note, column_title, empty_cell, say

MAX_BLOCKS = 50
CONTEXT_LIMIT = 2000
MAX_SHOWN = 20  # citations one message grows to with "More results" (2 blocks each, within 50 with the rest)
MORE_ACTION = "more_results"
SHARE_ACTION = "share_answer"
KEEP_ACTION = "keep_private"
FEEDBACK_ACTION = "answer_feedback"  # Slack's feedback buttons; values "up:<record>" / "down:<record>"
FEEDBACK_UP, FEEDBACK_DOWN = "feedback_up", "feedback_down"  # the buttons of answers posted before them
FEEDBACK_MODAL = "feedback_reason"
REASONS = ("wrong_passage", "missing", "outdated", "other")  # what a 👎 can say was wrong (phrases: reason_*)


def citation_blocks(citation: Citation, lang: str) -> list[dict]:
    """The verbatim excerpt as a quote, then where it comes from (the link kept whole whatever is cut)."""
    passage, doc = citation.passage, citation.document
    where = [citation.label, f"第{passage.summit}回 {doc.title}", fixed(passage.section_path, doc.search_fixes)]
    if passage.organization and passage.organization != doc.issuer:  # every declaration is the issuer's
        where.append(passage.organization)
    if citation.items:
        where.append(phrase("items_under", lang, n=citation.items))
    url = link(citation.url, phrase("open_passage", lang))
    text = " · ".join([f"*{escape(where[0])}*"] + [escape(part) for part in where[1:] if part])
    context = truncate(text, CONTEXT_LIMIT - (len(url) + 3 if url else 0)) + (f" · {url}" if url else "")
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": quote(citation.excerpt)}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": context}]},
    ]


def answer_blocks(answer: Answer, record_id: str = "", question_shown: bool = False, private: bool = False) -> list[dict]:
    """Blocks of a whole answer; `record_id` ties the buttons to the stored question.

    `private` (an answer only the asker sees, e.g. /summit) adds Share / Only me buttons.
    """
    blocks: list[dict] = []
    if question_shown:
        # Someone's own words, shown to the channel: plain_text (no mrkdwn at all) and inert (no links either).
        blocks.append({"type": "context", "elements": [
            {"type": "plain_text", "text": truncate(f"{phrase('question_label', answer.lang)}: {inert(answer.question)}", CONTEXT_LIMIT)}
        ]})
    blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": truncate(escape(headline(answer)), 3000)}})
    budget = MAX_BLOCKS - len(blocks) - 2  # keep room for the buttons and the feedback
    body = comparison_blocks(answer) if answer.comparison else [
        citation_blocks(citation, answer.lang) for citation in answer.citations]
    for part in body:
        if len(part) > budget:
            break
        blocks += part
        budget -= len(part)
    if record_id:
        more = answer.found and answer.remaining > 0 and len(answer.citations) < MAX_SHOWN
        actions = action_block(answer.lang, record_id, more=more, share=private)
        if actions:
            blocks.append(actions)
        blocks.append(feedback_block(record_id))
    return blocks


def comparison_blocks(answer: Answer) -> list[list[dict]]:
    """One section per summit, oldest first: its title, then its cited excerpts, or 記載なし in words.

    Returned in parts that stay together (a title with its first excerpt), so a long answer is cut between
    summits or excerpts, never between a quote and its source.
    """
    comparison, lang = answer.comparison, answer.lang
    assert comparison is not None
    parts: list[list[dict]] = []
    if comparison.topics:
        parts.append([{"type": "context", "elements": [{"type": "mrkdwn", "text": truncate(escape(
            say("topics", lang, topics="・".join(comparison.topics))), CONTEXT_LIMIT)}]}])
    for column in comparison.columns:
        title = {"type": "section", "text": {"type": "mrkdwn", "text": truncate(
            f"*{escape(column_title(column, comparison, lang))}*", 3000)}}
        if column.empty:
            parts.append([title, {"type": "context", "elements": [
                {"type": "mrkdwn", "text": escape(empty_cell(column, lang))}]}])
            continue
        first, *rest = column.citations
        note = column_note(column, lang)
        hint = [{"type": "context", "elements": [{"type": "mrkdwn", "text": escape(note)}]}] if note else []
        parts.append([title, *hint, *citation_blocks(first, lang)])
        parts += [citation_blocks(citation, lang) for citation in rest]
    return parts


def action_block(lang: str, record_id: str, more: bool, share: bool = False) -> dict | None:
    """"More results" (when there are more) and, for a private answer, Share / Only me; None when neither."""
    elements = []
    if more:
        elements.append(_button(MORE_ACTION, record_id, phrase("more_results", lang)))
    if share:
        elements.append(_button(SHARE_ACTION, record_id, phrase("share", lang), style="primary"))
        elements.append(_button(KEEP_ACTION, record_id, phrase("keep", lang)))
    return {"type": "actions", "block_id": f"answer_actions:{record_id}", "elements": elements} if elements else None


def _button(action_id: str, value: str, text: str, style: str = "") -> dict:
    button = {"type": "button", "action_id": action_id, "value": value, "text": {"type": "plain_text", "text": text}}
    return {**button, "style": style} if style else button


def feedback_block(record_id: str) -> dict:
    """Slack's own 👍/👎 (feedback buttons), labelled for screen readers in both languages."""
    def button(vote: str, emoji: str) -> dict:
        return {"text": {"type": "plain_text", "text": emoji}, "value": f"{vote}:{record_id}",
                "accessibility_label": bilingual(f"feedback_{vote}")}

    return {"type": "context_actions", "block_id": f"answer_feedback:{record_id}", "elements": [
        {"type": "feedback_buttons", "action_id": FEEDBACK_ACTION,
         "positive_button": button("up", "👍"), "negative_button": button("down", "👎")}]}


def feedback_modal(record_id: str, response_url: str, lang: str) -> dict:
    """What was wrong with an answer: a reason and, if they like, the person's words."""
    options = [{"text": {"type": "plain_text", "text": phrase(f"reason_{r}", lang)}, "value": r} for r in REASONS]
    return {
        "type": "modal", "callback_id": FEEDBACK_MODAL,
        "private_metadata": json.dumps({"record": record_id, "url": response_url, "lang": lang}),
        "title": {"type": "plain_text", "text": phrase("feedback_title", lang)},
        "submit": {"type": "plain_text", "text": phrase("feedback_send", lang)},
        "close": {"type": "plain_text", "text": phrase("feedback_cancel", lang)},
        "blocks": [
            {"type": "input", "block_id": "reason", "label": {"type": "plain_text", "text": phrase("feedback_what", lang)},
             "element": {"type": "radio_buttons", "action_id": "reason", "options": options}},
            {"type": "input", "block_id": "note", "optional": True,
             "label": {"type": "plain_text", "text": phrase("feedback_note", lang)},
             "element": {"type": "plain_text_input", "action_id": "note", "multiline": True, "max_length": 2000}},
        ],
    }


def fallback_text(answer: Answer) -> str:
    """The notification text that accompanies the blocks (and what screen readers get)."""
    first = answer.citations[0].excerpt if answer.citations else ""
    return truncate(escape(f"{headline(answer)} {first}".strip()), 3000)
