"""PostgreSQL: a pooled connection that rested is pinged, and a dead one replaced, before use."""

import pytest
from sqlalchemy import create_engine, event, text

from reviewapp import db as database
from reviewapp.models import Stage
from reviewapp.services import comments
from tests.scratch_db import PG_URL

pytestmark = pytest.mark.skipif(not PG_URL, reason="pooling applies to PostgreSQL")


@pytest.fixture
def backends(app):
    """Record the server process of every connection the app's engine opens."""
    engine = app.extensions["db_engine"]
    engine.dispose()  # start from an empty pool, so every connection is seen opening
    opened: list[int] = []

    def note(dbapi_connection, _record):
        opened.append(dbapi_connection.info.backend_pid)

    event.listen(engine, "connect", note)
    yield opened
    event.remove(engine, "connect", note)


def cut(pids: list[int]) -> None:
    """End those server processes, as a database restart or an idle timeout would."""
    admin = create_engine(PG_URL)
    try:
        with admin.begin() as conn:
            for pid in pids:
                conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    finally:
        admin.dispose()


def test_a_rested_connection_that_died_is_replaced(app, backends, monkeypatch):
    client = app.test_client()
    assert client.get("/about").status_code == 200
    assert backends, "the page opened no connection"
    cut(list(backends))
    monkeypatch.setattr(database, "PING_AFTER_REST", 0.0)  # every connection has rested
    answer = client.get("/about")
    assert answer.status_code == 200
    assert len(backends) >= 2, "the dead connection was used instead of a new one"


def test_a_connection_in_steady_use_is_not_pinged(app, backends, monkeypatch):
    client = app.test_client()
    assert client.get("/about").status_code == 200
    cut(list(backends))
    monkeypatch.setattr(database, "PING_AFTER_REST", 3600.0)  # none has rested that long
    # No ping, so the request meets the dead connection: the outage page, once. This is
    # the price of not pinging at every request (a restart under steady load).
    assert client.get("/about").status_code == 503
    assert client.get("/about").status_code == 200  # the pool then connects afresh


def test_the_comment_forms_autocommit_read_does_not_outlive_its_request(app, world, db,
                                                                        monkeypatch):
    app.config["COMMENT_FORM_READ_SECONDS"] = 0  # each load reads (none reuses the last read)
    item = world.proposal(Stage.PUBLIC_COMMENT)
    engine = app.extensions["db_engine"]
    engine.dispose()
    client = app.test_client()
    at_checkout, at_read = [], []
    # The read runs on the driver's cursor, which SQLAlchemy's cursor events do not see:
    # the statement itself notes the mode of the connection it is given.
    statement = comments._COMMENT_TARGET
    real_row = statement.row

    def row(connection, params=None):
        at_read.append(connection.connection.driver_connection.autocommit)
        return real_row(connection, params)

    def checked_out(dbapi_connection, _record, _proxy):
        at_checkout.append(dbapi_connection.autocommit)

    monkeypatch.setattr(statement, "row", row)
    event.listen(engine, "checkout", checked_out)
    try:
        assert client.get(f"/proposals/{item.id}/comment").status_code == 200
        assert client.get(f"/proposals/{item.id}/comment").status_code == 200
    finally:
        event.remove(engine, "checkout", checked_out)
    # Each page's one read ran in autocommit (no BEGIN, no ROLLBACK); the connection went
    # back to the pool in the ordinary mode, so the next request's writes stay atomic.
    assert at_read == [True, True]
    assert at_checkout == [False, False]
    with engine.connect() as connection:
        assert connection.connection.driver_connection.autocommit is False
