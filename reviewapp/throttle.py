"""Failed sign-ins counted per account in the database, shared by every worker and host.

After FAILURES_ALLOWED failures within WINDOW, the account is refused for LOCK_FOR,
whatever the password and wherever the attempts come from (ASVS 2.2.1). The typed address
is kept only as an HMAC under a key derived from SECRET_KEY, and an address with no
account is throttled exactly like one with an account: nothing tells them apart.
"""

import hashlib
import hmac
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import case, delete, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from .models import SignInThrottle

FAILURES_ALLOWED = 5
WINDOW = timedelta(minutes=15)
LOCK_FOR = timedelta(minutes=15)
FORGET_AFTER = timedelta(days=1)  # counters idle this long are purged

_table = SignInThrottle.__table__


def account_key(email: str) -> str:
    """Return the keyed hash that stands for a typed address (never the address)."""
    secret = str(current_app.config["SECRET_KEY"]).encode("utf-8")
    key = hmac.new(secret, b"reviewapp sign-in throttle", hashlib.sha256).digest()
    return hmac.new(key, email.strip().lower().encode("utf-8"), hashlib.sha256).hexdigest()


def locked_until(session: Session, email: str, now: datetime) -> datetime | None:
    """Return when the account's lock ends, or None if it may be tried now."""
    row = session.get(SignInThrottle, account_key(email))
    if row is None or row.locked_until is None or row.locked_until <= now:
        return None
    return row.locked_until


def record_failure(session: Session, email: str, now: datetime) -> None:
    """Count one failed sign-in; lock the account once too many fall in one window.

    One upsert counts it atomically, so two hosts failing at once both count.
    """
    key = account_key(email)
    dialect = postgresql if session.bind.dialect.name == "postgresql" else sqlite
    fresh = _table.c.window_start < now - WINDOW  # the stored window is over: start again
    counted = (dialect.insert(_table)
               .values(account_key=key, failures=1, window_start=now, locked_until=None))
    session.execute(counted.on_conflict_do_update(
        index_elements=[_table.c.account_key],
        set_={"failures": case((fresh, 1), else_=_table.c.failures + 1),
              "window_start": case((fresh, now), else_=_table.c.window_start)}))
    session.execute(update(SignInThrottle)
                    .where(SignInThrottle.account_key == key,
                           SignInThrottle.failures >= FAILURES_ALLOWED,
                           or_(SignInThrottle.locked_until.is_(None),
                               SignInThrottle.locked_until <= now))
                    .values(locked_until=now + LOCK_FOR, failures=0, window_start=now))
    session.execute(delete(SignInThrottle).where(
        SignInThrottle.window_start < now - FORGET_AFTER,
        or_(SignInThrottle.locked_until.is_(None), SignInThrottle.locked_until <= now)))


def clear(session: Session, email: str) -> None:
    """Forget the failures of an account that just signed in."""
    session.execute(delete(SignInThrottle)
                    .where(SignInThrottle.account_key == account_key(email)))

