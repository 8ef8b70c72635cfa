"""The Washington and Illinois rule packs, run over hand-built facts (no database, no Flask).

Each rule has a case that fires and a close case that does not. The packs are made known
to the engine here if it does not list them yet, so these tests pass before and after they
are registered in compliance.packs().
"""

import pytest

from reviewapp import compliance
from reviewapp.compliance import RecipientFacts, VersionFacts, evaluate, illinois, washington
from reviewapp.models.vocab import Severity
from reviewapp.profiles import load_profile
from tests.test_own_law_cited import CALIFORNIA

WA_SETTINGS = {"banned_technologies": (), "max_retention_days": None, "state": "Washington"}
IL_SETTINGS = {"banned_technologies": (), "max_retention_days": None, "state": "Illinois"}

WA_IMMIGRATION = "washington.immigration-sharing"
WA_ONWARD = "washington.onward-immigration-use"
WA_ALPR_SHARING = "washington.alpr-sharing"
WA_NETWORK = "washington.alpr-network"
WA_RETENTION = "washington.alpr-retention"
WA_AUDIT = "washington.alpr-audit-trail"
WA_PLACES = "washington.alpr-sensitive-locations"
IL_TRUST = "illinois.trust-act"
IL_ALPR_IMMIGRATION = "illinois.alpr-immigration"
IL_OUT_OF_STATE = "illinois.alpr-out-of-state"
IL_POOLED = "illinois.alpr-pooled-sharing"

# Spellings of a federal immigration agency that folding must still recognize.
IMMIGRATION_NAMES = ("ICE", "Immigration & Customs Enforcement", "U.S. I.C.E.", "ＩＣＥ",
                     "IСE", "U.S. Border Patrol", "Homeland Security Investigations")


@pytest.fixture(autouse=True)
def packs_registered(monkeypatch):
    """Make both packs known to the engine (and to profile loading) for these tests."""
    available = compliance.packs()
    if "washington" not in available or "illinois" not in available:
        extended = {**available, "washington": washington.RULES, "illinois": illinois.RULES}
        monkeypatch.setattr(compliance, "packs", lambda: extended)


def recipient(name="King County Sheriff's Office", recipient_type="county",
              purpose="stolen vehicle recovery", data_categories="plate reads",
              legal_basis="interlocal agreement") -> RecipientFacts:
    return RecipientFacts(name=name, recipient_type=recipient_type, purpose=purpose,
                          data_categories=data_categories, legal_basis=legal_basis)


def facts(category="alpr", recipients=(), retention_days=14, **extra) -> VersionFacts:
    defaults = {"access_log": True, "vendor": "Vendor Inc.",
                "use_policy": {"third_party_sharing": "Shared with listed agencies."}}
    return VersionFacts(
        technology_category=category, technology_name="Fixed license plate readers",
        retention_days=retention_days, impact_report={"description": "Cameras read plates."},
        recipients=tuple(recipients), **{**defaults, **extra})


def run(version, pack, settings):
    return evaluate(version, [pack], settings)


def wa(version):
    return run(version, "washington", WA_SETTINGS)


def il(version):
    return run(version, "illinois", IL_SETTINGS)


def only(findings, rule_id):
    return [f for f in findings if f.rule_id == rule_id]


def ids(findings) -> set[str]:
    return {f.rule_id for f in findings}


# ---------------------------------------------------------------- the packs themselves


@pytest.mark.parametrize("rules", [washington.RULES, illinois.RULES])
def test_every_rule_cites_a_primary_source(rules):
    for rule in rules:
        assert rule.citation.strip() and rule.title.strip(), rule.id
        assert rule.citation_url.startswith(("https://app.leg.wa.gov/", "https://www.ilga.gov/",
                                             "https://lawfilesext.leg.wa.gov/")), rule.id
        assert not [word for word in CALIFORNIA if word in rule.citation + rule.citation_url]


def test_rule_ids_are_unique_and_prefixed():
    wa_ids = [rule.id for rule in washington.RULES]
    il_ids = [rule.id for rule in illinois.RULES]
    assert len(set(wa_ids + il_ids)) == len(wa_ids + il_ids)
    assert all(i.startswith("washington.") for i in wa_ids)
    assert all(i.startswith("illinois.") for i in il_ids)


# ---------------------------------------------------------------- Washington: RCW 10.93.160


@pytest.mark.parametrize("name", IMMIGRATION_NAMES)
def test_an_immigration_agency_blocks_whatever_its_spelling_or_type(name):
    found = only(wa(facts(category="camera", recipients=[recipient(name=name)])),
                 WA_IMMIGRATION)
    assert len(found) == 1
    assert found[0].severity is Severity.BLOCKING
    assert "RCW 10.93.160" in found[0].citation
    assert f"“{name}”" in found[0].evidence
    assert "looks wrong" in found[0].message  # entered as a county agency


def test_a_purpose_of_immigration_enforcement_blocks():
    found = wa(facts(recipients=[recipient(name="Regional task force", recipient_type="federal",
                                           purpose="civil immigration enforcement support")]))
    assert len(only(found, WA_IMMIGRATION)) == 1


@pytest.mark.parametrize("close", [
    recipient(name="Ice Arena security office", recipient_type="private",
              purpose="event security"),
    recipient(purpose="stolen vehicles; not for immigration enforcement"),
    recipient(purpose="Stolen vehicles. No sharing with U.S. I.C.E. or CBP"),
])
def test_ice_as_a_word_or_a_stated_restriction_is_not_immigration_sharing(close):
    assert not only(wa(facts(recipients=[close])), WA_IMMIGRATION)


@pytest.mark.parametrize("purpose", [
    "Shared without delay with ICE for deportations", "No-cost access for ICE deportation cases",
    "Not only criminal cases: also immigration enforcement"])
def test_a_negation_that_does_not_negate_the_sharing_hides_nothing(purpose):
    partner = recipient(name="Regional Intelligence Partner", recipient_type="federal",
                        purpose=purpose)
    assert len(only(wa(facts(recipients=[partner])), WA_IMMIGRATION)) == 1
    assert len(only(il(facts(recipients=[partner])), IL_TRUST)) == 1


@pytest.mark.parametrize("name, kind", [
    ("Federal Bureau of Investigation", "federal"),
    ("Boise Idaho Police Department", "city"),  # another state's agency, entered as ours
    ("Flock Safety national lookup", "vendor_pool"),
    ("Puget Sound fusion center", "fusion_center"),
    ("Partner agency", "not_stated"),
])
def test_a_recipient_that_can_pass_data_on_without_a_restriction_warns(name, kind):
    version = facts(category="camera", recipients=[recipient(name=name, recipient_type=kind)])
    found = only(wa(version), WA_ONWARD)
    assert len(found) == 1
    assert found[0].severity is Severity.WARNING
    assert f"“{name}”" in found[0].evidence


def test_a_stated_restriction_or_a_washington_agency_does_not_warn():
    restricted = recipient(name="FBI", recipient_type="federal",
                           legal_basis="MOU: no use for civil immigration enforcement")
    ours = recipient(name="Washington State Patrol", recipient_type="ca_state")
    assert not only(wa(facts(category="camera", recipients=[restricted, ours])), WA_ONWARD)


def test_a_use_policy_restriction_covers_every_recipient():
    version = facts(category="camera", recipients=[recipient(name="FBI", recipient_type="federal")],
                    use_policy={"third_party_sharing": "Data is never shared for immigration "
                                                       "enforcement."})
    assert not only(wa(version), WA_ONWARD)


def test_an_immigration_agency_is_not_also_warned_about():
    ice = recipient(name="ICE", recipient_type="federal")
    assert ids(wa(facts(category="camera", recipients=[ice]))) == {WA_IMMIGRATION}


# ---------------------------------------------------------------- Washington: ESSB 6002


def test_alpr_data_shared_with_a_federal_agency_blocks():
    found = only(wa(facts(recipients=[recipient(name="FBI", recipient_type="federal")])),
                 WA_ALPR_SHARING)
    assert len(found) == 1
    assert found[0].severity is Severity.BLOCKING
    assert "ESSB 6002" in found[0].citation
    assert "judicial proceeding" in found[0].message


def test_alpr_data_shared_with_an_immigration_agency_names_the_immigration_ban():
    found = only(wa(facts(recipients=[recipient(name="U.S. I.C.E.")])), WA_ALPR_SHARING)
    assert len(found) == 1
    assert "immigration" in found[0].message


def test_alpr_data_sold_blocks_even_to_a_washington_agency():
    found = only(wa(facts(recipients=[recipient(purpose="resale to insurers")])),
                 WA_ALPR_SHARING)
    assert len(found) == 1
    assert "sold" in found[0].message


@pytest.mark.parametrize("close", [
    recipient(),  # a Washington county agency
    recipient(name="FBI", recipient_type="federal", legal_basis="court order"),
])
def test_alpr_data_for_a_washington_agency_or_a_court_order_does_not_block(close):
    assert not only(wa(facts(recipients=[close])), WA_ALPR_SHARING)


def test_alpr_sharing_rules_do_not_apply_to_other_technologies():
    found = wa(facts(category="drone", recipients=[recipient(name="FBI", recipient_type="federal")],
                     retention_days=90, access_log=False))
    assert not ids(found) & {WA_ALPR_SHARING, WA_RETENTION, WA_AUDIT}


def test_another_states_agency_entered_as_ours_is_read_as_another_state():
    found = only(wa(facts(recipients=[recipient(name="Boise Idaho Police Department",
                                                recipient_type="city")])), WA_ALPR_SHARING)
    assert len(found) == 1
    assert "Another state" in found[0].message


@pytest.mark.parametrize(("setting", "fires"), [("nationwide", True), ("statewide", False),
                                                ("off", False)])
def test_a_nationwide_lookup_blocks(setting, fires):
    found = only(wa(facts(network_sharing=setting)), WA_NETWORK)
    assert bool(found) is fires


@pytest.mark.parametrize(("days", "practice", "fires"), [
    (30, None, True), (21, None, False), (14, 45, True), (None, None, False)])
def test_alpr_data_kept_longer_than_21_days_blocks(days, practice, fires):
    found = only(wa(facts(retention_days=days, retention_practice_days=practice)), WA_RETENTION)
    assert bool(found) is fires
    if fires:
        assert found[0].severity is Severity.BLOCKING


@pytest.mark.parametrize(("kept", "fires"), [(False, True), (None, True), (True, False)])
def test_no_audit_trail_blocks(kept, fires):
    assert bool(only(wa(facts(access_log=kept)), WA_AUDIT)) is fires


@pytest.mark.parametrize(("places", "fires"), [
    (("school",), True), (("place_of_worship", "protest"), True), (("court",), True),
    (("protest",), False), ((), False)])
def test_plate_readers_at_schools_worship_or_courts_block(places, fires):
    found = only(wa(facts(sensitive_locations=places)), WA_PLACES)
    assert bool(found) is fires


# ---------------------------------------------------------------- Seattle: Washington law only


def seattle_settings(profile) -> dict:
    return {"banned_technologies": profile.banned_technologies,
            "max_retention_days": profile.max_retention_days,
            "ordinance": profile.ordinance, "ordinance_url": profile.ordinance_url,
            "state": profile.state}


def test_a_seattle_evaluation_cites_washington_law_and_no_california_law():
    seattle = load_profile("seattle")
    assert seattle.rule_packs == ("ccops", "washington")
    version = facts(retention_days=90, access_log=False, vendor_nda=True,
                    sensitive_locations=("school",), network_sharing="nationwide",
                    recipients=[recipient(name="ICE", purpose="requests"),
                                recipient(name="Law enforcement agencies",
                                          recipient_type="not_stated", purpose=""),
                                recipient(name="Phoenix AZ PD", recipient_type="city")])
    found = evaluate(version, seattle.rule_packs, seattle_settings(seattle))
    assert {WA_IMMIGRATION, WA_ALPR_SHARING, WA_RETENTION, WA_AUDIT, WA_PLACES,
            WA_NETWORK} <= ids(found)
    for finding in found:
        cited = f"{finding.citation} {finding.citation_url}"
        assert not [word for word in CALIFORNIA if word in cited], (finding.rule_id, cited)


# ---------------------------------------------------------------- Illinois: TRUST Act


@pytest.mark.parametrize("name", IMMIGRATION_NAMES)
def test_illinois_blocks_an_immigration_agency_for_any_technology(name):
    found = only(il(facts(category="camera", recipients=[recipient(name=name)])), IL_TRUST)
    assert len(found) == 1
    assert found[0].severity is Severity.BLOCKING
    assert "5 ILCS 805" in found[0].citation
    assert f"“{name}”" in found[0].evidence


def test_illinois_does_not_block_an_illinois_agency_or_a_restriction():
    version = facts(category="camera", recipients=[
        recipient(name="Illinois State Police", recipient_type="ca_state"),
        recipient(name="Cook County Sheriff", purpose="warrants; not for immigration purposes")])
    assert not only(il(version), IL_TRUST)


# ---------------------------------------------------------------- Illinois: 625 ILCS 5/2-130


def test_alpr_data_searchable_by_ice_in_a_vendor_pool_blocks():
    pool = recipient(name="Vigilant LEARN", recipient_type="vendor_pool",
                     purpose="hot list alerts", data_categories="reads searchable by ICE and HSI")
    found = only(il(facts(recipients=[pool])), IL_ALPR_IMMIGRATION)
    assert len(found) == 1
    assert found[0].severity is Severity.BLOCKING
    assert found[0].citation == "625 ILCS 5/2-130(b)(2)"


def test_a_pool_closed_to_immigration_agencies_is_not_immigration_sharing():
    pool = recipient(name="Vigilant LEARN", recipient_type="vendor_pool",
                     data_categories="reads; not searchable by ICE")
    assert not only(il(facts(recipients=[pool])), IL_ALPR_IMMIGRATION)


def test_alpr_data_to_an_out_of_state_agency_without_a_declaration_blocks():
    found = only(il(facts(recipients=[recipient(name="Gary Indiana Police Department",
                                                recipient_type="city")])), IL_OUT_OF_STATE)
    assert len(found) == 1
    assert found[0].severity is Severity.BLOCKING
    assert found[0].citation == "625 ILCS 5/2-130(c)"
    assert "looks wrong" in found[0].message  # entered as a city department


@pytest.mark.parametrize("close", [
    recipient(name="Gary Indiana Police Department", recipient_type="other_state",
              legal_basis="written declaration under 625 ILCS 5/2-130(c), signed 2024-01-05"),
    recipient(name="Chicago Police Department", recipient_type="city"),
    recipient(name="Illinois State Police", recipient_type="ca_state"),
])
def test_a_declaration_or_an_illinois_agency_does_not_block(close):
    assert not only(il(facts(recipients=[close])), IL_OUT_OF_STATE)


@pytest.mark.parametrize("basis", [
    "No written declaration obtained", "Declaration not yet signed", "MOU; declaration pending"])
def test_a_declaration_named_but_not_given_still_blocks(basis):
    gary = recipient(name="Gary Indiana Police Department", recipient_type="other_state",
                     legal_basis=basis)
    assert len(only(il(facts(recipients=[gary])), IL_OUT_OF_STATE)) == 1


def test_the_home_state_comes_from_settings():
    # Read with California as home, "Illinois State Police" would be another state's agency.
    isp = recipient(name="Illinois State Police", recipient_type="ca_state")
    assert not only(il(facts(recipients=[isp])), IL_OUT_OF_STATE)
    in_california = run(facts(recipients=[isp]), "illinois", {**IL_SETTINGS, "state": "California"})
    assert only(in_california, IL_OUT_OF_STATE)


@pytest.mark.parametrize("pool", [
    recipient(name="Flock Safety national lookup", recipient_type="vendor_pool"),
    recipient(name="Statewide terrorism and intelligence center", recipient_type="fusion_center"),
    recipient(name="Other agencies", recipient_type="not_stated"),
])
def test_a_pool_without_declarations_warns(pool):
    found = only(il(facts(recipients=[pool])), IL_POOLED)
    assert len(found) == 1
    assert found[0].severity is Severity.WARNING


def test_a_pool_with_declarations_does_not_warn():
    pool = recipient(name="Flock Safety national lookup", recipient_type="vendor_pool",
                     legal_basis="each out-of-state agency signs the 2-130(c) declaration")
    assert not only(il(facts(recipients=[pool])), IL_POOLED)


@pytest.mark.parametrize(("setting", "fires"), [("nationwide", True), ("named", False)])
def test_a_nationwide_lookup_warns_in_illinois(setting, fires):
    assert bool(only(il(facts(network_sharing=setting)), IL_POOLED)) is fires


def test_illinois_alpr_rules_do_not_apply_to_other_technologies():
    found = il(facts(category="drone", recipients=[
        recipient(name="Gary Indiana Police Department", recipient_type="other_state")]))
    assert not ids(found) & {IL_ALPR_IMMIGRATION, IL_OUT_OF_STATE, IL_POOLED}


def test_oak_park_runs_the_illinois_pack():
    oak_park = load_profile("oak-park")
    found = evaluate(facts(recipients=[recipient(name="U.S. I.C.E.", recipient_type="federal")]),
                     oak_park.rule_packs, {**IL_SETTINGS, "ordinance": oak_park.ordinance})
    assert {IL_TRUST, IL_ALPR_IMMIGRATION} <= ids(found)
    assert not [f for f in found if f.rule_id.startswith(("washington.", "ca."))]
