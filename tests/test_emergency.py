"""Emergency (exigent) use: the notice, its deadlines from the profile, the answering proposal."""

import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from reviewapp.deadlines import emergency as deadlines
from reviewapp.models import AuditEvent, EmergencyNotice, Proposal, ProposalOrigin, Trigger
from reviewapp.services import emergency, inventory, proposals
from reviewapp.services.emergency import NoticeData
from tests.factories import PASSWORD, complete_data


def notice_form(**overrides) -> dict:
    """Return a complete notice as the browser posts it."""
    data = {"technology_name": "Borrowed cell-site simulator",
            "technology_category": "cell_site_simulator",
            "description": "A kidnapping; the phone was the only lead.",
            "began_on": "2026-02-20", "use_continues": "yes"}
    data.update(overrides)
    return data


def file(world, began_on: date, continues: bool = True, user=None) -> EmergencyNotice:
    """File a notice through the service, now."""
    notice = emergency.file_notice(world.db, user or world.submitter, world.clock(), NoticeData(
        technology_name="Thermal drone", technology_category="drone",
        description="Search for a missing hiker.", began_on=began_on,
        use_continues=continues))
    world.db.commit()
    return notice


def only_notice(db) -> EmergencyNotice:
    return db.scalars(select(EmergencyNotice)).one()


def test_submitter_files_a_notice_the_public_sees_with_its_deadlines(client, login_as, db):
    login_as("submitter")
    response = client.post("/department/emergency/new", data=notice_form())
    assert response.status_code == 302
    notice = only_notice(db)
    assert response.headers["Location"].endswith(f"/emergency/{notice.id}")
    assert notice.department.name == "Police Department"
    assert notice.use_continues is True and notice.began_on == date(2026, 2, 20)
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "file_emergency_notice"))
    client.post("/auth/logout")
    page = client.get(f"/emergency/{notice.id}").get_data(as_text=True)
    assert "A kidnapping; the phone was the only lead." in page
    assert "Due by March 22, 2026" in page  # notice: 30 days from February 20
    assert "Filed on time" in page
    assert "Due by May 21, 2026" in page  # report: 90 days
    listing = client.get("/emergency").get_data(as_text=True)
    assert "Borrowed cell-site simulator" in listing and "within 30 days" in listing


def test_notice_filed_after_the_window_is_flagged_late(world, client):
    notice = file(world, date(2026, 1, 15))  # due February 14; filed March 2
    page = client.get(f"/emergency/{notice.id}").get_data(as_text=True)
    assert "Filed late" in page
    assert "Due by April 15, 2026" in page  # the report is still ahead


def test_bad_input_is_marked_next_to_the_field_and_keeps_the_text(client, login_as, db):
    login_as("submitter")
    response = client.post("/department/emergency/new", data=notice_form(
        began_on="last tuesday", use_continues="", technology_name="Kept name"))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="began_on-error"' in page and "you typed “last tuesday”" in page
    assert 'value="last tuesday"' in page and 'value="Kept name"' in page
    assert "A kidnapping; the phone was the only lead." in page
    assert 'id="use_continues-error"' in page
    assert db.scalars(select(EmergencyNotice)).first() is None

    response = client.post("/department/emergency/new", data=notice_form(began_on="2026-03-03"))
    assert response.status_code == 400
    assert "cannot begin in the future" in response.get_data(as_text=True)
    assert db.scalars(select(EmergencyNotice)).first() is None


@pytest.mark.parametrize("role", ["clerk", "advisory", "council", "admin"])
def test_only_department_staff_file_notices(client, login_as, db, role):
    login_as(role)
    assert client.get("/department/emergency/new").status_code == 403
    assert client.post("/department/emergency/new", data=notice_form()).status_code == 403
    assert db.scalars(select(EmergencyNotice)).first() is None
    assert "File a notice" not in client.get("/emergency").get_data(as_text=True)


def test_anonymous_is_sent_to_sign_in_but_reads_every_notice(world, client):
    notice = file(world, date(2026, 2, 20))
    response = client.get("/department/emergency/new")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert client.get("/emergency").status_code == 200
    assert client.get(f"/emergency/{notice.id}").status_code == 200
    assert client.get("/emergency/999").status_code == 404


def test_department_starts_the_report_from_its_notice(world, client, login_as, db):
    notice = file(world, date(2026, 2, 20))
    login_as("submitter")
    page = client.get(f"/emergency/{notice.id}").get_data(as_text=True)
    assert "Start the impact report and use policy" in page
    response = client.post(f"/department/emergency/{notice.id}/proposal")
    assert response.status_code == 302
    proposal = db.scalars(select(Proposal)).one()
    assert response.headers["Location"].endswith(f"/department/proposals/{proposal.id}/edit")
    version = proposal.current_version
    assert version.trigger is Trigger.EMERGENCY
    assert version.technology_name == "Thermal drone"
    assert version.technology_category.value == "drone"
    origin = db.scalars(select(ProposalOrigin)).one()
    assert (origin.proposal_id, origin.emergency_notice_id) == (proposal.id, notice.id)
    # A second press opens the same draft instead of starting another.
    again = client.post(f"/department/emergency/{notice.id}/proposal")
    assert again.headers["Location"] == response.headers["Location"]
    assert db.scalars(select(Proposal)).all() == [proposal]
    # The department sees its draft on the notice page; the public does not.
    assert proposal.title in client.get(f"/emergency/{notice.id}").get_data(as_text=True)
    client.post("/auth/logout")
    public = client.get(f"/emergency/{notice.id}").get_data(as_text=True)
    assert proposal.title not in public and "Start the impact report" not in public


@pytest.mark.parametrize("role", ["other_submitter", "clerk", "council"])
def test_others_cannot_start_a_proposal_from_the_notice(world, client, login_as, db, role):
    notice = file(world, date(2026, 2, 20))
    login_as(role)
    assert "Start the impact report" not in client.get(
        f"/emergency/{notice.id}").get_data(as_text=True)
    assert client.post(f"/department/emergency/{notice.id}/proposal").status_code == 403
    assert db.scalars(select(Proposal)).first() is None
    assert client.post("/department/emergency/999/proposal").status_code == 404


def test_report_is_overdue_from_the_day_after_its_due_date(world, client, clock):
    notice = file(world, date(2026, 3, 2))  # report due May 31, 2026 (90 days)
    # 11:59:59 PM Pacific daylight time on May 31 is 06:59:59 UTC on June 1.
    clock.current = datetime(2026, 6, 1, 6, 59, 59, tzinfo=UTC)
    [_, report] = deadlines.due_items(world.db, world.profile, clock())
    assert report.kind == "emergency report" and report.due_on == date(2026, 5, 31)
    today = clock().astimezone(world.profile.zone).date()
    assert not report.overdue(today)
    page = client.get(f"/emergency/{notice.id}").get_data(as_text=True)
    assert "Due by May 31, 2026" in page and "Overdue" not in page
    clock.advance(seconds=1)
    today = clock().astimezone(world.profile.zone).date()
    assert report.overdue(today)
    page = client.get(f"/emergency/{notice.id}").get_data(as_text=True)
    assert "Overdue since June 1, 2026" in page
    assert "Overdue since" in client.get("/emergency").get_data(as_text=True)


def submit_answer(world, notice) -> Proposal:
    """Start and submit the proposal answering a notice, now."""
    db, clock = world.db, world.clock
    proposal = emergency.start_proposal(db, notice, world.submitter, clock())
    proposals.save_draft(db, proposal, world.submitter, clock(),
                         complete_data(trigger="emergency"))
    proposals.submit(db, proposal, world.submitter, clock(), world.profile)
    db.commit()
    return proposal


def test_report_is_met_when_the_linked_proposal_is_submitted(world, client, clock):
    notice = file(world, date(2026, 3, 2))
    clock.advance(days=30)
    proposal = submit_answer(world, notice)
    [status] = deadlines.notice_statuses(world.db, world.profile, clock())
    assert status.report_standing.key == "met"
    assert status.report_met_on == date(2026, 4, 1)
    clock.advance(days=365)  # met stays met
    page = client.get(f"/emergency/{notice.id}").get_data(as_text=True)
    assert "Met on April 1, 2026" in page and proposal.title in page
    assert "Overdue" not in page


def test_report_submitted_after_the_deadline_is_met_late(world, clock):
    notice = file(world, date(2026, 3, 2))
    clock.advance(days=100)
    submit_answer(world, notice)
    [status] = deadlines.notice_statuses(world.db, world.profile, clock())
    assert status.report_standing.key == "met_late"
    assert status.attention


def test_ended_use_needs_no_report(world, client, clock):
    notice = file(world, date(2026, 3, 1), continues=False)
    clock.advance(days=400)
    [item] = deadlines.due_items(world.db, world.profile, clock())
    assert item.kind == "emergency notice" and item.met_on == date(2026, 3, 2)
    page = client.get(f"/emergency/{notice.id}").get_data(as_text=True)
    assert "Not required: the use has ended" in page


@pytest.mark.parametrize("app_config", [{"PROFILE": "oakland"}])
def test_without_windows_the_ordinance_sets_no_deadline(world, client, clock, app_config):
    assert world.profile.emergency_notice_days is None
    notice = file(world, date(2025, 1, 1))  # long ago: late under the CCOPS model
    clock.advance(days=800)
    assert deadlines.due_items(world.db, world.profile, clock()) == []
    page = client.get(f"/emergency/{notice.id}").get_data(as_text=True)
    assert "The ordinance sets no deadline" in page
    assert "Overdue" not in page and "Filed late" not in page and "Due by" not in page
    listing = client.get("/emergency").get_data(as_text=True)
    assert "the ordinance sets no deadline" in listing and "within 30 days" not in listing


def test_the_notice_is_a_public_record_never_changed(world):
    notice = file(world, date(2026, 2, 20))
    notice.technology_name = "Rewritten"
    with pytest.raises(Exception, match="append-only"):
        world.db.commit()
    world.db.rollback()


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_every_post_here_needs_the_csrf_token(world, client, db, app_config):
    notice = file(world, date(2026, 2, 20))
    item = inventory.list_item(db, world.clerk, world.clock(), inventory.ItemData(
        department_id=world.submitter.department_id, technology_name="Cameras",
        technology_category="camera", description="Cameras.", in_use_since=None))
    db.commit()
    login_with_token(client, world)
    for path, data in (("/department/emergency/new", notice_form()),
                       (f"/department/emergency/{notice.id}/proposal", {}),
                       ("/department/inventory/new", {"technology_name": "X"}),
                       (f"/department/inventory/{item.id}/proposal", {})):
        assert client.post(path, data=data).status_code == 400, path
    assert db.scalars(select(EmergencyNotice)).all() == [notice]
    assert db.scalars(select(Proposal)).first() is None


def login_with_token(client, world) -> None:
    """Sign in through the real form, token included."""
    page = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post("/auth/login", data={"email": world.submitter.email,
                                                "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
