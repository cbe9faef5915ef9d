"""What the bot could not answer, for its admins: counts for a period and the questions worth a look.

Admins need two lists to see where the declarations (or the bot) fall short:
the questions the bot declined ("not found") and the answers people marked 👎,
with the reason and the words they gave. Each list is grouped by the question
as asked, normalised (width, case, spacing and end punctuation do not make a
new question), most frequent first, so that a gap many people hit comes
before a one-off.

Plain data only: `Report` is shown by the App Home (bot/home.py) and printed by
`summitbot report` (bot/cli.py, through `report_text` / `report_csv`). It reads
bot/records.py's tables through `Records.rows` and nothing else, so a report
never loads the index or a model.

Questions re-asked by an admin from the App Home (keys `home:…`) are left
out: checking a declined question again must not make it look more asked.
"""
from __future__ import annotations

import csv
import io
import re
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from .records import ANSWERED, ANSWERING, FAILED, RECEIVED, REFUSED, Records

DAY = 86_400.0
DEFAULT_DAYS = 30
_UNITS = {"h": 3600.0, "d": DAY, "w": 7 * DAY}
_RELATIVE = re.compile(r"(\d{1,5})\s*([hdw])", re.IGNORECASE)
_EDGES = " \t\r\n?？!！。．.、,，:：;；…"
_CJK_SPACE = re.compile(r"(?<=[^\x00-\x7f]) | (?=[^\x00-\x7f])")  # Japanese needs no spaces between words
_NOT_REASKED = "key NOT LIKE 'home:%'"  # see the module docstring
DECLINED, DOWN, FAILED_KIND = "declined", "down", "failed"


@dataclass(frozen=True)
class QuestionGroup:
    """One question (normalised) of one kind: how often, when last, and what people said about it."""

    kind: str  # declined | down | failed
    question: str  # as last asked
    searched: str  # what was last searched for it (a thread's follow-up carries the earlier question's names)
    count: int  # declined / failed: times asked; down: 👎 given
    last_asked: float  # epoch seconds
    reasons: tuple[tuple[str, int], ...] = ()  # 👎 reasons, or failures' errors, most frequent first
    notes: tuple[str, ...] = ()  # people's words with a 👎, newest first, without repeats


@dataclass(frozen=True)
class Report:
    """Counts of a period's questions by outcome, and the groups an admin should read."""

    since: float
    until: float
    asked: int = 0
    found: int = 0  # answered with citations
    declined: int = 0  # answered "not found"
    failed: int = 0
    refused: int = 0  # too many waiting
    pending: int = 0  # received or being answered right now
    declined_questions: tuple[QuestionGroup, ...] = ()
    down_questions: tuple[QuestionGroup, ...] = ()
    failed_questions: tuple[QuestionGroup, ...] = ()

    @property
    def not_searched(self) -> int:
        """Answered without a search: the question was refused (empty, too long) or answered before a restart."""
        return self.asked - self.found - self.declined - self.failed - self.refused - self.pending

    @property
    def found_share(self) -> float:
        return self.found / self.asked if self.asked else 0.0

    @property
    def days(self) -> float:
        return (self.until - self.since) / DAY


def parse_since(value: str, now: float | None = None) -> float:
    """`30d`, `12h`, `2w` (back from now) or an ISO date / date-time (local time) → epoch seconds.

    Raises ValueError with a sentence fit to show as it is.
    """
    now = time.time() if now is None else now
    text = value.strip()
    relative = _RELATIVE.fullmatch(text)
    if relative:
        amount = int(relative.group(1))
        if amount < 1:
            raise ValueError(f"--since {value!r}: the period must be at least 1{relative.group(2).lower()}")
        return now - amount * _UNITS[relative.group(2).lower()]
    try:
        moment = datetime.fromisoformat(text) if "T" in text or " " in text else datetime.combine(
            date.fromisoformat(text), datetime.min.time())
    except ValueError:
        raise ValueError(f"--since {value!r}: give a period such as 30d, 12h or 2w, or a date such as 2025-04-01"
                         ) from None
    since = moment.timestamp()
    if since > now:
        raise ValueError(f"--since {value!r} is in the future")
    return since


def normalise(question: str) -> str:
    """The grouping key: full-width and half-width alike (NFKC), case ignored, spaces only between Latin
    words, no end punctuation."""
    text = " ".join(unicodedata.normalize("NFKC", question).casefold().split())
    return _CJK_SPACE.sub("", text).strip(_EDGES)


def build_report(records: Records, since: float | None = None, until: float | None = None) -> Report:
    """The report of [since, until) (default: the last 30 days up to now); questions count by when asked,
    👎 by when given."""
    until = time.time() if until is None else until
    since = until - DEFAULT_DAYS * DAY if since is None else since
    period = (since, until)
    outcome = Counter()
    for state, found, count in records.rows(
            f"SELECT state, found, COUNT(*) FROM questions WHERE created >= ? AND created < ? AND {_NOT_REASKED} "
            "GROUP BY state, found", period):
        outcome[_outcome(state, found)] += count
    declined = records.rows(
        f"SELECT question, effective, created, '', '' FROM questions WHERE state = ? AND found = 0 "
        f"AND created >= ? AND created < ? AND {_NOT_REASKED}", (ANSWERED, *period))
    failed = records.rows(
        f"SELECT question, effective, created, COALESCE(error, ''), '' FROM questions WHERE state = ? "
        f"AND created >= ? AND created < ? AND {_NOT_REASKED}", (FAILED, *period))
    down = records.rows(
        "SELECT q.question, q.effective, q.created, COALESCE(f.reason, ''), COALESCE(f.note, '') "
        "FROM feedback f JOIN questions q ON q.id = f.question_id "
        f"WHERE f.value = 'down' AND f.created >= ? AND f.created < ? AND q.{_NOT_REASKED}", period)
    return Report(
        since=since, until=until, asked=sum(outcome.values()), found=outcome["found"],
        declined=outcome["declined"], failed=outcome["failed"], refused=outcome["refused"],
        pending=outcome["pending"],
        declined_questions=group(DECLINED, declined), down_questions=group(DOWN, down),
        failed_questions=group(FAILED_KIND, failed),
    )


def _outcome(state: str, found: int | None) -> str:
    if state == ANSWERED:
        return {1: "found", 0: "declined"}.get(found, "not_searched")
    if state in (RECEIVED, ANSWERING):
        return "pending"
    return {FAILED: "failed", REFUSED: "refused"}.get(state, "not_searched")


def group(kind: str, rows: list[tuple]) -> tuple[QuestionGroup, ...]:
    """Rows of (question, effective, created, reason, note) → groups, most frequent first, then most recent."""
    groups: dict[str, dict] = {}
    for question, effective, created, reason, note in sorted(rows, key=lambda row: row[2] or 0.0):
        key = normalise(question or "")
        if not key:
            continue
        g = groups.setdefault(key, {"count": 0, "reasons": Counter(), "notes": []})
        g["count"] += 1
        g["question"], g["searched"], g["last"] = question, effective or question, created or 0.0  # oldest to newest
        if reason:
            g["reasons"][reason] += 1
        if note and note not in g["notes"]:
            g["notes"].insert(0, note)
    ordered = sorted(groups.values(), key=lambda g: (-g["count"], -g["last"]))
    return tuple(QuestionGroup(kind=kind, question=g["question"], searched=g["searched"], count=g["count"],
                               last_asked=g["last"], reasons=tuple(g["reasons"].most_common()), notes=tuple(g["notes"]))
                 for g in ordered)


def day(moment: float) -> str:
    """A moment as its local ISO date (what a report shows: the day is what admins compare)."""
    return datetime.fromtimestamp(moment).date().isoformat()


def reasons_text(g: QuestionGroup) -> str:
    return "; ".join(f"{reason} ×{n}" if n > 1 else reason for reason, n in g.reasons)


# ---------------------------------------------------------------------- the command line (`summitbot report`)

def report_text(report: Report) -> str:
    """The report for a terminal: the counts, then each list with its groups."""
    share = f"{report.found_share:.0%}" if report.asked else "–"
    lines = [
        f"summitbot report: {day(report.since)} – {day(report.until)} ({report.days:.3g} days)",
        "",
        f"  questions asked                {report.asked:6d}",
        f"  answered with citations        {report.found:6d}  ({share})",
        f"  declined (nothing found)       {report.declined:6d}",
        f"  failed                         {report.failed:6d}",
        f"  refused (too many waiting)     {report.refused:6d}",
    ]
    if report.pending:
        lines.append(f"  being answered                 {report.pending:6d}")
    if report.not_searched:
        lines.append(f"  not searched (empty, too long) {report.not_searched:6d}")
    sections = (("Declined questions", report.declined_questions, "asked"),
                ("Answers marked 👎", report.down_questions, "👎"),
                ("Failed questions", report.failed_questions, "failed"))
    for title, groups, unit in sections:
        lines += ["", f"{title} ({len(groups)}), most frequent first:"]
        if not groups:
            lines.append("  none")
        for g in groups:
            lines.append(f"  {g.count:3d}× {_pad(unit, 6)}  last {day(g.last_asked)}  {_one_line(g.question)}")
            if g.searched != g.question:
                lines.append(f"        searched as: {_one_line(g.searched)}")
            if g.reasons:
                label = "errors" if g.kind == FAILED_KIND else "reasons"
                lines.append(f"        {label}: {_one_line(reasons_text(g))}")
            for note in g.notes[:3]:
                lines.append(f"        “{_one_line(note, 200)}”")
    return "\n".join(lines)


def report_csv(report: Report) -> str:
    """One row per question group: kind, question, count, last asked (ISO date), reasons, notes."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["kind", "question", "count", "last_asked", "reasons", "notes"])
    for groups in (report.declined_questions, report.down_questions, report.failed_questions):
        for g in groups:
            writer.writerow([g.kind, g.question, g.count, day(g.last_asked), reasons_text(g), " | ".join(g.notes)])
    return out.getvalue()


def _pad(text: str, width: int) -> str:
    """Left-aligned in `width` terminal columns (👎 and Japanese take two)."""
    columns = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(0, width - columns)


def _one_line(text: str, limit: int = 300) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
