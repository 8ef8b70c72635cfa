"""Read side of annual reports: what the report page, the review lists and the technology
page's report snippet show, each in a fixed number of queries."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from .compliance.reports import INCOMPLETE, LATE
from .deadlines import DueItem
from .deadlines.reports import due_items, first_approvals, local_today, period_number
from .models import AnnualReport, Proposal, ReportFinding, ReportReview, Severity
from .profiles import Profile


@dataclass(frozen=True)
class ReportSummary:
    """One filed report as a list shows it."""

    id: int
    proposal_id: int
    proposal_title: str
    period_number: int
    period_start: date
    period_end: date
    due_date: date
    filed_on: date
    blocking: int
    warnings: int
    late: bool
    incomplete: bool
    reviews: int


def load_report(session: Session, report_id: int) -> AnnualReport | None:
    """Load a report with its sharing lines, findings, reviews and filer."""
    return session.scalar(
        select(AnnualReport).where(AnnualReport.id == report_id)
        .options(selectinload(AnnualReport.sharing), selectinload(AnnualReport.findings),
                 selectinload(AnnualReport.reviews).joinedload(ReportReview.reviewer),
                 joinedload(AnnualReport.filed_by)))


def flags(report: AnnualReport) -> dict[str, bool]:
    """Say whether a loaded report was filed late or is incomplete."""
    rules = {f.rule_id for f in report.findings}
    return {"late": LATE in rules, "incomplete": INCOMPLETE in rules}


def summaries(session: Session, profile: Profile, proposal_id: int | None = None,
              limit: int = 500) -> list[ReportSummary]:
    """Return filed reports, newest first (one technology's when `proposal_id` is given)."""
    query = (select(AnnualReport, Proposal.title).join(Proposal)
             .order_by(AnnualReport.filed_at.desc(), AnnualReport.id.desc()).limit(limit))
    if proposal_id is not None:
        query = query.where(AnnualReport.proposal_id == proposal_id)
    rows = session.execute(query).all()
    ids = [report.id for report, _title in rows]
    if not ids:
        return []
    counts: dict[int, dict] = {i: {"blocking": 0, "warning": 0, "rules": set()} for i in ids}
    for report_id, rule_id, severity in session.execute(
            select(ReportFinding.report_id, ReportFinding.rule_id, ReportFinding.severity)
            .where(ReportFinding.report_id.in_(ids))):
        counts[report_id]["rules"].add(rule_id)
        if severity in (Severity.BLOCKING, Severity.WARNING):
            counts[report_id][severity.value] += 1
    reviews = dict(session.execute(
        select(ReportReview.report_id, func.count()).where(ReportReview.report_id.in_(ids))
        .group_by(ReportReview.report_id)).all())
    return [ReportSummary(
        id=r.id, proposal_id=r.proposal_id, proposal_title=title,
        period_number=r.period_number, period_start=r.period_start, period_end=r.period_end,
        due_date=r.due_date, filed_on=local_today(profile, r.filed_at),
        blocking=counts[r.id]["blocking"], warnings=counts[r.id]["warning"],
        late=LATE in counts[r.id]["rules"], incomplete=INCOMPLETE in counts[r.id]["rules"],
        reviews=reviews.get(r.id, 0)) for r, title in rows]


def technology_reports(session: Session, proposal_id: int, profile: Profile,
                       now: datetime) -> dict:
    """Return the context templates/reports/_technology_reports.html needs for one technology.

    Keys: `reports` (ReportSummary, oldest period first), `due` (DueItem, soonest first),
    `today` (the local date overdue is judged by).
    """
    reports = sorted(summaries(session, profile, proposal_id), key=lambda r: r.period_number)
    due = sorted(due_items(session, profile, now, proposal_ids=[proposal_id]),
                 key=lambda item: item.due_on)
    return {"reports": reports, "due": due, "today": local_today(profile, now)}


def outstanding(session: Session, profile: Profile, now: datetime,
                department_id: int | None = None) -> list[DueItem]:
    """Return unfiled annual reports due so far or next, soonest first."""
    ids = None
    if department_id is not None:
        ids = list(session.scalars(select(Proposal.id)
                                   .where(Proposal.department_id == department_id)))
    items = [i for i in due_items(session, profile, now, proposal_ids=ids) if i.met_on is None]
    return sorted(items, key=lambda item: (item.due_on, item.title))


@dataclass(frozen=True)
class TechnologyDue:
    """An approved technology of a department and the next report it owes."""

    proposal_id: int
    title: str
    next_number: int
    period_start: date
    due_on: date
    overdue: bool
    can_file_now: bool


def department_technologies(session: Session, profile: Profile, now: datetime,
                            department_id: int) -> list[TechnologyDue]:
    """Return the department's approved technologies with the next report each owes."""
    proposals = {p.id: p for p in session.scalars(
        select(Proposal).where(Proposal.department_id == department_id))}
    approvals = first_approvals(session, proposals) if proposals else {}
    if not approvals:
        return []
    filed = dict(session.execute(
        select(AnnualReport.proposal_id, func.max(AnnualReport.period_number))
        .where(AnnualReport.proposal_id.in_(list(approvals)))
        .group_by(AnnualReport.proposal_id)).all())
    today = local_today(profile, now)
    rows = []
    for proposal_id, determination in approvals.items():
        period = period_number(determination.effective_date, determination.review_date,
                               profile, filed.get(proposal_id, 0) + 1)
        rows.append(TechnologyDue(proposal_id, proposals[proposal_id].title, period.number,
                                  period.start, period.due, today > period.due,
                                  today >= period.start))
    return sorted(rows, key=lambda row: (row.due_on, row.title))
