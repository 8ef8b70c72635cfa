"""Comment periods, public comments and their moderation."""

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, exists, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, make_transient_to_detached

from .. import audit
from ..driver_statements import DriverStatement, OnDriver
from ..models import (
    Comment,
    CommentModeration,
    CommentPeriod,
    Finding,
    FindingOverride,
    Position,
    Proposal,
    ProposalVersion,
    Severity,
    Stage,
    SubmitterType,
    User,
)
from ..models.comments import accepts_comments
from ..profiles import Profile
from ..workflow import Action, TransitionNotAllowed
from . import comment_tally
from .transitions import current_period, move, situation

TRACKING_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U


class FormAlreadyUsed(Exception):
    """The form's nonce already stored a different comment: this one is not the same form.

    A resend of the same comment gets its receipt; different text under a used nonce (a
    copied or cached form) must neither be dropped nor be shown someone else's receipt.
    """


class CommentsClosed(Exception):
    """The proposal is not accepting comments at this time."""

    def __init__(self, target: "CommentTarget | None" = None):
        super().__init__()
        self.target = target  # the proposal as read when the comment was refused, if known


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
    # 40 random bits, 5 per character: one call for randomness, not one per character.
    bits = int.from_bytes(secrets.token_bytes(5))
    chars = "".join(TRACKING_ALPHABET[(bits >> shift) & 31] for shift in range(35, -1, -5))
    return f"RA-{chars[:4]}-{chars[4:]}"


@dataclass(frozen=True)
class PeriodWindow:
    """A comment period's id and times, as the comment form reads them (not an ORM row)."""

    id: int
    opens_at: datetime
    closes_at: datetime

    def is_open(self, now: datetime) -> bool:
        """Say whether comments are accepted at `now`."""
        return accepts_comments(self.opens_at, self.closes_at, now)


@dataclass(frozen=True)
class CommentTarget:
    """What taking a comment needs of a proposal: no versions, documents or recipients."""

    id: int
    file_number: str
    title: str
    stage: Stage
    period: PeriodWindow | None  # the current version's comment period, if opened

    @property
    def comment_period(self) -> PeriodWindow | None:
        """The period, while the proposal is in its comment stage; None in any other stage.

        A proposal withdrawn (or moved on) while its period's dates still run takes no
        more comments, whatever form was loaded before.
        """
        return self.period if self.stage is Stage.PUBLIC_COMMENT else None

    def is_open(self, now: datetime) -> bool:
        """Say whether the form is offered: the period is open and the stage is comment."""
        period = self.comment_period
        return bool(period and period.is_open(now))


# Built once: a statement object caches its own SQL cache key, which SQLAlchemy would
# otherwise work out again on every comment page and post.
# Table columns, not ORM attributes: the read skips the ORM's statement and row handling.
_proposal, _version, _period = (Proposal.__table__.c, ProposalVersion.__table__.c,
                                CommentPeriod.__table__.c)
_CURRENT_VERSION = (
    select(_version.id).where(_version.proposal_id == _proposal.id)
    .order_by(_version.number.desc()).limit(1).correlate(Proposal.__table__).scalar_subquery()
)
_COMMENT_TARGET = DriverStatement(
    select(_proposal.id, _proposal.file_number, _proposal.title, _proposal.stage,
           _period.id, _period.opens_at, _period.closes_at)
    .select_from(Proposal.__table__)
    .outerjoin(CommentPeriod.__table__, _period.version_id == _CURRENT_VERSION)
    .where(_proposal.id == bindparam("proposal_id"))
)
_BY_NONCE = select(Comment).where(Comment.nonce == bindparam("nonce"))
_TRACKING_BY_NONCE = DriverStatement(select(Comment.__table__.c.tracking_number)
                                     .where(Comment.__table__.c.nonce == bindparam("nonce")))
_SENT_BY_NONCE = DriverStatement(
    select(*(Comment.__table__.c[name] for name in (
        "tracking_number", "submitter_type", "position", "body", "name", "organization")))
    .where(Comment.__table__.c.nonce == bindparam("nonce")))
# The proposal still takes comments in the period the comment names: it is in its comment
# stage and the period is its current version's. The comment's insert checks this itself,
# under SQLite's write lock or in PostgreSQL's statement, so the form's proposal may come
# from a read made a moment before (the form's page).
_STILL_TAKING = exists().where(
    _proposal.id == bindparam("proposal_id"),
    _proposal.stage == bindparam("comment_stage", type_=_proposal.stage.type),
    select(_period.id).where(_period.version_id == _CURRENT_VERSION).scalar_subquery()
    == bindparam("period_id"),
)
# INSERT ... SELECT the values WHERE the proposal still takes them ON CONFLICT (nonce) DO
# NOTHING RETURNING the new comment's id. On SQLite the tally is raised by a second
# statement. PostgreSQL inserts, counts and takes the audit chain's lock in one statement
# (a CTE): the lock only once a comment was inserted, held from there to the commit, as
# the audit append's own lock statement would have been.
_comments = Comment.__table__
_COMMENT_COLUMNS = ("proposal_id", "period_id", "tracking_number", "nonce", "submitter_type",
                    "position", "body", "name", "organization", "created_at")
_VALUES_IF_STILL_TAKING = select(
    *(bindparam(name, type_=_comments.c[name].type) for name in _COMMENT_COLUMNS)
).where(_STILL_TAKING)
_INSERT_COMMENT = DriverStatement(
    sqlite.insert(_comments).from_select(_COMMENT_COLUMNS, _VALUES_IF_STILL_TAKING)
    .on_conflict_do_nothing(index_elements=["nonce"]).returning(_comments.c.id))
_STORED = (
    postgresql.insert(_comments).from_select(_COMMENT_COLUMNS, _VALUES_IF_STILL_TAKING)
    .on_conflict_do_nothing(index_elements=["nonce"])
    .returning(_comments.c.id, _comments.c.proposal_id, _comments.c.position)
    .cte("stored")
)
_INSERT_AND_COUNT = DriverStatement(select(_STORED.c.id, audit.chain_lock())
                                    .add_cte(comment_tally.counting(_STORED)))


def comment_target(connection: OnDriver, proposal_id: int) -> CommentTarget | None:
    """Read a proposal's title, stage and current comment period in one query."""
    row = _COMMENT_TARGET.row(connection, {"proposal_id": proposal_id})
    if row is None:
        return None
    id_, file_number, title, stage, period_id, opens_at, closes_at = row
    period = PeriodWindow(period_id, opens_at, closes_at) if period_id is not None else None
    return CommentTarget(id_, file_number, title, stage, period)


def post_comment(session: Session, proposal: Proposal | CommentTarget, now: datetime, *,
                 nonce: str, submitter_type: str, position: str, body: str, name: str | None,
                 organization: str | None) -> Comment:
    """Store a public comment while the period is open; the same form nonce stores once.

    Given a CommentTarget, its period is the one it was read with (a comment period is a
    record, never changed once opened, so whether it is open at `now` is settled).
    """
    period = (proposal.period if isinstance(proposal, CommentTarget)
              else current_period(session, proposal))
    session.flush()  # what the session holds is written before the comment and its event
    values = _store(session.connection(), proposal.id, proposal.file_number, period, now,
                    nonce=nonce, submitter_type=submitter_type, position=position, body=body,
                    name=name, organization=organization)
    if values is None:
        stored = session.scalar(_BY_NONCE, {"nonce": nonce})
        if (stored.submitter_type, stored.position, stored.body, stored.name,
                stored.organization) != _as_stored(
                    nonce=nonce, submitter_type=submitter_type, position=position, body=body,
                    name=name, organization=organization):
            raise FormAlreadyUsed()
        return stored
    # The stored row as an object of the session, without reading it back: what was
    # inserted is known, and anything else (a default) loads when first asked for.
    comment = Comment(**values)
    make_transient_to_detached(comment)
    session.add(comment)
    return comment


def take_comment(connection: OnDriver, target: CommentTarget, now: datetime, *,
                 nonce: str, submitter_type: str, position: str, body: str, name: str | None,
                 organization: str | None) -> str:
    """Store a public comment on `connection` (the web form's way); return its tracking number.

    The same as post_comment without an ORM session: the comment form needs only the
    receipt's number, and every comment posted goes this way. `target` may be a read made
    a moment before: the insert stores only while the proposal still takes comments in
    that period, and otherwise the proposal as read now, in this transaction, decides.
    Raises CommentsClosed, carrying that read, when it takes none.
    """
    fields = dict(nonce=nonce, submitter_type=submitter_type, position=position, body=body,
                  name=name, organization=organization)
    try:
        values = _store(connection, target.id, target.file_number, target.comment_period,
                        now, **fields)
    except CommentsClosed:
        fresh = comment_target(connection, target.id)
        if fresh is None or fresh == target:
            raise CommentsClosed(fresh or target) from None
        try:  # the form was read before a change (a new period): the proposal as it is now
            values = _store(connection, fresh.id, fresh.file_number, fresh.comment_period,
                            now, **fields)
        except CommentsClosed:
            raise CommentsClosed(fresh) from None
    if values is None:
        return _receipt_of_resend(connection, fields)
    return values["tracking_number"]


def _receipt_of_resend(connection: OnDriver, fields: dict) -> str:
    """Return the tracking number stored under the form's nonce, if it stored this comment.

    Raises FormAlreadyUsed when the nonce stored a different comment.
    """
    tracking_number, *stored = _SENT_BY_NONCE.row(connection, {"nonce": fields["nonce"]})
    if tuple(stored) != _as_stored(**fields):
        raise FormAlreadyUsed()
    return tracking_number


def _as_stored(*, nonce: str, submitter_type: str, position: str, body: str,
               name: str | None, organization: str | None) -> tuple:
    """Return what _store keeps of a comment, in _SENT_BY_NONCE's order, to compare."""
    kind = SubmitterType(submitter_type)
    return (kind, Position(position), body.strip(),
            _kept(name) if kind is SubmitterType.INDIVIDUAL else None,
            _kept(organization) if kind is SubmitterType.ORGANIZATION else None)


def _store(connection: OnDriver, proposal_id: int, file_number: str,
           period: CommentPeriod | PeriodWindow | None, now: datetime, *, nonce: str,
           submitter_type: str, position: str, body: str, name: str | None,
           organization: str | None) -> dict | None:
    """Insert a comment, count it and audit it; None if its nonce is already stored.

    Raises CommentsClosed when the nonce was never stored and the period is not open, or
    the proposal no longer takes comments in it (its stage moved on, a new period began).
    """
    if period is None or not period.is_open(now):
        # A form sent again after the period closed may already be stored: its receipt.
        if _TRACKING_BY_NONCE.scalar(connection, {"nonce": nonce}) is not None:
            return None
        raise CommentsClosed()
    kind = SubmitterType(submitter_type)
    values = dict(
        proposal_id=proposal_id, period_id=period.id, tracking_number=new_tracking_number(),
        nonce=nonce, submitter_type=kind, position=Position(position), body=body.strip(),
        # Keep only what the chosen way of appearing publishes; nothing else is stored.
        name=_kept(name) if kind is SubmitterType.INDIVIDUAL else None,
        organization=_kept(organization) if kind is SubmitterType.ORGANIZATION else None,
        created_at=now,
    )
    # The unique nonce decides, not a look-up first: a form sent again (a double click, a
    # retry after a lost answer) inserts nothing here and gets the stored comment. The
    # count is kept in the same transaction; a form sent again is not counted.
    on_postgresql = connection.dialect.name == "postgresql"
    insert = _INSERT_AND_COUNT if on_postgresql else _INSERT_COMMENT
    comment_id = insert.scalar(connection, {**values, "comment_stage": Stage.PUBLIC_COMMENT})
    if comment_id is None:
        if _TRACKING_BY_NONCE.scalar(connection, {"nonce": nonce}) is not None:
            return None
        raise CommentsClosed()  # the proposal no longer takes comments in this period
    if not on_postgresql:
        comment_tally.count_comment(connection, proposal_id, values["position"])
    # The audit append comes last: on PostgreSQL it holds the chain's lock until commit.
    # It names the comment only by tracking number: no identity, no address.
    audit.append(connection, None, "post_comment", "comment", values["tracking_number"], now,
                 chain_locked=on_postgresql, proposal=file_number)
    return {"id": comment_id, **values}


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
