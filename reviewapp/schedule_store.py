"""Keep the derived report schedule (models/schedule.py) in step with the record.

A technology's schedule changes when a determination is issued (its first approval starts
it) and when an annual report is filed (the next one is owed). A session listener notes
those proposals at each flush and rewrites their rows just before the transaction commits,
in the same transaction.
"""

from collections.abc import Iterable

from sqlalchemy import delete, event, func, select
from sqlalchemy.orm import Session

from .deadlines.reports import APPROVING
from .models import AnnualReport, Determination, Proposal, ReportSchedule

STALE = "report_schedule_stale_proposals"
BATCH = 500


def _note_changes(session: Session, _context) -> None:
    """Remember the proposals whose schedule this flush may have changed."""
    ids = {obj.proposal_id for obj in session.new
           if isinstance(obj, Determination | AnnualReport)}
    if ids:
        session.info.setdefault(STALE, set()).update(ids)


def _refresh_before_commit(session: Session) -> None:
    if not session.info.get(STALE):
        return
    session.flush()
    refresh(session, session.info.pop(STALE, set()))


def _forget(session: Session) -> None:
    session.info.pop(STALE, None)


event.listen(Session, "after_flush", _note_changes)
event.listen(Session, "before_commit", _refresh_before_commit)
event.listen(Session, "after_rollback", _forget)


def refresh(session: Session, proposal_ids: Iterable[int]) -> None:
    """Rewrite the schedule rows of these proposals from their approvals and reports."""
    ids = sorted(set(proposal_ids))
    for start in range(0, len(ids), BATCH):
        batch = ids[start:start + BATCH]
        session.execute(delete(ReportSchedule).where(ReportSchedule.proposal_id.in_(batch)))
        first = (select(func.min(Determination.id)).where(
            Determination.decision.in_(APPROVING), Determination.proposal_id.in_(batch))
            .group_by(Determination.proposal_id))
        filed = dict(session.execute(
            select(AnnualReport.proposal_id, func.max(AnnualReport.period_number))
            .where(AnnualReport.proposal_id.in_(batch)).group_by(AnnualReport.proposal_id)).all())
        rows = [{"proposal_id": proposal_id, "determination_id": determination_id,
                 "review_date": review_date, "next_number": filed.get(proposal_id, 0) + 1}
                for proposal_id, determination_id, review_date in session.execute(
                    select(Determination.proposal_id, Determination.id,
                           Determination.review_date).where(Determination.id.in_(first)))]
        if rows:
            session.execute(ReportSchedule.__table__.insert(), rows)


def rebuild(session: Session) -> int:
    """Work every technology's schedule out again; return how many are scheduled."""
    session.execute(delete(ReportSchedule))
    refresh(session, session.scalars(select(Proposal.id)).all())
    return session.scalar(select(func.count()).select_from(ReportSchedule))
