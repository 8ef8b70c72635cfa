"""The existing-technology inventory: entries, the deadline from the profile, the proposals."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from reviewapp.deadlines import inventory as deadlines
from reviewapp.models import Department, InventoryItem, Proposal, ProposalOrigin, Stage, Trigger
from reviewapp.services import inventory, proposals
from reviewapp.services.inventory import ItemData
from tests.factories import complete_data


def entry_form(**overrides) -> dict:
    data = {"technology_name": "Body-worn cameras", "technology_category": "camera",
            "description": "Every patrol officer records calls.", "in_use_since": "2019-05-01"}
    data.update(overrides)
    return data


def police_id(db) -> int:
    return db.scalar(select(Department.id).where(Department.name == "Police Department"))


def add(world, name: str = "Mobile plate readers") -> InventoryItem:
    """List an entry for the Police Department through the service, now."""
    item = inventory.list_item(world.db, world.clerk, world.clock(), ItemData(
        department_id=world.submitter.department_id, technology_name=name,
        technology_category="alpr", description="Cameras on patrol cars.", in_use_since=None))
    world.db.commit()
    return item


def test_clerk_lists_technology_for_a_department(world, client, login_as, db):
    login_as("clerk")
    page = client.get("/department/inventory/new").get_data(as_text=True)
    assert "Fire" in page and "Police Department" in page  # the clerk chooses
    response = client.post("/department/inventory/new",
                           data=entry_form(department=str(police_id(db))))
    assert response.status_code == 302
    item = db.scalars(select(InventoryItem)).one()
    assert response.headers["Location"].endswith(f"/inventory#item-{item.id}")
    assert (item.department_id, item.listed_by_id) == (police_id(db), world.clerk.id)
    assert item.in_use_since == date(2019, 5, 1)
    client.post("/auth/logout")
    page = client.get("/inventory").get_data(as_text=True)
    assert "Body-worn cameras" in page and "Not yet submitted" in page
    assert "submitted by <strong>May 1, 2026</strong>" in page  # January 1 + 120 days
    assert "standing-due" in page


def test_submitter_lists_only_for_their_own_department(world, client, login_as, db):
    login_as("submitter")
    page = client.get("/department/inventory/new").get_data(as_text=True)
    assert "Fire" not in page
    fire = db.scalar(select(Department.id).where(Department.name == "Fire"))
    # Not offered to them; a forged department is refused before the form is read.
    response = client.post("/department/inventory/new", data=entry_form(department=str(fire)))
    assert response.status_code == 403
    assert db.scalars(select(InventoryItem)).first() is None
    response = client.post("/department/inventory/new",
                           data=entry_form(department=str(police_id(db)), in_use_since=""))
    assert response.status_code == 302
    assert db.scalars(select(InventoryItem)).one().in_use_since is None


def test_bad_input_is_marked_next_to_the_field_and_keeps_the_text(client, login_as, db):
    login_as("clerk")
    response = client.post("/department/inventory/new", data=entry_form(
        department=str(police_id(db)) if police_id(db) else "", technology_name="",
        in_use_since="2026-02-01"))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="technology_name-error"' in page and "Name the technology." in page
    assert 'id="in_use_since-error"' in page and "on or before January 1, 2026" in page
    assert 'value="2026-02-01"' in page and "Every patrol officer records calls." in page
    assert db.scalars(select(InventoryItem)).first() is None


@pytest.mark.parametrize("role", ["advisory", "council", "admin"])
def test_other_roles_cannot_list(world, client, login_as, db, role):
    login_as(role)
    assert client.get("/department/inventory/new").status_code == 403
    response = client.post("/department/inventory/new",
                           data=entry_form(department=str(police_id(db))))
    assert response.status_code == 403
    assert db.scalars(select(InventoryItem)).first() is None
    assert "Add a technology" not in client.get("/inventory").get_data(as_text=True)


def test_anonymous_reads_the_inventory_but_cannot_list(world, client):
    add(world)
    response = client.get("/department/inventory/new")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    page = client.get("/inventory").get_data(as_text=True)
    assert "Mobile plate readers" in page and "Start the proposal" not in page


def test_entry_is_overdue_from_the_day_after_the_deadline(world, client, clock):
    add(world)
    # 11:59:59 PM Pacific daylight time on May 1, 2026 is 06:59:59 UTC on May 2.
    clock.current = datetime(2026, 5, 2, 6, 59, 59, tzinfo=UTC)
    [item] = deadlines.due_items(world.db, world.profile, clock())
    assert item.due_on == date(2026, 5, 1) and item.kind == "inventory"
    assert not item.overdue(clock().astimezone(world.profile.zone).date())
    assert "Overdue" not in client.get("/inventory").get_data(as_text=True)
    clock.advance(seconds=1)
    assert item.overdue(clock().astimezone(world.profile.zone).date())
    assert "Overdue since May 2, 2026" in client.get("/inventory").get_data(as_text=True)


def test_department_starts_and_submits_the_proposal(world, client, login_as, db, clock):
    item = add(world)
    login_as("submitter")
    assert "Start the proposal" in client.get("/inventory").get_data(as_text=True)
    response = client.post(f"/department/inventory/{item.id}/proposal")
    assert response.status_code == 302
    proposal = db.scalars(select(Proposal)).one()
    assert response.headers["Location"].endswith(f"/department/proposals/{proposal.id}/edit")
    assert proposal.current_version.trigger is Trigger.EXISTING
    assert proposal.current_version.technology_name == "Mobile plate readers"
    assert db.scalars(select(ProposalOrigin)).one().inventory_item_id == item.id
    page = client.get("/inventory").get_data(as_text=True)
    assert "Continue the draft" in page and "Start the proposal" not in page
    assert "Not yet submitted" in page  # a draft does not meet the deadline

    proposals.save_draft(db, proposal, world.submitter, clock(),
                         complete_data(trigger="existing"))
    proposals.submit(db, proposal, world.submitter, clock(), world.profile)
    db.commit()
    client.post("/auth/logout")
    clock.current = datetime(2026, 9, 1, tzinfo=UTC)  # long after the deadline: met stays met
    page = client.get("/inventory").get_data(as_text=True)
    assert "Submitted" in page and "Submitted for clerk review" in page
    assert f"/proposals/{proposal.id}" in page
    assert "Met on March 2, 2026" in page and "Overdue" not in page


@pytest.mark.parametrize("role", ["other_submitter", "clerk", "advisory"])
def test_others_cannot_start_the_proposal(world, client, login_as, db, role):
    item = add(world)
    login_as(role)
    assert "Start the proposal" not in client.get("/inventory").get_data(as_text=True)
    assert client.post(f"/department/inventory/{item.id}/proposal").status_code == 403
    assert db.scalars(select(Proposal)).first() is None
    assert client.post("/department/inventory/999/proposal").status_code == 404


def link(world, item, proposal) -> None:
    world.db.add(ProposalOrigin(proposal_id=proposal.id, inventory_item_id=item.id))
    world.db.commit()


def test_decisions_show_as_approved_and_denied(world, client):
    approved_item, denied_item = add(world, "Approved readers"), add(world, "Denied readers")
    link(world, approved_item, world.proposal(Stage.DECIDED, complete_data(trigger="existing")))
    link(world, denied_item, world.proposal(Stage.DECIDED, complete_data(trigger="existing"),
                                            motion="deny", votes=("aye",) * 5))
    statuses = {s.item.technology_name: s for s in
                deadlines.item_statuses(world.db, world.profile, world.clock())}
    assert statuses["Approved readers"].progress == "approved"
    assert statuses["Denied readers"].progress == "denied"
    page = client.get("/inventory").get_data(as_text=True)
    assert ">Approved<" in page and ">Denied<" in page


@pytest.mark.parametrize("app_config", [{"PROFILE": "oakland"}])
def test_without_a_deadline_nothing_is_overdue(world, client, clock, app_config):
    assert world.profile.existing_technology_days is None
    add(world)
    clock.advance(days=900)
    assert deadlines.due_items(world.db, world.profile, clock()) == []
    page = client.get("/inventory").get_data(as_text=True)
    assert "the ordinance sets no deadline for submitting existing technology" in page
    assert "The ordinance sets no deadline" in page and "Overdue" not in page


def test_entries_are_public_records_never_changed(world):
    item = add(world)
    item.description = "Rewritten"
    with pytest.raises(Exception, match="append-only"):
        world.db.commit()
    world.db.rollback()
