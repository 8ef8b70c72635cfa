"""SQLite: the comment form's one read sends no BEGIN, and writers still take the lock."""

import pytest
from sqlalchemy import event

from reviewapp.models import Stage
from tests.scratch_db import PG_URL

pytestmark = pytest.mark.skipif(bool(PG_URL), reason="SQLite's own transactions")


@pytest.fixture
def app_config():
    return {"COMMENT_FORM_READ_SECONDS": 0}  # each load reads (none reuses the last read)


def statements_on(engine, run) -> list[str]:
    """Return the SQL each cursor of `engine` was given while `run()` ran."""
    seen: list[str] = []

    def note(_conn, _cursor, statement, *_args):
        seen.append(" ".join(statement.split()[:2]))

    event.listen(engine, "before_cursor_execute", note)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", note)
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
        assert statements_on(reader, lambda: connection.exec_driver_sql("SELECT 1")) == [
            "BEGIN", "SELECT 1"]
    with writer.connect() as connection:
        assert statements_on(writer, lambda: connection.exec_driver_sql("SELECT 1")) == [
            "BEGIN IMMEDIATE", "SELECT 1"]
