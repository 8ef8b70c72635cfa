"""No recipient type is assumed: "not stated", groups named as recipients, fusion centers."""

import pytest

from reviewapp.compliance.agencies import is_collective
from reviewapp.models import Proposal
from tests.test_bad_input import assert_kept, assert_refused_at, count
from tests.test_compliance import facts, ids, only, recipient, run


def one(findings, rule_id):
    """The one finding of `rule_id`."""
    [finding] = only(findings, rule_id)
    return finding


@pytest.mark.parametrize("name", [
    "Law enforcement agencies", "Other law enforcement agencies", "Partners",
    "Third parties", "As required by law", "Participating agencies",
    "Any agency upon request", "Outside agencies", "Law Enforcement", "other  agencies",
    # A count is not a name either.
    "424 out-of-state law enforcement agencies", "Hundreds of entities across the United States",
    "over 1,000 agencies nationwide", "Thousands of users",
])
def test_a_group_named_as_a_recipient_is_unspecified_and_blocking(name):
    assert is_collective(name)
    found = run(facts(category="drone", recipients=[recipient(name=name, recipient_type="city")]))
    finding = one(found, "ccops.recipient-unspecified")
    assert finding.severity.value == "blocking" and name in finding.evidence


@pytest.mark.parametrize("name", [
    "Alameda County Sheriff's Office", "Oakland Police Department", "Partners Healthcare",
    "California Department of Justice", "911 Dispatch Center", "3M Company",
    "4 County Narcotics Agency", "911 Regional Communications Agency", "3 Rivers Transit Agency",
    "Department of Motor Vehicles"])
def test_named_recipients_are_not_groups(name):
    assert not is_collective(name)
    found = run(facts(category="drone", recipients=[recipient(name=name)]))
    assert "ccops.recipient-unspecified" not in ids(found)


def test_a_type_not_stated_asks_for_it_and_is_not_a_california_agency_for_sb34():
    found = run(facts(recipients=[recipient(name="Contra Costa County Sheriff",
                                            recipient_type="not_stated")]))
    assert "type not stated" in one(found, "ccops.recipient-type-not-stated").evidence
    sb34 = one(found, "ca.sb34.alpr-sharing")
    assert "type is not stated" in sb34.message


def test_a_fusion_center_entered_as_a_county_agency_fails_sb34_and_is_relabelled():
    found = run(facts(recipients=[recipient(
        name="Northern California Regional Intelligence Center", recipient_type="county")]))
    assert "Regional intelligence (fusion) center" in one(found, "ca.sb34.alpr-sharing").message
    assert "looks wrong" in one(found, "ccops.recipient-type").message


def test_a_named_recipient_without_a_type_is_refused_at_the_field_and_kept(client, world, db,
                                                                          login_as):
    login_as("submitter")
    typed = {"title": "Plate readers downtown", "technology_name": "ALPR",
             "recipients-0-name": "Regional partners", "recipients-0-purpose": "Stolen cars."}
    response = client.post("/department/proposals/new",
                           data={**typed, "recipients-0-recipient_type": "", "save": "Save"})
    parsed = assert_refused_at(response, "recipients-0-recipient_type", "Not stated")
    assert_kept(parsed, typed)
    assert '<option selected value="">Choose…</option>' in response.get_data(as_text=True)
    assert count(db, Proposal) == 0
