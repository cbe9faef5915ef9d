"""An Answer as plain text for the terminal, and as the JSON of `summitbot ask --json`."""
from __future__ import annotations

from index.model import Answer, Citation

from .phrases import headline, phrase


def render_text(answer: Answer) -> str:
    lines = [headline(answer)]
    for group in answer.groups:
        lines += ["", f"■ {group.organization} — {group.document.display_title}"]
        for citation in group.citations:
            lines.append(f"  {citation.label} 「{citation.excerpt}」".replace("\n", "\n      "))
            under = f" ({phrase('items_under', answer.lang, n=citation.items)})" if citation.items else ""
            lines.append(f"      {citation.passage.section_path}{under}")
            lines.append(f"      {citation.url}")
    return "\n".join(lines)


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
