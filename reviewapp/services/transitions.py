"""Moving a proposal between stages: the guard, the stage history and the audit event."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import audit, workflow
from ..models import CommentPeriod, Proposal, Stage, StageChange, User
from ..profiles import Profile


def current_period(session: Session, proposal: Proposal) -> CommentPeriod | None:
    """Return the comment period of the proposal's current version, if one was opened."""
    return session.scalar(
        select(CommentPeriod).where(CommentPeriod.version_id == proposal.current_version.id)
    )


def situation(session: Session, proposal: Proposal, profile: Profile, now: datetime,
              **facts) -> workflow.Situation:
    """Build the workflow's view of a proposal, plus facts specific to one action."""
    period = current_period(session, proposal)
    return workflow.Situation(
        stage=proposal.stage,
        now=now,
        has_advisory_body=profile.has_advisory_body,
        comment_closes_at=period.closes_at if period else None,
        notice_days=profile.notice_days,
        # Read here, for every action, from the profile and the version: no caller can
        # leave it out, and no override or default can clear it.
        ban=banned(profile, proposal.current_version),
        **facts,
    )


def banned(profile: Profile, version) -> str | None:
    """Say why the version's technology is banned here, or None (see Profile.ban_on)."""
    return profile.ban_on(version.technology_category,
                          (version.particulars or {}).get("ban_exception"))


def effective_stage(session: Session, proposal: Proposal, profile: Profile,
                    now: datetime) -> Stage:
    """Return the proposal's stage as of now (a comment period closes by the clock)."""
    period = current_period(session, proposal) if proposal.stage is Stage.PUBLIC_COMMENT else None
    return workflow.effective_stage(
        proposal.stage, now, period.closes_at if period else None, profile.has_advisory_body
    )


def lock_proposal(session: Session, proposal: Proposal) -> None:
    """Take the proposal's row lock until commit and re-read its stage.

    On PostgreSQL two requests can both read a stage and both act on it; the second now
    waits here and then sees what the first committed. SQLite's BEGIN IMMEDIATE already
    serializes writers, and ignores FOR UPDATE.
    """
    session.execute(select(Proposal.id).where(Proposal.id == proposal.id).with_for_update())
    session.refresh(proposal, ["stage"])


def move(session: Session, proposal: Proposal, action: workflow.Action, actor: User,
         now: datetime, situation: workflow.Situation, reason: str = "",
         **details) -> Stage:
    """Check `action`, record the stage change and an audit event; return the new stage."""
    stored = proposal.stage
    new_stage = workflow.check(action, situation)
    effective = situation.stage
    version_number = proposal.current_version.number
    if effective is not stored:
        # The clock moved the stage (a comment period closed): record that step too.
        session.add(StageChange(
            proposal_id=proposal.id, version_number=version_number, from_stage=stored,
            to_stage=effective, actor_id=None, reason="The comment period closed.",
            created_at=situation.comment_closes_at or now,
        ))
    if new_stage is not effective:
        session.add(StageChange(
            proposal_id=proposal.id, version_number=version_number, from_stage=effective,
            to_stage=new_stage, actor_id=actor.id, reason=reason, created_at=now,
        ))
    proposal.stage = new_stage
    audit.record(session, actor, action.value, "proposal", proposal.file_number, now,
                 from_stage=effective.value, to_stage=new_stage.value, reason=reason,
                 version=version_number, **details)
    return new_stage
