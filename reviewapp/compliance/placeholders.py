"""Placeholder text: a section that says "TBD", "Unknown" or "see attached" answers nothing.

Submission needs every required section filled, and a placeholder fills it. So a filing
with placeholders is accepted, and the rules count each placeholder as a missing answer:
the finding is blocking and public, and the clerk can return the proposal for a real one.
"""

import re

from .folding import folded_lower

# Whole answers (folded, case ignored) that stand in for one. "None" is not among them: for
# sharing or prohibited uses it is an answer.
PLACEHOLDER = re.compile(
    r"tb[adc]|to be (?:determined|decided|provided|announced|confirmed|added)"
    r"|unknown|not known|n ?a|not applicable|pending|forthcoming|to follow|coming soon"
    r"|todo|to do|placeholder|lorem ipsum.*|x+|same as above"
    # A pointer elsewhere, in at most five words: "see attached", "See Exhibit B".
    r"|see(?: \w+){0,4} (?:above|below|attached|attachments?|exhibit|appendix|contract"
    r"|agreement|policy|report|document|materials?)(?: \w+)?",
)


def is_placeholder(text: str | None) -> bool:
    """Say whether the text, though not empty, stands in for an answer instead of giving one."""
    folded = folded_lower(text)
    if not folded:
        return bool((text or "").strip())  # only punctuation or symbols ("-", "...", "?")
    return PLACEHOLDER.fullmatch(folded) is not None


def answered(text: str | None) -> bool:
    """Say whether the text is an answer: not empty and not a placeholder."""
    return bool((text or "").strip()) and not is_placeholder(text)
