"""The oversight dashboard's counts, derived: kept per proposal and summed in a tally.

Not a record: worked out from stages, comment periods, determinations, findings, annual
reports and their reviews whenever a transaction changes one of them
(reviewapp/dashboard_store.py), so the dashboard reads a dozen counters and one page of
open findings instead of grouping every proposal, determination and finding on each view;
the home page's open comment periods, the clerk's stage counts and the technologies in use
read the same rows. The registry keeps its counters in the same tally (registry_store.py).
Rebuilt by `flask rebuild-derived`.
"""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime


class ProposalStatus(Base):
    """What one proposal adds to the dashboard's counts, as last worked out."""

    __tablename__ = "proposal_status"
    # The home page's "open for comment now" and the clerk's closed periods: index ranges.
    # The technologies in use (approved now) page by proposal id: another index range.
    __table_args__ = (Index("ix_proposal_status_comment", "comment_closes_at", "proposal_id",
                            "comment_opens_at"),
                      Index("ix_proposal_status_decided", "decided", "proposal_id"))

    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id"), primary_key=True)
    stage: Mapped[str] = mapped_column(String(32))
    decided: Mapped[str | None] = mapped_column(String(16))  # its latest determination's group
    determination_id: Mapped[int | None] = mapped_column(ForeignKey("determination.id"))
    blocking_findings: Mapped[int]  # on any of its versions; counted while in assessment
    open_report_findings: Mapped[int]  # on its annual reports not yet reviewed
    unreviewed_reports: Mapped[int]  # its reports with findings and no review
    # Its newest comment period, while the proposal is stored in public comment.
    comment_period_id: Mapped[int | None] = mapped_column(ForeignKey("comment_period.id"))
    comment_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    comment_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class StatusTally(Base):
    """One dashboard counter: the sum of every proposal's part in it."""

    __tablename__ = "status_tally"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    number: Mapped[int]


class OpenReportFinding(Base):
    """A finding on an annual report not yet reviewed, keyed in the dashboard's order."""

    __tablename__ = "open_report_finding"
    __table_args__ = (Index("ix_open_report_finding_order", "severity_rank", "proposal_id",
                            "period_number", "finding_id"),
                      Index("ix_open_report_finding_proposal_id", "proposal_id"))

    finding_id: Mapped[int] = mapped_column(ForeignKey("report_finding.id"), primary_key=True)
    severity_rank: Mapped[int]  # blocking 0, warning 1, information 2
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id"))
    period_number: Mapped[int]
