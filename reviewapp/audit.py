"""Hash-chained audit events: each entry commits to the one before it.

Altering, removing or reordering a stored event breaks the chain at that point, which
`verify_chain` reports. The head hash is published on the site and in each determination,
so truncating the tail is detectable too.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Text, bindparam, func, insert, literal, select
from sqlalchemy.dialects import postgresql
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
# PostgreSQL: read the head and append in one statement, hashing in SQL (sha256 is built
# in): one round trip less per event. Run only while the chain's lock is held, in a
# statement after the one that took it, so its snapshot holds the newest head.
_CONTENT = ("created_at", "actor_id", "actor_label", "action", "object_type", "object_id",
            "details")
_HEAD = select(func.coalesce(_NEWEST_HASH.scalar_subquery(),
                             literal(GENESIS)).label("prev")).subquery("head")
_APPEND_AFTER_HEAD = DriverStatement(
    postgresql.insert(_events).from_select(
        [*_CONTENT, "prev_hash", "hash"],
        select(*(bindparam(name, type_=_events.c[name].type) for name in _CONTENT),
               _HEAD.c.prev,
               func.encode(func.sha256(func.convert_to(
                   literal('["') + _HEAD.c.prev + literal('",')
                   + bindparam("after_prev_hash", type_=Text), literal("UTF8"))),
                   literal("hex"))))
    .returning(_events.c.id, _events.c.prev_hash, _events.c.hash))


def _digest(prev_hash: str, created_at: datetime, actor_id: int | None, actor_label: str,
            action: str, object_type: str, object_id: str, details: str) -> str:
    """Return the SHA-256 of an event's content and its predecessor's hash."""
    canonical = json.dumps(
        [prev_hash, created_at.isoformat(), actor_id, actor_label, action, object_type,
         object_id, details],
        ensure_ascii=False, separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _after_prev_hash(created_at: datetime, actor_id: int | None, actor_label: str,
                     action: str, object_type: str, object_id: str, details: str) -> str:
    """Return what _digest's canonical text holds after '["<prev_hash>",'.

    A hash is hex, which JSON writes unescaped, so '["' + prev + '",' + this is exactly
    the canonical text: PostgreSQL can hash it with the head it reads itself.
    """
    return json.dumps([created_at.isoformat(), actor_id, actor_label, action, object_type,
                       object_id, details], ensure_ascii=False, separators=(",", ":"))[1:]


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

    On the driver's cursor (driver_statements.py): every comment makes one, and needs no
    ORM object for it. SQLite reads the head, then inserts; PostgreSQL takes the chain's
    lock, then reads the head, hashes and inserts in one statement. chain_locked: an
    earlier statement of this transaction carried chain_lock() (PostgreSQL).
    """
    now = now.astimezone(UTC)  # the database keeps UTC; hash what will be read back
    actor_id = actor.id if actor else None
    actor_label = f"{actor.name} ({actor.role.value})" if actor else "public"
    details_json = json.dumps(details, sort_keys=True, ensure_ascii=False, default=str)
    content = dict(created_at=now, actor_id=actor_id, actor_label=actor_label, action=action,
                   object_type=obj_type, object_id=str(obj_id), details=details_json)
    if connection.dialect.name == "postgresql":
        if not chain_locked:
            # Serialize appends so two transactions cannot both extend the same head.
            _CHAIN_LOCK.scalar(connection)
        event_id, prev_hash, event_hash = _APPEND_AFTER_HEAD.row(
            connection, {**content, "after_prev_hash": _after_prev_hash(**content)})
        return {"id": event_id, **content, "prev_hash": prev_hash, "hash": event_hash}
    prev_hash = _READ_HEAD.scalar(connection) or GENESIS
    values = {**content, "prev_hash": prev_hash, "hash": _digest(prev_hash, **content)}
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
