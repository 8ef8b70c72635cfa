"""Engine and session per app; one commit per request, done by the view."""

from pathlib import Path

from flask import Flask, current_app, g
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker


def database_url(app: Flask) -> str:
    """Return the configured database URL, defaulting to SQLite in the instance folder."""
    url = app.config.get("DATABASE_URL")
    if url:
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        return url
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{Path(app.instance_path) / 'reviewapp.sqlite3'}"


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite connections get WAL, synchronous=FULL and foreign keys."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 15})
        event.listen(engine, "connect", _sqlite_pragmas)
        # SQLite's driver opens transactions lazily and lets reads and writes interleave;
        # BEGIN IMMEDIATE takes the write lock up front so check-then-insert cannot race.
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
        return engine
    return create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """Set the per-connection pragmas (journal_mode persists in the file)."""
    dbapi_connection.isolation_level = None  # let the 'begin' event issue BEGIN
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.close()


def init_app(app: Flask) -> None:
    """Attach an engine and a session factory to the app; close the session per request."""
    engine = make_engine(database_url(app))
    app.extensions["db_engine"] = engine
    app.extensions["db_sessionmaker"] = sessionmaker(bind=engine, expire_on_commit=False)
    app.teardown_appcontext(_close_session)


def get_session() -> Session:
    """Return this request's session, opening it on first use."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["db_sessionmaker"]()
    return g.db_session


def _close_session(_exc) -> None:
    """Roll back anything uncommitted and close the session at the end of the context."""
    session = g.pop("db_session", None)
    if session is not None:
        session.rollback()
        session.close()
