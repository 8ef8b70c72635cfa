"""The after-the-vote public pages in a real browser: reachable by links, clean under axe."""

import pytest
from playwright.sync_api import expect

from reviewapp.models import Stage
from tests.test_oversight_pages import approve_with_typed_conditions

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def approved_title(world, db) -> str:
    """An approved technology with typed conditions, made before the server starts."""
    item = approve_with_typed_conditions(world, db)
    world.proposal(Stage.ASSESSMENT)
    title = item.title
    db.rollback()  # end the transaction: the server's requests must never wait on it
    return title


def test_oversight_rules_and_about_pages_pass_axe(approved_title, live_server, axe_page):
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
    expect(page.get_by_text("Retain data no longer than 30 days.")).to_be_visible()
    audit.check("technology record")

    page.goto(live_server.url + "/rules")
    audit.check("rules")
    page.goto(live_server.url + "/about")
    audit.check("about")
    audit.assert_clean()
