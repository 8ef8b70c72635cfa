"""A clerk sets up the second factor in a real browser, then signs in with it (axe-checked)."""

import re

import pyotp
import pytest
from playwright.sync_api import expect

from tests.browser.test_walkthrough import give_password

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config():
    """The real CSRF protection, and the second factor required as in production."""
    return {"WTF_CSRF_ENABLED": True, "RATELIMIT_ENABLED": False,
            "MFA_ROLES": ["clerk", "admin", "council"]}


def test_a_clerk_sets_up_the_second_factor_and_signs_in_with_it(live_server, axe_page,
                                                                  people):
    page, audit = axe_page
    clerk = people.clerk
    page.goto(live_server.url + "/")
    audit.check("home")
    give_password(page, audit, clerk)
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up your second factor")
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    audit.check("set-up page")
    key = page.locator("#totp-key").inner_text().replace(" ", "")
    page.get_by_label("The 6-digit code your app shows now").fill(
        pyotp.TOTP(key).at(live_server.clock()))
    page.get_by_role("button", name="Turn on the second factor").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your second factor is on")
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    audit.check("recovery codes")
    page.get_by_role("link", name="I have kept them: continue").click()
    audit.check("home, signed in")
    page.get_by_role("button", name=f"Sign out {clerk.name}").click()
    expect(page.locator(".flash[role=status]")).to_contain_text("You are signed out")
    audit.check("signed out")

    live_server.clock.advance(seconds=31)  # the next code, not the one used to set it up
    give_password(page, audit, clerk)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your code")
    audit.check("code page")
    page.get_by_label("Code").fill(pyotp.TOTP(key).at(live_server.clock()))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name=f"Sign out {clerk.name}")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Clerk")
    audit.check("clerk queue")
    audit.assert_clean()
