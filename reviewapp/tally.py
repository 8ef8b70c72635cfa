"""Derived counters (models/dashboard.py StatusTally): added to at commit, read by key.

Each store owns the keys under its prefix ("dashboard:", "registry:"), adds its changes
in the transaction that makes them, and resets only its own keys when it rebuilds.
"""

from collections import Counter

from sqlalchemy import delete, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from .models import StatusTally

# One lock for every refresh of derived rows on PostgreSQL, held to the commit: a refresh
# reads a proposal's old rows and replaces them, and two at once would both read the same
# old rows (counting a change twice, or colliding on the new rows). Row locks on the
# proposals instead could deadlock with a transaction that locked one of them first.
PG_LOCK = text("SELECT pg_advisory_xact_lock(7007)")


def lock(session: Session) -> None:
    """Take the derived rows' lock until the transaction ends (PostgreSQL; SQLite has one
    writer at a time already)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(PG_LOCK)


def _adder(dialect):
    """Return INSERT ... ON CONFLICT DO UPDATE adding to a counter: two transactions
    counting at once both land, the second waiting for the first's row."""
    insert = dialect.insert(StatusTally.__table__)
    return insert.on_conflict_do_update(
        index_elements=[StatusTally.key],
        set_={"number": StatusTally.__table__.c.number + insert.excluded.number})


_ADD = {"postgresql": _adder(postgresql), "sqlite": _adder(sqlite)}


def add(session: Session, change: Counter) -> None:
    """Add each nonzero change to its counter, creating the counter the first time."""
    rows = [{"key": key, "number": number} for key, number in sorted(change.items()) if number]
    if rows:
        connection = session.connection()
        connection.execute(_ADD[connection.dialect.name], rows)


def read(session: Session, prefix: str) -> Counter:
    """Return the counters under `prefix`, keyed without it.

    The table holds a few dozen rows whatever the size of the record (one per stage, type,
    flag...), so reading it is a fixed cost.
    """
    return Counter({key.removeprefix(prefix): number for key, number in session.execute(
        select(StatusTally.key, StatusTally.number).where(
            StatusTally.key.startswith(prefix, autoescape=True)))})


def reset(session: Session, prefix: str) -> None:
    """Delete the counters under `prefix` (a store about to count everything again)."""
    session.execute(delete(StatusTally).where(
        StatusTally.key.startswith(prefix, autoescape=True)))
