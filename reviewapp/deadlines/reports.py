"""Due items: annual surveillance reports of approved technologies.

Report 1 is due on the determination's review date; each later one `cadence_years` later on
the profile's month and day. Report n covers the days from the end of report n-1's period
(or the determination's effective date) to its due date. Nothing is scheduled: whether a
report is overdue is worked out from `now` whenever someone looks.
"""

from dataclasses import dataclass
from datetime import date, datetime

from flask import has_request_context, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from ..models import AnnualReport, Decision, Determination, Proposal
from ..workflow import next_annual_report_date
from . import DueItem

APPROVING = (Decision.APPROVED, Decision.APPROVED_WITH_CONDITIONS)
KIND = "annual report"


@dataclass(frozen=True)
class ReportPeriod:
    """One reporting period of an approved technology."""

    number: int
    start: date
    due: date  # the period ends on its due date


def periods(effective: date, first_due: date, month: int, day: int, cadence_years: int):
    """Yield the reporting periods in order, without end."""
    number, start, due = 1, effective, first_due
    while True:
        yield ReportPeriod(number, start, due)
        number, start = number + 1, due
        due = next_annual_report_date(due, month, day, cadence_years)


def periods_until(effective: date, first_due: date, profile, today: date) -> list[ReportPeriod]:
    """Return every period due by `today`, and the next upcoming one."""
    found = []
    for period in periods(effective, first_due, profile.annual_report_month,
                          profile.annual_report_day, profile.annual_report_cadence_years):
        found.append(period)
        if period.due >= today:
            return found
    return found  # pragma: no cover (the generator never ends)


def period_number(effective: date, first_due: date, profile, number: int) -> ReportPeriod:
    """Return period `number` (1-based)."""
    for period in periods(effective, first_due, profile.annual_report_month,
                          profile.annual_report_day, profile.annual_report_cadence_years):
        if period.number == number:
            return period
    raise AssertionError  # pragma: no cover


def local_today(profile, now: datetime) -> date:
    """Return the date in the jurisdiction at `now`."""
    return now.astimezone(profile.zone).date()


def first_approvals(session: Session, proposal_ids=None) -> dict[int, Determination]:
    """Return, per proposal, the first approving determination (it sets the schedule)."""
    query = (select(Determination).where(Determination.decision.in_(APPROVING))
             .order_by(Determination.id))
    if proposal_ids is not None:
        query = query.where(Determination.proposal_id.in_(list(proposal_ids)))
    first: dict[int, Determination] = {}
    for determination in session.scalars(query):
        first.setdefault(determination.proposal_id, determination)
    return first


def filed_reports(session: Session, proposal_ids) -> dict[tuple[int, int], tuple[int, datetime]]:
    """Return (proposal id, period number) -> (report id, filed at), in one query."""
    rows = session.execute(
        select(AnnualReport.proposal_id, AnnualReport.period_number, AnnualReport.id,
               AnnualReport.filed_at).where(AnnualReport.proposal_id.in_(list(proposal_ids))))
    return {(p, n): (rid, at) for p, n, rid, at in rows}


def _url(endpoint: str, path: str, **args) -> str:
    return url_for(endpoint, **args) if has_request_context() else path


def items_for(proposal: Proposal, determination: Determination, filed: dict, profile,
              today: date) -> list[DueItem]:
    """Return the due items of one approved technology."""
    items = []
    for period in periods_until(determination.effective_date, determination.review_date,
                                profile, today):
        report = filed.get((proposal.id, period.number))
        if report:
            url = _url("public.report", f"/reports/{report[0]}", report_id=report[0])
        else:
            url = _url("public.proposal", f"/proposals/{proposal.id}", proposal_id=proposal.id)
        items.append(DueItem(
            kind=KIND, title=f"Annual report {period.number}: {proposal.title}",
            department=proposal.department.name, due_on=period.due,
            met_on=local_today(profile, report[1]) if report else None, url=url,
            proposal_id=proposal.id))
    return items


def due_items(session: Session, profile, now: datetime, proposal_ids=None) -> list[DueItem]:
    """Return every annual report due so far, and the next one, for each approved technology."""
    approvals = first_approvals(session, proposal_ids)
    if not approvals:
        return []
    proposals = {p.id: p for p in session.scalars(
        select(Proposal).where(Proposal.id.in_(list(approvals)))
        .options(joinedload(Proposal.department)))}
    filed = filed_reports(session, approvals)
    today = local_today(profile, now)
    items = []
    for proposal_id, determination in approvals.items():
        items.extend(items_for(proposals[proposal_id], determination, filed, profile, today))
    return items
