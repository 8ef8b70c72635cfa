"""Retention wording that sets no end: "indefinitely", "until no longer needed", or an
exception ("active investigation", "training") with no period of its own.

A policy's days field can say 30 while its text keeps data for evidence, research or
training without a limit; real policies do (domain.md, "Retention"). Each clause of the
retention text is read on its own, so one limit elsewhere does not cover an open exception.
"""

import re

from .folding import folded_lower

CLAUSE = re.compile(r"[.;\n]+|\bexcept\b|\bunless\b", re.IGNORECASE)
OPEN_ENDED = re.compile(
    r"\b(?:indefinite(?:ly)?|permanent(?:ly)?|forever|in perpetuity|no (?:set |fixed )?limit"
    r"|without (?:a )?limit|(?:until|while) (?:it is |they are )?no longer (?:needed|necessary"
    r"|required|useful)|as long as (?:it is |they are )?(?:needed|necessary|required|useful))\b")
EXCEPTION = re.compile(
    r"\b(?:active|ongoing|open|pending)? ?(?:investigations?|litigation|legal holds?|court"
    r" orders?|prosecutions?|evidence|research|training|audits?|appeals?)\b")
PERIOD = re.compile(r"\b\d+ ?(?:hours?|days?|weeks?|months?|years?)\b"
                    r"|\b(?:one|two|three|six|twelve|thirty|ninety) (?:days?|weeks?|months?"
                    r"|years?)\b")


def open_ended(text: str | None) -> list[str]:
    """Return the clauses of retention text that keep data with no end (as written)."""
    found = []
    for clause in CLAUSE.split(text or ""):
        words = folded_lower(clause)
        if not words:
            continue
        if OPEN_ENDED.search(words) or (EXCEPTION.search(words) and not PERIOD.search(words)):
            found.append(" ".join(clause.split()))
    return found
