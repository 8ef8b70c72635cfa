"""Compliance findings stored per frozen version, and the clerk's recorded overrides."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, enum_column, utcnow
from .users import User
from .vocab import Severity


class Finding(Base):
    """One rule's verdict on one version, with the evidence that triggered it."""

    __tablename__ = "finding"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("proposal_version.id"), index=True)
    rule_id: Mapped[str] = mapped_column(String(80))
    severity: Mapped[Severity] = mapped_column(enum_column(Severity, "severity"))
    title: Mapped[str] = mapped_column(String(300))
    message: Mapped[str] = mapped_column(Text)
    citation: Mapped[str] = mapped_column(String(300))
    citation_url: Mapped[str] = mapped_column(String(500))
    evidence: Mapped[str] = mapped_column(Text, default="")


class FindingOverride(Base):
    """The clerk's written reason to proceed despite blocking findings on a version."""

    __tablename__ = "finding_override"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("proposal_version.id"), unique=True)
    reason: Mapped[str] = mapped_column(Text)
    actor_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[User] = relationship()
