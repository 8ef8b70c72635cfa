"""A police analyst never loses text: unsaved typing survives a lost page and comes back."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_walkthrough import sign_in

pytestmark = pytest.mark.browser


def test_unsaved_text_is_offered_back_after_the_page_is_lost(live_server, axe_page, people):
    page, audit = axe_page
    page.goto(live_server.url + "/")
    audit.check("home")
    sign_in(page, audit, people.submitter)
    page.goto(live_server.url + "/department/proposals/new")
    audit.check("new proposal form")
    page.get_by_label("Proposal title").fill("Cell-site simulator loan")
    page.get_by_role("button", name="Save draft").first.click()
    expect(page.locator(".flash[role=status]")).to_contain_text("Draft saved")
    audit.check("saved draft")
    words = "Forty minutes of analysis that the session timeout must not eat."
    page.get_by_label("Purpose and intended benefits").fill(words)
    page.wait_for_timeout(1200)  # the keeper stores after a short pause in typing

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
