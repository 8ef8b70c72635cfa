"""A proposal, its immutable versions, their data recipients and the stage history."""

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, enum_column, utcnow
from .users import Department, User
from .vocab import RecipientType, Stage, TechnologyCategory, Trigger


class Proposal(Base):
    """One request to acquire, fund, use or share surveillance technology."""

    __tablename__ = "proposal"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_number: Mapped[str] = mapped_column(String(32), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    # The current stage; every change is also appended to stage_change (the record).
    stage: Mapped[Stage] = mapped_column(enum_column(Stage, "stage"), default=Stage.DRAFT)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    department: Mapped[Department] = relationship()
    created_by: Mapped[User] = relationship()
    versions: Mapped[list["ProposalVersion"]] = relationship(
        back_populates="proposal", order_by="ProposalVersion.number"
    )

    @property
    def current_version(self) -> "ProposalVersion":
        """Return the newest version (the one being edited or reviewed)."""
        return self.versions[-1]


def in_cents(cents: int | None, dollars: int | None) -> int | None:
    """Return an amount in cents from a cents column, or from an older whole-dollar one."""
    if cents is not None:
        return cents
    return None if dollars is None else dollars * 100


class ProposalVersion(Base):
    """The documents as filed; frozen (never edited) once submitted."""

    __tablename__ = "proposal_version"
    __table_args__ = (
        UniqueConstraint("proposal_id", "number"),
        CheckConstraint(
            "(submitted_at IS NULL) = (impact_report_sha256 IS NULL)", name="hash_iff_submitted"
        ),
        CheckConstraint("retention_days IS NULL OR retention_days >= 0", name="retention"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id"))
    number: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # SHA-256 of each document as submitted: the recitals of the determination cite them.
    impact_report_sha256: Mapped[str | None] = mapped_column(String(64))
    use_policy_sha256: Mapped[str | None] = mapped_column(String(64))

    # The title as filed with this version; it becomes the proposal's (public) title when
    # the version is submitted. NULL in versions filed before titles were versioned.
    title: Mapped[str | None] = mapped_column(String(300))
    trigger: Mapped[Trigger | None] = mapped_column(enum_column(Trigger, "trigger"))
    technology_category: Mapped[TechnologyCategory | None] = mapped_column(
        enum_column(TechnologyCategory, "technology_category")
    )
    technology_name: Mapped[str] = mapped_column(String(200), default="")
    vendor: Mapped[str] = mapped_column(String(200), default="")
    product: Mapped[str] = mapped_column(String(200), default="")
    # Costs in whole cents. Versions filed before cents were kept hold whole dollars in
    # the *_cost columns instead; records are never rewritten, so both are read (below).
    acquisition_cost: Mapped[int | None]
    annual_cost: Mapped[int | None]
    acquisition_cost_cents: Mapped[int | None] = mapped_column(BigInteger)
    annual_cost_cents: Mapped[int | None] = mapped_column(BigInteger)
    funding_source: Mapped[str] = mapped_column(String(300), default="")
    retention_days: Mapped[int | None]
    # Structured answers the compliance rules read (None: not answered yet).
    vendor_nda: Mapped[bool | None]
    access_log: Mapped[bool | None]
    sensitive_locations: Mapped[list] = mapped_column(JSON, default=list,
                                                      server_default=text("'[]'"))
    sensitive_safeguards: Mapped[str] = mapped_column(Text, default="", server_default="")
    impact_report: Mapped[dict] = mapped_column(JSON, default=dict)
    use_policy: Mapped[dict] = mapped_column(JSON, default=dict)
    # The structured answers of forms/particulars.py (retention exceptions and practice,
    # efficacy, procurement, platform sharing, data received, prior use), by question key.
    particulars: Mapped[dict] = mapped_column(JSON, default=dict, server_default=text("'{}'"))

    proposal: Mapped[Proposal] = relationship(back_populates="versions")
    recipients: Mapped[list["DataRecipient"]] = relationship(
        back_populates="version", order_by="DataRecipient.position",
        cascade="all, delete-orphan"
    )

    @property
    def acquisition_cents(self) -> int | None:
        """Return the acquisition cost in cents, whichever way this version stored it."""
        return in_cents(self.acquisition_cost_cents, self.acquisition_cost)

    @property
    def annual_cents(self) -> int | None:
        """Return the annual cost in cents, whichever way this version stored it."""
        return in_cents(self.annual_cost_cents, self.annual_cost)

    @property
    def is_frozen(self) -> bool:
        """Say whether this version has been submitted and can no longer change."""
        return self.submitted_at is not None


class DataRecipient(Base):
    """Someone outside the department who receives the technology's data."""

    __tablename__ = "data_recipient"
    __table_args__ = (UniqueConstraint("version_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("proposal_version.id"))
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(300))
    recipient_type: Mapped[RecipientType] = mapped_column(
        enum_column(RecipientType, "recipient_type")
    )
    purpose: Mapped[str] = mapped_column(Text, default="")
    data_categories: Mapped[str] = mapped_column(Text, default="")
    legal_basis: Mapped[str] = mapped_column(Text, default="")

    version: Mapped[ProposalVersion] = relationship(back_populates="recipients")


class StageChange(Base):
    """One move of a proposal between stages, with who and why (append-only)."""

    __tablename__ = "stage_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id"), index=True)
    version_number: Mapped[int]
    from_stage: Mapped[Stage | None] = mapped_column(enum_column(Stage, "from_stage"))
    to_stage: Mapped[Stage] = mapped_column(enum_column(Stage, "to_stage"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    actor: Mapped[User | None] = relationship()
