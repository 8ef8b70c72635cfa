"""The proposal page and the clerk's workbench cost a fixed number of SQL statements."""

from contextlib import contextmanager

import pytest
from sqlalchemy import event, select

from reviewapp.models import Comment, DataRecipient, RecipientType, Stage
from reviewapp.services import comments as comment_service


@contextmanager
def counting(app):
    """Count the SQL statements every engine of the app executes."""
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    engines = set(app.extensions["db_engines"])
    for engine in engines:
        event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", count)


def add_comments(db, item, n: int, now) -> None:
    period = comment_service.current_period(db, item)
    db.add_all(Comment(proposal_id=item.id, period_id=period.id, tracking_number=f"T-{i}",
                       nonce=f"nonce-{i}", submitter_type="anonymous",
                       position=("support", "oppose", "neutral")[i % 3],
                       body=f"Comment {i}", created_at=now) for i in range(n))
    db.commit()


def page_statements(app, client, item, url: str | None = None) -> int:
    url = url or f"/proposals/{item.id}"
    client.get(url)  # warm caches that are not per request
    with counting(app) as statements:
        response = client.get(url)
    assert response.status_code == 200
    return len(statements)


def test_page_cost_does_not_grow_with_comments_or_recipients(app, client, world, db, clock):
    small = world.proposal(Stage.PUBLIC_COMMENT)
    add_comments(db, small, 3, clock())
    large = world.proposal(Stage.PUBLIC_COMMENT)
    version = large.current_version
    db.add_all(DataRecipient(version_id=version.id, position=100 + i, name=f"Agency {i}",
                             recipient_type=RecipientType.COUNTY, purpose="p")
               for i in range(20))
    db.commit()
    period = comment_service.current_period(db, large)
    db.add_all(Comment(proposal_id=large.id, period_id=period.id,
                       tracking_number=f"L-{i}", nonce=f"large-{i}",
                       submitter_type="anonymous", position="oppose", body=f"Long {i}",
                       created_at=clock()) for i in range(1000))
    db.commit()
    small_cost = page_statements(app, client, small)
    large_cost = page_statements(app, client, large)
    print(f"public proposal page: {small_cost} statements with 3 comments, "
          f"{large_cost} with 1,000 comments and 20 recipients")
    assert small_cost == large_cost
    assert large_cost <= 20


# Every kind of comment page: the first, the last, either side of a comment, an old number.
# {after} and {before} are ids of comments of the proposal (its 10th and its 30th).
COMMENT_PAGES = ["", "?page=1", "?page=newest", "?after={after}", "?before={before}",
                 "?page=2", "?after={after}&version=1"]


def comment_ids(db, item) -> dict[str, int]:
    ids = db.scalars(select(Comment.id).where(Comment.proposal_id == item.id)
                     .order_by(Comment.id).limit(30)).all()
    return {"after": ids[9], "before": ids[29]}


@pytest.fixture
def two_sizes(world, db, clock):
    """Two proposals in comment: 45 comments (three pages), and 2,000."""
    small, large = world.proposal(Stage.PUBLIC_COMMENT), world.proposal(Stage.PUBLIC_COMMENT)
    add_comments(db, small, 45, clock())
    period = comment_service.current_period(db, large)
    db.add_all(Comment(proposal_id=large.id, period_id=period.id, tracking_number=f"M-{i}",
                       nonce=f"many-{i}", submitter_type="anonymous",
                       position=("support", "oppose", "neutral")[i % 3],
                       body=f"Many {i}", created_at=clock()) for i in range(2000))
    db.commit()
    for item in (small, large):  # a hidden comment on each, as the pages show placeholders
        hidden = db.get(Comment, comment_ids(db, item)["after"] + 1)
        comment_service.hide_comment(db, hidden, world.clerk, clock(), "Off topic.")
    db.commit()
    return small, large


@pytest.mark.parametrize("query", COMMENT_PAGES)
def test_every_comment_page_costs_the_same_at_45_and_2000_comments(app, client, db,
                                                                   two_sizes, query):
    costs = [page_statements(app, client, item,
                             f"/proposals/{item.id}" + query.format(**comment_ids(db, item)))
             for item in two_sizes]
    print(f"public proposal page{query}: {costs[0]} statements at 45 comments, "
          f"{costs[1]} at 2,000")
    assert costs[0] == costs[1]
    assert costs[1] <= 20


@pytest.mark.parametrize("query", COMMENT_PAGES[:5])
def test_the_clerks_workbench_costs_the_same_at_45_and_2000_comments(app, client, db,
                                                                     login_as, two_sizes,
                                                                     query):
    login_as("clerk")
    costs = [page_statements(app, client, item,
                             f"/clerk/proposals/{item.id}" + query.format(**comment_ids(db, item)))
             for item in two_sizes]
    print(f"clerk workbench{query}: {costs[0]} statements at 45 comments, {costs[1]} at 2,000")
    assert costs[0] == costs[1]
    assert costs[1] <= 30


def walk_pages(client, url: str, limit: int = 1000) -> list[str]:
    """Return the URL of every page of a listing, following its rel="next" links."""
    import html
    import re

    urls = [url]
    while len(urls) <= limit:
        response = client.get(urls[-1])
        assert response.status_code == 200, urls[-1]
        found = re.search(r'<a rel="next" href="([^"]+)"', response.get_data(as_text=True))
        if not found:
            return urls
        urls.append(html.unescape(found.group(1)).split("#")[0])
    raise AssertionError(f"more than {limit} pages from {url}")


def statements_for(app, client, url: str) -> int:
    """Return how many statements one GET of `url` runs (after a warming request)."""
    client.get(url).get_data()  # read it all, so a streamed body ends its transaction
    with counting(app) as statements:
        response = client.get(url)
        response.get_data()
    assert response.status_code == 200, url
    return len(statements)


def test_listing_pages_cost_the_same_at_two_sizes(app, client, world, clock):
    """Home, registry, a recipient, /oversight, the technologies and one technology."""
    from tests.test_registry import recipient, sharing

    app.config["LIST_PER_PAGE"] = 5
    shared = recipient("Alameda County Sheriff")

    def add(n: int, start: int) -> None:
        stages = (Stage.SUBMITTED, Stage.ASSESSMENT, Stage.PUBLIC_COMMENT)
        for i in range(start, start + n):
            world.proposal(stages[i % 3], sharing(
                f"Proposal {i}", shared, recipient(f"Agency {i}", "federal"),
                recipient(f"Pool {i % 4}", "vendor_pool")))

    approved = world.proposal(Stage.DECIDED, sharing("Approved readers", shared))
    add(2, 0)
    clock.advance(days=800)  # reports fall overdue, and are due next
    urls = ("/", f"/?after={approved.id + 1}", "/registry/",
            "/registry/alameda-county-sheriff", "/oversight", "/technologies/",
            f"/technologies/{approved.id}")
    small = {url: statements_for(app, client, url) for url in urls}
    world.proposal(Stage.DECIDED, sharing("Second approval", shared))
    world.proposal(Stage.DECIDED, sharing("Denied readers", shared), motion="deny")
    add(30, 2)
    large = {url: statements_for(app, client, url) for url in urls}
    print(f"listing statements, small vs large: {small} vs {large}")
    assert small == large
    assert all(n <= 18 for n in large.values()), large
