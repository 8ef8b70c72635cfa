"""The one source of 'now', so tests can move time without patching."""

from datetime import UTC, datetime

from flask import current_app


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


def now() -> datetime:
    """Return the app's notion of now (a test may install a controlled clock)."""
    clock = current_app.config.get("CLOCK") or utcnow
    return clock()
