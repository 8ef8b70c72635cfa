"""An exception the ordinance itself makes to a ban: named in the profile with its citation,
claimed by the department, and cleared only by the clerk's published override."""

import tomllib
from datetime import timedelta

import pytest

from reviewapp.models import Finding, Stage
from reviewapp.profiles import PROFILE_DIR, ProfileError, load_profile, parse_profile
from reviewapp.services.comments import open_comment_period
from reviewapp.workflow import TransitionNotAllowed
from tests.factories import complete_data
from tests.test_views_department import form_data

BANNED = "ccops.banned-technology"


@pytest.fixture
def app_config():
    return {"PROFILE": "san-francisco"}


def face_recognition(**answers):
    return complete_data(technology_category="face_recognition",
                         technology_name="Face matching in a vendor's evidence software",
                         particulars=answers)


def banned_findings(db, item):
    return [f for f in db.query(Finding).filter_by(version_id=item.current_version.id)
            if f.rule_id == BANNED]


def open_for_comment(world, item, override_reason: str):
    now = world.clock()
    return open_comment_period(world.db, item, world.clerk, now, world.profile, now,
                               now + timedelta(days=30), override_reason=override_reason)


def test_san_francisco_names_two_exceptions_with_citations():
    profile = load_profile("san-francisco")
    assert [e.key for e in profile.exceptions_to_ban("face_recognition")] == [
        "inadvertent-receipt", "embedded-device-feature"]
    assert all("19B.2" in e.citation for e in profile.ban_exceptions)
    assert profile.exceptions_to_ban("alpr") == ()


def test_without_a_claim_the_ban_stops_everything_even_with_an_override(db, world):
    world.profile = load_profile("san-francisco")
    item = world.proposal(Stage.ASSESSMENT, face_recognition())
    assert "No override applies" in banned_findings(db, item)[0].message
    with pytest.raises(TransitionNotAllowed, match="no override applies"):
        open_for_comment(world, item, "The council wants to discuss it.")


def test_a_claimed_exception_is_blocking_until_the_clerk_finds_it_applies(db, world):
    world.profile = load_profile("san-francisco")
    item = world.proposal(Stage.ASSESSMENT, face_recognition(
        ban_exception="embedded-device-feature",
        ban_exception_reason="Phones issued to detectives; Face ID is disabled by policy."))
    finding = banned_findings(db, item)[0]
    assert finding.severity.value == "blocking"
    assert "claims an exception" in finding.message and "19B.2" in finding.message
    assert "Face ID is disabled by policy" in finding.evidence
    with pytest.raises(TransitionNotAllowed, match="overridden with a written reason"):
        open_for_comment(world, item, "")
    open_for_comment(world, item, "Exception 2 applies: the devices' face unlock is not used.")
    assert item.stage is Stage.PUBLIC_COMMENT


def test_an_exception_to_another_ban_or_an_unknown_one_lifts_nothing(db, world):
    world.profile = load_profile("san-francisco")
    item = world.proposal(Stage.ASSESSMENT, face_recognition(ban_exception="made-up"))
    assert "No override applies" in banned_findings(db, item)[0].message
    assert world.profile.ban_on("face_recognition", "made-up")


def test_the_form_offers_only_the_ordinances_exceptions(client, login_as, db):
    login_as("submitter")
    page = client.get("/department/proposals/new").get_data(as_text=True)
    assert 'value="inadvertent-receipt"' in page and 'value="embedded-device-feature"' in page
    refused = client.post("/department/proposals/new", data=form_data(**{
        "technology_category": "face_recognition",
        "particulars-ban_exception": "the-council-said-so"}))
    assert refused.status_code == 400
    assert 'id="particulars-ban_exception-error"' in refused.get_data(as_text=True)


@pytest.mark.parametrize(("table", "named"), [
    ({"key": "x", "technology": "alpr", "exception": "y", "citation": "z"},
     "technology 'alpr' is not in banned_technologies"),
    ({"key": "x", "technology": "face_recognition", "exception": "y"}, "needs exactly"),
    ({"key": "x", "technology": "face_recognition", "exception": " ", "citation": "z"},
     "non-empty text"),
])
def test_bad_ban_exceptions_are_named(table, named):
    data = tomllib.loads((PROFILE_DIR / "san-francisco.toml").read_text(encoding="utf-8"))
    with pytest.raises(ProfileError, match=named):
        parse_profile("test-city", {**data, "ban_exceptions": [table]})


def test_the_claim_is_public_on_the_proposal_page(client, db, world):
    world.profile = load_profile("san-francisco")
    item = world.proposal(Stage.ASSESSMENT, face_recognition(
        ban_exception="inadvertent-receipt", ban_exception_reason="A store sent us a match."))
    page = client.get(f"/proposals/{item.id}").get_data(as_text=True)
    assert "Exception to the ban claimed" in page
    assert "received inadvertently or unintentionally" in page
    assert "A store sent us a match." in page
