"""Annual report checks, without a database: each check fires, and stays quiet when it should."""

from dataclasses import replace
from datetime import date

import pytest

from reviewapp.compliance.reports import (
    ObligationFacts,
    ReportFacts,
    SharingFacts,
    check_report,
    months_before,
    normalized,
    obligation_values,
)
from reviewapp.models import Severity

RETAIN_30 = ObligationFacts(1, "max_retention_days", "Retain data no longer than 30 days.",
                            number_value=30)
NO_FEDERAL = ObligationFacts(2, "no_sharing_with_type", "Do not share data with federal "
                             "agencies.", values=("federal",))
NO_VIGILANT = ObligationFacts(3, "no_sharing_with", "Do not share data with Vigilant LEARN.",
                              values=("Vigilant LEARN",))
AUDIT_6 = ObligationFacts(4, "audit_every_months", "Have the use of the system audited at "
                          "least every 6 months.", number_value=6)
AREAS = ObligationFacts(5, "deployment_limited_to", "Deploy only in: District 3, Downtown.",
                        values=("District 3", "Downtown"))

SHERIFF = SharingFacts("County Sheriff's Office", "county", 40)

BASE = ReportFacts(
    document_number="2026-0001-D1", obligations=(), approved_retention_days=30,
    approved_recipients=("County Sheriff's Office",), approved_version_number=1,
    period_end=date(2026, 11, 1), due_date=date(2026, 11, 1), filed_on=date(2026, 10, 20),
    retention_days_reported=30, last_audit_on=date(2026, 9, 1),
    deployment_areas=("District 3",), sharing=(SHERIFF,),
    approved_locations="Fixed cameras in District 3 and Downtown.", outside_policy="None.",
)


def rule_ids(facts: ReportFacts) -> list[str]:
    return [f.rule_id for f in check_report(facts)]


def only(facts: ReportFacts, rule_id: str):
    found = [f for f in check_report(facts) if f.rule_id == rule_id]
    assert len(found) == 1, check_report(facts)
    return found[0]


def test_a_clean_report_has_no_findings():
    everything = (RETAIN_30, NO_FEDERAL, NO_VIGILANT, AUDIT_6, AREAS)
    assert check_report(replace(BASE, obligations=everything)) == []


def test_retention_above_the_condition_is_blocking_and_cites_the_condition():
    facts = replace(BASE, obligations=(RETAIN_30,), retention_days_reported=365,
                    approved_retention_days=None)
    finding = only(facts, "report.retention-condition")
    assert finding.severity is Severity.BLOCKING
    assert finding.citation == "Determination 2026-0001-D1, condition 1"
    assert "365 days" in finding.evidence
    assert "“Retain data no longer than 30 days.”" in finding.evidence


def test_retention_at_the_condition_or_unreported_is_not_flagged_by_the_condition():
    assert "report.retention-condition" not in rule_ids(
        replace(BASE, obligations=(RETAIN_30,), retention_days_reported=30))
    assert "report.retention-condition" not in rule_ids(
        replace(BASE, obligations=(RETAIN_30,), retention_days_reported=None))


def test_retention_above_the_approved_policy_is_a_warning():
    finding = only(replace(BASE, retention_days_reported=45), "report.retention-policy")
    assert finding.severity is Severity.WARNING
    assert finding.citation == "Approved use policy (version 1), retention"
    assert "Reported retention: 45 days; approved retention period: 30 days" in finding.evidence
    assert "report.retention-policy" not in rule_ids(replace(BASE, retention_days_reported=29))


def test_sharing_with_a_forbidden_type_is_blocking():
    fbi = SharingFacts("Federal Bureau of Investigation", "federal", 12)
    facts = replace(BASE, obligations=(NO_FEDERAL,), sharing=(SHERIFF, fbi),
                    approved_recipients=("County Sheriff's Office",
                                         "Federal Bureau of Investigation"))
    finding = only(facts, "report.sharing-type-condition")
    assert finding.severity is Severity.BLOCKING
    assert finding.citation == "Determination 2026-0001-D1, condition 2"
    assert "“Federal Bureau of Investigation” (Federal agency), 12 times" in finding.evidence
    assert "“Do not share data with federal agencies.”" in finding.evidence


def test_a_known_federal_agency_entered_under_another_type_is_still_caught():
    ice = SharingFacts("ICE ERO San Francisco", "county", 3)
    facts = replace(BASE, obligations=(NO_FEDERAL,), sharing=(ice,),
                    approved_recipients=("ICE ERO San Francisco",))
    assert rule_ids(facts) == ["report.sharing-type-condition"]


def test_sharing_a_forbidden_type_zero_times_or_an_allowed_type_is_not_flagged():
    never = SharingFacts("Federal Bureau of Investigation", "federal", 0)
    facts = replace(BASE, obligations=(NO_FEDERAL,), sharing=(SHERIFF, never))
    assert rule_ids(facts) == []


def test_sharing_with_a_named_forbidden_recipient_is_blocking_case_insensitive():
    pooled = SharingFacts("vigilant learn national database", "vendor_pool", 5)
    facts = replace(BASE, obligations=(NO_VIGILANT,), sharing=(pooled,),
                    approved_recipients=("vigilant learn national database",))
    finding = only(facts, "report.sharing-name-condition")
    assert finding.severity is Severity.BLOCKING
    assert finding.citation == "Determination 2026-0001-D1, condition 3"
    assert "“vigilant learn national database”, 5 times" in finding.evidence


def test_sharing_with_a_recipient_not_named_in_the_condition_is_not_flagged_by_it():
    facts = replace(BASE, obligations=(NO_VIGILANT,))
    assert "report.sharing-name-condition" not in rule_ids(facts)


def test_sharing_with_a_recipient_the_approval_does_not_list_needs_new_approval():
    stranger = SharingFacts("Acme Data Brokers", "private", 2)
    facts = replace(BASE, sharing=(SHERIFF, stranger), ordinance="Seattle Municipal Code 14.18")
    finding = only(facts, "report.sharing-unlisted")
    assert finding.severity is Severity.BLOCKING
    assert finding.title.startswith("Needs new approval")
    assert "goes back to the council under Seattle Municipal Code 14.18" in finding.message
    assert finding.citation.startswith("Seattle Municipal Code 14.18; approved use policy")
    assert "“Acme Data Brokers”, 2 times" in finding.evidence
    assert "approved recipients: “County Sheriff's Office”" in finding.evidence


def test_a_listed_recipient_matches_despite_case_and_punctuation():
    loose = SharingFacts("county sheriffs office", "county", 2)
    assert "report.sharing-unlisted" not in rule_ids(replace(BASE, sharing=(loose,)))


def test_no_audit_within_the_required_months_is_blocking():
    stale = replace(BASE, obligations=(AUDIT_6,), last_audit_on=date(2026, 4, 30))
    finding = only(stale, "report.audit-condition")
    assert finding.severity is Severity.BLOCKING
    assert finding.citation == "Determination 2026-0001-D1, condition 4"
    assert "Last audit: April 30, 2026" in finding.evidence
    never = only(replace(BASE, obligations=(AUDIT_6,), last_audit_on=None),
                 "report.audit-condition")
    assert "Last audit: none reported" in never.evidence


def test_an_audit_within_the_required_months_is_not_flagged():
    assert rule_ids(replace(BASE, obligations=(AUDIT_6,), last_audit_on=date(2026, 5, 1))) == []


def test_deployment_outside_the_allowed_areas_is_blocking():
    facts = replace(BASE, obligations=(AREAS,), deployment_areas=("downtown", "District 7"))
    finding = only(facts, "report.deployment-condition")
    assert finding.severity is Severity.BLOCKING
    assert finding.citation == "Determination 2026-0001-D1, condition 5"
    assert "“District 7”" in finding.evidence


def test_deployment_inside_the_allowed_areas_is_not_flagged_whatever_the_case():
    facts = replace(BASE, obligations=(AREAS,), deployment_areas=("DOWNTOWN", "district 3"))
    assert rule_ids(facts) == []


def test_a_report_filed_after_its_due_date_is_late():
    finding = only(replace(BASE, filed_on=date(2026, 11, 4)), "report.late")
    assert finding.severity is Severity.WARNING
    assert "filed 3 days after" in finding.message
    assert "report.late" not in rule_ids(replace(BASE, filed_on=date(2026, 11, 1)))


def test_a_report_with_empty_required_sections_is_incomplete():
    facts = replace(BASE, missing_sections=("Complaints received", "Data breaches"))
    finding = only(facts, "report.incomplete")
    assert finding.severity is Severity.WARNING
    assert finding.evidence == "Empty: Complaints received, Data breaches"
    assert "report.incomplete" not in rule_ids(BASE)


def test_findings_come_blocking_first():
    facts = replace(BASE, obligations=(RETAIN_30,), retention_days_reported=365,
                    filed_on=date(2026, 12, 1))
    assert [f.severity for f in check_report(facts)] == [
        Severity.BLOCKING, Severity.WARNING, Severity.WARNING]


def test_helpers():
    assert obligation_values("federal, private,") == ("federal", "private")
    assert normalized("  County  Sheriff's Office ") == "county sheriffs office"
    assert months_before(date(2026, 8, 31), 6) == date(2026, 2, 28)
    assert months_before(date(2026, 1, 15), 1) == date(2025, 12, 15)


def test_a_deployment_area_the_approval_never_names_needs_new_approval():
    facts = replace(BASE, deployment_areas=("District 3", "Lake Merritt"))
    finding = only(facts, "report.deployment-unapproved")
    assert finding.severity is Severity.BLOCKING
    assert "Needs new approval" in finding.message and "Lake Merritt" in finding.message
    assert "approved impact report (version 1), deployment locations" in finding.citation
    assert "District 3" not in finding.evidence.split(";")[0]


def test_named_or_citywide_approved_areas_are_not_flagged():
    assert "report.deployment-unapproved" not in rule_ids(
        replace(BASE, deployment_areas=("downtown", "DISTRICT 3")))
    citywide = replace(BASE, approved_locations="40 intersections citywide",
                       deployment_areas=("District 9",))
    assert "report.deployment-unapproved" not in rule_ids(citywide)
    # With a deployment condition, the condition's own check speaks instead (no double).
    limited = replace(BASE, obligations=(AREAS,), deployment_areas=("Lake Merritt",))
    assert rule_ids(limited).count("report.deployment-condition") == 1
    assert "report.deployment-unapproved" not in rule_ids(limited)


def test_a_use_outside_the_approved_policy_needs_new_approval():
    facts = replace(BASE, outside_policy="Used the readers to locate protest organizers.")
    finding = only(facts, "report.outside-policy")
    assert finding.severity is Severity.BLOCKING and "Needs new approval" in finding.message
    assert "protest organizers" in finding.evidence
    for nothing in ("None.", "none", "No", "Nothing.", "", "N/A"):
        assert "report.outside-policy" not in rule_ids(replace(BASE, outside_policy=nothing))


@pytest.mark.parametrize(("approved", "reported", "flagged"), [
    ("District 10 and District 12", "District 1", True),  # a whole name, not a prefix
    ("Northeast corridor", "East", True),
    ("All districts except District 5", "District 5", True),
    ("All districts except District 5", "District 3", False),
    ("Not citywide: District 3 only", "District 4", True),
    ("Not citywide: District 3 only", "District 3", False),
    ("Citywide, at 40 intersections", "District 9", False),
])
def test_deployment_areas_are_read_as_whole_names_with_their_exclusions(
        approved, reported, flagged):
    facts = replace(BASE, approved_locations=approved, deployment_areas=(reported,))
    assert ("report.deployment-unapproved" in rule_ids(facts)) is flagged


@pytest.mark.parametrize(("answer", "flagged"), [
    ("There were none.", False), ("None during this period", False), ("No changes", False),
    ("Nothing was acquired or used outside the approved policy.", False),
    ("None, but the readers were lent to the county for a week.", True),
    ("Two drones were borrowed from the county.", True),
])
def test_an_answer_that_says_nothing_happened_is_not_a_new_use(answer, flagged):
    assert ("report.outside-policy" in rule_ids(replace(BASE, outside_policy=answer))) \
        is flagged
