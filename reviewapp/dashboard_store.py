"""Keep the dashboard's derived counts (models/dashboard.py) in step with the record.

A session listener notes, at each flush, the proposals whose stage, comment periods,
determinations, findings, annual reports or report reviews changed; just before the
transaction commits it works their part in the counts out again from the record, in the
same transaction, and adds the difference to the tally. Each refresh reads only those
proposals' rows.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import delete, event, func, select
from sqlalchemy.orm import Session

from . import tally as counters
from .models import (
    AnnualReport,
    CommentPeriod,
    Decision,
    Determination,
    Finding,
    OpenReportFinding,
    Proposal,
    ProposalStatus,
    ProposalVersion,
    ReportFinding,
    ReportReview,
    Severity,
    Stage,
)

STALE = "dashboard_stale"  # session.info key: {"proposals": ids, "versions": ids, "reports": ids}
BATCH = 500
APPROVING = (Decision.APPROVED, Decision.APPROVED_WITH_CONDITIONS)
SEVERITY_RANK = {Severity.BLOCKING: 0, Severity.WARNING: 1, Severity.INFO: 2}
PREFIX = "dashboard:"  # of this store's counters in the shared tally
APPROVED, DENIED = "approved", "denied"  # the groups of a latest determination
BLOCKING_IN_ASSESSMENT = "blocking_in_assessment"
OPEN_REPORT_FINDINGS = "open_report_findings"
UNREVIEWED_REPORTS = "unreviewed_reports"


COLUMNS = ("proposal_id", "stage", "decided", "determination_id", "blocking_findings",
           "open_report_findings", "unreviewed_reports", "comment_period_id", "comment_opens_at",
           "comment_closes_at")


@dataclass
class Status:
    """A proposal's status row, as worked out (not an ORM object: written with SQL)."""

    proposal_id: int
    stage: str
    decided: str | None = None
    determination_id: int | None = None
    blocking_findings: int = 0
    open_report_findings: int = 0
    unreviewed_reports: int = 0
    comment_period_id: int | None = None
    comment_opens_at: datetime | None = None
    comment_closes_at: datetime | None = None


def stage_key(stage: Stage) -> str:
    return f"stage:{stage.value}"


def decided_key(group: str) -> str:
    return f"decided:{group}"


def contribution(row) -> Counter:
    """Return what one proposal's status row adds to each counter."""
    counts: Counter = Counter()
    if row.stage != Stage.DRAFT.value:
        counts[f"stage:{row.stage}"] += 1
    if row.decided:
        counts[decided_key(row.decided)] += 1
    if row.stage == Stage.ASSESSMENT.value:
        counts[BLOCKING_IN_ASSESSMENT] += row.blocking_findings
    counts[OPEN_REPORT_FINDINGS] += row.open_report_findings
    counts[UNREVIEWED_REPORTS] += row.unreviewed_reports
    return counts


def _note_changes(session: Session, _context) -> None:
    """Remember what this flush may have changed, by proposal, version or report."""
    stale = None
    for obj in (*session.new, *session.dirty):
        if isinstance(obj, Proposal):
            key, value = "proposals", obj.id
        elif isinstance(obj, Determination | AnnualReport | CommentPeriod):
            key, value = "proposals", obj.proposal_id
        elif isinstance(obj, Finding):
            key, value = "versions", obj.version_id
        elif isinstance(obj, ReportFinding | ReportReview):
            key, value = "reports", obj.report_id
        else:
            continue
        if stale is None:
            stale = session.info.setdefault(STALE, {})
        stale.setdefault(key, set()).add(value)


def _refresh_before_commit(session: Session) -> None:
    if not session.info.get(STALE):
        return
    session.flush()
    stale = session.info.pop(STALE, {})
    ids = set(stale.get("proposals", ()))
    if stale.get("versions"):
        ids.update(session.scalars(select(ProposalVersion.proposal_id).where(
            ProposalVersion.id.in_(stale["versions"]))))
    if stale.get("reports"):
        ids.update(session.scalars(select(AnnualReport.proposal_id).where(
            AnnualReport.id.in_(stale["reports"]))))
    refresh(session, ids)


def _forget(session: Session) -> None:
    session.info.pop(STALE, None)


event.listen(Session, "after_flush", _note_changes)
event.listen(Session, "before_commit", _refresh_before_commit)
event.listen(Session, "after_rollback", _forget)


def _statuses(session: Session, batch: list[int]) -> tuple[dict, list[dict]]:
    """Return the batch's status rows worked out from the record, and its open findings."""
    rows = {pid: Status(pid, stage.value) for pid, stage in session.execute(
                select(Proposal.id, Proposal.stage).where(Proposal.id.in_(batch)))}
    latest = (select(func.max(Determination.id)).where(Determination.proposal_id.in_(batch))
              .group_by(Determination.proposal_id))
    for pid, decision_id, decision in session.execute(
            select(Determination.proposal_id, Determination.id, Determination.decision)
            .where(Determination.id.in_(latest))):
        rows[pid].determination_id = decision_id
        rows[pid].decided = APPROVED if decision in APPROVING else DENIED
    for pid, number in session.execute(
            select(ProposalVersion.proposal_id, func.count()).join(
                Finding, Finding.version_id == ProposalVersion.id)
            .where(ProposalVersion.proposal_id.in_(batch), Finding.severity == Severity.BLOCKING)
            .group_by(ProposalVersion.proposal_id)):
        rows[pid].blocking_findings = number
    newest = (select(func.max(CommentPeriod.id)).where(CommentPeriod.proposal_id.in_(batch))
              .group_by(CommentPeriod.proposal_id))
    for period_id, pid, opens_at, closes_at in session.execute(
            select(CommentPeriod.id, CommentPeriod.proposal_id, CommentPeriod.opens_at,
                   CommentPeriod.closes_at).where(CommentPeriod.id.in_(newest))):
        if rows[pid].stage == Stage.PUBLIC_COMMENT.value:
            row = rows[pid]
            row.comment_period_id, row.comment_opens_at, row.comment_closes_at = (
                period_id, opens_at, closes_at)
    reviewed = select(ReportReview.report_id).join(
        AnnualReport, AnnualReport.id == ReportReview.report_id).where(
        AnnualReport.proposal_id.in_(batch))
    open_findings = []
    reports: dict[int, set] = {}
    for finding_id, severity, report_id, pid, period in session.execute(
            select(ReportFinding.id, ReportFinding.severity, ReportFinding.report_id,
                   AnnualReport.proposal_id, AnnualReport.period_number)
            .join(AnnualReport, AnnualReport.id == ReportFinding.report_id)
            .where(AnnualReport.proposal_id.in_(batch), ReportFinding.report_id.not_in(reviewed))):
        open_findings.append({"finding_id": finding_id, "severity_rank": SEVERITY_RANK[severity],
                              "proposal_id": pid, "period_number": period})
        reports.setdefault(pid, set()).add(report_id)
        rows[pid].open_report_findings += 1
    for pid, ids in reports.items():
        rows[pid].unreviewed_reports = len(ids)
    return rows, open_findings


def refresh(session: Session, proposal_ids: Iterable[int]) -> None:
    """Work these proposals' part in the counts out again; add the change to the tally."""
    counters.lock(session)
    ids = sorted(set(proposal_ids))
    change: Counter = Counter()
    for start in range(0, len(ids), BATCH):
        batch = ids[start:start + BATCH]
        old = session.execute(select(*(getattr(ProposalStatus, c) for c in COLUMNS)).where(
            ProposalStatus.proposal_id.in_(batch))).all()
        new, open_findings = _statuses(session, batch)
        for row in old:
            change.subtract(contribution(row))
        for row in new.values():
            change.update(contribution(row))
        session.execute(delete(ProposalStatus).where(ProposalStatus.proposal_id.in_(batch)))
        session.execute(delete(OpenReportFinding).where(OpenReportFinding.proposal_id.in_(batch)))
        if new:
            session.execute(ProposalStatus.__table__.insert(),
                            [asdict(row) for row in new.values()])
        if open_findings:
            session.execute(OpenReportFinding.__table__.insert(), open_findings)
    counters.add(session, Counter({PREFIX + key: n for key, n in change.items()}))


def tally(session: Session) -> Counter:
    """Return every dashboard counter (one statement on a table of a few dozen rows)."""
    return counters.read(session, PREFIX)


def rebuild(session: Session) -> int:
    """Work every proposal's counts out again; return how many proposals were counted."""
    session.execute(delete(OpenReportFinding))
    session.execute(delete(ProposalStatus))
    counters.reset(session, PREFIX)
    ids = session.scalars(select(Proposal.id)).all()
    refresh(session, ids)
    return len(ids)
