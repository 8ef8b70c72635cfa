"""The particulars' vocabularies, and their answers as the public page and the PDF show them."""

from forms.particulars import GROUPS, QUESTIONS, counted, shown_answer

from .models.vocab import DataOwnership, NetworkSharing, ProcurementMethod

# The choice questions of forms/particulars.py and the vocabulary each one answers from.
VOCABULARIES = {
    "procurement_method": ProcurementMethod,
    "data_ownership": DataOwnership,
    "network_sharing": NetworkSharing,
}
LABELS = {value: label for vocabulary in VOCABULARIES.values()
          for value, label in vocabulary.choices()}


def answered_groups(answers: dict) -> list[tuple[str, list[tuple[str, str]]]]:
    """Return [(group, [(question, answer), ...])] for every group, "Not answered" shown."""
    groups = []
    for group in GROUPS:
        rows = [(q.label, shown_answer(q, (answers or {}).get(q.key), LABELS) or "Not answered")
                for q in QUESTIONS if q.group == group]
        groups.append((group, rows))
    return groups


def claimed_ban_exception(answers: dict) -> tuple[str, str, str] | None:
    """Return (exception, citation, why) for a claimed exception to a ban, or None."""
    from .jurisdiction import profile

    key = (answers or {}).get("ban_exception")
    if not key:
        return None
    named = next((e for e in profile().ban_exceptions if e.key == key), None)
    why = answers.get("ban_exception_reason") or "not given"
    return (named.exception, named.citation, why) if named else (key, "not in this "
                                                                 "jurisdiction's ordinance", why)


def retention_exceptions(answers: dict) -> list[tuple[str, str]]:
    """Return each retention exception as (purpose, limit in words)."""
    return [(row.get("purpose") or "Not stated",
             "no limit" if row.get("limit_days") is None else counted(row["limit_days"], "day"))
            for row in (answers or {}).get("retention_exceptions") or ()]
