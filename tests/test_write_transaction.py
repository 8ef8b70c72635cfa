"""The comment's write transaction on a pooled driver connection: commit, roll back, recover."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import exc as sa_exc
from sqlalchemy import func, select, text

from reviewapp import audit
from reviewapp.db import write_transaction
from reviewapp.models import AuditEvent
from tests.scratch_db import PG_URL

WHEN = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def events(app) -> int:
    with app.extensions["db_engine"].connect() as connection:
        return connection.scalar(select(func.count()).select_from(AuditEvent))


def append(connection, marker: str) -> None:
    audit.append(connection, None, "note", "proposal", marker, WHEN)


def test_what_the_block_writes_is_committed_when_it_ends(app, db):
    before = events(app)
    with app.test_request_context(method="POST"), write_transaction() as connection:
        append(connection, "kept")
    assert events(app) == before + 1


def test_a_failed_statement_rolls_back_and_is_raised_as_sqlalchemy_raises_it(app, db):
    before = events(app)
    with app.test_request_context(method="POST"):
        with pytest.raises((sa_exc.ProgrammingError, sa_exc.OperationalError)) as raised, \
                write_transaction() as connection:
            append(connection, "undone")
            connection.connection.cursor().execute("SELECT * FROM no_such_table")
        assert isinstance(raised.value.orig, app.extensions["db_engine"].dialect.loaded_dbapi
                          .Error)
        # The connection went back to the pool clean: the next transaction works.
        with write_transaction() as connection:
            append(connection, "after")
    assert events(app) == before + 1


def test_an_error_of_the_block_rolls_back_and_is_raised_unchanged(app, db):
    before = events(app)
    with app.test_request_context(method="POST"), \
            pytest.raises(ValueError, match="the view changed its mind"), \
            write_transaction() as connection:
        append(connection, "undone")
        raise ValueError("the view changed its mind")
    assert events(app) == before


@pytest.mark.skipif(not PG_URL, reason="a PostgreSQL server session to end")
def test_a_lost_connection_leaves_the_pool_and_the_next_post_gets_a_new_one(app, db):
    engine = app.extensions["db_engine"]
    with app.test_request_context(method="POST"):
        with pytest.raises(sa_exc.OperationalError) as raised, \
                write_transaction() as connection:
            backend = connection.connection.cursor().execute(
                "SELECT pg_backend_pid()").fetchone()[0]
            with engine.connect() as other:  # as a database restart would
                other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
                other.commit()
            append(connection, "lost")
        assert isinstance(raised.value.orig, engine.dialect.loaded_dbapi.OperationalError)
        with write_transaction() as connection:
            new_backend = connection.connection.cursor().execute(
                "SELECT pg_backend_pid()").fetchone()[0]
            append(connection, "recovered")
    assert new_backend != backend
