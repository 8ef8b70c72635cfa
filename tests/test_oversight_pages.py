"""The technology record and the oversight dashboard."""

import re

from sqlalchemy import event

from reviewapp import conditions, oversight
from reviewapp.models import Stage
from reviewapp.services import council, determinations
from tests.factories import ALL_FINDINGS


def approve_with_typed_conditions(world, db):
    """Walk a proposal to an approval whose conditions are typed obligations."""
    item = world.proposal(Stage.HEARING_SCHEDULED)
    council.record_motion(db, item, world.clerk, world.clock(), world.profile,
                          "approve_with_conditions",
                          conditions.build(retention_days=30, no_sharing_types=["federal"]),
                          ALL_FINDINGS, "Member A")
    for member in world.council[:3]:
        council.cast_vote(db, item, member, world.clock(), world.profile, "aye")
    council.close_roll_call(db, item, world.clerk, world.clock(), world.profile)
    determinations.issue_determination(db, item, world.clerk, world.clock(), world.profile)
    db.commit()
    return item


def test_technology_page_shows_the_decision_and_numbered_obligations(client, world, db):
    item = approve_with_typed_conditions(world, db)
    page = client.get(f"/technologies/{item.id}").get_data(as_text=True)
    assert "Retain data no longer than 30 days." in page
    assert "Do not share data with federal agencies." in page
    assert "checked against each annual report" in page
    listing = client.get("/technologies/").get_data(as_text=True)
    assert item.title in listing and "2 conditions" in listing


def test_a_technology_that_was_not_approved_has_no_record_page(client, world):
    denied = world.proposal(Stage.DECIDED, motion="deny")
    pending = world.proposal(Stage.SUBMITTED)
    assert client.get(f"/technologies/{denied.id}").status_code == 404
    assert client.get(f"/technologies/{pending.id}").status_code == 404


def test_dashboard_counts_by_status_with_an_accessible_chart(client, world, db):
    approve_with_typed_conditions(world, db)
    world.proposal(Stage.DECIDED, motion="deny")
    world.proposal(Stage.PUBLIC_COMMENT)
    world.proposal(Stage.DRAFT)  # drafts are not public and not counted
    page = client.get("/oversight").get_data(as_text=True)
    rows = dict(re.findall(r'<tr><th scope="row">([^<]+)</th><td>(\d+)</td></tr>', page))
    assert rows == {"In review": "1", "Approved": "1", "Denied": "1", "Withdrawn": "0"}
    assert 'role="img"' in page and "<title id=\"chart-title\">" in page
    assert "In review: 1. Approved: 1. Denied: 1. Withdrawn: 0." in page


def test_bar_chart_scales_to_the_largest_count():
    chart = oversight.bar_chart([("A", 4), ("B", 2), ("C", 0)])
    widths = [bar["width"] for bar in chart["bars"]]
    assert widths[0] == 2 * widths[1] and widths[2] == 0
    assert oversight.bar_chart([("A", 0)])["bars"][0]["width"] == 0


def test_dashboard_cost_does_not_grow_with_proposals(app, client, world, db):
    def statements_for_dashboard():
        seen = []

        def count(*_args):
            seen.append(1)

        engines = set(app.extensions["db_engines"])
        for engine in engines:
            event.listen(engine, "before_cursor_execute", count)
        try:
            assert client.get("/oversight").status_code == 200
        finally:
            for engine in engines:
                event.remove(engine, "before_cursor_execute", count)
        return len(seen)

    approve_with_typed_conditions(world, db)
    first = statements_for_dashboard()
    for _ in range(3):
        world.proposal(Stage.DECIDED, motion="deny")
        world.proposal(Stage.SUBMITTED)
    assert statements_for_dashboard() == first


def test_a_technology_that_began_as_emergency_use_links_its_notice(client, world, db):
    from reviewapp.models import ProposalOrigin
    from reviewapp.services import emergency

    today = world.clock().astimezone(world.profile.zone).date()
    notice = emergency.file_notice(db, world.submitter, world.clock(), emergency.NoticeData(
        technology_name="Drone", technology_category="drone", description="Exigent.",
        began_on=today, use_continues=True))
    item = approve_with_typed_conditions(world, db)
    db.add(ProposalOrigin(proposal_id=item.id, emergency_notice_id=notice.id))
    db.commit()
    page = client.get(f"/technologies/{item.id}").get_data(as_text=True)
    assert f'href="/emergency/{notice.id}"' in page
    assert "first used in an emergency" in page
