"""The after-the-vote public pages in a real browser: reachable by links, clean under axe."""

import pytest
from playwright.sync_api import expect

from reviewapp.models import Stage
from reviewapp.services import emergency, inventory, reports
from tests.test_oversight_pages import approve_with_typed_conditions

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def approved_title(world, db) -> str:
    """An approved technology with a filed report, an emergency notice and an inventory
    entry, all made before the server starts."""
    item = approve_with_typed_conditions(world, db)
    reports.file_report(db, item, world.submitter, world.clock(), world.profile,
                        reports.ReportData(retention_days_reported=365, sharing=[
                            {"recipient_name": "ICE", "recipient_type": "federal",
                             "times_shared": 12}]))
    today = world.clock().astimezone(world.profile.zone).date()
    emergency.file_notice(db, world.submitter, world.clock(), emergency.NoticeData(
        technology_name="Borrowed drone", technology_category="drone",
        description="A search for a missing child.", began_on=today, use_continues=True))
    inventory.list_item(db, world.clerk, world.clock(), inventory.ItemData(
        department_id=world.submitter.department_id, technology_name="Old plaza cameras",
        technology_category="camera", description="In use since 2015.", in_use_since=None))
    world.proposal(Stage.ASSESSMENT)
    db.commit()
    title = item.title
    db.rollback()  # end the transaction: the server's requests must never wait on it
    return title


def test_after_the_vote_pages_pass_axe(approved_title, live_server, axe_page):
    page, audit = axe_page
    page.goto(live_server.url + "/")
    audit.check("public home")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Oversight").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Oversight dashboard")
    expect(page.get_by_role("img", name="Proposals by status")).to_be_visible()
    audit.check("oversight dashboard")
    page.set_viewport_size(PHONE)
    audit.check("oversight dashboard on a phone")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the dashboard scrolls sideways at 390px ({width}px)"
    page.set_viewport_size({"width": 1200, "height": 900})

    page.get_by_role("link", name="Technologies approved for use").click()
    audit.check("technologies")
    page.get_by_role("link", name=approved_title).click()
    expect(page.get_by_role("heading", level=2, name="Conditions of approval")).to_be_visible()
    expect(page.get_by_text("Retain data no longer than 30 days.").first).to_be_visible()
    audit.check("technology record")
    page.get_by_role("link", name="Report 1", exact=True).click()
    expect(page.get_by_text("Reported retention: 365 days").first).to_be_visible()
    audit.check("annual report")

    page.goto(live_server.url + "/oversight")
    audit.check("oversight dashboard with report findings")
    page.get_by_role("link", name="Emergency (exigent) use notices").click()
    expect(page.get_by_text("Borrowed drone").first).to_be_visible()
    audit.check("emergency notices")
    page.get_by_role("link", name="Borrowed drone").first.click()
    audit.check("one emergency notice")
    page.goto(live_server.url + "/oversight")
    audit.check("oversight dashboard with findings")
    page.get_by_role("link", name="Technology in use before the ordinance").click()
    expect(page.get_by_text("Old plaza cameras").first).to_be_visible()
    audit.check("inventory")

    page.goto(live_server.url + "/rules")
    audit.check("rules")
    page.goto(live_server.url + "/about")
    audit.check("about")
    audit.assert_clean()
