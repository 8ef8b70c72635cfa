"""A banned technology cannot be overridden, opened for comment, heard, voted on or decided.

Every path is tried, through the services and by direct POSTs: the proposals are walked
under the profile without the ban, then the jurisdiction bans their technology (as when
an ordinance is amended), and every forward step is refused; return and withdrawal work.
"""

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from reviewapp.models import (
    CommentPeriod,
    Determination,
    Finding,
    FindingOverride,
    Motion,
    Proposal,
    Stage,
    Vote,
)
from reviewapp.services import comments, council, determinations, intake, proposals
from reviewapp.workflow import TransitionNotAllowed
from tests.factories import complete_data
from tests.test_compliance import NO_SETTINGS, facts, only, run

BAN_SETTINGS = {**NO_SETTINGS, "banned_technologies": ("face_recognition",)}

FACE = complete_data(technology_category="face_recognition",
                     technology_name="Face matching for the camera network")
BANNED = "bans face recognition"


@pytest.fixture
def ban(app, world, monkeypatch):
    """Ban face recognition in the running app (and for the services called with it)."""
    banned = replace(world.profile, banned_technologies=("face_recognition",))
    monkeypatch.setitem(app.extensions, "profile", banned)
    return banned


def count(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model))


def test_a_ban_is_a_sentence_citing_the_ordinance(world):
    banned = replace(world.profile, banned_technologies=("face_recognition",))
    assert banned.ban_on("face_recognition") == (
        f"{banned.jurisdiction} bans face recognition ({banned.ordinance}).")
    assert banned.ban_on("drone") is None and banned.ban_on(None) is None
    assert world.profile.ban_on("face_recognition") is None  # the demo profile bans nothing


def test_no_override_opens_comment_on_a_banned_technology(db, world, ban):
    item = world.proposal(Stage.ASSESSMENT, FACE)
    now = world.clock()
    with pytest.raises(TransitionNotAllowed, match=BANNED) as refused:
        comments.open_comment_period(db, item, world.clerk, now, ban, now,
                                     now + timedelta(days=ban.comment_days),
                                     override_reason="The chief insists; the council agrees.")
    assert refused.value.fact == "ban"
    db.rollback()
    assert db.get(Proposal, item.id).stage is Stage.ASSESSMENT
    assert count(db, FindingOverride) == 0 and count(db, CommentPeriod) == 0


def test_every_later_step_is_refused_once_the_technology_is_banned(db, world, ban):
    p, now = ban, world.clock
    reviewing = world.proposal(Stage.ADVISORY_REVIEW, FACE)
    awaiting = world.proposal(Stage.AWAITING_HEARING, FACE)
    to_move = world.proposal(Stage.HEARING_SCHEDULED, FACE)
    voting = world.proposal(Stage.HEARING_SCHEDULED, FACE)
    council.record_motion(db, voting, world.clerk, now(), world.profile, "deny", [], [],
                          "Member A")
    deciding = world.proposal(Stage.HEARING_SCHEDULED, FACE)
    world.hold_vote(deciding)
    db.commit()
    motions, votes = count(db, Motion), count(db, Vote)
    moved = (reviewing, awaiting, to_move, voting, deciding)
    stages = [item.stage for item in moved]
    steps = [
        lambda: council.record_recommendation(db, reviewing, world.advisory, now(), p,
                                              "approve", "Fine."),
        lambda: council.schedule_hearing(db, awaiting, world.clerk, now(), p,
                                         now().date() + timedelta(days=60), "Chamber"),
        lambda: council.record_motion(db, to_move, world.clerk, now(), p, "deny", [], [],
                                      "Member A"),
        lambda: council.cast_vote(db, voting, world.council[0], now(), p, "no"),
        lambda: council.close_roll_call(db, voting, world.clerk, now(), p),
        lambda: determinations.issue_determination(db, deciding, world.clerk, now(), p),
    ]
    for step in steps:
        with pytest.raises(TransitionNotAllowed, match=BANNED):
            step()
        db.rollback()
    assert count(db, Motion) == motions and count(db, Vote) == votes
    assert count(db, Determination) == 0
    assert [db.get(Proposal, item.id).stage for item in moved] == stages


def test_return_and_withdrawal_still_work(db, world, ban):
    submitted = world.proposal(Stage.SUBMITTED, FACE)
    assessed = world.proposal(Stage.ASSESSMENT, FACE)
    later = world.proposal(Stage.AWAITING_HEARING, FACE)
    intake.accept(db, submitted, world.clerk, world.clock(), ban)
    intake.return_to_department(db, assessed, world.clerk, world.clock(), ban,
                                "Face recognition is banned here.")
    proposals.withdraw(db, later, world.submitter, world.clock(), ban, "Banned.")
    db.commit()
    assert [db.get(Proposal, item.id).stage for item in (submitted, assessed, later)] == [
        Stage.ASSESSMENT, Stage.RETURNED, Stage.WITHDRAWN]


def test_the_banned_finding_says_no_override_applies(db, world, ban):
    world.profile = ban  # submitted under the ban: the finding is stored with the version
    item = world.proposal(Stage.SUBMITTED, FACE)
    found = {f.rule_id: f for f in db.scalars(
        select(Finding).where(Finding.version_id == item.current_version.id))}
    assert "No override applies" in found["ccops.banned-technology"].message


def test_direct_posts_are_refused_with_the_ban_shown(client, db, world, login_as, ban):
    today = world.clock().astimezone(ban.zone).date()
    assessed = world.proposal(Stage.ASSESSMENT, FACE)
    awaiting = world.proposal(Stage.AWAITING_HEARING, FACE)
    hearing = world.proposal(Stage.HEARING_SCHEDULED, FACE)
    deciding = world.proposal(Stage.HEARING_SCHEDULED, FACE)
    world.hold_vote(deciding)
    db.commit()
    login_as("clerk")
    page = client.get(f"/clerk/proposals/{assessed.id}").get_data(as_text=True)
    assert "Banned technology" in page and "Open public comment" not in page
    posts = [
        (f"/clerk/proposals/{assessed.id}/open-comment",
         {"closes_on": (today + timedelta(days=40)).isoformat(),
          "override_reason": "The council asked for it."}),
        (f"/clerk/proposals/{awaiting.id}/schedule",
         {"hearing_date": (today + timedelta(days=60)).isoformat(), "location": "Chamber"}),
        (f"/clerk/proposals/{hearing.id}/motion", {"motion_type": "deny", "moved_by": "A"}),
        (f"/clerk/proposals/{deciding.id}/issue", {}),
    ]
    for url, data in posts:
        response = client.post(url, data=data)
        assert response.status_code == 409, url
        assert BANNED in response.get_data(as_text=True), url
    assert count(db, FindingOverride) == 0 and count(db, Determination) == 0
    assert [db.get(Proposal, item.id).stage for item in (assessed, awaiting, hearing)] == [
        Stage.ASSESSMENT, Stage.AWAITING_HEARING, Stage.HEARING_SCHEDULED]


@pytest.mark.parametrize("name, vendor", [
    ("Investigative image search", "Clearview AI"),
    ("Facial recognition module for the camera network", "Acme"),
    ("Face-matching search", "Acme"),
])
def test_a_banned_technology_filed_as_another_kind_is_a_blocking_finding(name, vendor):
    version = facts(category="other", name=name, vendor=vendor)
    found = only(run(version, settings=BAN_SETTINGS), "ccops.possibly-banned")
    assert len(found) == 1 and found[0].severity.value == "blocking"
    assert "face recognition, which this jurisdiction bans" in found[0].message


def test_a_camera_name_without_those_words_is_not_flagged():
    version = facts(category="camera", name="Body-worn cameras", vendor="Axon")
    assert not only(run(version, settings=BAN_SETTINGS), "ccops.possibly-banned")
    # Without the ban, the same name is only a name.
    clearview = facts(category="other", name="Image search", vendor="Clearview AI")
    assert not only(run(clearview), "ccops.possibly-banned")
