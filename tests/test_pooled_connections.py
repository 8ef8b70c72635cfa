"""PostgreSQL: a pooled connection that rested is pinged, and a dead one replaced, before use."""

import pytest
from sqlalchemy import create_engine, event, text

from reviewapp import db as database
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
