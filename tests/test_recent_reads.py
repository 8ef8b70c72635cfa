"""The comment form reuses its proposal's read for COMMENT_FORM_READ_SECONDS; posts never do."""

from dataclasses import replace

from sqlalchemy import func, select

from reviewapp.db import write_transaction
from reviewapp.models import Comment, Proposal, Stage
from reviewapp.services import comments
from reviewapp.views.public import RECENT_TARGETS
from reviewapp.views.recent_reads import RecentReads
from tests.factories import form_nonce
from tests.test_rendered_once import blank_form

WINDOW = 1.0  # seconds


class Ticks:
    """A monotonic clock moved by hand: a slow machine cannot stretch the window."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Reader:
    """A read that counts how often it ran and gives the value it is set to."""

    def __init__(self, value):
        self.value, self.runs = value, 0

    def __call__(self):
        self.runs += 1
        return self.value


def test_a_read_is_reused_inside_its_window_and_made_again_after():
    ticks = Ticks()
    recent, read = RecentReads(clock=ticks), Reader("first")
    assert recent.get(1, WINDOW, read) == "first"
    read.value = "second"
    ticks.now += WINDOW - 0.01
    assert recent.get(1, WINDOW, read) == "first" and read.runs == 1
    ticks.now += 0.01
    assert recent.get(1, WINDOW, read) == "second" and read.runs == 2


def test_nothing_is_kept_for_a_zero_window_or_a_missing_value():
    recent = RecentReads()
    zero, missing = Reader("value"), Reader(None)
    for _ in range(3):
        recent.get("a", 0, zero)
        recent.get("b", WINDOW, missing)
    assert zero.runs == 3 and missing.runs == 3


def test_at_most_size_reads_are_kept():
    recent = RecentReads(size=2)
    reads = {key: Reader(key) for key in "abc"}
    for key in "abca":
        recent.get(key, 60, reads[key])
    # "a" was the least recently used when "c" came in, so it was read again.
    assert {key: read.runs for key, read in reads.items()} == {"a": 2, "b": 1, "c": 1}


def test_the_form_shows_a_change_once_its_read_is_older_than_the_window(app, world, db):
    app.config["COMMENT_FORM_READ_SECONDS"] = WINDOW
    ticks = Ticks()
    app.extensions[RECENT_TARGETS] = RecentReads(clock=ticks)
    item = world.proposal(Stage.PUBLIC_COMMENT)
    reader, title = app.test_client(), item.title
    assert "Comment on: " + title in blank_form(reader, item.id)
    db.get(Proposal, item.id).title = "Renamed drone program"
    db.commit()
    ticks.now += WINDOW - 0.01
    assert "Comment on: " + title in blank_form(reader, item.id)  # the read reused
    ticks.now += 0.01
    assert "Comment on: Renamed drone program" in blank_form(reader, item.id)


def test_a_post_is_checked_against_the_database_not_the_reused_read(app, world, db):
    app.config["COMMENT_FORM_READ_SECONDS"] = 60
    item = world.proposal(Stage.PUBLIC_COMMENT)
    reader = app.test_client()
    assert "Send comment" in blank_form(reader, item.id)
    db.get(Proposal, item.id).stage = Stage.WITHDRAWN
    db.commit()
    assert "Send comment" in blank_form(reader, item.id)  # the form, from the reused read
    text = "Please do not buy the drones."
    response = reader.post(f"/proposals/{item.id}/comment", data={
        "nonce": form_nonce("n-after-withdrawal"), "submitter_type": "anonymous",
        "position": "oppose",
        "body": text})
    assert response.status_code == 409  # refused: the proposal is no longer open
    assert text in response.get_data(as_text=True)  # and nothing the person wrote is lost
    assert db.get(Proposal, item.id).stage is Stage.WITHDRAWN
    assert db.scalar(select(func.count()).select_from(Comment)
                     .where(Comment.proposal_id == item.id)) == 0


def test_a_form_read_before_a_new_period_is_stored_in_the_period_open_now(app, world, db,
                                                                          clock):
    item = world.proposal(Stage.PUBLIC_COMMENT)
    with app.app_context(), write_transaction() as connection:
        now_read = comments.comment_target(connection, item.id)
    # As the form would have read it before the period it names was replaced.
    earlier_read = replace(now_read, title="Old title",
                           period=replace(now_read.period, id=now_read.period.id + 1000))
    with app.test_request_context(method="POST"), write_transaction() as connection:
        tracking = comments.take_comment(
            connection, earlier_read, clock(), nonce="n-new-period", submitter_type="anonymous",
            position="support", body="Stored once.", name=None, organization=None)
    stored = db.scalar(select(Comment).where(Comment.tracking_number == tracking))
    assert stored.period_id == now_read.period.id and stored.nonce == "n-new-period"
