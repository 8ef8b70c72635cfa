"""Comment periods, public comments and moderation (which hides but never deletes)."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, enum_column, utcnow
from .users import User
from .vocab import Position, SubmitterType


def accepts_comments(opens_at: datetime, closes_at: datetime, now: datetime) -> bool:
    """Say whether a period with these times accepts comments at `now` (the clock decides)."""
    return opens_at <= now < closes_at


class CommentPeriod(Base):
    """A window during which the public may comment on one version."""

    __tablename__ = "comment_period"
    __table_args__ = (CheckConstraint("closes_at > opens_at", name="closes_after_opening"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("proposal_version.id"), unique=True)
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def is_open(self, now: datetime) -> bool:
        """Say whether comments are accepted at `now` (the clock decides, not a job)."""
        return accepts_comments(self.opens_at, self.closes_at, now)


class Comment(Base):
    """A public comment. No IP address, user agent or account is stored with it."""

    __tablename__ = "comment"
    __table_args__ = (
        CheckConstraint(
            "submitter_type != 'organization' OR organization IS NOT NULL",
            name="organization_named",
        ),
        CheckConstraint(
            "submitter_type != 'anonymous' OR (name IS NULL AND organization IS NULL)",
            name="anonymous_has_no_name",
        ),
        # Serves each proposal's comments in order, from either end, without sorting them:
        # keyset pages cost the same at ten comments and at a million.
        Index("ix_comment_proposal_order", "proposal_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id"))
    period_id: Mapped[int] = mapped_column(ForeignKey("comment_period.id"))
    tracking_number: Mapped[str] = mapped_column(String(20), unique=True)
    # A per-form nonce: posting the same form twice stores one comment.
    nonce: Mapped[str] = mapped_column(String(64), unique=True)
    submitter_type: Mapped[SubmitterType] = mapped_column(
        enum_column(SubmitterType, "submitter_type")
    )
    position: Mapped[Position] = mapped_column(enum_column(Position, "position"))
    body: Mapped[str] = mapped_column(Text)
    name: Mapped[str | None] = mapped_column(String(200))
    organization: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    moderation: Mapped["CommentModeration | None"] = relationship(
        back_populates="comment", uselist=False
    )


class CommentModeration(Base):
    """The clerk's decision to hide a comment; the text stays in the record."""

    __tablename__ = "comment_moderation"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comment.id"), unique=True)
    reason: Mapped[str] = mapped_column(Text)
    actor_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    comment: Mapped[Comment] = relationship(back_populates="moderation")
    actor: Mapped[User] = relationship()


# The tally's row for hidden comments; the other rows are named by Position values.
HIDDEN = "hidden"


class CommentTally(Base):
    """How many comments a proposal has of one kind (a position, or hidden).

    A derived counter, not a record: the services add to it in the same transaction as
    each comment and each hide, so the counts never scan the comments.
    """

    __tablename__ = "comment_tally"
    __table_args__ = (CheckConstraint("number >= 0", name="not_negative"),)

    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    number: Mapped[int] = mapped_column(default=0)
