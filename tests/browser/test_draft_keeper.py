"""A police analyst never loses text: unsaved typing survives a lost page and comes back."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Person
from tests.browser.test_walkthrough import sign_in
from tests.factories import make_user

pytestmark = pytest.mark.browser


def start_draft(page, audit, live_server, person, title: str, words: str) -> str:
    """Sign in, save a new draft, type unsaved text until the keeper stores it; its URL."""
    page.goto(live_server.url + "/")
    audit.check("home")
    sign_in(page, audit, person)
    page.goto(live_server.url + "/department/proposals/new")
    audit.check("new proposal form")
    page.get_by_label("Proposal title").fill(title)
    page.get_by_role("button", name="Save draft").first.click()
    expect(page.locator(".flash[role=status]")).to_contain_text("Draft saved")
    audit.check("saved draft")
    draft_url = page.url
    page.get_by_label("Purpose and intended benefits").fill(words)
    page.wait_for_timeout(1200)  # the keeper stores after a short pause in typing
    return draft_url


def test_unsaved_text_is_offered_back_after_the_page_is_lost(live_server, axe_page, people):
    page, audit = axe_page
    words = "Forty minutes of analysis that the session timeout must not eat."
    start_draft(page, audit, live_server, people.submitter, "Cell-site simulator loan", words)

    page.reload()  # the tab is lost before Save: a crash, a timeout, a closed laptop
    banner = page.get_by_role("alert")
    expect(banner).to_contain_text("This browser kept text you had not saved")
    expect(page.get_by_label("Purpose and intended benefits")).to_have_value("")
    audit.check("restore offer")
    page.get_by_role("button", name="Restore my unsaved text").click()
    expect(page.get_by_label("Purpose and intended benefits")).to_have_value(words)

    page.get_by_role("button", name="Save draft").first.click()
    expect(page.locator(".flash[role=status]")).to_contain_text("Draft saved")
    audit.check("saved again")
    page.reload()
    expect(page.get_by_label("Purpose and intended benefits")).to_have_value(words)
    expect(page.get_by_role("alert")).to_have_count(0)  # saved: nothing left to offer
    audit.check("after save")
    audit.assert_clean()


def test_sign_out_clears_the_kept_text_and_the_next_analyst_is_not_offered_it(
        live_server, axe_page, people, db):
    page, audit = axe_page
    colleague = make_user(db, "submitter", name="Second Analyst")
    colleague_email = colleague.email
    db.commit()
    draft_url = start_draft(page, audit, live_server, people.submitter, "Drone lease",
                            "Private working notes.")
    assert page.evaluate("Object.keys(localStorage).length") == 1

    page.get_by_role("button", name=re.compile("^Sign out")).click()
    expect(page.locator(".flash[role=status]")).to_contain_text("You are signed out")
    assert page.evaluate("Object.keys(localStorage).length") == 0
    audit.check("signed out")

    sign_in(page, audit, Person(email=colleague_email, name="Second Analyst"))
    page.goto(draft_url)
    audit.check("the colleague's view of the draft")
    expect(page.get_by_label("Purpose and intended benefits")).to_have_value("")
    expect(page.get_by_text("This browser kept text you had not saved")).to_have_count(0)
    audit.assert_clean()


def test_a_copy_kept_by_another_account_is_never_offered(live_server, axe_page, people, db):
    page, audit = axe_page
    colleague = make_user(db, "submitter", name="Third Analyst")
    colleague_email = colleague.email
    db.commit()
    draft_url = start_draft(page, audit, live_server, people.submitter, "Camera grant",
                            "Kept in this browser only.")
    # The session ends without a sign-out (a timeout, a closed tab): the copy stays.
    page.context.clear_cookies()
    page.goto(live_server.url + "/")
    sign_in(page, audit, Person(email=colleague_email, name="Third Analyst"))
    page.goto(draft_url)
    expect(page.get_by_text("This browser kept text you had not saved")).to_have_count(0)
    assert page.evaluate("Object.keys(localStorage).length") == 1  # still its owner's
