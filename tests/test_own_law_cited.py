"""Findings cite the jurisdiction's own ordinance: a Seattle filing cites no California law."""

from sqlalchemy import select

from reviewapp.models import Finding, Stage
from reviewapp.profiles import load_profile
from tests.factories import complete_data

CALIFORNIA = ("California", "Civ. Code", "Gov. Code", "SB 34", "SB 54", "Oakland", "OMC",
              "SF Admin", "San Francisco", "Berkeley", "BMC", "california.public.law",
              "sanfranciscopolice", "oakland-ca")


def findings_of(db, item):
    return db.scalars(select(Finding).where(Finding.version_id == item.current_version.id)
                      ).all()


def a_filing_that_fires_many_rules():
    """An ALPR filing with a banned-elsewhere vendor secrecy clause, open retention,
    unnamed recipients and sensitive places, as a Washington department might file it."""
    policy = {"retention": "Kept 90 days, except reads tied to an investigation."}
    return complete_data(
        technology_category="alpr", technology_name="Plate readers", vendor_nda=True,
        retention_days=None, access_log=False, sensitive_locations=["place_of_worship"],
        recipients=[{"name": "Law enforcement agencies", "recipient_type": "not_stated",
                     "purpose": "", "data_categories": "reads", "legal_basis": ""},
                    {"name": "ICE", "recipient_type": "county", "purpose": "requests",
                     "data_categories": "reads", "legal_basis": "request"}],
        use_policy={**complete_data().use_policy, **policy})


def test_a_seattle_filing_cites_seattles_ordinance_and_no_california_law(db, world):
    world.profile = seattle = load_profile("seattle")
    item = world.proposal(Stage.SUBMITTED, a_filing_that_fires_many_rules())
    found = findings_of(db, item)
    assert len({f.rule_id for f in found}) >= 8  # the filing reached most of the pack
    for finding in found:
        cited = f"{finding.citation} {finding.citation_url}"
        assert not [word for word in CALIFORNIA if word in cited], (finding.rule_id, cited)
    assert sum(seattle.ordinance in f.citation for f in found) >= 3


def test_the_same_filing_in_oakland_cites_oaklands_ordinance(db, world):
    world.profile = oakland = load_profile("oakland")
    item = world.proposal(Stage.SUBMITTED, a_filing_that_fires_many_rules())
    found = {f.rule_id: f for f in findings_of(db, item)}
    assert oakland.ordinance in found["ccops.retention-period"].citation
    assert found["ccops.retention-period"].citation_url == oakland.ordinance_url
    assert "ca.sb34.alpr-sharing" in found  # and California's own law applies there
