"""The data-sharing registry in a real browser: reachable from the menu, clean under axe."""

import pytest
from playwright.sync_api import expect

from reviewapp.models import Stage
from reviewapp.registry import slugify
from tests.test_registry import FLOCK, recipient, sharing

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def registry_titles(world, db) -> dict[str, str]:
    """Approved and pending proposals with flagged recipients, made before the server starts.

    Like the `people` fixture, only plain values leave, and the transaction is ended so that
    the server's requests never wait on this thread.
    """
    approved = world.proposal(Stage.DECIDED, sharing(
        "Automated license plate readers",
        recipient(FLOCK, "vendor_pool", purpose="Nationwide lookups; searchable by ICE"),
        recipient("Alameda County Sheriff")))
    pending = world.proposal(Stage.ASSESSMENT, sharing(
        "Drones for search and rescue",
        recipient("  alameda county  sheriff", purpose="Mutual aid",
                  categories="Live video"),
        recipient("Nevada Highway Patrol", "other_state"),
        recipient("<script>alert(1)</script>", "private"),
        category="drone"))
    titles = {"approved": approved.title, "pending": pending.title}
    db.rollback()
    return titles


def test_the_registry_pages_pass_axe(registry_titles, live_server, axe_page):
    page, audit = axe_page
    page.goto(live_server.url + "/")
    audit.check("public home")
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Who gets our data").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Who gets our data")
    audit.check("registry index")
    pool = page.get_by_role("region", name="Recipients: Vendor-pooled database")
    expect(pool.get_by_role("row", name=FLOCK)).to_contain_text("Federal immigration agency")

    # At phone width the page reflows; wide tables scroll inside their own region.
    desktop = page.viewport_size
    page.set_viewport_size(PHONE)
    audit.check(f"registry index at {PHONE['width']}px")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the registry scrolls sideways at 390px ({width}px)"
    page.set_viewport_size(desktop)

    page.get_by_role("link", name="Alameda County Sheriff").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Alameda County Sheriff")
    audit.check("recipient page")
    table = page.get_by_role("region", name="Proposals that share data with")
    for title in registry_titles.values():
        expect(table.get_by_role("link", name=title)).to_be_visible()

    page.goto(live_server.url + "/registry/" + slugify("<script>alert(1)</script>"))
    expect(page.get_by_role("heading", level=1)).to_have_text("<script>alert(1)</script>")
    audit.check("recipient page with a hostile name")

    page.goto(live_server.url + "/registry/" + slugify(FLOCK))
    expect(page.get_by_role("heading", level=2, name="Why this recipient is flagged")
           ).to_be_visible()
    audit.check("flagged recipient page")
    print(audit.summary())
    audit.assert_clean()
