"""A statement run on the driver's cursor stores exactly what SQLAlchemy's execution stores."""

from datetime import UTC, datetime

from sqlalchemy import bindparam, insert, select, text

from reviewapp.db import get_session
from reviewapp.driver_statements import DriverStatement
from reviewapp.models import AuditEvent, CommentPeriod, Proposal, Stage

_events = AuditEvent.__table__
COLUMNS = ("created_at", "actor_id", "actor_label", "action", "object_type", "object_id",
           "details", "prev_hash", "hash")
STORED_AS_TEXT = text(
    "SELECT CAST(created_at AS TEXT), actor_id, actor_label, action, object_type, object_id, "
    "details FROM audit_event WHERE id = :id")


def event(marker: str, when: datetime) -> dict:
    return dict(created_at=when, actor_id=None, actor_label="public", action="note",
                object_type="proposal", object_id="2026-0001", details='{"x": "é"}',
                prev_hash=marker * 64, hash=marker.upper() * 64)


def test_the_driver_stores_the_same_text_as_sqlalchemy(app):
    statement = DriverStatement(insert(_events).returning(_events.c.id), columns=COLUMNS)
    with app.app_context():
        session = get_session()
        connection = session.connection()
        stored = {}
        # Whole seconds (no microseconds to print) and a time off UTC: both are converted.
        for (first, second), when in zip(
                ("ab", "cd"), (datetime(2026, 12, 2, 3, 4, 5, tzinfo=UTC),
                               datetime.fromisoformat("2026-12-02T09:04:05.250000+05:30")),
                strict=True):
            by_sqlalchemy = connection.scalar(insert(_events).returning(_events.c.id),
                                              event(first, when))
            by_driver = statement.scalar(connection, event(second, when))
            rows = [connection.execute(STORED_AS_TEXT, {"id": row_id}).one()
                    for row_id in (by_sqlalchemy, by_driver)]
            assert rows[0] == rows[1]
            stored[when] = rows[1][0]
        session.rollback()
    assert len(set(stored.values())) == 2


def test_a_row_read_on_the_driver_is_typed_as_sqlalchemy_types_it(app, world):
    proposal = world.proposal(Stage.PUBLIC_COMMENT)
    world.db.commit()
    periods, proposals = CommentPeriod.__table__.c, Proposal.__table__.c
    query = (select(proposals.id, proposals.stage, proposals.title, periods.opens_at,
                    periods.closes_at)
             .join(CommentPeriod.__table__, periods.proposal_id == proposals.id)
             .where(proposals.id == bindparam("proposal_id")))
    with app.app_context():
        connection = get_session().connection()
        by_sqlalchemy = tuple(connection.execute(query, {"proposal_id": proposal.id}).one())
        by_driver = DriverStatement(query).row(connection, {"proposal_id": proposal.id})
        missing = DriverStatement(query).row(connection, {"proposal_id": -1})
    assert by_driver == by_sqlalchemy
    assert by_driver[1] is Stage.PUBLIC_COMMENT and by_driver[3].tzinfo is UTC
    assert missing is None
