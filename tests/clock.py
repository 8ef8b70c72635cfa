"""A controllable clock for tests: time moves only when the test says so."""

from datetime import UTC, datetime, timedelta


class FrozenClock:
    """Callable returning a fixed aware UTC time that tests can advance."""

    def __init__(self, start: datetime | None = None):
        self.current = start or datetime(2026, 3, 2, 17, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.current

    def advance(self, **delta) -> datetime:
        """Move time forward by a timedelta's keyword arguments."""
        self.current += timedelta(**delta)
        return self.current
