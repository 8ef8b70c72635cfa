"""Atom feeds and the iCalendar: public steps only, escaped, bounded, valid enough to parse."""

from xml.etree import ElementTree

from reviewapp.models import Stage
from tests.factories import complete_data
from tests.test_security import SCRIPT

ATOM = "{http://www.w3.org/2005/Atom}"


def entries(response) -> list[tuple[str, str]]:
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    feed = ElementTree.fromstring(response.data)  # noqa: S314 (our own feed, in a test)
    assert feed.tag == f"{ATOM}feed"
    return [(e.findtext(f"{ATOM}title"), e.find(f"{ATOM}link").get("href"))
            for e in feed.findall(f"{ATOM}entry")]


def test_the_city_feed_has_every_public_step_and_no_draft(client, world):
    decided = world.proposal(Stage.DECIDED, data=complete_data(title=f"Drones {SCRIPT}"))
    world.proposal(Stage.DRAFT, data=complete_data(title="Secret draft"))
    response = client.get("/feeds/city.atom")
    found = entries(response)
    titles = [title for title, _ in found]
    assert f"Drones {SCRIPT}: Decided" in titles  # the text itself, escaped in the XML
    assert f"Drones {SCRIPT}: Submitted for clerk review" in titles
    assert not any("Secret draft" in t for t in titles)
    assert b"<script>" not in response.data
    assert all(href.endswith(f"/proposals/{decided.id}") for _, href in found)
    assert response.headers["Cache-Control"] in ("public, max-age=300", "max-age=300, public")


def test_a_proposals_feed_has_only_its_steps_and_a_draft_has_none(client, world):
    first = world.proposal(Stage.PUBLIC_COMMENT, data=complete_data(title="First"))
    world.proposal(Stage.SUBMITTED, data=complete_data(title="Second"))
    draft = world.proposal(Stage.DRAFT)
    titles = [t for t, _ in entries(client.get(f"/proposals/{first.id}/feed.atom"))]
    assert titles and all(t.startswith("First: ") for t in titles)
    assert titles[0] == "First: Public comment"  # the newest step first
    assert client.get(f"/proposals/{draft.id}/feed.atom").status_code == 404
    page = client.get(f"/proposals/{first.id}").get_data(as_text=True)
    assert f'href="/proposals/{first.id}/feed.atom"' in page


def test_the_calendar_lists_hearings_and_comment_deadlines(client, world):
    world.proposal(Stage.HEARING_SCHEDULED, data=complete_data(
        title="Cameras, plaza; phase 2\nand more"))
    response = client.get("/calendar.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    text = response.get_data(as_text=True)
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    lines = text.split("\r\n")
    assert all(len(line.encode()) <= 75 for line in lines)
    unfolded = text.replace("\r\n ", "")
    assert "SUMMARY:Council hearing: Cameras\\, plaza\\; phase 2\\nand more" in unfolded
    assert "LOCATION:Council Chamber" in unfolded
    assert "DTSTART;VALUE=DATE:" in unfolded
    assert "SUMMARY:Public comment closes: Cameras" in unfolded
    assert unfolded.count("BEGIN:VEVENT") == 2


def test_a_control_character_typed_in_a_title_does_not_break_the_feed(client, world):
    world.proposal(Stage.SUBMITTED, data=complete_data(title="Pasted\x0b title\x0c here"))
    titles = [t for t, _ in entries(client.get("/feeds/city.atom"))]
    assert "Pasted title here: Submitted for clerk review" in titles
