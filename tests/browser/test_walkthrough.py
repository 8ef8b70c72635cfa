"""One proposal, every stage, in a real browser: typed and clicked as people would do it.

Each page visited is checked with axe-core against WCAG 2.1 A and AA; the walk ends by
downloading the determination PDF and comparing it with what the public page says.
"""

import hashlib
import re
import subprocess
from datetime import UTC, date, datetime, time, timedelta

import pytest
from playwright.sync_api import Page, expect

from forms.documents import IMPACT_REPORT, USE_POLICY

TITLE = "Drones for search and rescue in the hills"
CONDITIONS = ["No flights over lawful protests or assemblies.",
              "Delete video not needed for a case within 30 days."]
VOTES = ("Aye", "Aye", "Aye", "No", "Abstain")
PHONE = {"width": 390, "height": 844}


def give_password(page: Page, audit, person) -> None:
    """Follow the header link and send the sign-in form with the person's password."""
    page.get_by_role("link", name="Staff sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff sign in")
    audit.check("sign-in form")
    page.get_by_label("Email address").fill(person.email)
    page.get_by_label("Password").fill(person.password)
    page.get_by_role("button", name="Sign in").click()


def sign_in(page: Page, audit, person) -> None:
    """Sign in (no second factor) and land on the role's home page."""
    give_password(page, audit, person)
    expect(page.get_by_role("button", name=f"Sign out {person.name}")).to_be_visible()
    audit.check(f"home of {person.name}")


def sign_out(page: Page, audit) -> None:
    """Press the header's sign-out button."""
    page.get_by_role("button", name=re.compile(r"^Sign out ")).click()
    expect(page.get_by_role("status")).to_contain_text("You are signed out.")
    expect(page.get_by_role("link", name="Staff sign in")).to_be_visible()
    audit.check("signed out")


def expect_flash(page: Page, text: str) -> None:
    expect(page.locator(".flash[role=status]")).to_contain_text(text)


def open_clerk_workbench(page: Page, audit) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Clerk queue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Clerk queue")
    audit.check("clerk queue")
    page.get_by_role("link", name=TITLE, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    audit.check("clerk workbench")


def phone_screenshot(page: Page, audit, path) -> None:
    """Screenshot at phone size; the page must reflow without sideways scrolling."""
    desktop = page.viewport_size
    page.set_viewport_size(PHONE)
    audit.check(f"phone viewport {PHONE['width']}px")
    overflow = page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= PHONE["width"], f"{page.url} scrolls sideways at 390px ({overflow}px)"
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(desktop)


@pytest.mark.browser
def test_one_proposal_from_draft_to_determination(live_server, axe_page, people, artifacts):
    page, audit = axe_page
    clock = live_server.clock
    rules = live_server.app.extensions["profile"]
    zone, notice_days = rules.zone, rules.notice_days

    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Surveillance technology proposals")
    audit.check("public home")

    # 1. The department drafts, lists a data recipient, and submits.
    sign_in(page, audit, people.submitter)
    page.get_by_role("link", name="Start a new proposal").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "New surveillance technology proposal")
    audit.check("new proposal form")
    page.get_by_label("Proposal title", exact=True).fill(TITLE)
    page.get_by_label("What triggers review (required to submit)").select_option(
        label="Acquire or borrow (even free)")
    page.get_by_label("Kind of technology (required to submit)").select_option(
        label="Drone / unmanned aircraft")
    page.get_by_label("Technology name (required to submit)").fill("Small unmanned aircraft")
    page.get_by_label("Vendor", exact=True).fill("Skydio")
    page.get_by_label("Acquisition cost (dollars)", exact=True).fill("$140,000.00")
    page.get_by_label("Retention period (days)", exact=True).fill("30")
    for section in (*IMPACT_REPORT, *USE_POLICY):
        if section.required:
            page.get_by_label(f"{section.label} (required to submit)", exact=True).fill(
                f"{section.label}: as described for the search and rescue program.")
    page.get_by_role("button", name="Save draft").first.click()
    expect_flash(page, "Draft saved.")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    audit.check("draft saved")

    page.get_by_role("button", name="Add a recipient").click()
    expect_flash(page, "Fill in the new recipient row below.")
    audit.check("recipient row added")
    row = page.get_by_role("group", name="Recipient 1")
    row.get_by_label("Recipient name").fill("County Fire Department")
    row.get_by_label("Type of recipient").select_option(label="County agency (this state)")
    row.get_by_label("Purpose of sharing").fill("Search and rescue coordination")
    row.get_by_label("Data categories shared").fill("Live video")
    row.get_by_label("Legal basis", exact=True).fill("Mutual aid agreement")
    page.get_by_role("button", name="Save draft").first.click()
    expect_flash(page, "Draft saved at")
    expect(page.get_by_role("group", name="Recipient 1").get_by_label("Recipient name")
           ).to_have_value("County Fire Department")
    audit.check("draft with recipient")

    page.get_by_role("button", name="Submit for clerk review").click()
    expect_flash(page, "Submitted. The clerk will review it for completeness.")
    expect(page.locator(".badge")).to_have_text("Submitted for clerk review")
    audit.check("submitted: public page")
    sign_out(page, audit)

    # 2. The clerk accepts the filing and opens public comment with the default date.
    sign_in(page, audit, people.clerk)
    open_clerk_workbench(page, audit)
    page.get_by_role("button", name="Accept as complete").click()
    expect_flash(page, "Accepted.")
    audit.check("accepted")
    closes_on = page.get_by_label("Comments close at 11:59 PM on")
    expect(closes_on).not_to_have_value("")
    opened_on = clock().astimezone(zone).date()
    page.get_by_role("button", name="Open public comment").click()
    expect_flash(page, "Public comment is open.")
    audit.check("comment opened")
    sign_out(page, audit)

    # 3. A member of the public comments anonymously, without an account.
    page.get_by_role("link", name=TITLE, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    audit.check("public proposal in comment")
    page.get_by_role("link", name="Comment on this proposal").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Comment on: {TITLE}")
    audit.check("comment form")
    phone_screenshot(page, audit, artifacts / "comment-form-phone.png")
    page.get_by_role("group", name="How do you want to appear?").get_by_label(
        "Anonymous").check()
    page.get_by_role("group", name="Your position").get_by_label("Oppose").check()
    page.get_by_label("Your comment (published)").fill(
        "Please limit flights to search and rescue; never over protests.")
    page.get_by_role("button", name="Send comment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your comment was received")
    tracking = page.locator("#tracking-number").inner_text()
    assert tracking.startswith("RA-"), tracking
    audit.check("comment receipt")

    # 4. The comment period closes by the clock; the advisory body recommends.
    clock.advance(days=31)
    page.get_by_role("link", name="Proposals").click()
    audit.check("public home after close")
    sign_in(page, audit, people.advisory)
    page.get_by_role("link", name=TITLE, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    audit.check("advisory review form")
    page.get_by_role("group", name="Recommendation").get_by_label(
        "Approve with modifications").check()
    page.get_by_label("Memo (published)").fill(
        "Approve only with a ban on protest flights and 30-day retention.")
    page.get_by_role("button", name="Record recommendation").click()
    expect_flash(page, "Recommendation recorded.")
    audit.check("recommendation recorded")
    sign_out(page, audit)

    # 5. The clerk schedules the hearing on the earliest lawful date (the default).
    sign_in(page, audit, people.clerk)
    open_clerk_workbench(page, audit)
    hearing_value = page.get_by_label("Hearing date").input_value()
    hearing_day = date.fromisoformat(hearing_value)
    page.get_by_role("button", name="Schedule hearing").click()
    expect_flash(page, "The hearing is scheduled")
    audit.check("hearing scheduled")
    sign_out(page, audit)

    # The default is the earliest lawful date: notice_days after the packet went public,
    # and not in the past.
    local_today = clock().astimezone(zone).date()
    assert hearing_day == max(opened_on + timedelta(days=notice_days), local_today)

    # Hearing day, 10 AM local time (or a few hours from now if that has passed).
    hearing_start = datetime.combine(hearing_day, time(10, 0), tzinfo=zone).astimezone(UTC)
    hearing_start = max(hearing_start, clock() + timedelta(hours=3))
    clock.advance(seconds=(hearing_start - clock()).total_seconds())
    assert clock().astimezone(zone).date() == hearing_day

    # 6. At the hearing the clerk records the motion.
    sign_in(page, audit, people.clerk)
    open_clerk_workbench(page, audit)
    page.get_by_role("group", name="Motion").get_by_label(
        "Approve with conditions", exact=True).check()
    findings = page.get_by_role("group", name=re.compile("^Findings made by the council"))
    boxes = findings.get_by_role("checkbox")
    expect(boxes).to_have_count(4)
    for box in boxes.all():
        box.check()
    page.get_by_label("Conditions of approval, one per line").fill("\n".join(CONDITIONS))
    page.get_by_label("Moved by").fill(people.council[0].name)
    page.get_by_role("button", name="Put the motion to a vote").click()
    expect_flash(page, "The motion is open.")
    audit.check("motion open")
    sign_out(page, audit)

    # 7. Each council member votes from the agenda.
    for member, choice in zip(people.council, VOTES, strict=True):
        sign_in(page, audit, member)
        expect(page.get_by_role("heading", level=1)).to_have_text("Council agenda")
        page.get_by_role("link", name=TITLE, exact=True).click()
        expect(page.get_by_role("heading", level=2, name="Motion to approve with conditions")
               ).to_be_visible()
        audit.check(f"vote form: {member.name}")
        page.get_by_role("group", name="Your vote").get_by_label(choice, exact=True).check()
        page.get_by_role("button", name="Cast vote").click()
        expect_flash(page, "Your vote is recorded.")
        expect(page.get_by_text(f"Your vote is recorded: {choice}.")).to_be_visible()
        audit.check(f"vote recorded: {member.name}")
        sign_out(page, audit)

    # 8. The clerk closes the roll call and issues the determination.
    sign_in(page, audit, people.clerk)
    open_clerk_workbench(page, audit)
    page.get_by_role("button", name="Close roll call").click()
    expect_flash(page, "Roll call closed")
    audit.check("roll call closed")
    page.get_by_role("button", name="Issue determination").click()
    expect_flash(page, "Determination")
    expect_flash(page, "issued.")
    audit.check("determination issued")
    sign_out(page, audit)

    # 9. The public reads the decision and downloads the PDF.
    page.get_by_role("link", name=TITLE, exact=True).click()
    expect(page.locator(".badge")).to_have_text("Decided")
    audit.check("public proposal decided")
    page.screenshot(path=str(artifacts / "proposal-decided-desktop.png"), full_page=True)
    phone_screenshot(page, audit, artifacts / "proposal-decided-phone.png")
    shown_sha = page.locator("[data-sha256]").inner_text().strip()
    with page.expect_download() as download_info:
        pdf_link = re.compile(r"^Download the determination \(PDF")
        page.get_by_role("link", name=pdf_link).first.click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    saved = artifacts / download.suggested_filename
    download.save_as(saved)
    pdf = saved.read_bytes()
    assert pdf.startswith(b"%PDF-")
    assert hashlib.sha256(pdf).hexdigest() == shown_sha

    text = subprocess.run(["pdftotext", "-layout", str(saved), "-"], check=True,
                          capture_output=True, text=True).stdout
    flat = " ".join(text.split())
    assert "approved with conditions" in flat.lower(), flat[:2000]
    for member in people.council:
        assert member.name in flat, f"{member.name} missing from the PDF"
    for condition in CONDITIONS:
        assert condition in flat, f"condition {condition!r} missing from the PDF"
    assert "3 aye, 1 no, 1 abstaining" in flat

    print(audit.summary())
    assert len(audit.checked) >= 60, audit.summary()
    audit.assert_clean()
