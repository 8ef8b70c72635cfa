"""Pages rendered once, then filled on each request with the few values that change.

A page whose every byte but a CSRF token and a nonce depends only on what its key names
(the comment form, under a campaign) is rendered in full the first time, with that
request's values, and kept cut at them; later requests join the pieces with their own.
"""

from collections.abc import Callable, Hashable

from .bounded import LeastRecentlyUsed


class RenderedOnce:
    """Pages by key, each kept cut at its per-request values; the least recently used go."""

    def __init__(self, size: int = 256):
        self._pieces: LeastRecentlyUsed[tuple[str, ...]] = LeastRecentlyUsed(size)

    def page(self, key: Hashable, values: tuple[str, ...], render: Callable[[], str]) -> str:
        """Return the page for `key` with `values` in it; `render` makes it with them."""
        pieces = self._pieces.get(key)
        if pieces is not None:
            return fill(pieces, values)
        html = render()
        pieces = cut(html, values)
        if pieces is not None:
            self._pieces.put(key, pieces)
        return html


def cut(html: str, values: tuple[str, ...]) -> tuple[str, ...] | None:
    """Cut `html` at each value, in order; None unless each appears exactly once."""
    if any(html.count(value) != 1 for value in values):
        return None  # a value that is missing, or repeated, cannot be swapped safely
    pieces, rest = [], html
    for value in values:
        before, found, rest = rest.partition(value)
        if not found:
            return None  # not in the order given
        pieces.append(before)
    pieces.append(rest)
    return tuple(pieces)


def fill(pieces: tuple[str, ...], values: tuple[str, ...]) -> str:
    """Join the pieces with `values` between them (the inverse of cut)."""
    joined = [pieces[0]]
    for value, piece in zip(values, pieces[1:], strict=True):
        joined += (value, piece)
    return "".join(joined)
