"""Throwaway databases for multi-process tests: PostgreSQL schemas of their own; SQLite checks."""

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text

# The PostgreSQL pass gives TEST_DATABASE_URL; without it, tests run on SQLite.
PG_URL = os.environ.get("TEST_DATABASE_URL")


@contextmanager
def scratch_postgresql(label: str, server_url: str | None = None) -> Iterator[str]:
    """Create a schema named after `label` and this process; yield a URL using it; drop it.

    Every process given the URL (app hosts, flask commands) works in that schema alone, so
    parallel runs never meet. A schema rather than a database of its own: dropping a
    database makes PostgreSQL checkpoint the whole cluster, seconds on a busy machine.
    """
    url = server_url or PG_URL
    schema = f"reviewapp_{label}_{os.getpid()}"
    admin = create_engine(url)
    try:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        separator = "&" if "?" in url else "?"
        yield f"{url}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()


def sqlite_integrity(path: Path) -> str:
    """Return SQLite's PRAGMA integrity_check answer for the file ('ok' when sound)."""
    connection = sqlite3.connect(path, timeout=15)
    try:
        rows = connection.execute("PRAGMA integrity_check").fetchall()
    finally:
        connection.close()
    return "; ".join(str(row[0]) for row in rows)
