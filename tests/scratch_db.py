"""Throwaway databases for multi-process tests: PostgreSQL databases of their own; SQLite checks."""

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

# The PostgreSQL pass gives TEST_DATABASE_URL; without it, tests run on SQLite.
PG_URL = os.environ.get("TEST_DATABASE_URL")


@contextmanager
def scratch_postgresql(label: str, server_url: str | None = None) -> Iterator[str]:
    """Create a database named after `label` and this process; yield its URL; drop it.

    A database of its own, not a schema: the app's migrations and several app hosts then
    see exactly what a city's deployment would, and parallel runs never meet.
    """
    server = make_url(server_url or PG_URL)
    name = f"reviewapp_{label}_{os.getpid()}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            # FORCE: a killed host's connections may linger until the server notices.
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def sqlite_integrity(path: Path) -> str:
    """Return SQLite's PRAGMA integrity_check answer for the file ('ok' when sound)."""
    connection = sqlite3.connect(path, timeout=15)
    try:
        rows = connection.execute("PRAGMA integrity_check").fetchall()
    finally:
        connection.close()
    return "; ".join(str(row[0]) for row in rows)
