"""SQLite: the comment form's one read sends no BEGIN, and writers still take the lock."""

import pytest
from sqlalchemy import event

from reviewapp.models import Stage
from tests.factories import form_nonce
from tests.scratch_db import PG_URL

pytestmark = pytest.mark.skipif(bool(PG_URL), reason="SQLite's own transactions")


@pytest.fixture
def app_config():
    return {"COMMENT_FORM_READ_SECONDS": 0}  # each load reads (none reuses the last read)


def statements_on(engine, run, connection=None) -> list[str]:
    """Return what SQLite ran (first two words) on `engine`'s connections while `run()` ran.

    Traced by the driver itself, so statements run on the driver's cursor (and the BEGIN
    and COMMIT it sends) are seen as well as SQLAlchemy's. `connection`: one already
    checked out, to trace too.
    """
    seen: list[str] = []

    def note(statement):
        seen.append(" ".join(statement.split()[:2]))

    def trace(dbapi_connection, *_):
        dbapi_connection.set_trace_callback(note)

    def untrace(dbapi_connection, *_):
        dbapi_connection.set_trace_callback(None)

    given = connection.connection.dbapi_connection if connection is not None else None
    if given is not None:
        trace(given)
    event.listen(engine, "checkout", trace)
    event.listen(engine, "checkin", untrace)
    try:
        run()
    finally:
        event.remove(engine, "checkout", trace)
        event.remove(engine, "checkin", untrace)
        if given is not None:
            untrace(given)
    return seen


def test_the_comment_forms_read_is_one_select_and_the_next_writer_begins(app, world, db):
    item = world.proposal(Stage.PUBLIC_COMMENT)
    writer, reader = app.extensions["db_engines"]
    client = app.test_client()

    def load_twice():
        for _ in range(2):
            assert client.get(f"/proposals/{item.id}/comment").status_code == 200

    # The page's one SELECT is a transaction of its own: no BEGIN before it.
    assert statements_on(reader, load_twice) == ["SELECT proposal.id,", "SELECT proposal.id,"]
    # The option does not outlive its Connection: the same pooled connection, used again,
    # opens its transaction as every other reader and writer does.
    with reader.connect() as connection:
        assert statements_on(reader, lambda: connection.exec_driver_sql("SELECT 1"),
                             connection) == ["BEGIN", "SELECT 1"]
    with writer.connect() as connection:
        assert statements_on(writer, lambda: connection.exec_driver_sql("SELECT 1"),
                             connection) == ["BEGIN IMMEDIATE", "SELECT 1"]


def test_a_comments_post_is_one_immediate_transaction_on_the_driver(app, world, db):
    item = world.proposal(Stage.PUBLIC_COMMENT)
    writer, _reader = app.extensions["db_engines"]
    client = app.test_client()

    def post():
        response = client.post(f"/proposals/{item.id}/comment", data={
            "submitter_type": "anonymous", "position": "oppose",
            "nonce": form_nonce("one-transaction"),
            "body": "Please do not buy this."})
        assert response.status_code == 302

    ran = statements_on(writer, post)
    # The proposal was read before, outside the lock; under it, only the comment's insert
    # (which checks the proposal still takes comments), its count and the audit append.
    assert ran == ["BEGIN IMMEDIATE", "INSERT INTO", "INSERT INTO", "SELECT audit_event.hash",
                   "INSERT INTO", "COMMIT"]
