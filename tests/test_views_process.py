"""The clerk, public, advisory and council steps, each through its real page."""

import secrets
from datetime import timedelta

from reviewapp.models import (
    Comment,
    CommentModeration,
    MotionOutcome,
    RecipientType,
    Stage,
    StageChange,
)
from reviewapp.record import load_proposal
from reviewapp.services import council
from tests.factories import ALL_FINDINGS, complete_data

ICE_CASE = [{"name": "National plate database (ICE can query)",
             "recipient_type": RecipientType.VENDOR_POOL.value,
             "purpose": "Investigative leads for agencies nationwide",
             "data_categories": "Plate reads", "legal_basis": "Vendor agreement"}]


def stage_of(db, item) -> Stage:
    db.expire_all()
    return load_proposal(db, item.id).stage


def comment(client, item, **overrides):
    data = {"submitter_type": "anonymous", "position": "oppose",
            "body": "Please do not buy this.", "nonce": secrets.token_urlsafe(24)}
    data.update(overrides)
    return client.post(f"/proposals/{item.id}/comment", data=data)


def test_a_stage_cannot_be_skipped(client, login_as, world, db):
    item = world.proposal(Stage.SUBMITTED)
    login_as("clerk")
    response = client.post(f"/clerk/proposals/{item.id}/open-comment",
                           data={"closes_on": "2026-05-01"})
    assert response.status_code == 409
    assert "Submitted for clerk review" in response.get_data(as_text=True)
    assert stage_of(db, item) is Stage.SUBMITTED


def test_return_with_reasons_then_resubmit_creates_a_new_version(client, login_as, world, db):
    item = world.proposal(Stage.SUBMITTED)
    login_as("clerk")
    empty = client.post(f"/clerk/proposals/{item.id}/return", data={"reasons": ""})
    assert empty.status_code == 400
    client.post(f"/clerk/proposals/{item.id}/return",
                data={"reasons": "State the retention period for video."})
    assert stage_of(db, item) is Stage.RETURNED
    login_as("submitter")
    assert "State the retention period for video." in client.get("/department/").get_data(
        as_text=True)
    from tests.test_views_department import form_data

    client.post(f"/department/proposals/{item.id}/edit",
                data=form_data(save="", submit_for_review="1", retention_days="14"))
    db.expire_all()
    refreshed = load_proposal(db, item.id)
    assert refreshed.stage is Stage.SUBMITTED
    assert [v.number for v in refreshed.versions] == [1, 2]
    assert refreshed.versions[0].retention_days == 30  # version 1 is unchanged
    assert refreshed.versions[1].retention_days == 14
    old = client.get(f"/proposals/{item.id}?version=1").get_data(as_text=True)
    assert "You are reading version 1" in old


def test_blocking_findings_need_a_recorded_override(client, login_as, world, db):
    item = world.proposal(Stage.ASSESSMENT, data=complete_data(
        technology_category="alpr", recipients=ICE_CASE))
    login_as("clerk")
    refused = client.post(f"/clerk/proposals/{item.id}/open-comment",
                          data={"closes_on": "2026-04-30"})
    assert refused.status_code == 409
    assert "blocking compliance finding" in refused.get_data(as_text=True)
    ok = client.post(f"/clerk/proposals/{item.id}/open-comment",
                     data={"closes_on": "2026-04-30",
                           "override_reason": "Council asked to hear it; findings stand."})
    assert ok.status_code == 302
    page = client.get(f"/proposals/{item.id}").get_data(as_text=True)
    assert "Override recorded" in page and "findings stand" in page
    assert "Civ. Code 1798.90.55(b)" in page


def test_comment_period_shorter_than_the_profile_is_refused(client, login_as, world, clock):
    item = world.proposal(Stage.ASSESSMENT)
    login_as("clerk")
    too_soon = (clock() + timedelta(days=5)).date().isoformat()
    response = client.post(f"/clerk/proposals/{item.id}/open-comment",
                           data={"closes_on": too_soon})
    assert response.status_code == 409
    assert "at least 30 days" in response.get_data(as_text=True)


def test_comment_gets_a_receipt_and_publishes_only_what_was_chosen(client, world, db):
    item = world.proposal(Stage.PUBLIC_COMMENT)
    response = comment(client, item, submitter_type="individual", name="Rosa P.",
                       organization="Should not be kept", position="support")
    assert response.status_code == 302
    receipt = client.get(response.headers["Location"]).get_data(as_text=True)
    saved = db.query(Comment).one()
    assert saved.tracking_number in receipt and saved.tracking_number.startswith("RA-")
    assert saved.organization is None and saved.name == "Rosa P."
    page = client.get(f"/proposals/{item.id}").get_data(as_text=True)
    assert "Rosa P." in page and "Should not be kept" not in page


def test_comment_form_error_keeps_the_text(client, world):
    item = world.proposal(Stage.PUBLIC_COMMENT)
    response = comment(client, item, submitter_type="organization",
                       body="A long and careful comment.")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "A long and careful comment." in page
    assert "Give the organization" in page


def test_comment_after_closing_is_refused_with_a_clear_message(client, world, clock, db):
    item = world.proposal(Stage.PUBLIC_COMMENT)
    clock.advance(days=30, seconds=1)
    response = comment(client, item)
    assert response.status_code == 409
    assert "Comments are closed" in response.get_data(as_text=True)
    assert db.query(Comment).count() == 0


def test_hidden_comment_leaves_a_dated_placeholder_and_keeps_the_text(client, login_as,
                                                                     world, db):
    item = world.proposal(Stage.PUBLIC_COMMENT)
    comment(client, item, body="Spam spam spam")
    saved = db.query(Comment).one()
    login_as("clerk")
    response = client.post(f"/clerk/comments/{saved.id}/hide",
                           data={"reason": "Commercial spam"})
    assert response.status_code == 302
    client.post("/auth/logout")
    page = client.get(f"/proposals/{item.id}").get_data(as_text=True)
    assert "Spam spam spam" not in page
    assert "A comment was hidden by the clerk on" in page
    assert saved.tracking_number not in page  # it would open the hidden comment's receipt
    assert "Commercial spam" in page
    db.expire_all()
    assert db.query(Comment).one().body == "Spam spam spam"
    assert db.query(CommentModeration).count() == 1


def test_advisory_recommendation_moves_to_awaiting_hearing(client, login_as, world, db):
    item = world.proposal(Stage.ADVISORY_REVIEW)
    login_as("advisory")
    response = client.post(f"/advisory/proposals/{item.id}",
                           data={"recommendation": "modify", "memo": "Cut retention."})
    assert response.status_code == 302
    assert stage_of(db, item) is Stage.AWAITING_HEARING
    changes = [c.to_stage for c in db.query(StageChange).filter_by(proposal_id=item.id)
               .order_by(StageChange.id)]
    assert changes[-2:] == [Stage.ADVISORY_REVIEW, Stage.AWAITING_HEARING]


def test_hearing_before_notice_days_is_refused_with_the_reason(client, login_as, world,
                                                               profile, db):
    item = world.proposal(Stage.AWAITING_HEARING)
    since = council.packet_public_since(db, item, profile)
    login_as("clerk")
    early = since + timedelta(days=profile.notice_days - 1)
    response = client.post(f"/clerk/proposals/{item.id}/schedule",
                           data={"hearing_date": early.isoformat(), "location": "Chamber"})
    assert response.status_code == 409
    text = response.get_data(as_text=True)
    earliest = since + timedelta(days=profile.notice_days)
    assert f"{earliest:%B} {earliest.day}, {earliest.year}" in text
    # The reason sits next to the date field, which keeps the date the clerk typed.
    error = text[text.index('id="hearing_date-error"'):]
    assert f"{earliest:%B} {earliest.day}, {earliest.year}" in error[:400]
    assert f'value="{early.isoformat()}"' in text
    ok = client.post(f"/clerk/proposals/{item.id}/schedule",
                     data={"hearing_date": earliest.isoformat(), "location": "Chamber"})
    assert ok.status_code == 302
    assert stage_of(db, item) is Stage.HEARING_SCHEDULED


def open_motion(client, item, motion="approve_with_conditions", findings=ALL_FINDINGS):
    return client.post(f"/clerk/proposals/{item.id}/motion", data={
        "motion_type": motion, "findings": findings,
        "conditions": "Retain plate data no more than 30 days.\nNo sharing with federal agencies.",
        "moved_by": "Member A"})


def test_approval_requires_every_finding(client, login_as, world):
    item = world.proposal(Stage.HEARING_SCHEDULED)
    login_as("clerk")
    response = open_motion(client, item, findings=ALL_FINDINGS[:3])
    assert response.status_code == 409
    assert "every required finding" in response.get_data(as_text=True)


def test_a_submitter_cannot_vote_and_a_member_votes_once(client, login_as, world, db):
    item = world.proposal(Stage.HEARING_SCHEDULED)
    login_as("clerk")
    assert open_motion(client, item).status_code == 302
    login_as("submitter")
    assert client.post(f"/council/proposals/{item.id}", data={"choice": "aye"}).status_code \
        == 403
    login_as("council")
    assert client.post(f"/council/proposals/{item.id}", data={"choice": "aye"}).status_code \
        == 302
    again = client.post(f"/council/proposals/{item.id}", data={"choice": "no"})
    assert again.status_code == 409
    votes = council.open_motion(db, load_proposal(db, item.id)).votes
    assert [v.choice.value for v in votes] == ["aye"]


def test_no_quorum_records_the_result_and_blocks_issuance(client, login_as, world, db):
    item = world.proposal(Stage.HEARING_SCHEDULED)
    login_as("clerk")
    open_motion(client, item)
    for member in world.council[:2]:
        council.cast_vote(db, item, member, world.clock(), world.profile, "aye")
    db.commit()
    client.post(f"/clerk/proposals/{item.id}/close-roll-call")
    db.expire_all()
    motion = council.latest_motion(db, load_proposal(db, item.id))
    assert motion.result.outcome is MotionOutcome.NO_QUORUM
    assert motion.result.absences == 3
    refused = client.post(f"/clerk/proposals/{item.id}/issue")
    assert refused.status_code == 409


def test_request_revisions_returns_the_proposal_to_the_department(client, login_as, world,
                                                                  db):
    item = world.proposal(Stage.HEARING_SCHEDULED)
    login_as("clerk")
    open_motion(client, item, motion="request_revisions", findings=[])
    for member in world.council[:3]:
        council.cast_vote(db, item, member, world.clock(), world.profile, "aye")
    db.commit()
    client.post(f"/clerk/proposals/{item.id}/close-roll-call")
    assert stage_of(db, item) is Stage.REVISIONS_REQUESTED
    login_as("submitter")
    assert client.get(f"/department/proposals/{item.id}/edit").status_code == 200


def test_issue_once_then_download_matches_the_published_hash(client, login_as, world, db):
    import hashlib
    import re

    item = world.proposal(Stage.HEARING_SCHEDULED)
    login_as("clerk")
    open_motion(client, item)
    for member, choice in zip(world.council, ("aye", "aye", "no", "abstain", "recused"),
                              strict=True):
        council.cast_vote(db, item, member, world.clock(), world.profile, choice)
    db.commit()
    client.post(f"/clerk/proposals/{item.id}/close-roll-call")
    assert client.post(f"/clerk/proposals/{item.id}/issue").status_code == 302
    assert stage_of(db, item) is Stage.DECIDED
    assert client.post(f"/clerk/proposals/{item.id}/issue").status_code == 409
    page = client.get(f"/proposals/{item.id}").get_data(as_text=True)
    published = re.search(r'data-sha256>([0-9a-f]{64})<', page).group(1)
    link = re.search(r'href="(/determinations/[^"]+\.pdf)"', page).group(1)
    download = client.get(link)
    assert download.status_code == 200
    assert download.headers["Content-Type"] == "application/pdf"
    assert hashlib.sha256(download.data).hexdigest() == published
    assert client.get(link).data == download.data  # served from storage, not re-rendered


def test_blocking_findings_can_be_resolved_by_returning_for_a_new_version(client, login_as,
                                                                         world, db):
    item = world.proposal(Stage.ASSESSMENT, data=complete_data(
        technology_category="alpr", recipients=ICE_CASE))
    login_as("clerk")
    page = client.get(f"/clerk/proposals/{item.id}").get_data(as_text=True)
    assert "Or return it to the department" in page
    client.post(f"/clerk/proposals/{item.id}/return",
                data={"reasons": "Remove the national database from the recipients."})
    assert stage_of(db, item) is Stage.RETURNED
    login_as("submitter")
    from tests.test_views_department import form_data

    client.post(f"/department/proposals/{item.id}/edit",
                data=form_data(save="", submit_for_review="1"))
    refreshed = load_proposal(db, item.id)
    assert refreshed.stage is Stage.SUBMITTED
    from reviewapp import record

    assert record.findings_for(db, refreshed.versions[0].id)  # the old findings stay
    new_rules = {f.rule_id for f in record.findings_for(db, refreshed.versions[1].id)}
    assert "ca.sb34.alpr-sharing" not in new_rules
