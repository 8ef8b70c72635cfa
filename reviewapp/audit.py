"""Hash-chained audit events: each entry commits to the one before it.

Altering, removing or reordering a stored event breaks the chain at that point, which
`verify_chain` reports. The head hash is published on the site and in each determination,
so truncating the tail is detectable too. Each event's hash is also sealed with a key the
database never holds (audit_keys.py), so rewriting rows and recomputing every hash fails.
"""

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from .audit_keys import SealKeys, current_keys, seal_with
from .driver_statements import DriverStatement, OnDriver
from .models import AuditEvent, User

GENESIS = "0" * 64
ROTATION_OVERLAP = timedelta(days=1)  # both keys may seal while hosts switch over
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
                                   "object_type", "object_id", "details", "prev_hash", "hash",
                                   "seal", "seal_key"))


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
    """Append one sealed audit event on `connection`, inside its transaction; return its columns.

    On the driver's cursor (driver_statements.py): every comment makes one, and needs no
    ORM object for it. PostgreSQL first takes the chain's lock (SQLite's write lock is
    already held); then the head is read, and the event hashed, sealed and inserted.
    The seal is made here, never in SQL: its key must not reach the database.
    chain_locked: an earlier statement of this transaction carried chain_lock().
    """
    now = now.astimezone(UTC)  # the database keeps UTC; hash what will be read back
    actor_id = actor.id if actor else None
    actor_label = f"{actor.name} ({actor.role.value})" if actor else "public"
    details_json = json.dumps(details, sort_keys=True, ensure_ascii=False, default=str)
    content = dict(created_at=now, actor_id=actor_id, actor_label=actor_label, action=action,
                   object_type=obj_type, object_id=str(obj_id), details=details_json)
    if connection.dialect.name == "postgresql" and not chain_locked:
        # Serialize appends so two transactions cannot both extend the same head. The
        # head is read by the next statement, whose snapshot follows the lock.
        _CHAIN_LOCK.scalar(connection)
    prev_hash = _READ_HEAD.scalar(connection) or GENESIS
    event_hash = _digest(prev_hash, **content)
    keys = current_keys()
    values = {**content, "prev_hash": prev_hash, "hash": event_hash,
              "seal": keys.seal(event_hash), "seal_key": keys.current_fingerprint}
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


def verify_chain(session: Session, keys: SealKeys | None = None) -> ChainReport:
    """Walk the chain in order and report the first event that does not verify.

    Each event must follow the one before, hash to its stored hash, and carry a seal made
    with a known key, except events written before sealing began (all of them first).
    """
    keys = keys or current_keys()
    expected_prev = GENESIS
    count = 0
    sealing = False
    # Keys only move forward: a day after the first event sealed with a newer key, an older
    # key may no longer seal events (whoever kept a retired key could otherwise rewrite the
    # tail). The day lets hosts restarted one by one append with either key meanwhile.
    order: list[str] = []  # fingerprints in the order they first sealed an event
    first_sealed: dict[str, datetime] = {}
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
        problem = _seal_problem(event, keys, sealing)
        if not problem and event.seal_key:
            if event.seal_key not in first_sealed:
                order.append(event.seal_key)
                first_sealed[event.seal_key] = event.created_at
            position = order.index(event.seal_key)
            if (position + 1 < len(order) and event.created_at >
                    first_sealed[order[position + 1]] + ROTATION_OVERLAP):
                problem = (f"it is sealed with a key retired before it (fingerprint "
                           f"{event.seal_key})")
        if problem:
            return ChainReport(count, expected_prev, event.id, problem)
        sealing = sealing or event.seal is not None
        expected_prev = event.hash
    if count and not sealing:
        # The newest event, at least, must be sealed: stripping every seal is tampering too.
        return ChainReport(count, expected_prev, event.id,
                           "no event is sealed (seals were removed, or the chain was written "
                           "before sealing: `flask setup-db` starts it)")
    return ChainReport(count, expected_prev, None, "")


def _seal_problem(event: AuditEvent, keys: SealKeys, sealing: bool) -> str:
    """Say what is wrong with an event's seal, or '' if it is sound."""
    if event.seal is None:
        return ("its seal was removed (events before it are sealed)" if sealing else "")
    key = keys.by_fingerprint.get(event.seal_key or "")
    if key is None:
        return (f"it is sealed with a key this host does not have (fingerprint "
                f"{event.seal_key}): list that key in REVIEWAPP_AUDIT_OLD_KEYS")
    if not hmac.compare_digest(seal_with(key, event.hash), event.seal):
        return "its seal does not match (the event and its hash were rewritten)"
    return ""


def start_sealing(session: Session, now: datetime) -> bool:
    """Seal the chain from here on if its newest event predates sealing; say if it did.

    The sealed event follows the unsealed ones and so vouches for the chain as it stood.
    """
    newest = session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))
    if newest is None or newest.seal is not None:
        return False
    record(session, None, "start_sealing", "audit_chain", "-", now,
           key=current_keys().current_fingerprint, unsealed_before=newest.id)
    return True


def head_hash(session: Session) -> str:
    """Return the hash of the newest event (the value to publish)."""
    return session.scalar(_NEWEST_HASH) or GENESIS
