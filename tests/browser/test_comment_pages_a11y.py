"""Comment pages in a real browser: their links, a hide on a later page, clean under axe."""

import re

import pytest
from playwright.sync_api import expect

from reviewapp.models import Stage
from reviewapp.services import comments

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def app_config():
    """Real CSRF, as in the other browser tests, and three comments a page."""
    return {"WTF_CSRF_ENABLED": True, "RATELIMIT_ENABLED": False, "COMMENTS_PER_PAGE": 3}


@pytest.fixture
def commented(world, db, clock) -> dict:
    """A proposal with eight comments (the second hidden); only plain values leave."""
    item = world.proposal(Stage.PUBLIC_COMMENT)
    saved = []
    for n in range(8):
        clock.advance(minutes=7)
        saved.append(comments.post_comment(
            db, item, clock(), nonce=f"browser-{n}", submitter_type="anonymous",
            position=("support", "oppose")[n % 2], body=f"Comment body {n}.", name=None,
            organization=None))
    comments.hide_comment(db, saved[1], world.clerk, clock(), "Names a private person.")
    db.commit()
    found = {"id": item.id, "title": item.title,
             "tracking": [c.tracking_number for c in saved]}
    db.rollback()
    return found


def shown(page) -> list[str]:
    """Return the tracking numbers of the comments on the page, in order."""
    return [label.removeprefix("Comment ") for label in
            page.locator("article.comment").evaluate_all("els => els.map(e => e.ariaLabel)")]


def test_comment_pages_and_a_hide_on_the_last_page_pass_axe(commented, live_server, axe_page,
                                                            people):
    page, audit = axe_page
    tracking = commented["tracking"]
    # The public page names a hidden comment without its tracking number (which would
    # open its receipt); the clerk's workbench still names it.
    public = ["Hidden comment" if n == tracking[1] else n for n in tracking]
    page.goto(f"{live_server.url}/proposals/{commented['id']}")
    audit.check("proposal, oldest comments")
    expect(page.locator("#comment-range")).to_contain_text("Showing the 3 oldest of 8 comments")
    assert shown(page) == public[:3]
    expect(page.get_by_text("A comment was hidden by the clerk")).to_be_visible()
    pages = page.get_by_role("navigation", name="Comment pages")
    pages.get_by_role("link", name="Newest comments").click()
    audit.check("proposal, newest comments")
    assert shown(page) == public[-3:]
    page.get_by_role("navigation", name="Comment pages").get_by_role(
        "link", name="Older comments").click()
    audit.check("proposal, older comments")
    assert shown(page) == public[2:5]
    page.set_viewport_size(PHONE)
    audit.check(f"comment page at {PHONE['width']}px")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the comment page scrolls sideways at 390px ({width}px)"
    page.set_viewport_size({"width": 1280, "height": 900})

    # The clerk hides a comment on the last page and comes back to it.
    page.get_by_role("link", name="Staff sign in").click()
    audit.check("sign-in form")
    page.get_by_label("Email address").fill(people.clerk.email)
    page.get_by_label("Password").fill(people.clerk.password)
    page.get_by_role("button", name="Sign in").click()
    audit.check("clerk home")
    page.goto(f"{live_server.url}/clerk/proposals/{commented['id']}")
    audit.check("clerk workbench, oldest comments")
    page.get_by_role("navigation", name="Comment pages").get_by_role(
        "link", name="Newest comments").click()
    audit.check("clerk workbench, newest comments")
    target = tracking[6]
    page.get_by_label(f"Reason for hiding comment {target} (published)").fill("Spam.")
    page.get_by_role("button", name=f"Hide comment {target}").click()
    expect(page.locator(".flash[role=status]")).to_contain_text(f"Comment {target} is hidden.")
    audit.check("clerk workbench after a hide")
    assert re.search(r"\?after=\d+#comment-\d+$", page.url), page.url
    assert shown(page) == tracking[-3:]
    expect(page.locator("article.comment", has_text=target)).to_contain_text("Hidden on")
    print(audit.summary())
    audit.assert_clean()
