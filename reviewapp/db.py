"""Engines and one session per request; the view commits once.

On SQLite, requests that may write (POST and the like, and CLI commands) open their
transaction with BEGIN IMMEDIATE, taking the write lock up front so check-then-insert
cannot race and a transaction never fails half-way on a lock upgrade. Read-only requests
(GET, HEAD) use ordinary deferred transactions, which in WAL mode never wait for writers.
"""

from pathlib import Path

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


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
        return create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 5})
    engine = create_engine(url, connect_args={"timeout": 15})
    event.listen(engine, "connect", _sqlite_pragmas)
    begin = "BEGIN IMMEDIATE" if immediate else "BEGIN"
    event.listen(engine, "begin", lambda conn: conn.exec_driver_sql(begin))
    return engine


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


def _close_session(_exc) -> None:
    """Roll back anything uncommitted and close the session at the end of the context."""
    session = g.pop("db_session", None)
    if session is not None:
        session.rollback()
        session.close()
