"""Issuing the determination: render once, store the bytes and their SHA-256, never again."""

import hashlib
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import audit, conditions, pdf, record, workflow
from ..models import (
    Decision,
    Determination,
    DeterminationFile,
    MotionOutcome,
    MotionType,
    Obligation,
    ObligationKind,
    Proposal,
    User,
)
from ..profiles import Profile
from ..workflow import Action, TransitionNotAllowed
from .council import latest_motion, local_date
from .transitions import lock_proposal, move, situation

DECISION_FOR_MOTION = {
    MotionType.APPROVE: Decision.APPROVED,
    MotionType.APPROVE_WITH_CONDITIONS: Decision.APPROVED_WITH_CONDITIONS,
    MotionType.DENY: Decision.DENIED,
}


def stored_pdf(session: Session, determination: Determination) -> bytes:
    """Return the issued PDF's bytes, exactly as issued."""
    return session.get(DeterminationFile, determination.id).content


def already_issued(session: Session, proposal: Proposal) -> Determination | None:
    """Return the determination already issued for the proposal's latest motion, if any."""
    motion = latest_motion(session, proposal)
    if motion is None:
        return None
    return session.scalar(select(Determination).where(Determination.motion_id == motion.id))


def issue_determination(session: Session, proposal: Proposal, actor: User, now: datetime,
                        profile: Profile) -> Determination:
    """Render the determination for the passed motion, store it, and decide the proposal.

    The PDF's bytes are stored in the same transaction as the determination row, so any
    app host can serve them and a failed commit leaves nothing behind. Raises
    pdf.MissingGlyphs, before anything is stored, if a character would print as a box;
    the caller rolls back the stage change made here.
    """
    lock_proposal(session, proposal)
    done = already_issued(session, proposal)
    if done is not None:
        raise TransitionNotAllowed(
            f"Determination {done.document_number} was already issued for this motion; "
            "it is issued once and never again.")
    motion = latest_motion(session, proposal)
    passed = bool(motion and motion.result and motion.result.outcome is MotionOutcome.PASSED)
    move(session, proposal, Action.ISSUE_DETERMINATION, actor, now,
         situation(session, proposal, profile, now, motion_passed=passed,
                   motion_type=motion.motion_type if motion else None))
    issued = session.scalar(
        select(func.count()).select_from(Determination)
        .where(Determination.proposal_id == proposal.id)
    )
    document_number = f"{proposal.file_number}-D{issued + 1}"
    effective = local_date(now, profile)
    review = workflow.next_annual_report_date(
        effective, profile.annual_report_month, profile.annual_report_day,
        profile.annual_report_cadence_years,
    )
    decision = DECISION_FOR_MOTION.get(motion.motion_type)
    if decision is None:
        raise TransitionNotAllowed("This motion does not decide the proposal.")
    context = record.determination_context(
        session, proposal, profile, motion, decision=decision,
        document_number=document_number, effective_date=effective, review_date=review,
        issued_at=now,
    )
    data = pdf.render_pdf("pdf/determination.html", **context)
    sha256 = hashlib.sha256(data).hexdigest()
    determination = Determination(
        proposal_id=proposal.id, motion_id=motion.id, decision=decision,
        document_number=document_number, file_name=f"{document_number}.pdf", sha256=sha256,
        size_bytes=len(data), effective_date=effective, review_date=review,
        issued_by_id=actor.id, issued_at=now,
    )
    session.add(determination)
    session.flush()
    session.add(DeterminationFile(determination_id=determination.id, content=data))
    for number, item in enumerate(motion.conditions, start=1):
        condition = conditions.from_stored(item)
        session.add(Obligation(
            proposal_id=proposal.id, determination_id=determination.id, number=number,
            kind=ObligationKind(condition.kind), number_value=condition.number,
            text_value=",".join(condition.values), text=condition.text, created_at=now))
    session.flush()
    audit.record(session, actor, "issue_determination", "determination", document_number, now,
                 sha256=sha256, decision=decision.value)
    return determination
