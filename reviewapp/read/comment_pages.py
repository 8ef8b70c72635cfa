"""Keyset pages of a proposal's comments: links that stay put while comments arrive.

A page is named by where it starts, not by a number: the oldest comments, the newest, the
comments after one comment or those before it. Each page is one walk of the index
(proposal_id, created_at, id) from a known point, so the first page, the last page and every
page between cost the same at ten comments as at a million. A page number would need
everything before the page counted; old numbered links (?page=3) still work while the walk
to them stays short.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import Select, literal, select, tuple_
from sqlalchemy.orm import Session, joinedload

from ..inputs import bounded_int
from ..models import Comment

NEWEST = "newest"
# Old numbered links are served by skipping rows, which costs what it skips: up to this
# many (page 51 at 20 a page). A number beyond that shows the newest comments instead.
NUMBERED_ROWS = 1000


@dataclass(frozen=True)
class PageAt:
    """Where a comment page starts, as its address says."""

    after: int | None = None  # the comments after this one (a comment id)
    before: int | None = None  # the comments before this one
    newest: bool = False  # the newest comments: the last page
    number: int | None = None  # an old numbered link, ?page=N with N >= 2

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> "PageAt":
        """Read ?after=, ?before= or ?page= (a number or "newest"); else the oldest page."""
        for name in ("after", "before"):
            value = _whole_number(args.get(name))
            if value is not None:
                return cls(**{name: value})
        page = args.get("page") or ""
        if page == NEWEST:
            return cls(newest=True)
        try:
            number = int(page)  # any size: a huge one is past the last page, not an error
        except ValueError:
            return cls()
        return cls(number=number) if number > 1 else cls()

    def args(self) -> dict[str, int | str]:
        """Return the address arguments that name this place again."""
        if self.after is not None:
            return {"after": self.after}
        if self.before is not None:
            return {"before": self.before}
        if self.newest:
            return {"page": NEWEST}
        return {"page": self.number} if self.number else {}


def _whole_number(text: str | None) -> int | None:
    """Return `text` as an id-sized whole number, or None when it is not one."""
    try:
        return bounded_int(text) if text else None
    except ValueError:
        return None


@dataclass(frozen=True)
class PageLink:
    """A link to a neighbouring page: its words, address arguments and rel."""

    label: str
    args: dict[str, int | str]
    rel: str | None = None


@dataclass(frozen=True)
class CommentPage:
    """One page of comments, oldest first, and whether more lie on either side."""

    comments: list[Comment]
    previous_id: int | None  # the comment just before this page; None on the oldest page
    more_after: bool  # newer comments exist beyond this page
    numbered_out: bool = False  # an old page number too far to walk: the newest are shown

    @property
    def is_oldest(self) -> bool:
        return self.previous_id is None

    @property
    def is_newest(self) -> bool:
        return not self.more_after

    @property
    def here(self) -> dict[str, int]:
        """Return address arguments that show this same page again, whatever arrives since."""
        return {} if self.previous_id is None else {"after": self.previous_id}

    def links(self) -> list[PageLink]:
        """Return the links to the oldest, older, newer and newest pages that exist."""
        found = []
        if self.comments and not self.is_oldest:
            found += [PageLink("Oldest comments", {}),
                      PageLink("Older comments", {"before": self.comments[0].id}, "prev")]
        if self.comments and self.more_after:
            found += [PageLink("Newer comments", {"after": self.comments[-1].id}, "next"),
                      PageLink("Newest comments", {"page": NEWEST})]
        return found


def comment_page(session: Session, proposal_id: int, at: PageAt, per_page: int) -> CommentPage:
    """Return the page of a proposal's comments that `at` names, with their moderation.

    A link that names no comment of this proposal shows the oldest page; one that has
    nothing left on its side shows the page at that end.
    """
    walk = _Walk(session, proposal_id, per_page)
    anchor_id = at.after if at.after is not None else at.before
    if anchor_id is not None:
        anchor = session.execute(select(Comment.created_at, Comment.id).where(
            Comment.id == anchor_id, Comment.proposal_id == proposal_id)).first()
        if anchor is None:
            return walk.oldest()
        if at.after is not None:
            return walk.after(anchor) or walk.newest()
        return walk.before(anchor) or walk.oldest()
    if at.newest:
        return walk.newest()
    if at.number:
        skip = (at.number - 1) * per_page
        if skip > NUMBERED_ROWS:
            return walk.newest(numbered_out=True)
        return walk.numbered(skip) or walk.newest()
    return walk.oldest()


class _Walk:
    """Walks of one proposal's comment index, each fetching one row more than a page."""

    def __init__(self, session: Session, proposal_id: int, per_page: int):
        self.session, self.proposal_id, self.per_page = session, proposal_id, per_page

    def _rows(self, query: Select, *, backwards: bool = False, limit: int | None = None,
              skip: int = 0) -> list[Comment]:
        """Run a walk: oldest first, or newest first when `backwards`."""
        if backwards:
            query = query.order_by(Comment.created_at.desc(), Comment.id.desc())
        else:
            query = query.order_by(Comment.created_at, Comment.id)
        if skip:
            query = query.offset(skip)
        return list(self.session.scalars(query.limit(limit or self.per_page + 1)))

    def _query(self) -> Select:
        return (select(Comment).where(Comment.proposal_id == self.proposal_id)
                .options(joinedload(Comment.moderation)))

    def oldest(self) -> CommentPage:
        rows = self._rows(self._query())
        return CommentPage(rows[:self.per_page], None, len(rows) > self.per_page)

    def newest(self, numbered_out: bool = False) -> CommentPage:
        return self._backwards(self._rows(self._query(), backwards=True), more_after=False,
                               numbered_out=numbered_out)

    def after(self, anchor) -> CommentPage | None:
        rows = self._rows(self._query().where(_key() > _key_of(anchor)))
        if not rows:
            return None
        return CommentPage(rows[:self.per_page], anchor.id, len(rows) > self.per_page)

    def before(self, anchor) -> CommentPage | None:
        rows = self._rows(self._query().where(_key() < _key_of(anchor)), backwards=True)
        return self._backwards(rows, more_after=True) if rows else None

    def numbered(self, skip: int) -> CommentPage | None:
        # From the comment before the page, so the page knows where it starts.
        rows = self._rows(self._query(), limit=self.per_page + 2, skip=skip - 1)
        if len(rows) < 2:
            return None  # past the last page
        return CommentPage(rows[1:self.per_page + 1], rows[0].id, len(rows) > self.per_page + 1)

    def _backwards(self, rows: list[Comment], *, more_after: bool,
                   numbered_out: bool = False) -> CommentPage:
        """Turn a newest-first walk into a page, oldest first."""
        previous = rows[self.per_page].id if len(rows) > self.per_page else None
        return CommentPage(rows[:self.per_page][::-1], previous, more_after, numbered_out)


def _key():
    """Return the comment order as one comparable value (the index's last two columns)."""
    return tuple_(Comment.created_at, Comment.id)


def _key_of(anchor):
    """Return an anchor comment's place in the order, typed like the columns."""
    return tuple_(literal(anchor.created_at, Comment.created_at.type),
                  literal(anchor.id, Comment.id.type))
