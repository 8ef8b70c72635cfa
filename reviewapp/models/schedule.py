"""Each approved technology's report schedule, derived: which annual report it owes next.

Not a record: worked out from the first approving determination and the reports filed, and
rewritten when either changes, so that the dashboard can order and page every approved
technology by its next due report without grouping all determinations and reports on
every view. Rebuilt from the record by `flask rebuild-derived`.

The due dates follow the active profile's report month, day and cadence, named by `rule`:
rows worked out under another rule (the profile changed) are not read until rebuilt.
"""

from datetime import date

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class ReportSchedule(Base):
    """An approved technology, its first approval's review date and its next report."""

    __tablename__ = "report_schedule"
    # Each index serves one of the dashboard's ordered reads (report_schedule.py).
    __table_args__ = (Index("ix_report_schedule_next_due", "next_due", "proposal_id"),
                      Index("ix_report_schedule_review_date", "review_date", "proposal_id"),
                      Index("ix_report_schedule_second_due", "second_due", "proposal_id"),
                      Index("ix_report_schedule_cycle", "cycle", "proposal_id"),
                      Index("ix_report_schedule_rule", "rule"))

    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id"), primary_key=True)
    determination_id: Mapped[int] = mapped_column(ForeignKey("determination.id"))
    review_date: Mapped[date]  # report 1 is due then; the profile's formula gives the rest
    next_number: Mapped[int]  # the report owed next: one past the highest filed
    rule: Mapped[str | None] = mapped_column(String(20))  # "MM-DD/cadence" they follow
    next_due: Mapped[date | None]  # when report `next_number` is due
    second_due: Mapped[date | None]  # when report 2 is due; later ones every cadence years
    cycle: Mapped[int | None]  # second_due's year modulo the cadence
