"""Engines and one session per request; the view commits once.

On SQLite, requests that may write (POST and the like, and CLI commands) open their
transaction with BEGIN IMMEDIATE, taking the write lock up front so check-then-insert
cannot race and a transaction never fails half-way on a lock upgrade. Read-only requests
(GET, HEAD) use ordinary deferred transactions, which in WAL mode never wait for writers.
A writing request with slow reads before its writes (issuing a determination renders its
PDF first) reads through get_read_session, on a connection of its own, so the write lock
covers only its writes.
"""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

from .driver_statements import DriverConnection

READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
STATEMENTS_ALONE = "reviewapp_statements_alone"  # execution option: no BEGIN on SQLite
PING_AFTER_REST = 5.0  # seconds a pooled PostgreSQL connection may rest before a ping
_RESTING_SINCE = "reviewapp.resting_since"  # connection record info key
_WROTE = "reviewapp.flushed"  # session.info key: this transaction has flushed a change


def normalize_url(url: str) -> str:
    """Return `url` with PostgreSQL pointed at psycopg 3 (the driver we install)."""
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def database_url(app: Flask) -> str:
    """Return the configured database URL, defaulting to SQLite in the instance folder."""
    url = app.config.get("DATABASE_URL")
    if url:
        return normalize_url(url)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{Path(app.instance_path) / 'reviewapp.sqlite3'}"


def make_engine(url: str, immediate: bool = True) -> Engine:
    """Create an engine; SQLite connections get WAL, synchronous=FULL and foreign keys."""
    if not url.startswith("sqlite"):
        # A database host that does not answer gives the outage page in seconds, not after
        # the operating system's TCP timeout.
        engine = create_engine(url, connect_args={"connect_timeout": 5})
        event.listen(engine, "checkin", _note_checkin)
        event.listen(engine, "checkout", _ping_if_rested)
        return engine
    engine = create_engine(url, connect_args={"timeout": 15})
    event.listen(engine, "connect", _sqlite_pragmas)
    begin = "BEGIN IMMEDIATE" if immediate else "BEGIN"
    event.listen(engine, "begin", lambda conn: _begin_sqlite(conn, begin))
    return engine


def _begin_sqlite(connection: Connection, begin: str) -> None:
    """Open SQLite's transaction, unless the connection runs each statement on its own."""
    # Without BEGIN, the driver (isolation_level None) leaves each statement in a
    # transaction of its own: a lone SELECT still reads one consistent snapshot.
    if not connection.get_execution_options().get(STATEMENTS_ALONE):
        connection.exec_driver_sql(begin)


def _note_checkin(_dbapi_connection, record) -> None:
    record.info[_RESTING_SINCE] = time.monotonic()


def _ping_if_rested(dbapi_connection, record, _proxy) -> None:
    """Ping a pooled connection that rested a while; a dead one is replaced before use.

    Pinging at every checkout (pool_pre_ping) cost a round trip per request. A connection
    in steady use is known to be alive; one that rested may have been cut (a database
    restart, an idle timeout), and raising DisconnectionError makes the pool connect
    afresh. A restart under steady load still fails the requests in flight, once.
    """
    since = record.info.get(_RESTING_SINCE)
    if since is None or time.monotonic() - since < PING_AFTER_REST:
        return
    try:
        cursor = dbapi_connection.cursor()
        cursor.execute("SELECT 1")
        cursor.close()
        dbapi_connection.rollback()  # the driver began a transaction for the SELECT
    except Exception as exc:
        raise DisconnectionError("pooled connection is gone") from exc


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """Set the per-connection pragmas (journal_mode persists in the file)."""
    dbapi_connection.isolation_level = None  # the 'begin' event issues BEGIN itself
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.close()


def init_app(app: Flask) -> None:
    """Attach engines and session factories to the app; close sessions when done."""
    url = database_url(app)
    writer = make_engine(url, immediate=True)
    reader = make_engine(url, immediate=False) if url.startswith("sqlite") else writer
    app.extensions["db_engine"] = writer
    app.extensions["db_engines"] = (writer, reader)
    app.extensions["db_sessionmaker"] = sessionmaker(bind=writer, expire_on_commit=False)
    event.listen(app.extensions["db_sessionmaker"], "after_flush", _note_flush)
    event.listen(app.extensions["db_sessionmaker"], "after_transaction_end", _forget_flushes)
    app.extensions["db_read_sessionmaker"] = sessionmaker(bind=reader, expire_on_commit=False)
    # Per request as well as per app context: a request inside an outer app context (a
    # CLI command, a test) must still end with its own session closed.
    app.teardown_request(_close_session)
    app.teardown_appcontext(_close_session)


def dispose(app: Flask) -> None:
    """Close every pooled connection (tests, and before forking)."""
    for engine in set(app.extensions["db_engines"]):
        engine.dispose()


def get_session() -> Session:
    """Return this request's session, opening it on first use."""
    if "db_session" not in g:
        read_only = has_request_context() and request.method in READ_ONLY_METHODS
        factory = "db_read_sessionmaker" if read_only else "db_sessionmaker"
        g.db_session = current_app.extensions[factory]()
    return g.db_session


def get_read_session() -> Session:
    """Return a session for reads that must not take SQLite's write lock.

    In a writing request on SQLite this is a second session, in a deferred transaction on
    a connection of its own: what it reads is a consistent snapshot, and the request's
    own session takes the write lock only at its first statement. Its objects must not be
    changed (they belong to the other session). Elsewhere it is the request's session.
    """
    writer, reader = current_app.extensions["db_engines"]
    if writer is reader or not has_request_context() or request.method in READ_ONLY_METHODS:
        return get_session()
    if "db_read_session" not in g:
        g.db_read_session = current_app.extensions["db_read_sessionmaker"]()
    return g.db_read_session


@contextmanager
def one_read() -> Iterator[Connection]:
    """Yield a connection for a request's one read, back in the pool when the block ends.

    A request that already has a session reads in its transaction. Otherwise no ORM
    session is opened and no BEGIN is sent: the one SELECT is a transaction of its own (on
    SQLite no write lock, even in a POST; on PostgreSQL autocommit, no BEGIN and ROLLBACK
    round trips). The pool restores PostgreSQL's isolation level when the connection goes
    back; on SQLite the option lives and dies with this Connection object.
    """
    if "db_session" in g or "db_read_session" in g:
        yield get_read_session().connection()
        return
    reader = current_app.extensions["db_engines"][1]
    with reader.connect() as connection:
        if reader.dialect.name == "postgresql":
            connection.execution_options(isolation_level="AUTOCOMMIT")
        else:
            connection.execution_options(**{STATEMENTS_ALONE: True})
        yield connection


@contextmanager
def write_transaction() -> Iterator[DriverConnection | Connection]:
    """Yield a connection in one short write transaction, committed when the block ends.

    For a request whose writes are a few driver statements (a comment: see
    driver_statements.py): a pooled driver connection, with no ORM session and no
    SQLAlchemy Connection around it, whose machinery cost more than the statements. On
    SQLite the transaction takes the write lock at once (BEGIN IMMEDIATE, as the writing
    engine's own transactions do). An exception rolls it all back. A request that
    already has a session (a signed-in user was loaded) writes in that session's
    transaction instead: on SQLite a second connection would wait for the write lock the
    first one holds.
    """
    session = g.get("db_session")
    if session is not None:
        try:
            yield session.connection()
        except BaseException:
            session.rollback()
            raise
        session.commit()
        return
    engine = current_app.extensions["db_engine"]
    driver_error = engine.dialect.loaded_dbapi.Error
    pooled = None
    try:
        pooled = engine.raw_connection()  # the pool's checkout events still run (the ping)
        if engine.dialect.name == "sqlite":
            pooled.driver_connection.execute("BEGIN IMMEDIATE")
        # psycopg begins its transaction at the first statement.
        yield DriverConnection(engine.dialect, pooled)
        pooled.commit()
    except driver_error as exc:
        _end_after_error(engine, pooled, exc)
        # Raised as SQLAlchemy raises it: the outage page and callers know those errors.
        raise DBAPIError.instance(None, None, exc, driver_error) from exc
    except BaseException as exc:
        _end_after_error(engine, pooled, exc)
        raise
    finally:
        if pooled is not None:
            pooled.close()  # back to the pool, or away if it was invalidated


def _end_after_error(engine: Engine, pooled, exc: BaseException) -> None:
    """Roll back a failed driver transaction; a lost connection leaves the pool instead."""
    if pooled is None:
        return
    driver_error = engine.dialect.loaded_dbapi.Error
    if isinstance(exc, driver_error) and engine.dialect.is_disconnect(
            exc, pooled.dbapi_connection, None):
        pooled.invalidate(exc)  # as SQLAlchemy's execution does with a dead connection
        return
    try:
        pooled.rollback()
    except driver_error as lost:
        pooled.invalidate(lost)


def release_write_lock(session: Session) -> None:
    """End a writing request's transaction while it has only read, before slow work.

    On SQLite that transaction holds the write lock from its first statement (loading the
    signed-in user is one); ending it lets other writers in while the request renders,
    and its next statement begins a new transaction. Loaded objects stay loaded. Refuses
    once anything was changed: the request's one commit is still the view's.
    """
    if session.new or session.dirty or session.deleted or session.info.get(_WROTE):
        raise RuntimeError("release_write_lock after a change: nothing may be pending")
    session.commit()


def _note_flush(session: Session, _context) -> None:
    session.info[_WROTE] = True


def _forget_flushes(session: Session, transaction) -> None:
    if transaction.parent is None:  # the outermost transaction ended
        session.info.pop(_WROTE, None)


def _close_session(_exc) -> None:
    """Roll back anything uncommitted and close the sessions at the end of the context."""
    for name in ("db_read_session", "db_session"):
        session = g.pop(name, None)
        if session is not None:
            session.rollback()
            session.close()
