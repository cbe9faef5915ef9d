"""Errors index/ raises for a person to act on: a code and the facts, never a sentence for users.

index/ does not know who reads the error: the CLI tells an operator which
command to run, Slack tells staff to ask an admin, a page says something else
again. So an error carries a stable `code` ("index-missing", "question-empty")
and the facts that go into a sentence (`facts`); each front end phrases it
(bot/phrases.py). `str(error)` is a plain English description for logs.
"""
from __future__ import annotations


class SummitError(Exception):
    """Base of every error index/ expects users or operators to cause and fix."""

    code = "error"  # the class's default; an instance may name a more precise one

    def __init__(self, message: str, code: str | None = None, **facts: object):
        super().__init__(message)
        if code:
            self.code = code
        self.facts = facts
