"""Each approved technology's report schedule, derived: which annual report it owes next.

Not a record: worked out from the first approving determination and the reports filed, and
rewritten when either changes, so that the dashboard can order and page every approved
technology by its next due report without grouping all determinations and reports on
every view. Rebuilt from the record by `flask rebuild-derived`.
"""

from datetime import date

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class ReportSchedule(Base):
    """An approved technology, its first approval's review date and its next report."""

    __tablename__ = "report_schedule"

    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id"), primary_key=True)
    determination_id: Mapped[int] = mapped_column(ForeignKey("determination.id"))
    review_date: Mapped[date]  # report 1 is due then; the profile's formula gives the rest
    next_number: Mapped[int]  # the report owed next: one past the highest filed
