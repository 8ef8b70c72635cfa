"""Retention text with no end: open-ended wording, or exceptions with no period of their own."""

import pytest

from reviewapp.compliance.retention import open_ended
from tests.test_compliance import COMPLETE_POLICY, facts, only, run

REAL_WORDING = [
    # Patterned on real ALPR and camera policies: a base period, then an open exception.
    ("Plate reads are kept 30 days, except reads tied to an active investigation, which "
     "are kept until no longer needed.", ["reads tied to an active investigation, which are "
                                         "kept until no longer needed"]),
    ("Data is deleted after 30 days. Data used for training may be retained.",
     ["Data used for training may be retained"]),
    ("Retained indefinitely.", ["Retained indefinitely"]),
    ("Footage is kept 90 days; footage that is evidence is kept 2 years.", []),
    ("Thirty days, then deleted automatically.", []),
    ("Kept as long as necessary for the purposes above.",
     ["Kept as long as necessary for the purposes above"]),
]


@pytest.mark.parametrize("text, clauses", REAL_WORDING)
def test_open_ended_clauses_are_quoted(text, clauses):
    assert open_ended(text) == clauses


def test_an_open_exception_is_a_warning_even_with_a_days_limit():
    policy = {**COMPLETE_POLICY, "retention": REAL_WORDING[0][0]}
    found = only(run(facts(retention_days=30, use_policy=policy)), "ccops.retention-open-ended")
    assert len(found) == 1 and found[0].severity.value == "warning"
    assert "active investigation" in found[0].evidence and "30 days" not in found[0].evidence


def test_a_bounded_policy_has_no_such_finding():
    policy = {**COMPLETE_POLICY, "retention": REAL_WORDING[3][0]}
    assert not only(run(facts(use_policy=policy)), "ccops.retention-open-ended")
