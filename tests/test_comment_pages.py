"""Comment pages are keyset pages: stable while comments arrive, both ends reachable."""

import html
import re

import pytest
from sqlalchemy import event

from reviewapp.models import Stage
from reviewapp.read.comment_pages import NUMBERED_ROWS
from reviewapp.services import comments

PER_PAGE = 3
SHOWN = re.compile(r'<article class="comment" id="comment-\d+" aria-label="Comment ([^"]+)">')
LINK = re.compile(r'<a href="([^"]+)"(?: rel="(next|prev)")?>((?:Oldest|Older|Newer|Newest) '
                  r'comments)</a>')


@pytest.fixture
def app_config():
    """Three comments a page, so that a few comments make several pages."""
    return {"COMMENTS_PER_PAGE": PER_PAGE}


class Commenter:
    """Posts numbered comments on one proposal through the real service."""

    def __init__(self, db, world, item):
        self.db, self.world, self.item = db, world, item
        self.posted: list[str] = []  # tracking numbers, in the order posted

    def post(self, n: int = 1, *, position: str = "oppose", advance: bool = True) -> list:
        saved = []
        for _ in range(n):
            if advance:
                self.world.clock.advance(seconds=1)
            number = len(self.posted)
            comment = comments.post_comment(
                self.db, self.item, self.world.clock(), nonce=f"n-{self.item.id}-{number}",
                submitter_type="anonymous", position=position, body=f"Comment body {number}.",
                name=None, organization=None)
            self.posted.append(comment.tracking_number)
            saved.append(comment)
        self.db.commit()
        return saved


def shown(text: str) -> list[str]:
    """Return the tracking numbers of the comments a page shows, in page order."""
    return SHOWN.findall(text)


def links(text: str) -> dict[str, tuple[str, str]]:
    """Return the page's comment links by their words: (address, rel)."""
    return {label: (html.unescape(href), rel) for href, rel, label in LINK.findall(text)}


def get(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


@pytest.fixture
def commenter(db, world):
    return Commenter(db, world, world.proposal(Stage.PUBLIC_COMMENT))


def test_walking_newer_pages_while_comments_arrive_skips_and_repeats_nothing(client,
                                                                             commenter):
    commenter.post(7)
    url = f"/proposals/{commenter.item.id}"
    seen, pages = [], 0
    while True:
        text = get(client, url)
        seen += shown(text)
        pages += 1
        commenter.post(2)  # residents keep commenting while the reader turns pages
        if "Newer comments" not in links(text) or pages > 20:
            break
        url, rel = links(text)["Newer comments"]
        assert rel == "next"
    assert len(seen) == len(set(seen)), "a comment was shown twice"
    # Everything posted before the reader reached the end is seen, in posting order.
    assert seen == commenter.posted[:len(seen)]
    assert len(seen) >= 7 + 2 * (pages - 1) - PER_PAGE


def test_walking_older_pages_from_the_newest_while_comments_arrive(client, commenter):
    commenter.post(10)
    before = list(commenter.posted)
    text = get(client, f"/proposals/{commenter.item.id}?page=newest")
    seen = shown(text)
    assert seen == before[-PER_PAGE:]
    while "Older comments" in links(text):
        commenter.post(2)
        url, rel = links(text)["Older comments"]
        assert rel == "prev"
        text = get(client, url)
        seen = shown(text) + seen
    assert seen == before  # every comment once, in order, none of the newcomers


def test_the_last_page_is_one_link_from_the_first(client, commenter):
    commenter.post(8)
    first = get(client, f"/proposals/{commenter.item.id}")
    assert shown(first) == commenter.posted[:3]
    assert "Oldest comments" not in links(first) and "Older comments" not in links(first)
    assert '<nav aria-label="Comment pages">' in first
    assert "Showing the 3 oldest of 8 comments, received" in first
    url, _ = links(first)["Newest comments"]
    last = get(client, url)
    assert shown(last) == commenter.posted[-3:]
    assert "Showing the 3 newest of 8 comments, received" in last
    assert set(links(last)) == {"Oldest comments", "Older comments"}
    assert get(client, links(last)["Oldest comments"][0]).count('class="comment"') == 3


def test_a_middle_page_says_its_range_and_links_both_ways(client, commenter):
    commenter.post(9)
    text = get(client, f"/proposals/{commenter.item.id}?page=2")  # an old numbered link
    assert shown(text) == commenter.posted[3:6]
    assert "Showing 3 of 9 comments, received" in text and ", oldest first." in text
    assert set(links(text)) == {"Oldest comments", "Older comments", "Newer comments",
                                "Newest comments"}
    assert shown(get(client, links(text)["Older comments"][0])) == commenter.posted[:3]
    assert shown(get(client, links(text)["Newer comments"][0])) == commenter.posted[6:9]


def test_page_one_and_the_plain_address_show_the_oldest(client, commenter):
    commenter.post(4)
    plain = get(client, f"/proposals/{commenter.item.id}")
    assert shown(get(client, f"/proposals/{commenter.item.id}?page=1")) == shown(plain)
    assert shown(plain) == commenter.posted[:3]


def test_one_page_of_comments_has_no_page_links(client, commenter):
    commenter.post(2)
    text = get(client, f"/proposals/{commenter.item.id}")
    assert "Showing all 2 comments, oldest first." in text
    assert links(text) == {} and 'aria-label="Comment pages"' not in text


def test_a_page_number_too_far_to_walk_shows_the_newest_and_says_so(client, commenter):
    commenter.post(5)
    far = NUMBERED_ROWS // PER_PAGE + 2
    text = get(client, f"/proposals/{commenter.item.id}?page={far}")
    assert shown(text) == commenter.posted[-3:]
    assert "Only the first comment pages keep their numbers" in text


def test_comments_at_the_same_instant_keep_their_order_across_pages(client, commenter):
    commenter.post(7, advance=False)  # one frozen second: the id breaks the tie
    first = get(client, f"/proposals/{commenter.item.id}")
    second = get(client, links(first)["Newer comments"][0])
    third = get(client, links(second)["Newer comments"][0])
    assert shown(first) + shown(second) + shown(third) == commenter.posted


def test_pages_follow_the_time_a_comment_was_received(client, db, world, commenter):
    # Comments stored out of id order (imported, or the demo's back-dated ones) still
    # read oldest first, and the page links walk that order.
    world.clock.advance(days=2)
    later = commenter.post(3)
    world.clock.advance(days=-1)
    earlier = commenter.post(3)
    order = [c.tracking_number for c in earlier + later]
    first = get(client, f"/proposals/{commenter.item.id}")
    assert shown(first) + shown(get(client, links(first)["Newer comments"][0])) == order


def test_a_hidden_comment_keeps_its_placeholder_on_a_later_page(client, db, world,
                                                                commenter):
    saved = commenter.post(8)
    comments.hide_comment(db, saved[6], world.clerk, world.clock(), "Personal attack.")
    db.commit()
    text = get(client, f"/proposals/{commenter.item.id}?page=newest")
    assert "A comment was hidden by the clerk on" in text
    assert saved[6].tracking_number not in text
    assert "Comment body 6." not in text and "Comment body 7." in text
    assert "1 hidden by the clerk" in text


def test_page_links_keep_the_version_being_read(client, commenter):
    commenter.post(4)
    text = get(client, f"/proposals/{commenter.item.id}?version=1")
    assert "version=1" in links(text)["Newer comments"][0]


# --- the clerk's workbench --------------------------------------------------------------

HIDE_FORM = re.compile(r'<form method="post" action="(/clerk/comments/(\d+)/hide[^"]*)"')


def test_the_workbench_pages_comments_instead_of_loading_them_all(client, login_as,
                                                                  commenter):
    commenter.post(8)
    login_as("clerk")
    text = get(client, f"/clerk/proposals/{commenter.item.id}")
    assert shown(text) == commenter.posted[:3]
    assert "8 comments: 0 support, 8 oppose, 0 neutral" in text
    newest = get(client, links(text)["Newest comments"][0])
    assert shown(newest) == commenter.posted[-3:]
    assert links(newest)["Oldest comments"][0] == f"/clerk/proposals/{commenter.item.id}" \
                                                  "#moderation"


def test_the_clerk_hides_a_comment_on_a_later_page_and_returns_to_it(client, db, login_as,
                                                                    commenter):
    saved = commenter.post(8)
    login_as("clerk")
    first = get(client, f"/clerk/proposals/{commenter.item.id}")
    middle = get(client, links(first)["Newer comments"][0])
    assert shown(middle) == commenter.posted[3:6]
    forms = {int(comment_id): html.unescape(action)
             for action, comment_id in HIDE_FORM.findall(middle)}
    target = saved[4]
    commenter.post(5)  # the page must come back the same though comments arrived
    response = client.post(forms[target.id], data={"reason": "Spam."})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"#comment-{target.id}")
    back = get(client, response.headers["Location"].split("#")[0])
    assert shown(back) == commenter.posted[3:6]
    assert "Hidden on" in back and "Spam." in back
    assert "1 hidden" in back


def test_a_missing_reason_is_marked_on_the_page_the_clerk_was_on(client, login_as,
                                                                commenter):
    saved = commenter.post(8)
    login_as("clerk")
    newest = get(client, f"/clerk/proposals/{commenter.item.id}?page=newest")
    forms = {int(comment_id): html.unescape(action)
             for action, comment_id in HIDE_FORM.findall(newest)}
    target = saved[-2]
    response = client.post(forms[target.id], data={"reason": "  "})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert shown(text) == commenter.posted[-3:]
    assert f'id="hide-reason-{target.id}-error"' in text
    assert f'href="#hide-reason-{target.id}"' in text  # the error summary links to it


def test_an_old_numbered_link_to_the_last_page_still_works(client, commenter):
    commenter.post(4)
    text = get(client, f"/proposals/{commenter.item.id}?page=2")
    assert shown(text) == commenter.posted[3:4]
    assert "Showing the 1 newest of 4 comments" in text
    assert set(links(text)) == {"Oldest comments", "Older comments"}


# --- the index serves every walk ---------------------------------------------------------

def page_queries(app, client, urls: list[str]) -> list[tuple[str, tuple]]:
    """Return the SELECTs of comment rows (statement, parameters) the pages at `urls` ran."""
    found = []

    def keep(_conn, _cursor, statement, parameters, *_args):
        if statement.startswith("SELECT comment.id, comment.proposal_id"):
            found.append((statement, parameters))

    engines = set(app.extensions["db_engines"])
    for engine in engines:
        event.listen(engine, "before_cursor_execute", keep)
    try:
        for url in urls:
            get(client, url)
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", keep)
    return found


def plan(connection, statement: str, parameters) -> str:
    """Return the database's plan for a statement, one line per step."""
    if connection.dialect.name == "sqlite":
        rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
        return "\n".join(row[3] for row in rows)
    # A table this small would be read whole; ask whether the index *can* serve the order.
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    connection.exec_driver_sql("SET LOCAL enable_sort = off")
    return "\n".join(row[0] for row in connection.exec_driver_sql("EXPLAIN " + statement,
                                                                   parameters))


def test_every_page_walks_the_comment_order_index_and_sorts_nothing(app, client, db,
                                                                     commenter):
    saved = commenter.post(8)
    base = f"/proposals/{commenter.item.id}"
    urls = [base, f"{base}?page=newest", f"{base}?after={saved[2].id}",
            f"{base}?before={saved[5].id}", f"{base}?page=2"]
    queries = page_queries(app, client, urls)
    assert len(queries) == len(urls)
    db.rollback()
    connection = db.connection()
    for statement, parameters in queries:
        steps = plan(connection, statement, parameters)
        assert "ix_comment_proposal_order" in steps, steps
        assert "TEMP B-TREE" not in steps and "Sort" not in steps, steps
    db.rollback()
