"""An Answer as plain text for the terminal, and as the JSON of `summitbot ask --json`."""
from __future__ import annotations

from index.model import Answer, Citation, Comparison

from .phrases import headline, phrase
from .phrases_compare import column_note, column_title, empty_cell, say


def render_text(answer: Answer) -> str:
    lines = [headline(answer)]
    if answer.comparison:
        return "\n".join(lines + _comparison_lines(answer))
    for group in answer.groups:
        lines += ["", f"■ {group.organization} — {group.document.display_title}"]
        for citation in group.citations:
            lines += _citation_lines(citation, answer.lang)
    return "\n".join(lines)


def _citation_lines(citation: Citation, lang: str, named: bool = False) -> list[str]:
    """The excerpt, where it is, its link; `named` adds the organisation (a comparison has no group headings)."""
    under = f" ({phrase('items_under', lang, n=citation.items)})" if citation.items else ""
    own = named and citation.passage.organization != citation.document.issuer
    who = f" — {citation.passage.organization}" if own else ""
    return [f"  {citation.label} 「{citation.excerpt}」".replace("\n", "\n      "),
            f"      {citation.passage.section_path}{under}{who}", f"      {citation.url}"]


def _comparison_lines(answer: Answer) -> list[str]:
    """One block per summit, oldest first: its title, then its excerpts or 記載なし."""
    comparison, lang = answer.comparison, answer.lang
    assert comparison is not None
    lines = [say("topics", lang, topics="・".join(comparison.topics))] if comparison.topics else []
    for column in comparison.columns:
        lines += ["", f"■ {column_title(column, comparison, lang)}"]
        if column.empty:
            lines.append(f"  {empty_cell(column, lang)}")
        elif column_note(column, lang):
            lines.append(f"  {column_note(column, lang)}")
        for citation in column.citations:
            lines += _citation_lines(citation, lang, named=True)
    return lines


def answer_json(answer: Answer) -> dict:
    """The stable JSON contract of an answer (see README, "ask --json")."""
    analysis = answer.analysis
    return {
        "question": answer.question,
        "lang": answer.lang,
        "answer_found": answer.found,
        "text": render_text(answer),
        "notice": answer.notice,
        "decision": {"outcome": answer.decision.outcome, "reason": answer.decision.reason,
                     "evidence": answer.decision.evidence,
                     "not_mentioned": list(answer.analysis.unknown_nouns) if answer.analysis else []},
        "entities": {
            "cities": list(analysis.cities) if analysis else [],
            "organizations": list(analysis.organizations) if analysis else [],
            "summits": list(analysis.summits) if analysis else [],
        },
        "citations": [_citation_json(c) for c in answer.citations],
        **(_comparison_json(answer.comparison) if answer.comparison else {}),
    }


def _comparison_json(comparison: Comparison) -> dict:
    """`comparison`: one entry per summit, oldest first, with its citations ([] where it says nothing)."""
    return {
        "comparison_kind": comparison.kind,
        "comparison": [{"summit": c.summit, "document_key": c.document.key if c.document else "",
                        "citations": [_citation_json(x) for x in c.citations], "empty": c.empty, "note": c.note}
                       for c in comparison.columns],
        "compared_with": comparison.against or None,
        "topics": list(comparison.topics),
        "older_summits": comparison.older,
    }


def _citation_json(citation: Citation) -> dict:
    passage, doc = citation.passage, citation.document
    return {
        "label": citation.label,
        "passage_id": passage.id,
        "summit": passage.summit,
        "document": doc.display_title,
        "document_key": doc.key,
        "host_city": doc.host_city,
        "section": passage.section_path,
        "kind": passage.kind,
        "organization": passage.organization,
        "city": passage.city,
        "text": passage.text,
        "excerpt": citation.excerpt,
        "excerpt_start": citation.excerpt_start,
        "source_span": [passage.start, passage.end],
        "url": citation.url,
        "score": citation.score,
        "items": citation.items,
    }
