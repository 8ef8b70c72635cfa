"""Retention exceptions and practice, efficacy, procurement, platform sharing, data received
and prior use: the rules that read them, the form that takes them, the pages that show them."""

import pytest

from forms.money import cents_from_text, text_from_cents
from reviewapp.compliance import evaluate
from reviewapp.models import Finding, Proposal, Stage
from reviewapp.profiles import load_profile
from reviewapp.services import proposals
from reviewapp.services.intake import return_to_department
from tests.factories import complete_data
from tests.test_compliance import COMPLETE_POLICY, facts, ids, recipient
from tests.test_determination_pdf import issued_pdf
from tests.test_views_department import form_data

SETTINGS = {"banned_technologies": (), "max_retention_days": None}


def fired(version, settings=SETTINGS, packs=("ccops", "california")) -> list[str]:
    return ids(evaluate(version, packs, settings))


# ---------------------------------------------------------------- the rules


def test_an_exception_without_a_limit_is_found_and_one_with_a_limit_is_not():
    open_ = facts(retention_exceptions=(("Active investigation", None), ("Training", 90)))
    finding = [f for f in evaluate(open_, ["ccops"], SETTINGS)
               if f.rule_id == "ccops.retention-exception-unlimited"]
    assert len(finding) == 1 and "“Active investigation”" in finding[0].evidence
    assert "Training" not in finding[0].evidence
    limited = facts(retention_exceptions=(("Active investigation", 365),))
    assert "ccops.retention-exception-unlimited" not in fired(limited)


@pytest.mark.parametrize(("policy", "practice", "found"), [
    (30, 730, True), (None, 30, True), (30, 30, False), (30, 7, False), (30, None, False)])
def test_practice_longer_than_policy(policy, practice, found):
    version = facts(retention_days=policy, retention_practice_days=practice)
    assert ("ccops.retention-practice-longer" in fired(version)) is found


def test_the_profiles_per_technology_limit_covers_period_practice_and_exceptions():
    settings = {**SETTINGS, "retention_limits": {"alpr": 21},
                "retention_limit_citation": "Example Act sec. 4 (21 days)"}
    within = facts(retention_days=21, retention_exceptions=(("Evidence", 21),))
    assert "ccops.retention-category-limit" not in fired(within, settings)
    for over in (facts(retention_days=30), facts(retention_days=7, retention_practice_days=60),
                 facts(retention_days=7, retention_exceptions=(("Evidence", None),))):
        found = [f for f in evaluate(over, ["ccops"], settings)
                 if f.rule_id == "ccops.retention-category-limit"]
        assert len(found) == 1 and found[0].severity.value == "blocking"
        assert found[0].citation == "Example Act sec. 4 (21 days)"
    # Another kind of technology is not held to the plate readers' limit.
    assert "ccops.retention-category-limit" not in fired(
        facts(category="drone", retention_days=365), settings)


@pytest.mark.parametrize(("measured", "evidence", "found"), [
    (None, "", True), (False, "", True), (True, "", True), (True, "3 hits per 1,000", False)])
def test_efficacy_must_be_measured_and_shown(measured, evidence, found):
    version = facts(efficacy_measured=measured, efficacy_evidence=evidence)
    assert ("ccops.efficacy-not-measured" in fired(version)) is found


def test_sole_source_is_information_and_competition_is_nothing():
    sole = evaluate(facts(procurement_method="sole_source", contract_term_months=60),
                    ["ccops"], SETTINGS)
    assert [(f.rule_id, f.severity.value) for f in sole] == [("ccops.sole-source", "info")]
    assert "60 months" in sole[0].evidence
    assert "ccops.sole-source" not in fired(facts(procurement_method="competitive"))


@pytest.mark.parametrize(("owner", "own_use", "found"), [
    ("vendor", None, True), ("shared", False, True), ("city", True, True),
    ("city", False, False), ("", None, False)])
def test_vendor_control_of_the_data(owner, own_use, found):
    version = facts(data_ownership=owner, vendor_own_use=own_use)
    assert ("ccops.vendor-data-use" in fired(version)) is found


def test_a_nationwide_lookup_is_sharing_and_blocks_plate_readers_in_california():
    nationwide = facts(network_sharing="nationwide",
                       network_sharing_detail="National Lookup: on")
    found = fired(nationwide)
    assert "ccops.network-sharing" in found and "ca.sb34.network-sharing" in found
    statewide = fired(facts(network_sharing="statewide"))
    assert "ccops.network-sharing" in statewide and "ca.sb34.network-sharing" not in statewide
    for quiet in ("off", "named"):
        assert not {"ccops.network-sharing", "ca.sb34.network-sharing"} & set(
            fired(facts(network_sharing=quiet)))
    # A drone filed under the California pack is not an ALPR: no SB 34 finding.
    assert "ca.sb34.network-sharing" not in fired(facts(category="drone",
                                                        network_sharing="nationwide"))


def test_an_unanswered_platform_setting_matters_for_plate_readers_and_cameras_only():
    assert "ccops.network-sharing" in fired(facts(network_sharing=""))
    assert "ccops.network-sharing" in fired(facts(category="camera", network_sharing=""))
    assert "ccops.network-sharing" not in fired(facts(category="drone", network_sharing=""))
    assert "ccops.network-sharing" in fired(facts(category="drone", network_sharing="not_known"))


def test_data_received_from_others():
    assert "ccops.third-party-data" not in fired(facts(third_party_data=False))
    quiet = facts(third_party_data=True, third_party_sources="Two stores' cameras, by MOU",
                  third_party_solicited=False)
    assert "ccops.third-party-data" not in fired(quiet)
    unnamed = facts(third_party_data=True)
    sought = facts(third_party_data=True, third_party_sources="HOA cameras",
                   third_party_solicited=True)
    assert fired(unnamed).count("ccops.third-party-data") == 1
    assert fired(sought).count("ccops.third-party-data") == 1


def test_use_before_approval():
    found = [f for f in evaluate(facts(prior_use=True, prior_use_details="A 90-day free trial"),
                                 ["ccops"], SETTINGS) if f.rule_id == "ccops.prior-use"]
    assert len(found) == 1 and "90-day free trial" in found[0].evidence
    assert "ccops.prior-use" not in fired(facts(prior_use=False))


# ---------------------------------------------------------------- money as people type it


@pytest.mark.parametrize(("typed", "cents"), [
    ("1250000", 125_000_000), ("$1,250,000.50", 125_000_050), ("0.5", 50),
    (" 1,000,000,000 ", 100_000_000_000), ("99.99", 9999)])
def test_amounts_are_read_to_the_cent(typed, cents):
    assert cents_from_text(typed) == cents


@pytest.mark.parametrize("typed", ["12,34", "1.234", "about 12k", "-5", "1e9", "$",
                                   "1,000,000,000.01"])
def test_amounts_that_are_not_amounts_are_refused(typed):
    with pytest.raises(ValueError):
        cents_from_text(typed)


def test_cents_are_shown_back_as_typed_money():
    assert text_from_cents(125_000_050) == "1,250,000.50"
    assert text_from_cents(100) == "1"
    assert text_from_cents(None) == ""


# ---------------------------------------------------------------- the form and the pages


PARTICULARS = {
    "particulars-retention_practice_days": "365",
    "particulars-retention_practice": "Nothing has been deleted since 2019.",
    "particulars-retention_exceptions-0-purpose": "Active investigation",
    "particulars-retention_exceptions-0-limit_days": "",
    "particulars-efficacy_measured": "no",
    "particulars-procurement_method": "sole_source",
    "particulars-contract_term_months": "60",
    "particulars-contract_value_cents": "$1,250,000.50",
    "particulars-data_ownership": "vendor",
    "particulars-vendor_own_use": "yes",
    "particulars-network_sharing": "nationwide",
    "particulars-network_sharing_detail": "National Lookup and Statewide Lookup on",
    "particulars-third_party_data": "yes",
    "particulars-third_party_solicited": "yes",
    "particulars-prior_use": "yes",
    "particulars-prior_use_details": "A free trial in 2024.",
}


def test_the_department_files_the_particulars_and_the_public_sees_them(client, login_as, db):
    login_as("submitter")
    response = client.post("/department/proposals/new", data=form_data(**PARTICULARS))
    assert response.status_code == 302
    version = db.query(Proposal).one().current_version
    stored = version.particulars
    assert stored["contract_value_cents"] == 125_000_050
    assert stored["retention_exceptions"] == [{"purpose": "Active investigation",
                                               "limit_days": None}]
    assert stored["efficacy_measured"] is False and stored["vendor_own_use"] is True
    assert stored["network_sharing"] == "nationwide"
    edit_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'value="1,250,000.50"' in edit_page  # shown back as money, cents kept
    assert "Nothing has been deleted since 2019." in edit_page
    # An empty row is offered for another exception.
    assert 'name="particulars-retention_exceptions-1-purpose"' in edit_page
    proposal = db.query(Proposal).one()
    answer = client.post(f"/department/proposals/{proposal.id}/edit",
                         data=form_data(**PARTICULARS, save="", submit_for_review="1"))
    assert answer.status_code == 302
    rule_ids = {f.rule_id for f in db.query(Finding).all()}
    assert {"ccops.retention-exception-unlimited", "ccops.retention-practice-longer",
            "ccops.efficacy-not-measured", "ccops.sole-source", "ccops.vendor-data-use",
            "ccops.network-sharing", "ca.sb34.network-sharing", "ccops.third-party-data",
            "ccops.prior-use"} <= rule_ids
    page = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    for shown in ("Active investigation: no limit", "$1,250,000.50", "60 months",
                  "Sole source (no competition)", "Nationwide network or lookup",
                  "A free trial in 2024.", "365 days"):
        assert shown in page, shown


@pytest.mark.parametrize(("field", "typed", "message"), [
    ("particulars-contract_value_cents", "12,34", "Enter an amount in dollars"),
    ("particulars-contract_value_cents", "1,000,000,001", "no larger than $1,000,000,000"),
    ("particulars-contract_term_months", "99999", "no larger than 1,200 months"),
    ("particulars-retention_practice_days", "-1", "no smaller than 0"),
    ("particulars-retention_exceptions-0-limit_days", "forever", "Not a valid integer"),
    ("particulars-procurement_method", "bribery", "Not a valid choice"),
])
def test_bad_particulars_are_refused_next_to_the_field_and_keep_the_text(
        client, login_as, db, field, typed, message):
    login_as("submitter")
    story = "Our analysis of the vendor contract, which took a week. " * 10
    response = client.post("/department/proposals/new", data=form_data(**{
        field: typed, "particulars-prior_use_details": story}))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page
    assert message in page
    assert story.strip() in page  # nothing typed is lost
    if field != "particulars-procurement_method":
        assert f'value="{typed}"' in page
    assert db.query(Proposal).count() == 0


def test_the_determination_prints_the_particulars(app, db, world):
    answers = {"retention_exceptions": [{"purpose": "Court order", "limit_days": 365}],
               "procurement_method": "competitive", "contract_value_cents": 9_999_950,
               "efficacy_measured": True, "efficacy_evidence": "Found 12 missing persons.",
               "network_sharing": "off"}
    world.proposal(Stage.DECIDED, complete_data(particulars=answers))
    _issued, _data, text = issued_pdf(app, db)
    for printed in ("Retention, efficacy, procurement and sharing", "Court order: 365 days",
                    "$99,999.50", "Competitive bid or request for proposals",
                    "Found 12 missing persons.", "Off: no other agency can search our data",
                    "Prior use: Has the department already used"):
        assert printed in text, printed


def test_oaklands_plate_reader_limit_blocks_a_year_of_retention(db, world):
    world.profile = load_profile("oakland")
    item = world.proposal(Stage.SUBMITTED, complete_data(
        technology_category="alpr", retention_days=365,
        particulars={"retention_exceptions": [{"purpose": "Evidence", "limit_days": 90}]}))
    found = [f for f in db.query(Finding).filter_by(version_id=item.current_version.id)
             if f.rule_id == "ccops.retention-category-limit"]
    assert len(found) == 1 and found[0].severity.value == "blocking"
    assert found[0].citation.startswith("Oakland's ALPR use policy")
    assert "retention period: 365 days" in found[0].evidence
    assert "Evidence" not in found[0].evidence  # 90 days is within six months


def revision(**changes):
    """A second version whose earlier one had the same text, one sheriff and no places."""
    base = facts(recipients=[recipient()])
    earlier = {"earlier_number": 1, "earlier_recipients": ("ALAMEDA County Sheriffs Office",),
               "earlier_locations": base.impact_report.get("locations") or "",
               "earlier_purposes": base.use_policy["authorized_purposes"]}
    return facts(**{"recipients": [recipient()], **earlier, **changes})


def changes(version) -> list:
    return [f for f in evaluate(version, ["ccops"], SETTINGS)
            if f.rule_id == "ccops.material-change"]


def test_a_first_version_or_an_unchanged_revision_is_no_material_change():
    assert changes(facts(recipients=[recipient()])) == []
    assert changes(revision()) == []  # the same sheriff, however it is capitalised


def test_a_revision_that_adds_a_recipient_needs_new_approval():
    found = changes(revision(recipients=[recipient(), recipient(
        name="Vigilant LEARN", recipient_type="vendor_pool")]))
    assert len(found) == 1 and "Needs new approval" in found[0].message
    assert "Vigilant LEARN" in found[0].evidence and "since version 1" in found[0].evidence


def test_a_revision_that_adds_places_or_changes_purposes_is_flagged():
    places = changes(revision(sensitive_locations=("protest",)))
    assert len(places) == 1 and "protests and lawful assemblies" in places[0].evidence
    widened = revision(use_policy={**COMPLETE_POLICY, "authorized_purposes":
                                   "Stolen vehicles, and any investigation."})
    found = changes(widened)
    assert len(found) == 1 and "authorized purposes changed" in found[0].message
    assert "now: “Stolen vehicles, and any investigation.”" in found[0].evidence


FUSION = {"name": "Regional fusion center", "recipient_type": "fusion_center",
          "purpose": "Leads", "data_categories": "Video", "legal_basis": "MOU"}


def test_a_revision_is_compared_with_the_version_the_public_commented_on(db, world):
    # Version 1 goes out for comment; the council asks for revisions; version 2 adds a
    # recipient. Version 2 is compared with version 1.
    item = world.proposal(Stage.HEARING_SCHEDULED, complete_data(recipients=[]))
    world.hold_vote(item, motion="request_revisions")
    proposals.save_draft(db, item, world.submitter, world.clock(),
                         complete_data(recipients=[FUSION]))
    proposals.submit(db, item, world.submitter, world.clock(), world.profile)
    added = [f for f in db.query(Finding).filter_by(version_id=item.current_version.id)
             if f.rule_id == "ccops.material-change"]
    assert item.current_version.number == 2
    assert len(added) == 1 and "Regional fusion center" in added[0].evidence
    assert "since version 1" in added[0].evidence


def test_a_version_returned_before_comment_is_not_what_the_public_saw(db, world):
    item = world.proposal(Stage.SUBMITTED, complete_data(recipients=[]))
    return_to_department(db, item, world.clerk, world.clock(), world.profile, "Add detail.")
    proposals.save_draft(db, item, world.submitter, world.clock(),
                         complete_data(recipients=[FUSION]))
    proposals.submit(db, item, world.submitter, world.clock(), world.profile)
    assert item.current_version.number == 2
    assert not [f for f in db.query(Finding).filter_by(version_id=item.current_version.id)
                if f.rule_id == "ccops.material-change"]


def test_versions_filed_in_whole_dollars_still_read_as_money():
    from reviewapp.models import ProposalVersion
    from reviewapp.templating import cost_summary

    older = ProposalVersion(acquisition_cost=480_000, annual_cost=None)
    assert (older.acquisition_cents, older.annual_cents) == (48_000_000, None)
    assert cost_summary(older).startswith("$480,000 to acquire, annual cost not given")
    newer = ProposalVersion(acquisition_cost_cents=48_000_050, annual_cost_cents=9_500_000)
    assert cost_summary(newer).startswith("$480,000.50 to acquire, $95,000 a year")


def test_a_version_filed_before_the_questions_says_so(client, db, world):
    item = world.proposal(Stage.DRAFT)
    item.current_version.particulars = {}  # as migration 0011 left earlier versions
    proposals.submit(db, item, world.submitter, world.clock(), world.profile)
    db.commit()
    page = client.get(f"/proposals/{item.id}").get_data(as_text=True)
    assert "This version was filed before these questions were asked." in page
