"""The comment tally equals a real count of the record: after comments, hides and races."""

import threading

import pytest
from alembic import command
from sqlalchemy import func, select

from reviewapp import audit, record
from reviewapp.cli.setup import alembic_config
from reviewapp.db import dispose, get_session
from reviewapp.models import Comment, CommentModeration, Position, Role, Stage, User
from reviewapp.services import comment_tally, comments
from reviewapp.workflow import TransitionNotAllowed
from tests.test_migrations import empty_database_url, seeded_app_at_head
from tests.waiting import second_waits_for_first


def real_counts(db, proposal_id: int) -> record.CommentCounts:
    """Count the comments themselves: by position, and hidden (the scan the tally avoids)."""
    counts = record.CommentCounts(by_position={p.value: 0 for p in Position})
    for position, number in db.execute(
            select(Comment.position, func.count()).where(Comment.proposal_id == proposal_id)
            .group_by(Comment.position)):
        counts.by_position[position.value] = number
    counts.hidden = db.scalar(select(func.count()).select_from(CommentModeration)
                              .join(Comment, Comment.id == CommentModeration.comment_id)
                              .where(Comment.proposal_id == proposal_id))
    return counts


def post(db, item, now, nonce: str, position: str = "oppose", kind: str = "anonymous"):
    return comments.post_comment(db, item, now, nonce=nonce, submitter_type=kind,
                                 position=position, body=f"Comment {nonce}.",
                                 name="A. Resident" if kind == "individual" else None,
                                 organization="Tenants Union" if kind == "organization"
                                 else None)


def test_counts_equal_a_real_count_after_comments_and_hides(db, world, clock):
    first, second = world.proposal(Stage.PUBLIC_COMMENT), world.proposal(Stage.PUBLIC_COMMENT)
    plan = [("support", "individual"), ("oppose", "anonymous"), ("oppose", "organization"),
            ("neutral", "anonymous"), ("oppose", "anonymous"), ("support", "anonymous")]
    saved = []
    for n, (position, kind) in enumerate(plan * 3):
        item = first if n % 3 else second
        saved.append(post(db, item, clock(), f"n{n}", position, kind))
        clock.advance(minutes=1)
    post(db, first, clock(), "n1", "oppose")  # the same form again: stored once, counted once
    for comment in saved[::4]:
        comments.hide_comment(db, comment, world.clerk, clock(), "Off topic.")
    db.commit()
    db.expire_all()  # as the next request would load it
    with pytest.raises(TransitionNotAllowed):  # a second hide is refused and counts nothing
        comments.hide_comment(db, saved[0], world.clerk, clock(), "Again.")
    db.commit()
    for item in (first, second):
        tally = record.comment_counts(db, item.id)
        assert tally == real_counts(db, item.id)
        assert tally.total > 0 and tally.hidden > 0
    assert sum(record.comment_counts(db, i.id).total for i in (first, second)) == len(saved)


def test_a_proposal_without_comments_counts_zero(db, world):
    item = world.proposal(Stage.PUBLIC_COMMENT)
    counts = record.comment_counts(db, item.id)
    assert counts.total == 0 and counts.hidden == 0
    assert counts.by_position == {"support": 0, "oppose": 0, "neutral": 0}


def test_a_comment_rolled_back_is_not_counted(db, world, clock):
    item = world.proposal(Stage.PUBLIC_COMMENT)
    post(db, item, clock(), "kept")
    db.commit()
    post(db, item, clock(), "lost")  # e.g. the request failed before its commit
    db.rollback()
    assert record.comment_counts(db, item.id) == real_counts(db, item.id)
    assert record.comment_counts(db, item.id).total == 1


def test_comments_posted_at_once_from_many_sessions_are_all_counted(app, db, world, clock):
    item = world.proposal(Stage.PUBLIC_COMMENT)
    residents, each = 8, 5
    start = threading.Barrier(residents)
    errors = []

    def resident(n: int) -> None:
        session = app.extensions["db_sessionmaker"]()
        context = app.app_context()  # a thread of its own: appends need the app's seal key
        context.push()
        try:
            proposal = record.load_proposal(session, item.id)
            session.commit()  # SQLite: let go of the write lock while the others load
            start.wait(timeout=10)
            for k in range(each):
                post(session, proposal, clock(), f"r{n}-{k}", ("support", "oppose")[k % 2])
                session.commit()
        except Exception as exc:  # reported below; a thread cannot fail the test itself
            errors.append(repr(exc))
        finally:
            session.close()
            context.pop()

    threads = [threading.Thread(target=resident, args=(n,)) for n in range(residents)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    db.expire_all()
    counts = record.comment_counts(db, item.id)
    assert counts == real_counts(db, item.id)
    assert counts.total == residents * each
    # Appended at once too: each event follows the one before it (no two on one head).
    report = audit.verify_chain(db)
    assert report.ok, report.problem


@pytest.mark.parametrize("existing", [False, True], ids=["new row", "existing row"])
def test_two_transactions_counting_at_once_both_land(app, db, world, existing):
    """The second waits for the first's row (PostgreSQL) or write lock (SQLite), then adds."""
    item = world.proposal(Stage.PUBLIC_COMMENT)
    make = app.extensions["db_sessionmaker"]
    if existing:
        with make() as session:
            comment_tally.count_comment(session.connection(), item.id, Position.NEUTRAL)
            session.commit()
    first, second = make(), make()
    # Counted and not committed yet.
    comment_tally.count_comment(first.connection(), item.id, Position.NEUTRAL)
    second_waits_for_first(
        first, second,
        lambda session: comment_tally.count_comment(session.connection(), item.id,
                                                    Position.NEUTRAL),
        "the second count did not wait for the first")
    db.expire_all()
    assert record.comment_counts(db, item.id).by_position["neutral"] == 2 + existing


def test_the_migration_fills_the_tally_from_the_comments_already_stored(tmp_path):
    url, cleanup = empty_database_url(tmp_path)
    try:
        app = seeded_app_at_head(tmp_path, url)
        with app.app_context():
            session = get_session()
            clerk = session.scalar(select(User).where(User.role == Role.CLERK))
            commented = session.scalars(select(Comment).order_by(Comment.id)).all()
            comments.hide_comment(session, commented[0], clerk, commented[0].created_at,
                                  "Names a private person.")
            session.commit()
            ids = sorted({c.proposal_id for c in commented})
            expected = {i: real_counts(session, i) for i in ids}
        dispose(app)
        # Back to before the tally, and forward again: 0006 fills it from the comments.
        command.downgrade(alembic_config(url), "0005")
        command.upgrade(alembic_config(url), "head")
        with app.app_context():
            session = get_session()
            assert {i: record.comment_counts(session, i) for i in ids} == expected
            assert sum(c.hidden for c in expected.values()) == 1
            assert sum(c.total for c in expected.values()) == len(commented) > 1
        dispose(app)
    finally:
        cleanup()


def test_rebuild_derived_counts_comments_loaded_behind_the_apps_back(app, db, world, clock):
    item = world.proposal(Stage.PUBLIC_COMMENT)
    post(db, item, clock(), "through-the-app", "support")
    period = comments.current_period(db, item)
    # An import or a bench loads rows with SQL: the tally does not see them.
    db.add_all(Comment(proposal_id=item.id, period_id=period.id, tracking_number=f"SQL-{i}",
                       nonce=f"sql-{i}", submitter_type="anonymous", position="oppose",
                       body=f"Loaded {i}", created_at=clock()) for i in range(7))
    db.commit()
    assert record.comment_counts(db, item.id).by_position["oppose"] == 0
    db.rollback()  # the command takes SQLite's write lock
    result = app.test_cli_runner().invoke(args=["rebuild-derived"])
    assert result.exit_code == 0, result.output
    assert "8 comments counted" in result.output
    db.expire_all()
    assert record.comment_counts(db, item.id) == real_counts(db, item.id)
    assert record.comment_counts(db, item.id).by_position["oppose"] == 7
