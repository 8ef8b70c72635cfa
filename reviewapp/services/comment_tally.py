"""Keep each proposal's comment tally in step with its comments and hides.

The tally is a derived counter (not a public record): one row per proposal and kind, raised
in the transaction that stores the comment or the hide, so the counts are exactly those of
the committed record and reading them never scans the comments.
"""

from sqlalchemy import CTE, bindparam, delete, func, insert, literal, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ..driver_statements import DriverStatement, OnDriver
from ..models import Comment, CommentModeration, CommentTally, Position
from ..models.comments import HIDDEN

# Both databases add to the row in one statement (INSERT ... ON CONFLICT DO UPDATE): two
# transactions counting at once both land, the second waiting for the first's row. Built
# once per dialect on the table (every comment runs it; the ORM adds nothing here).
_tally = CommentTally.__table__
_ADD_ONE = {
    name: DriverStatement(dialect.insert(_tally)
    .values(proposal_id=bindparam("proposal_id"), kind=bindparam("kind"), number=1)
    .on_conflict_do_update(index_elements=[_tally.c.proposal_id, _tally.c.kind],
                           set_={"number": _tally.c.number + 1}))
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}


def counting(stored: CTE) -> CTE:
    """PostgreSQL: the upsert counting the comments a CTE inserted, as a CTE of its own.

    Joined to the comment's INSERT it counts in the same statement: one round trip less
    per comment, and a form sent again (nothing inserted) counts nothing.
    """
    return (postgresql.insert(_tally)
            .from_select(["proposal_id", "kind", "number"],
                         select(stored.c.proposal_id, stored.c.position, literal(1)))
            .on_conflict_do_update(index_elements=[_tally.c.proposal_id, _tally.c.kind],
                                   set_={"number": _tally.c.number + 1})
            .cte("counted"))


def count_comment(connection: OnDriver, proposal_id: int, position: Position) -> None:
    """Add a newly stored comment to its proposal's count for its position."""
    _add_one(connection, proposal_id, position.value)


def count_hidden(session: Session, comment: Comment) -> None:
    """Add a newly hidden comment to its proposal's count of hidden comments."""
    _add_one(session.connection(), comment.proposal_id, HIDDEN)


def _add_one(connection: OnDriver, proposal_id: int, kind: str) -> None:
    """Raise the tally of (proposal, kind) by one, creating its row the first time."""
    _ADD_ONE[connection.dialect.name].scalar(connection,
                                             {"proposal_id": proposal_id, "kind": kind})


def recount(session: Session) -> int:
    """Count every proposal's comments again from the record (after rows loaded by SQL).

    Returns the number of comments counted. The tally is derived data: it is replaced,
    never the comments.
    """
    session.execute(delete(CommentTally))
    session.execute(insert(CommentTally).from_select(
        ["proposal_id", "kind", "number"],
        select(Comment.proposal_id, Comment.position, func.count())
        .group_by(Comment.proposal_id, Comment.position)))
    session.execute(insert(CommentTally).from_select(
        ["proposal_id", "kind", "number"],
        select(Comment.proposal_id, literal(HIDDEN), func.count())
        .join(CommentModeration, CommentModeration.comment_id == Comment.id)
        .group_by(Comment.proposal_id)))
    return session.scalar(select(func.count()).select_from(Comment))
