"""Issuing the determination: render once, store the bytes and their SHA-256, never again."""

import hashlib
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import audit, conditions, pdf, record, workflow
from ..models import (
    Decision,
    Determination,
    DeterminationFile,
    Motion,
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


@dataclass(frozen=True)
class RenderedDetermination:
    """A determination rendered before its write transaction, and what it was made from."""

    motion_id: int
    document_number: str
    decision: Decision
    effective_date: date
    review_date: date
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def _refuse_if_issued(session: Session, proposal: Proposal) -> None:
    """Raise TransitionNotAllowed if the latest motion already has its determination."""
    done = already_issued(session, proposal)
    if done is not None:
        raise TransitionNotAllowed(
            f"Determination {done.document_number} was already issued for this motion; "
            "it is issued once and never again.")


def _next_document_number(session: Session, proposal: Proposal) -> str:
    """Return the number the proposal's next determination gets (…-D1, …-D2)."""
    issued = session.scalar(
        select(func.count()).select_from(Determination)
        .where(Determination.proposal_id == proposal.id)
    )
    return f"{proposal.file_number}-D{issued + 1}"


def _motion_and_situation(session: Session, proposal: Proposal, profile: Profile,
                          now: datetime) -> tuple[Motion | None, workflow.Situation]:
    """Return the latest motion and the workflow's view of issuing its determination now."""
    motion = latest_motion(session, proposal)
    passed = bool(motion and motion.result and motion.result.outcome is MotionOutcome.PASSED)
    return motion, situation(session, proposal, profile, now, motion_passed=passed,
                             motion_type=motion.motion_type if motion else None)


def render_determination(session: Session, proposal: Proposal, profile: Profile,
                         now: datetime) -> RenderedDetermination:
    """Check that the determination may be issued now and render it, storing nothing.

    It only reads, so a view runs it before taking any lock (on SQLite, in a read
    transaction): the render takes a fraction of a second, during which comments and
    other writes go on. issue_determination then re-checks and stores it. The audit head
    it prints is the chain's head as the render began, which stays in the chain for good.
    Raises TransitionNotAllowed and pdf.MissingGlyphs (a character would print as a box).
    """
    _refuse_if_issued(session, proposal)
    motion, facts = _motion_and_situation(session, proposal, profile, now)
    workflow.check(Action.ISSUE_DETERMINATION, facts)
    return _render(session, proposal, profile, motion, now)


def _render(session: Session, proposal: Proposal, profile: Profile, motion: Motion,
            now: datetime) -> RenderedDetermination:
    """Render the determination of `motion` with the next document number."""
    decision = DECISION_FOR_MOTION.get(motion.motion_type)
    if decision is None:
        raise TransitionNotAllowed("This motion does not decide the proposal.")
    document_number = _next_document_number(session, proposal)
    effective = local_date(now, profile)
    review = workflow.next_annual_report_date(
        effective, profile.annual_report_month, profile.annual_report_day,
        profile.annual_report_cadence_years,
    )
    context = record.determination_context(
        session, proposal, profile, motion, decision=decision,
        document_number=document_number, effective_date=effective, review_date=review,
        issued_at=now,
    )
    return RenderedDetermination(
        motion_id=motion.id, document_number=document_number, decision=decision,
        effective_date=effective, review_date=review,
        data=pdf.render_pdf("pdf/determination.html", **context))


def issue_determination(session: Session, proposal: Proposal, actor: User, now: datetime,
                        profile: Profile,
                        rendered: RenderedDetermination | None = None) -> Determination:
    """Store the determination for the passed motion, and decide the proposal.

    The PDF's bytes are stored in the same transaction as the determination row, so any
    app host can serve them and a failed commit leaves nothing behind. Given `rendered`
    (from render_determination, before this transaction), it is stored only if the
    record still matches what was rendered: the same latest motion, not yet issued, the
    same document number; otherwise TransitionNotAllowed asks to issue it again. Without
    it the PDF is rendered here, inside the transaction (the demo and tests do that).
    Raises pdf.MissingGlyphs before anything is stored; the caller rolls back the stage
    change made here.
    """
    lock_proposal(session, proposal)
    _refuse_if_issued(session, proposal)
    motion, facts = _motion_and_situation(session, proposal, profile, now)
    move(session, proposal, Action.ISSUE_DETERMINATION, actor, now, facts)
    if rendered is None:
        rendered = _render(session, proposal, profile, motion, now)
    elif (rendered.motion_id != motion.id
          or rendered.document_number != _next_document_number(session, proposal)):
        raise TransitionNotAllowed(
            "The record changed while the determination was being prepared; nothing was "
            "issued. Issue it again to prepare it from the record as it is now.")
    determination = Determination(
        proposal_id=proposal.id, motion_id=motion.id, decision=rendered.decision,
        document_number=rendered.document_number,
        file_name=f"{rendered.document_number}.pdf", sha256=rendered.sha256,
        size_bytes=len(rendered.data), effective_date=rendered.effective_date,
        review_date=rendered.review_date, issued_by_id=actor.id, issued_at=now,
    )
    session.add(determination)
    session.flush()
    session.add(DeterminationFile(determination_id=determination.id, content=rendered.data))
    for number, item in enumerate(motion.conditions, start=1):
        condition = conditions.from_stored(item)
        session.add(Obligation(
            proposal_id=proposal.id, determination_id=determination.id, number=number,
            kind=ObligationKind(condition.kind), number_value=condition.number,
            text_value=",".join(condition.values), text=condition.text, created_at=now))
    session.flush()
    audit.record(session, actor, "issue_determination", "determination",
                 rendered.document_number, now, sha256=rendered.sha256,
                 decision=rendered.decision.value)
    return determination
