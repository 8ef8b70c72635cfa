"""Read side for the after-the-vote pages: technologies in use and the oversight dashboard.

Every function runs a fixed number of queries whatever the number of proposals; counts
are aggregate statements and lists come a page at a time.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, joinedload, selectinload

# dashboard_store also installs, on import, the listeners that keep the counts current.
from . import dashboard_store, paging
from .models import (
    AnnualReport,
    Decision,
    Determination,
    Obligation,
    OpenReportFinding,
    Proposal,
    ProposalStatus,
    ReportFinding,
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


def approved_page(session: Session, args: Mapping[str, str], size: int) -> paging.Page:
    """Return a page of the technologies whose latest determination approves them.

    Read from the derived status rows, which name each proposal's latest determination: an
    index range, not a grouping of every determination.
    """
    query = (select(Proposal, Determination).select_from(ProposalStatus)
             .join(Proposal, Proposal.id == ProposalStatus.proposal_id)
             .join(Determination, Determination.id == ProposalStatus.determination_id)
             .where(ProposalStatus.decided == dashboard_store.APPROVED)
             .options(joinedload(Proposal.department)))
    page = paging.keyset_page(session, query, ProposalStatus.proposal_id, lambda row: row[0].id,
                              args, size, scalars=False)
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
    """Count proposals by status, and open findings, from the derived tally (one statement).

    dashboard_store keeps the tally at each commit, so the dashboard costs the same at any
    number of proposals.
    """
    tally = dashboard_store.tally(session)
    counts = []
    for label, group_stages in STATUS_GROUPS:
        if group_stages:
            counts.append((label, sum(tally[dashboard_store.stage_key(s)] for s in group_stages)))
        else:
            counts.append((label, tally[dashboard_store.decided_key(label.lower())]))
    return Dashboard(counts, tally[dashboard_store.OPEN_REPORT_FINDINGS],
                     tally[dashboard_store.BLOCKING_IN_ASSESSMENT],
                     tally[dashboard_store.UNREVIEWED_REPORTS])


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
    columns = (ReportFinding, AnnualReport.id, AnnualReport.period_number, Proposal.id,
               Proposal.title)
    if unreviewed_only:
        # The derived open findings hold the order's keys: a page is an index range.
        query = (select(*columns).select_from(OpenReportFinding)
                 .join(ReportFinding, ReportFinding.id == OpenReportFinding.finding_id)
                 .join(AnnualReport, AnnualReport.id == ReportFinding.report_id)
                 .join(Proposal, Proposal.id == OpenReportFinding.proposal_id)
                 .order_by(OpenReportFinding.severity_rank, OpenReportFinding.proposal_id,
                           OpenReportFinding.period_number, OpenReportFinding.finding_id))
    else:
        query = (select(*columns)
                 .join(AnnualReport, AnnualReport.id == ReportFinding.report_id)
                 .join(Proposal, Proposal.id == AnnualReport.proposal_id)
                 .order_by(SEVERITY_ORDER, Proposal.id, AnnualReport.period_number,
                           ReportFinding.id))
    if proposal_id is not None:
        query = query.where(AnnualReport.proposal_id == proposal_id)
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
