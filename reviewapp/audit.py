"""Hash-chained audit events: each entry commits to the one before it.

Altering, removing or reordering a stored event breaks the chain at that point, which
`verify_chain` reports. The head hash is published on the site and in each determination,
so truncating the tail is detectable too.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from .driver_statements import DriverStatement, OnDriver
from .models import AuditEvent, User

GENESIS = "0" * 64
CHAIN_LOCK_KEY = 727001  # PostgreSQL advisory lock serializing appends to the chain


def chain_lock() -> FunctionElement:
    """PostgreSQL: the SQL that takes the chain's lock until commit, for a statement to carry.

    A statement that takes it lets append(..., chain_locked=True) skip its own lock round
    trip. The head is read by the next statement, whose snapshot follows the lock.
    """
    return func.pg_advisory_xact_lock(CHAIN_LOCK_KEY)


# Built once: the statement caches its SQL cache key (every comment appends an event).
_CHAIN_LOCK = DriverStatement(select(chain_lock()))
_NEWEST_HASH = select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
_READ_HEAD = DriverStatement(_NEWEST_HASH)
_events = AuditEvent.__table__
_APPEND = DriverStatement(insert(_events).returning(_events.c.id),
                          columns=("created_at", "actor_id", "actor_label", "action",
                                   "object_type", "object_id", "details", "prev_hash", "hash"))


def _digest(prev_hash: str, created_at: datetime, actor_id: int | None, actor_label: str,
            action: str, object_type: str, object_id: str, details: str) -> str:
    """Return the SHA-256 of an event's content and its predecessor's hash."""
    canonical = json.dumps(
        [prev_hash, created_at.isoformat(), actor_id, actor_label, action, object_type,
         object_id, details],
        ensure_ascii=False, separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def record(session: Session, actor: User | None, action: str, obj_type: str, obj_id,
           now: datetime, **details) -> AuditEvent:
    """Append one audit event to the chain; return a copy of the stored row.

    Changes pending in the session are written first, so the event follows them.
    """
    session.flush()
    return AuditEvent(**append(session.connection(), actor, action, obj_type, obj_id, now,
                               **details))


def append(connection: OnDriver, actor: User | None, action: str, obj_type: str, obj_id,
           now: datetime, *, chain_locked: bool = False, **details) -> dict:
    """Append one audit event on `connection`, inside its transaction; return its columns.

    Two statements and an insert on the driver's cursor (driver_statements.py): every
    comment makes one, and needs no ORM object for it. chain_locked: an earlier statement
    of this transaction carried chain_lock() (PostgreSQL), so the head can be read at once.
    """
    now = now.astimezone(UTC)  # the database keeps UTC; hash what will be read back
    actor_id = actor.id if actor else None
    actor_label = f"{actor.name} ({actor.role.value})" if actor else "public"
    details_json = json.dumps(details, sort_keys=True, ensure_ascii=False, default=str)
    if connection.dialect.name == "postgresql" and not chain_locked:
        # Serialize appends so two transactions cannot both extend the same head.
        _CHAIN_LOCK.scalar(connection)
    prev_hash = _READ_HEAD.scalar(connection) or GENESIS
    values = dict(created_at=now, actor_id=actor_id, actor_label=actor_label, action=action,
                  object_type=obj_type, object_id=str(obj_id), details=details_json,
                  prev_hash=prev_hash,
                  hash=_digest(prev_hash, now, actor_id, actor_label, action, obj_type,
                               str(obj_id), details_json))
    return {"id": _APPEND.scalar(connection, values), **values}


@dataclass(frozen=True)
class ChainReport:
    """The result of checking the chain."""

    count: int
    head: str
    first_bad_id: int | None
    problem: str

    @property
    def ok(self) -> bool:
        return self.first_bad_id is None


def verify_chain(session: Session) -> ChainReport:
    """Walk the chain in order and report the first event that does not verify."""
    expected_prev = GENESIS
    count = 0
    for event in session.scalars(select(AuditEvent).order_by(AuditEvent.id)):
        count += 1
        if event.prev_hash != expected_prev:
            return ChainReport(count, expected_prev, event.id,
                               "does not follow the event before it (an event was removed, "
                               "inserted or reordered)")
        recomputed = _digest(event.prev_hash, event.created_at, event.actor_id,
                             event.actor_label, event.action, event.object_type,
                             event.object_id, event.details)
        if recomputed != event.hash:
            return ChainReport(count, expected_prev, event.id, "its content was altered")
        expected_prev = event.hash
    return ChainReport(count, expected_prev, None, "")


def head_hash(session: Session) -> str:
    """Return the hash of the newest event (the value to publish)."""
    return session.scalar(_NEWEST_HASH) or GENESIS
