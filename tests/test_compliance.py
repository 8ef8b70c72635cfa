"""The compliance rules, run over hand-built facts (no database, no Flask)."""

import pytest

from reviewapp.compliance import (
    ORDINANCE_URL,
    RecipientFacts,
    VersionFacts,
    active_rules,
    evaluate,
    packs,
)
from reviewapp.models.vocab import RecipientType, Severity, TechnologyCategory

ALL_PACKS = ("ccops", "california")
NO_SETTINGS = {"banned_technologies": (), "max_retention_days": None}

SB34 = "ca.sb34.alpr-sharing"
SB54 = "ca.sb54.immigration-enforcement"
DOCUMENTS = "ccops.documents-complete"
RETENTION = "ccops.retention-period"
BANNED = "ccops.banned-technology"


def recipient(name="Alameda County Sheriff's Office", recipient_type="county",
              purpose="stolen vehicle recovery", data_categories="plate reads",
              legal_basis="Civ. Code 1798.90.55") -> RecipientFacts:
    return RecipientFacts(name=name, recipient_type=recipient_type, purpose=purpose,
                          data_categories=data_categories, legal_basis=legal_basis)


# A use policy that answers every SB 34 element (A)-(G).
COMPLETE_POLICY = {key: f"The department's policy on {key}." for key in (
    "authorized_purposes", "access", "security", "auditing", "third_party_sharing",
    "custodian", "accuracy", "retention")}


def facts(category="alpr", name="Fixed license plate readers", retention_days=30,
          use_policy=None, recipients=(), missing_impact=(), missing_policy=(),
          **extra) -> VersionFacts:
    return VersionFacts(
        technology_category=category, technology_name=name, retention_days=retention_days,
        impact_report={"description": "Cameras read plates."},
        use_policy=use_policy if use_policy is not None else dict(COMPLETE_POLICY),
        recipients=tuple(recipients),
        missing_impact_sections=tuple(missing_impact),
        missing_policy_sections=tuple(missing_policy),
        # Answered as a careful department would: the rules below test one gap at a time.
        **{"access_log": True, "vendor": "Vendor Inc.", "efficacy_measured": True,
           "efficacy_evidence": "Hits per 1,000 reads over one year.",
           "network_sharing": "named", **extra},
    )


def run(version: VersionFacts, pack_names=ALL_PACKS, settings=None):
    return evaluate(version, pack_names, settings if settings is not None else NO_SETTINGS)


def ids(findings) -> list[str]:
    return [f.rule_id for f in findings]


def only(findings, rule_id):
    return [f for f in findings if f.rule_id == rule_id]


# ---------------------------------------------------------------- the packs themselves


def test_packs_hold_the_expected_rules():
    assert [r.id for r in packs()["ccops"]] == [
        DOCUMENTS, RETENTION, "ccops.retention-open-ended", "ccops.retention-limit",
        "ccops.retention-exception-unlimited", "ccops.retention-practice-longer",
        "ccops.retention-category-limit", "ccops.efficacy-not-measured", "ccops.sole-source",
        "ccops.vendor-data-use", "ccops.network-sharing", "ccops.third-party-data",
        "ccops.prior-use", BANNED,
        "ccops.possibly-banned", "ccops.vendor-nda",
        "ccops.sensitive-locations", "ccops.audit-log", "ccops.recipient-basis",
        "ccops.recipient-unspecified", "ccops.recipient-type-not-stated",
        "ccops.material-change", "ccops.recipient-type"]
    assert [r.id for r in packs()["california"]] == [
        "ca.sb34.policy-elements", "ca.sb34.access-log", SB34, "ca.sb34.network-sharing", SB54]


def test_every_rule_has_a_citation_and_url():
    for rule in active_rules(ALL_PACKS):
        assert rule.citation.strip(), rule.id
        # A rule citing the jurisdiction's own ordinance links to it (the profile's URL).
        assert rule.citation_url.startswith("https://") or rule.citation_url == \
            ORDINANCE_URL, rule.id
        assert rule.title.strip(), rule.id


def test_a_clean_proposal_has_no_findings():
    clean = facts(recipients=[recipient()])
    assert run(clean) == []


# ---------------------------------------------------------------- SB 34 (ALPR sharing)


@pytest.mark.parametrize(("recipient_type", "name"), [
    ("vendor_pool", "National Vehicle Location Service"),
    ("federal", "U.S. Customs and Border Protection"),
    ("other_state", "Arizona Department of Public Safety"),
    ("private", "Acme Repossession LLC"),
])
def test_sb34_fires_on_sharing_outside_california_public_agencies(recipient_type, name):
    found = only(run(facts(recipients=[recipient(name=name, recipient_type=recipient_type,
                                                 purpose="investigative leads")])), SB34)
    assert len(found) == 1
    finding = found[0]
    assert finding.severity is Severity.BLOCKING
    assert f"“{name}”" in finding.evidence
    assert RecipientType(recipient_type).label in finding.evidence
    assert "investigative leads" in finding.evidence
    assert "1798.90.55" in finding.citation


@pytest.mark.parametrize("recipient_type", ["city", "county", "ca_state"])
def test_sb34_silent_for_california_public_agencies(recipient_type):
    found = run(facts(recipients=[recipient(name="Some California agency",
                                            recipient_type=recipient_type)]))
    assert SB34 not in ids(found)


def test_sb34_one_finding_per_offending_recipient():
    recipients = [
        recipient(name="Oakland Police Department", recipient_type="city"),
        recipient(name="Vendor Cloud Pool", recipient_type="vendor_pool"),
        recipient(name="Nevada Highway Patrol", recipient_type="other_state"),
    ]
    found = only(run(facts(recipients=recipients)), SB34)
    assert len(found) == 2
    evidence = " ".join(f.evidence for f in found)
    assert "Vendor Cloud Pool" in evidence
    assert "Nevada Highway Patrol" in evidence
    assert "Oakland Police Department" not in evidence


def test_sb34_accepts_enum_recipient_types_and_categories():
    version = facts(category=TechnologyCategory.ALPR,
                    recipients=[recipient(recipient_type=RecipientType.FEDERAL)])
    assert SB34 in ids(run(version))


@pytest.mark.parametrize("category", [c.value for c in TechnologyCategory
                                      if c is not TechnologyCategory.ALPR] + [None])
def test_sb34_only_covers_alpr(category):
    version = facts(category=category, recipients=[
        recipient(name="Federal Bureau of Investigation", recipient_type="federal",
                  purpose="joint task force"),
    ])
    assert SB34 not in ids(run(version))


# ---------------------------------------------------------------- SB 54 (immigration)


@pytest.mark.parametrize("purpose", [
    "immigration enforcement",
    "assist with Immigration Enforcement operations",
    "civil immigration detainer requests",
    "deportation support",
])
def test_sb54_fires_on_an_immigration_purpose(purpose):
    version = facts(category="drone", recipients=[recipient(purpose=purpose)])
    found = only(run(version), SB54)
    assert len(found) == 1
    assert found[0].severity is Severity.BLOCKING
    assert purpose in found[0].evidence
    assert "7284.6" in found[0].citation


@pytest.mark.parametrize("name", [
    "ICE",
    "U.S. Immigration and Customs Enforcement",
    "ICE ERO San Francisco",
    "DHS / HSI",
    "U.S. Border Patrol",
])
def test_sb54_fires_on_an_immigration_agency_even_with_the_wrong_type(name):
    # Typed as a county agency (wrong), with a harmless-sounding purpose.
    version = facts(recipients=[recipient(name=name, recipient_type="county",
                                          purpose="stolen vehicle recovery")])
    findings = run(version)
    found = only(findings, SB54)
    assert len(found) == 1
    assert f"“{name}”" in found[0].evidence
    # The wrong type does not hide the agency from SB 34 either, and the finding says so.
    sharing = only(findings, SB34)
    assert len(sharing) == 1 and "looks wrong" in sharing[0].message
    assert "looks wrong" in found[0].message
    assert "ccops.recipient-type" in ids(findings)


def test_sb54_applies_to_every_technology():
    version = facts(category="camera", recipients=[recipient(name="ICE",
                                                             recipient_type="federal")])
    assert SB54 in ids(run(version))


@pytest.mark.parametrize(("name", "recipient_type", "purpose"), [
    ("Alameda County Sheriff's Office", "county", "stolen vehicle recovery"),
    ("ICEland Frozen Foods", "private", "loss prevention"),
    ("Oakland Police Department", "city", "investigating police shootings"),
    ("Office of Justice Services", "ca_state", "criminal investigations"),
    ("Heroic Services Inc.", "private", "camera maintenance"),
    ("California Highway Patrol", "ca_state", "Amber alerts"),
])
def test_sb54_silent_for_benign_recipients(name, recipient_type, purpose):
    version = facts(category="drone", recipients=[recipient(name=name,
                                                            recipient_type=recipient_type,
                                                            purpose=purpose)])
    assert SB54 not in ids(run(version))


def test_sb54_catches_a_vendor_pool_that_lists_ice_among_its_users():
    pool = recipient(name="National Vehicle Location Service", recipient_type="vendor_pool",
                     purpose="investigative leads",
                     data_categories="plate scans, searchable by ICE ERO")
    found = only(run(facts(recipients=[pool])), SB54)
    assert len(found) == 1
    assert "National Vehicle Location Service" in found[0].evidence


def test_sb54_silent_for_a_vendor_pool_without_immigration_users():
    pool = recipient(name="Regional Plate Pool", recipient_type="vendor_pool",
                     purpose="investigative leads", data_categories="plate scans")
    findings = run(facts(recipients=[pool]))
    assert SB54 not in ids(findings)
    assert SB34 in ids(findings)  # still not a California public agency


def test_sb54_does_not_mistake_the_word_ice_for_the_agency():
    rink = recipient(name="Oakland Ice Center", recipient_type="city",
                     purpose="parking lot security")
    assert SB54 not in ids(run(facts(category="camera", recipients=[rink])))


# ---------------------------------------------------------------- retention


def test_missing_retention_fires_quoting_the_policy_text():
    version = facts(retention_days=None, use_policy={"retention": "As long as needed."})
    found = only(run(version), RETENTION)
    assert len(found) == 1
    assert found[0].severity is Severity.WARNING
    assert "“As long as needed.”" in found[0].evidence
    assert "not given" in found[0].evidence


def test_missing_retention_with_empty_policy_text_says_so():
    found = only(run(facts(retention_days=None, use_policy={})), RETENTION)
    assert len(found) == 1
    assert "empty" in found[0].evidence


@pytest.mark.parametrize("days", [0, 30, 365])
def test_retention_given_in_days_does_not_fire(days):
    assert RETENTION not in ids(run(facts(retention_days=days, use_policy={})))


# ---------------------------------------------------------------- banned technology


def test_banned_technology_fires_when_listed():
    version = facts(category="face_recognition", name="FaceFinder 3000")
    found = only(run(version, settings={"banned_technologies": ("face_recognition",)}),
                 BANNED)
    assert len(found) == 1
    assert found[0].severity is Severity.BLOCKING
    assert "FaceFinder 3000" in found[0].evidence


def test_banned_technology_silent_when_not_listed():
    version = facts(category="face_recognition", name="FaceFinder 3000")
    assert BANNED not in ids(run(version, settings={"banned_technologies": ("drone",)}))
    assert BANNED not in ids(run(version, settings={"banned_technologies": ()}))
    assert BANNED not in ids(run(version, settings={}))


def test_banned_list_does_not_match_a_missing_category():
    version = facts(category=None)
    assert BANNED not in ids(run(version, settings={"banned_technologies": ("alpr",)}))


# ---------------------------------------------------------------- documents


def test_incomplete_documents_fire_once_per_document_naming_sections():
    version = facts(missing_impact=("Purpose and intended benefits", "Alternatives considered"),
                    missing_policy=("Custodian",))
    found = only(run(version), DOCUMENTS)
    assert len(found) == 2
    assert all(f.severity is Severity.BLOCKING for f in found)
    impact, policy = found
    assert "Impact Report" in impact.message
    assert "Purpose and intended benefits" in impact.evidence
    assert "Alternatives considered" in impact.evidence
    assert "Use Policy" in policy.message
    assert "Custodian" in policy.evidence


def test_only_the_use_policy_incomplete():
    found = only(run(facts(missing_policy=("Retention and destruction",))), DOCUMENTS)
    assert len(found) == 1
    assert "Use Policy" in found[0].message


def test_complete_documents_do_not_fire():
    assert DOCUMENTS not in ids(run(facts()))


# ---------------------------------------------------------------- the engine


def test_evaluate_puts_blocking_findings_first():
    version = facts(
        retention_days=None,  # warning (from the first pack)
        missing_impact=("Custodian",),  # blocking
        recipients=[recipient(name="ICE", recipient_type="federal")],  # two blocking
    )
    findings = run(version)
    severities = [f.severity for f in findings]
    assert severities == [Severity.BLOCKING] * 3 + [Severity.WARNING]
    assert set(ids(findings)) == {DOCUMENTS, SB34, SB54, RETENTION}
    # Within a severity, pack order is kept.
    assert ids(findings)[:3] == [DOCUMENTS, SB34, SB54]


def test_evaluate_copies_rule_metadata_into_findings():
    rule = next(r for r in active_rules(["california"]) if r.id == SB34)
    finding = only(run(facts(recipients=[recipient(recipient_type="private")])), SB34)[0]
    assert finding.title == rule.title
    assert finding.citation == rule.citation
    assert finding.citation_url == rule.citation_url


def test_only_the_ccops_pack_means_no_california_findings():
    version = facts(retention_days=None,
                    recipients=[recipient(name="ICE", recipient_type="federal",
                                          purpose="immigration enforcement")])
    findings = run(version, pack_names=["ccops"])
    assert ids(findings) == [RETENTION]
    # The same facts under both packs do produce the California findings.
    assert {SB34, SB54} <= set(ids(run(version)))


def test_only_the_california_pack_means_no_ccops_findings():
    version = facts(retention_days=None, missing_policy=("Custodian",),
                    recipients=[recipient(recipient_type="vendor_pool")])
    assert ids(run(version, pack_names=["california"])) == [SB34]


def test_no_packs_no_findings():
    version = facts(retention_days=None, recipients=[recipient(recipient_type="federal")])
    assert run(version, pack_names=[]) == []


def test_unknown_pack_is_an_error():
    with pytest.raises(KeyError):
        active_rules(["texas"])


def test_retention_over_the_profile_maximum_is_flagged():
    from reviewapp.compliance import VersionFacts, evaluate

    facts = VersionFacts(technology_category="alpr", technology_name="ALPR",
                         retention_days=365, impact_report={}, use_policy={}, recipients=())
    over = evaluate(facts, ["ccops"], {"max_retention_days": 60, "banned_technologies": ()})
    assert [f.evidence for f in over if f.rule_id == "ccops.retention-limit"] == [
        "Retention period (days): 365"]
    within = evaluate(facts, ["ccops"], {"max_retention_days": 365, "banned_technologies": ()})
    unlimited = evaluate(facts, ["ccops"], {"max_retention_days": None,
                                            "banned_technologies": ()})
    assert not [f for f in within + unlimited if f.rule_id == "ccops.retention-limit"]


# ---------------------------------------------------------------- rules added for issue 3

def test_vendor_nda_fires_only_when_the_contract_has_one():
    assert only(run(facts(vendor_nda=True)), "ccops.vendor-nda")[0].evidence == (
        "Vendor: “Vendor Inc.”; non-disclosure clause: yes")
    assert not only(run(facts(vendor_nda=False)), "ccops.vendor-nda")
    assert not only(run(facts(vendor_nda=None)), "ccops.vendor-nda")


def test_sensitive_locations_need_safeguards():
    bare = run(facts(sensitive_locations=("school", "protest")))
    found = only(bare, "ccops.sensitive-locations")
    assert found and "schools, protests and lawful assemblies" in found[0].evidence
    guarded = run(facts(sensitive_locations=("school",),
                        sensitive_safeguards="No cameras within 500 feet of a school."))
    assert not only(guarded, "ccops.sensitive-locations")
    assert not only(run(facts()), "ccops.sensitive-locations")


@pytest.mark.parametrize("answer, evidence", [(None, "not answered"), (False, "no")])
def test_missing_access_log_fires_the_audit_rule_and_sb34(answer, evidence):
    findings = run(facts(access_log=answer))
    assert evidence in only(findings, "ccops.audit-log")[0].evidence
    assert evidence in only(findings, "ca.sb34.access-log")[0].evidence


def test_access_log_kept_fires_neither_rule_and_sb34_log_is_alpr_only():
    assert not only(run(facts(access_log=True)), "ccops.audit-log")
    assert not only(run(facts(access_log=True)), "ca.sb34.access-log")
    assert not only(run(facts(category="drone", access_log=False)), "ca.sb34.access-log")


def test_sb34_policy_elements_name_each_missing_letter():
    policy = dict(COMPLETE_POLICY, custodian="", accuracy="")
    found = only(run(facts(use_policy=policy)), "ca.sb34.policy-elements")
    assert len(found) == 1
    assert "(E) the custodian" in found[0].evidence
    assert "(F) accuracy" in found[0].evidence
    assert "(A)" not in found[0].evidence
    assert not only(run(facts()), "ca.sb34.policy-elements")
    # (C) is answered by either the security or the auditing section.
    assert not only(run(facts(use_policy=dict(COMPLETE_POLICY, security=""))),
                    "ca.sb34.policy-elements")


def test_selling_alpr_data_is_a_violation_even_to_a_california_agency():
    seller = recipient(recipient_type="county", purpose="Resale of plate reads to insurers")
    assert "may not be sold" in only(run(facts(recipients=[seller])), SB34)[0].message
    assert not only(run(facts(recipients=[recipient()])), SB34)


def test_recipient_without_purpose_or_legal_basis():
    bare = recipient(purpose="", legal_basis="")
    found = only(run(facts(recipients=[bare])), "ccops.recipient-basis")
    assert "purpose or legal basis" in found[0].message
    assert not only(run(facts(recipients=[recipient()])), "ccops.recipient-basis")


def test_recipient_type_mismatch_is_flagged_for_known_agencies_only():
    wrong = recipient(name="FBI Sacramento field office", recipient_type="county")
    found = only(run(facts(category="camera", recipients=[wrong])), "ccops.recipient-type")
    assert "Federal Bureau of Investigation" in found[0].evidence
    right = recipient(name="FBI Sacramento field office", recipient_type="federal")
    assert not only(run(facts(category="camera", recipients=[right])),
                    "ccops.recipient-type")
    unknown = recipient(name="Alameda County Sheriff's Office", recipient_type="county")
    assert not only(run(facts(recipients=[unknown])), "ccops.recipient-type")


def test_a_vendor_pool_entered_as_a_county_still_breaks_sb34():
    pool = recipient(name="Vigilant LEARN national database", recipient_type="county",
                     purpose="investigative leads")
    found = only(run(facts(recipients=[pool])), SB34)
    assert found and "Vendor-pooled database" in found[0].message
