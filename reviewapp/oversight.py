"""Read side for the after-the-vote pages: technologies in use and the oversight dashboard.

Every function runs a fixed number of queries whatever the number of proposals; counts
are aggregate statements and lists come a page at a time.
"""

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from . import paging
from .models import (
    AnnualReport,
    Decision,
    Determination,
    Finding,
    Obligation,
    Proposal,
    ProposalVersion,
    ReportFinding,
    ReportReview,
    Severity,
    Stage,
)

APPROVING = (Decision.APPROVED, Decision.APPROVED_WITH_CONDITIONS)

# The dashboard's status groups, in display order, with the stages each covers.
STATUS_GROUPS = (
    ("In review", (Stage.SUBMITTED, Stage.RETURNED, Stage.ASSESSMENT, Stage.PUBLIC_COMMENT,
                   Stage.ADVISORY_REVIEW, Stage.AWAITING_HEARING, Stage.HEARING_SCHEDULED,
                   Stage.REVISIONS_REQUESTED)),
    ("Approved", ()),
    ("Denied", ()),
    ("Withdrawn", (Stage.WITHDRAWN,)),
)


@dataclass
class Technology:
    """An approved technology: its proposal, latest determination and obligations."""

    proposal: Proposal
    determination: Determination
    obligations: list[Obligation] = field(default_factory=list)


def _latest_determinations():
    """Return a subquery of each proposal's latest determination id."""
    return (select(func.max(Determination.id).label("id"))
            .group_by(Determination.proposal_id).subquery())


def approved_page(session: Session, args: Mapping[str, str], size: int) -> paging.Page:
    """Return a page of the technologies whose latest determination approves them."""
    latest = _latest_determinations()
    query = (select(Proposal, Determination)
             .join(Determination, Determination.proposal_id == Proposal.id)
             .join(latest, latest.c.id == Determination.id)
             .where(Determination.decision.in_(APPROVING))
             .options(joinedload(Proposal.department)))
    page = paging.keyset_page(session, query, Proposal.id, lambda row: row[0].id, args, size,
                              scalars=False)
    ids = [d.id for _p, d in page.items]
    conditions = dict(session.execute(
        select(Obligation.determination_id, func.count()).where(
            Obligation.determination_id.in_(ids)).group_by(Obligation.determination_id)).all()
    ) if ids else {}
    return page.with_items([TechnologyRow(p, d, conditions.get(d.id, 0))
                            for p, d in page.items])


@dataclass(frozen=True)
class TechnologyRow:
    """An approved technology as the list shows it: how many conditions bind it."""

    proposal: Proposal
    determination: Determination
    conditions: int


def technology(session: Session, proposal_id: int) -> Technology | None:
    """Return one approved technology, or None if the proposal is not approved."""
    latest = session.scalar(select(Determination).where(Determination.proposal_id == proposal_id)
                            .order_by(Determination.id.desc()).limit(1))
    if latest is None or latest.decision not in APPROVING:
        return None
    proposal = session.scalar(
        select(Proposal).where(Proposal.id == proposal_id)
        .options(joinedload(Proposal.department), selectinload(Proposal.versions)))
    obligations = list(session.scalars(select(Obligation).where(
        Obligation.determination_id == latest.id).order_by(Obligation.number)))
    return Technology(proposal, latest, obligations)


@dataclass(frozen=True)
class Dashboard:
    """City-wide counts for the oversight dashboard."""

    status_counts: list[tuple[str, int]]
    open_report_findings: int
    blocking_in_assessment: int
    unreviewed_reports: int


def dashboard(session: Session, now: datetime) -> Dashboard:
    """Count proposals by status, and open findings (a fixed number of queries)."""
    stages = Counter(dict(session.execute(
        select(Proposal.stage, func.count()).where(Proposal.stage != Stage.DRAFT)
        .group_by(Proposal.stage)).all()))
    decided: Counter = Counter()
    latest = _latest_determinations()
    for decision, number in session.execute(
            select(Determination.decision, func.count())
            .join(latest, latest.c.id == Determination.id).group_by(Determination.decision)):
        decided["Approved" if decision in APPROVING else "Denied"] += number
    counts = []
    for label, group_stages in STATUS_GROUPS:
        counts.append((label, decided[label] if label in decided or not group_stages
                       else sum(stages[s] for s in group_stages)))
    reviewed = select(ReportReview.report_id)
    open_findings = session.scalar(
        select(func.count()).select_from(ReportFinding)
        .where(ReportFinding.report_id.not_in(reviewed)))
    unreviewed = session.scalar(
        select(func.count(func.distinct(ReportFinding.report_id)))
        .where(ReportFinding.report_id.not_in(reviewed)))
    in_assessment = select(ProposalVersion.id).join(Proposal).where(
        Proposal.stage == Stage.ASSESSMENT)
    blocking = session.scalar(
        select(func.count()).select_from(Finding)
        .where(Finding.severity == Severity.BLOCKING, Finding.version_id.in_(in_assessment)))
    return Dashboard(counts, open_findings, blocking, unreviewed)


@dataclass(frozen=True)
class ReportFindingRow:
    """A finding on an annual report, with the report and technology it belongs to."""

    finding: ReportFinding
    report_id: int
    period_number: int
    proposal_id: int
    technology: str


SEVERITY_ORDER = case({Severity.BLOCKING: 0, Severity.WARNING: 1},
                      value=ReportFinding.severity, else_=2)


def report_findings(session: Session, proposal_id: int | None = None,
                    unreviewed_only: bool = False, page: int = 1,
                    size: int | None = None) -> list[ReportFindingRow]:
    """Return report findings, blocking first (one query): one technology's, or all open.

    With `size`, return page `page` of them (and one more, to tell whether a next exists).
    """
    query = (select(ReportFinding, AnnualReport.id, AnnualReport.period_number,
                    Proposal.id, Proposal.title)
             .join(AnnualReport, AnnualReport.id == ReportFinding.report_id)
             .join(Proposal, Proposal.id == AnnualReport.proposal_id)
             .order_by(SEVERITY_ORDER, Proposal.id, AnnualReport.period_number,
                       ReportFinding.id))
    if proposal_id is not None:
        query = query.where(AnnualReport.proposal_id == proposal_id)
    if unreviewed_only:
        query = query.where(ReportFinding.report_id.not_in(select(ReportReview.report_id)))
    if size is not None:
        query = query.offset((page - 1) * size).limit(size + 1)
    return [ReportFindingRow(*row) for row in session.execute(query)]


def bar_chart(counts: list[tuple[str, int]], width: int = 560, bar_height: int = 28) -> dict:
    """Lay out a horizontal bar chart as plain numbers for the SVG template."""
    label_width, gap, top = 110, 10, 10
    largest = max((value for _label, value in counts), default=0) or 1
    room = width - label_width - 60
    bars = []
    for index, (label, value) in enumerate(counts):
        y = top + index * (bar_height + gap)
        length = round(room * value / largest)
        bars.append({"label": label, "value": value, "y": y, "x": label_width,
                     "width": length, "text_x": label_width + length + 6,
                     "text_y": y + bar_height * 0.68})
    height = top * 2 + len(counts) * (bar_height + gap)
    return {"width": width, "height": height, "bar_height": bar_height, "bars": bars,
            "label_x": label_width - 8}
