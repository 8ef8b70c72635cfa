"""Comment periods, public comments and their moderation."""

import secrets
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import audit
from ..models import (
    Comment,
    CommentModeration,
    CommentPeriod,
    Finding,
    FindingOverride,
    Position,
    Proposal,
    Severity,
    SubmitterType,
    User,
)
from ..profiles import Profile
from ..workflow import Action, TransitionNotAllowed
from . import comment_tally
from .transitions import current_period, move, situation

TRACKING_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U


class CommentsClosed(Exception):
    """The proposal is not accepting comments at this time."""


def blocking_count(session: Session, version_id: int) -> int:
    """Return how many blocking findings a version has."""
    return session.scalar(
        select(func.count()).select_from(Finding)
        .where(Finding.version_id == version_id, Finding.severity == Severity.BLOCKING)
    )


def open_comment_period(session: Session, proposal: Proposal, actor: User, now: datetime,
                        profile: Profile, opens_at: datetime, closes_at: datetime,
                        override_reason: str = "") -> CommentPeriod:
    """Publish the current version for comment; blocking findings need a written override."""
    version = proposal.current_version
    blocking = blocking_count(session, version.id)
    override = override_reason.strip()
    move(session, proposal, Action.OPEN_COMMENT, actor, now,
         situation(session, proposal, profile, now, blocking_findings=blocking,
                   override_recorded=bool(override), comment_days=profile.comment_days,
                   new_period=(opens_at, closes_at)),
         opens_at=opens_at.isoformat(), closes_at=closes_at.isoformat())
    if blocking:
        session.add(FindingOverride(version_id=version.id, reason=override, actor_id=actor.id,
                                    created_at=now))
        audit.record(session, actor, "override_findings", "proposal", proposal.file_number,
                     now, version=version.number, blocking_findings=blocking, reason=override)
    period = CommentPeriod(proposal_id=proposal.id, version_id=version.id, opens_at=opens_at,
                           closes_at=closes_at, opened_by_id=actor.id, created_at=now)
    session.add(period)
    session.flush()
    return period


def new_tracking_number() -> str:
    """Return an unguessable tracking number such as RA-7K3M-9QXT."""
    chars = "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(8))
    return f"RA-{chars[:4]}-{chars[4:]}"


def post_comment(session: Session, proposal: Proposal, now: datetime, *, nonce: str,
                 submitter_type: str, position: str, body: str, name: str | None,
                 organization: str | None) -> Comment:
    """Store a public comment while the period is open; the same form nonce stores once."""
    existing = session.scalar(select(Comment).where(Comment.nonce == nonce))
    if existing is not None:
        return existing
    period = current_period(session, proposal)
    if period is None or not period.is_open(now):
        raise CommentsClosed()
    kind = SubmitterType(submitter_type)
    comment = Comment(
        proposal_id=proposal.id, period_id=period.id, tracking_number=new_tracking_number(),
        nonce=nonce, submitter_type=kind, position=Position(position), body=body.strip(),
        # Keep only what the chosen way of appearing publishes; nothing else is stored.
        name=_kept(name) if kind is SubmitterType.INDIVIDUAL else None,
        organization=_kept(organization) if kind is SubmitterType.ORGANIZATION else None,
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(comment)
    except IntegrityError:
        # The same form was posted twice at once: return the comment the first one stored.
        first = session.scalar(select(Comment).where(Comment.nonce == nonce))
        if first is None:
            raise
        return first
    # The audit names the comment only by tracking number: no identity, no address.
    audit.record(session, None, "post_comment", "comment", comment.tracking_number, now,
                 proposal=proposal.file_number)
    comment_tally.count_comment(session, comment)
    return comment


def _kept(value: str | None) -> str | None:
    """Return the trimmed value, or None when nothing was given."""
    return (value or "").strip() or None


def hide_comment(session: Session, comment: Comment, actor: User, now: datetime,
                 reason: str) -> CommentModeration:
    """Hide a comment from the public page with a reason; its text stays in the record."""
    if comment.moderation is not None:
        raise TransitionNotAllowed("This comment is already hidden.")
    if not reason.strip():
        raise TransitionNotAllowed("Give the reason for hiding this comment.")
    moderation = CommentModeration(comment_id=comment.id, reason=reason.strip(),
                                   actor_id=actor.id, created_at=now)
    session.add(moderation)
    session.flush()
    audit.record(session, actor, "hide_comment", "comment", comment.tracking_number, now,
                 reason=reason.strip())
    comment_tally.count_hidden(session, comment)
    return moderation
