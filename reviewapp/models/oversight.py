"""After the vote: obligations, annual reports and their findings, emergency use notices,
the existing-technology inventory, and the links from follow-up proposals."""

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, enum_column, utcnow
from .users import Department, User
from .vocab import ObligationKind, RecipientType, Severity, TechnologyCategory


class Obligation(Base):
    """One numbered condition of approval, typed where it can be checked."""

    __tablename__ = "obligation"
    __table_args__ = (UniqueConstraint("determination_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id"), index=True)
    determination_id: Mapped[int] = mapped_column(ForeignKey("determination.id"))
    number: Mapped[int]
    kind: Mapped[ObligationKind] = mapped_column(enum_column(ObligationKind, "obligation_kind"))
    number_value: Mapped[int | None]
    text_value: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AnnualReport(Base):
    """A department's annual surveillance report for one approved technology and period."""

    __tablename__ = "annual_report"
    __table_args__ = (UniqueConstraint("proposal_id", "period_number"),
                      CheckConstraint("period_end >= period_start", name="period_order"))

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id"), index=True)
    period_number: Mapped[int]
    period_start: Mapped[date]
    period_end: Mapped[date]
    due_date: Mapped[date]
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    filed_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    sections: Mapped[dict] = mapped_column(JSON, default=dict)
    retention_days_reported: Mapped[int | None]
    audits_conducted: Mapped[int | None]
    last_audit_on: Mapped[date | None]
    deployment_areas: Mapped[list] = mapped_column(JSON, default=list)
    annual_cost: Mapped[int | None]  # whole dollars, in reports filed before cents were kept
    annual_cost_cents: Mapped[int | None] = mapped_column(BigInteger)

    sharing: Mapped[list["ReportSharing"]] = relationship(order_by="ReportSharing.position",
                                                          cascade="all")
    findings: Mapped[list["ReportFinding"]] = relationship(order_by="ReportFinding.id")
    reviews: Mapped[list["ReportReview"]] = relationship(order_by="ReportReview.id")
    filed_by: Mapped[User] = relationship()

    @property
    def annual_cents(self) -> int | None:
        """Return the period's cost in cents, whichever way this report stored it."""
        from .proposals import in_cents

        return in_cents(self.annual_cost_cents, self.annual_cost)


class ReportSharing(Base):
    """One line of a report's data sharing: who received data, how often, on what basis."""

    __tablename__ = "report_sharing"
    __table_args__ = (UniqueConstraint("report_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("annual_report.id"))
    position: Mapped[int]
    recipient_name: Mapped[str] = mapped_column(String(300))
    recipient_type: Mapped[RecipientType] = mapped_column(
        enum_column(RecipientType, "report_recipient_type"))
    times_shared: Mapped[int] = mapped_column(default=0)
    data_categories: Mapped[str] = mapped_column(Text, default="")
    legal_standard: Mapped[str] = mapped_column(Text, default="")


class ReportFinding(Base):
    """A mismatch between a report and the obligations or the approved use policy."""

    __tablename__ = "report_finding"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("annual_report.id"), index=True)
    rule_id: Mapped[str] = mapped_column(String(80))
    severity: Mapped[Severity] = mapped_column(enum_column(Severity, "report_severity"))
    title: Mapped[str] = mapped_column(String(300))
    message: Mapped[str] = mapped_column(Text)
    citation: Mapped[str] = mapped_column(String(300))
    evidence: Mapped[str] = mapped_column(Text, default="")


class ReportReview(Base):
    """The clerk's or the advisory body's review of a report, with a memo."""

    __tablename__ = "report_review"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("annual_report.id"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    memo: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    reviewer: Mapped[User] = relationship()


class EmergencyNotice(Base):
    """Notice of exigent use already begun; the profile's windows set its deadlines."""

    __tablename__ = "emergency_notice"

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    filed_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    technology_name: Mapped[str] = mapped_column(String(200))
    technology_category: Mapped[TechnologyCategory] = mapped_column(
        enum_column(TechnologyCategory, "emergency_technology_category"))
    description: Mapped[str] = mapped_column(Text)
    began_on: Mapped[date]
    use_continues: Mapped[bool]
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    department: Mapped[Department] = relationship()


class InventoryItem(Base):
    """Technology in use when the ordinance took effect, to be submitted for approval."""

    __tablename__ = "inventory_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    listed_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    technology_name: Mapped[str] = mapped_column(String(200))
    technology_category: Mapped[TechnologyCategory] = mapped_column(
        enum_column(TechnologyCategory, "inventory_technology_category"))
    description: Mapped[str] = mapped_column(Text)
    in_use_since: Mapped[date | None]
    listed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    department: Mapped[Department] = relationship()


class ProposalOrigin(Base):
    """Links a proposal to the emergency notice or inventory entry it answers."""

    __tablename__ = "proposal_origin"
    __table_args__ = (CheckConstraint(
        "(emergency_notice_id IS NULL) != (inventory_item_id IS NULL)", name="one_origin"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id"), unique=True)
    emergency_notice_id: Mapped[int | None] = mapped_column(
        ForeignKey("emergency_notice.id"), index=True)
    inventory_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("inventory_item.id"), index=True)
