"""`flask due`: every open deadline, one line each; and the demo data that shows them."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from reviewapp.cli.due import register_due_command
from reviewapp.deadlines import all_due_items
from reviewapp.demo_emergency import seed_emergency_and_inventory
from reviewapp.models import EmergencyNotice, InventoryItem, Proposal, Stage
from reviewapp.services import emergency, inventory
from reviewapp.services.emergency import NoticeData
from reviewapp.services.inventory import ItemData


def run_due(app, world, *args):
    """Run `flask due` (registering it when the app does not have it yet)."""
    world.db.commit()  # the command reads what the test wrote
    if "due" not in app.cli.commands:
        register_due_command(app)
    result = app.test_cli_runner().invoke(args=["due", *args])
    assert result.exit_code == 0, result.output
    return result.output


def seed_deadlines(world):
    """A report due soon, a report overdue, a filed notice, an inventory entry."""
    db, clock = world.db, world.clock
    for name, began in (("Soon drone", date(2026, 2, 1)), ("Late simulator", date(2025, 11, 1))):
        emergency.file_notice(db, world.submitter, clock(), NoticeData(
            technology_name=name, technology_category="drone", description="Emergency.",
            began_on=began, use_continues=True))
    inventory.list_item(db, world.clerk, clock(), ItemData(
        department_id=world.submitter.department_id, technology_name="Patrol cameras",
        technology_category="camera", description="Cameras.", in_use_since=None))
    db.commit()


def test_due_lists_every_open_item_and_exits_zero(app, world):
    seed_deadlines(world)
    lines = run_due(app, world).splitlines()
    assert ("emergency report | Late simulator (use began November 1, 2025) | Police "
            "Department | due 2026-01-30 | OVERDUE by 31 days") in lines
    assert ("emergency report | Soon drone (use began February 1, 2026) | Police Department "
            "| due 2026-05-02 | due") in lines
    assert "inventory | Patrol cameras | Police Department | due 2026-05-01 | due" in lines
    assert not any(line.startswith("emergency notice") for line in lines)  # already filed
    assert lines[-1] == "3 items, as of 2026-03-02 (America/Los_Angeles)."


def test_due_overdue_lists_only_overdue_items(app, world):
    seed_deadlines(world)
    output = run_due(app, world, "--overdue")
    assert "Late simulator" in output and "OVERDUE" in output
    assert "Soon drone" not in output and "Patrol cameras" not in output


def test_due_says_when_nothing_is_due(app, world):
    assert run_due(app, world).strip() == "Nothing is due."
    assert run_due(app, world, "--overdue").strip() == "Nothing is overdue."


@pytest.mark.parametrize("app_config", [{"PROFILE": "oakland"}])
def test_due_under_a_profile_without_deadlines(app, world, app_config):
    seed_deadlines(world)
    assert run_due(app, world).strip() == "Nothing is due."


def test_due_item_urls_are_the_public_pages(world, client):
    seed_deadlines(world)
    for item in all_due_items(world.db, world.profile, world.clock()):
        assert client.get(item.url.split("#")[0]).status_code == 200


def test_demo_seeds_every_standing(app, world, client, clock):
    clock.current = datetime(2026, 6, 1, 17, 0, tzinfo=UTC)  # after the inventory deadline
    seed_emergency_and_inventory(world.db, world.profile, clock(), world.submitter, world.clerk)
    world.db.commit()
    db = world.db
    assert db.query(EmergencyNotice).count() == 2
    assert db.query(InventoryItem).count() == 3
    stages = sorted(p.stage.value for p in db.scalars(select(Proposal)))
    assert stages == [Stage.DRAFT.value, Stage.SUBMITTED.value]
    overdue = run_due(app, world, "--overdue")
    assert "emergency report | Drone with thermal camera" in overdue
    assert "inventory | Body-worn cameras" in overdue
    assert "Cell-site simulator" not in overdue  # its report deadline is ahead
    assert "Mobile license plate readers" not in overdue  # submitted
    emergency_page = client.get("/emergency").get_data(as_text=True)
    assert "Filed late" in emergency_page and "Overdue since" in emergency_page
    inventory_page = client.get("/inventory").get_data(as_text=True)
    assert "Submitted for clerk review" in inventory_page and "Not yet submitted" in inventory_page


@pytest.mark.parametrize("app_config", [{"PROFILE": "oakland"}])
def test_demo_seeds_under_a_profile_without_deadlines(app, world, client, clock, app_config):
    seed_emergency_and_inventory(world.db, world.profile, clock(), world.submitter, world.clerk)
    world.db.commit()
    assert run_due(app, world).strip() == "Nothing is due."
    assert "The ordinance sets no deadline" in client.get("/inventory").get_data(as_text=True)
