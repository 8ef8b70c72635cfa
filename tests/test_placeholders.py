"""Placeholder answers ("TBD", "see attached") count as missing: the rules can fire on them."""

import pytest
from sqlalchemy import select

from forms.documents import IMPACT_REPORT, USE_POLICY
from reviewapp.compliance.placeholders import is_placeholder
from reviewapp.models import Finding, Stage
from tests.factories import complete_data


@pytest.mark.parametrize("text", [
    "TBD", "tba", "To be determined", "Unknown", "N/A", "n/a", "NA", "Not applicable",
    "Pending", "See attached", "see attached policy", "See Attachment A", "See Exhibit B",
    "see the attached contract", "same as above", "-", "...", "?", "xxx", "Lorem ipsum",
    "ＴＢＤ", "T\u200bB\u200bD",
])
def test_placeholders_are_recognised(text):
    assert is_placeholder(text)


@pytest.mark.parametrize("text", [
    "", "None", "30 days", "Chief of Police", "No data is shared with anyone.",
    "Unknown persons may not access the data.", "Pending cases only, for 30 days.",
    "See the vendor contract, section 4.2, for the retention schedule and its exceptions.",
])
def test_answers_are_not_placeholders(text):
    assert not is_placeholder(text)


def alpr_filing_with_placeholders():
    """An ALPR filing as departments file them in a hurry: every section filled, some not."""
    policy = {s.key: f"Policy text for {s.key}" for s in USE_POLICY}
    policy.update(custodian="See attached", accuracy="TBD", retention="N/A")
    impact = {s.key: f"Impact text for {s.key}" for s in IMPACT_REPORT}
    impact.update(alternatives="Unknown")
    return complete_data(technology_category="alpr", technology_name="Plate readers",
                         use_policy=policy, impact_report=impact, retention_days=30)


def test_a_filing_with_placeholders_is_accepted_and_gets_blocking_public_findings(
        client, db, world):
    item = world.proposal(Stage.SUBMITTED, alpr_filing_with_placeholders())
    assert item.stage is Stage.SUBMITTED  # submission needs the sections filled: they are
    findings = db.scalars(
        select(Finding).where(Finding.version_id == item.current_version.id)).all()
    complete = [f for f in findings if f.rule_id == "ccops.documents-complete"]
    assert [f.severity.value for f in complete] == ["blocking", "blocking"]  # report, policy
    evidence = " | ".join(f.evidence for f in complete)
    assert "Alternatives considered: “Unknown”" in evidence
    assert "Custodian: “See attached”" in evidence
    assert "Accuracy and error correction: “TBD”" in evidence
    elements = next(f for f in findings if f.rule_id == "ca.sb34.policy-elements")
    assert "(E) the custodian" in elements.evidence and "(F) accuracy" in elements.evidence
    assert "(G) retention" in elements.evidence and "(A)" not in elements.evidence
    page = client.get(f"/proposals/{item.id}").get_data(as_text=True)
    assert "hold only a placeholder" in page and "lacks elements the law requires" in page


def test_a_complete_filing_has_neither_finding(db, world):
    item = world.proposal(Stage.SUBMITTED, complete_data(technology_category="alpr"))
    rules = set(db.scalars(select(Finding.rule_id)
                           .where(Finding.version_id == item.current_version.id)))
    assert not rules & {"ccops.documents-complete", "ca.sb34.policy-elements"}
