"""Advisory recommendations, hearings, motions, roll-call votes and their results."""

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, enum_column, utcnow
from .users import User
from .vocab import MotionOutcome, MotionType, Recommendation, VoteChoice


class AdvisoryRecommendation(Base):
    """The advisory body's recommendation on one version."""

    __tablename__ = "advisory_recommendation"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("proposal_version.id"), unique=True)
    recommendation: Mapped[Recommendation] = mapped_column(
        enum_column(Recommendation, "recommendation")
    )
    memo: Mapped[str] = mapped_column(Text)
    actor_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[User] = relationship()


class Hearing(Base):
    """A council hearing at which one version is heard and voted on."""

    __tablename__ = "hearing"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("proposal_version.id"))
    hearing_date: Mapped[date]
    location: Mapped[str] = mapped_column(String(300))
    scheduled_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Motion(Base):
    """A motion put to the council at a hearing; frozen once any vote is cast."""

    __tablename__ = "motion"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id"), index=True)
    hearing_id: Mapped[int] = mapped_column(ForeignKey("hearing.id"))
    motion_type: Mapped[MotionType] = mapped_column(enum_column(MotionType, "motion_type"))
    conditions: Mapped[list] = mapped_column(JSON, default=list)
    findings: Mapped[list] = mapped_column(JSON, default=list)
    moved_by: Mapped[str] = mapped_column(String(200), default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    votes: Mapped[list["Vote"]] = relationship(back_populates="motion", order_by="Vote.id")

    @property
    def condition_texts(self) -> list[str]:
        """Return the wording of each condition, in order."""
        return [c["text"] if isinstance(c, dict) else c for c in self.conditions]
    result: Mapped["MotionResult | None"] = relationship(uselist=False)
    hearing: Mapped[Hearing] = relationship()


class Vote(Base):
    """One member's recorded answer on one motion; the database allows only one."""

    __tablename__ = "vote"
    __table_args__ = (UniqueConstraint("motion_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    motion_id: Mapped[int] = mapped_column(ForeignKey("motion.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    choice: Mapped[VoteChoice] = mapped_column(enum_column(VoteChoice, "choice"))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    motion: Mapped[Motion] = relationship(back_populates="votes")
    member: Mapped[User] = relationship(foreign_keys=[member_id])


class MotionResult(Base):
    """The tally of a closed roll call, judged against the profile's quorum and majority."""

    __tablename__ = "motion_result"

    id: Mapped[int] = mapped_column(primary_key=True)
    motion_id: Mapped[int] = mapped_column(ForeignKey("motion.id"), unique=True)
    outcome: Mapped[MotionOutcome] = mapped_column(enum_column(MotionOutcome, "outcome"))
    ayes: Mapped[int]
    noes: Mapped[int]
    abstentions: Mapped[int]
    recusals: Mapped[int]
    absences: Mapped[int]
    quorum_required: Mapped[int]
    votes_required: Mapped[int]
    explanation: Mapped[str] = mapped_column(Text)
    closed_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
