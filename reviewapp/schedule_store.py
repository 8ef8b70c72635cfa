"""Keep the derived report schedule (models/schedule.py) in step with the record.

A technology's schedule changes when a determination is issued (its first approval starts
it) and when an annual report is filed (the next one is owed). A session listener notes
those proposals at each flush and rewrites their rows just before the transaction commits,
in the same transaction.
"""

from collections.abc import Iterable
from datetime import date

from flask import current_app, has_app_context
from sqlalchemy import delete, event, func, select
from sqlalchemy.orm import Session

from .deadlines.reports import APPROVING
from .models import AnnualReport, Determination, Proposal, ReportSchedule
from .workflow import next_annual_report_date

STALE = "report_schedule_stale_proposals"
BATCH = 500
ACTIVE = object()  # the app's profile, whichever it is when the rows are written


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


def rule_of(profile) -> str:
    """Name the due-date rule of a profile: report month and day, and cadence."""
    return (f"{profile.annual_report_month:02d}-{profile.annual_report_day:02d}"
            f"/{profile.annual_report_cadence_years}")


def due_dates(profile, review_date: date, next_number: int) -> dict:
    """Return the profile-dependent columns of a schedule row (none without a profile: they
    stay empty, and migration 0007 writes rows before they exist)."""
    if profile is None:
        return {}
    month, day, cadence = (profile.annual_report_month, profile.annual_report_day,
                           profile.annual_report_cadence_years)
    second = next_annual_report_date(review_date, month, day, cadence)
    if next_number == 1:
        due = review_date
    else:
        due = date(second.year + (next_number - 2) * cadence, month, day)
    return {"rule": rule_of(profile), "next_due": due, "second_due": second,
            "cycle": second.year % cadence}


def _active_profile():
    """Return the app's profile, or None outside the app (rows then wait for a rebuild)."""
    return current_app.extensions.get("profile") if has_app_context() else None


def refresh(session: Session, proposal_ids: Iterable[int], profile=ACTIVE) -> None:
    """Rewrite the schedule rows of these proposals from their approvals and reports.

    Their due dates follow `profile` (the app's, by default; None leaves them to the formula).
    """
    profile = _active_profile() if profile is ACTIVE else profile
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
        rows = []
        for proposal_id, determination_id, review_date in session.execute(
                select(Determination.proposal_id, Determination.id,
                       Determination.review_date).where(Determination.id.in_(first))):
            number = filed.get(proposal_id, 0) + 1
            rows.append({"proposal_id": proposal_id, "determination_id": determination_id,
                         "review_date": review_date, "next_number": number,
                         **due_dates(profile, review_date, number)})
        if rows:
            session.execute(ReportSchedule.__table__.insert(), rows)


def rebuild(session: Session, profile=ACTIVE) -> int:
    """Work every technology's schedule out again; return how many are scheduled."""
    session.execute(delete(ReportSchedule))
    refresh(session, session.scalars(select(Proposal.id)).all(), profile)
    return session.scalar(select(func.count()).select_from(ReportSchedule))
