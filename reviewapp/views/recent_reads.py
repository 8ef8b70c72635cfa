"""Reads a view may reuse for a moment: the comment form's proposal, loaded by a campaign.

A value read less than `seconds` ago (by this process's monotonic clock) is given again
instead of being read; anything a write depends on is read afresh in its transaction.
"""

import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from .bounded import LeastRecentlyUsed

V = TypeVar("V")


class RecentReads(Generic[V]):
    """Values by key with the time each was read; at most `size` kept."""

    def __init__(self, size: int = 256, clock: Callable[[], float] = time.monotonic):
        self._reads: LeastRecentlyUsed[tuple[float, V]] = LeastRecentlyUsed(size)
        self._clock = clock  # seconds; tests give one they move by hand

    def get(self, key: Hashable, seconds: float, read: Callable[[], V | None]) -> V | None:
        """Return what `read()` gave for `key` less than `seconds` ago, else read it now.

        Nothing is kept when `read()` gives None (an unknown key costs a read each time,
        and fills no memory), nor when `seconds` is 0.
        """
        now = self._clock()
        kept = self._reads.get(key) if seconds > 0 else None
        if kept is not None and now - kept[0] < seconds:
            return kept[1]
        value = read()
        if value is not None and seconds > 0:
            self._reads.put(key, (now, value))
        return value
