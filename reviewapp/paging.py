"""Keyset pagination for listings that grow without bound.

A page is asked for with `?after=KEY` (the items that follow KEY in the listing's order) or
`?before=KEY` (the items just before it). Links stay stable as new rows arrive, and a deep
page costs what the first one does: the database seeks to KEY through an index instead of
counting past every earlier row as OFFSET would.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from flask import current_app
from sqlalchemy import Select
from sqlalchemy.orm import Session

# 25 rows: on a phone a listing row is a screen or so tall, and a resident looking for one
# proposal pages by title faster than they scroll past 50; every page is a smaller download.
DEFAULT_PER_PAGE = 25
LARGEST_KEY = 2**53  # no id is larger; a larger cursor would overflow the database's integer


def int_key(text: str) -> int:
    """Parse an integer cursor, refusing one no row can have."""
    value = int(text)
    if not 0 <= value <= LARGEST_KEY:
        raise ValueError(text)
    return value


@dataclass(frozen=True)
class Page:
    """One page of a listing, and the cursors of its neighbours."""

    items: list
    has_prev: bool
    has_next: bool
    prev_key: Any = None  # None with has_prev: the previous page is the first one
    next_key: Any = None
    prefix: str = ""  # names this listing's arguments when a page has two listings

    @property
    def prev_args(self) -> dict:
        """Return the query arguments of the previous page."""
        return {} if self.prev_key is None else {self.prefix + "before": self.prev_key}

    @property
    def next_args(self) -> dict:
        """Return the query arguments of the next page."""
        return {self.prefix + "after": self.next_key}

    def with_items(self, items: list) -> "Page":
        """Return the same page holding `items` (the rows made from its items)."""
        return replace(self, items=items)

    @property
    def is_first(self) -> bool:
        return not self.has_prev


def per_page() -> int:
    """Return how many items a listing shows per page (LIST_PER_PAGE, default 25)."""
    return int(current_app.config.get("LIST_PER_PAGE", DEFAULT_PER_PAGE))


def cursor(args: Mapping[str, str], parse: Callable[[str], Any] = int_key,
           prefix: str = "") -> tuple[str, Any]:
    """Return ('after' | 'before' | '', key) from the request arguments.

    A cursor that does not parse (an edited or truncated link) gives the first page.
    """
    for direction in ("after", "before"):
        raw = args.get(prefix + direction)
        if raw:
            try:
                return direction, parse(raw)
            except (TypeError, ValueError):
                return "", None
    return "", None


def keyset_page(session: Session, query: Select, column, key_of: Callable[[Any], Any],
                args: Mapping[str, str], size: int, descending: bool = False,
                parse: Callable[[str], Any] = int_key, scalars: bool = True,
                prefix: str = "") -> Page:
    """Return the page of `query` that `args` asks for, ordered by the unique `column`.

    `key_of(item)` gives an item's value of `column`; `scalars` says whether the query
    returns one entity a row (else rows are returned as tuples).
    """
    direction, key = cursor(args, parse, prefix)
    forward = direction != "before"
    # Walking backwards reads the listing in reverse from the cursor, then flips the page.
    ascending = forward != descending
    order = column.asc() if ascending else column.desc()
    if key is not None:
        query = query.where(column > key if ascending else column < key)
    query = query.order_by(order).limit(size + 1)
    result = session.scalars(query) if scalars else session.execute(query)
    rows = list(result.unique() if scalars else result)
    more = len(rows) > size
    rows = rows[:size]
    if forward:
        return Page(rows, has_prev=key is not None, has_next=more,
                    prev_key=key_of(rows[0]) if rows and key is not None else None,
                    next_key=key_of(rows[-1]) if rows else None, prefix=prefix)
    rows.reverse()
    return Page(rows, has_prev=more, has_next=bool(rows),
                prev_key=key_of(rows[0]) if more else None,
                next_key=key_of(rows[-1]) if rows else None, prefix=prefix)
