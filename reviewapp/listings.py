"""Read side of the proposal listings: the public home page and the clerk's queue.

Each page costs a fixed number of statements whatever the number of proposals: the page's
proposals come by keyset (see paging.py) and their periods, hearings and determinations by
one statement each, bounded by the page's ids. Counts and the proposals open for comment
come from the derived status rows and tally (dashboard_store.py).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session, aliased, joinedload

from . import dashboard_store, paging
from .models import CommentPeriod, Determination, Hearing, Proposal, ProposalStatus, Stage
from .workflow import effective_stage

# The home page shows this many of the proposals open for comment, closing soonest first.
OPEN_SHOWN = 10


@dataclass(frozen=True)
class ProposalRow:
    """One proposal as a listing shows it, with its stage as of now.

    The period, hearing and determination are rows of the few columns listings show
    (PERIOD, HEARING, DETERMINATION), or whole records where a caller has them.
    """

    proposal: Proposal
    stage: Stage
    period: Any
    hearing: Any
    determination: Any
    comments_open: bool


def _latest_by_proposal(session: Session, columns: tuple, ids: list[int]) -> dict:
    """Return each proposal's newest row (highest id) of these columns, for these ids only.

    Columns, not ORM objects: a listing shows two or three fields of each.
    """
    if not ids:
        return {}
    model = columns[0].class_
    rows = session.execute(select(model.proposal_id, *columns)
                           .where(model.proposal_id.in_(ids)).order_by(model.id))
    return {row.proposal_id: row for row in rows}  # ordered by id: the newest wins


PERIOD = (CommentPeriod.opens_at, CommentPeriod.closes_at)
HEARING = (Hearing.hearing_date,)
DETERMINATION = (Determination.decision, Determination.issued_at)


def describe(session: Session, proposals: list[Proposal], now: datetime,
             has_advisory_body: bool) -> list[ProposalRow]:
    """Return a listing row for each proposal (three statements, bounded by the list)."""
    ids = [p.id for p in proposals]
    periods = _latest_by_proposal(session, PERIOD, ids)
    hearings = _latest_by_proposal(session, HEARING, ids)
    decisions = _latest_by_proposal(session, DETERMINATION, ids)
    rows = []
    for p in proposals:
        period = periods.get(p.id)
        stage = effective_stage(p.stage, now, period.closes_at if period else None,
                                has_advisory_body)
        rows.append(ProposalRow(
            p, stage, period, hearings.get(p.id), decisions.get(p.id),
            comments_open=bool(stage is Stage.PUBLIC_COMMENT and period
                               and period.opens_at <= now < period.closes_at)))
    return rows


def public_page(session: Session, now: datetime, args: Mapping[str, str], size: int,
                has_advisory_body: bool) -> paging.Page:
    """Return one page of every proposal that has left draft, newest first."""
    query = (select(Proposal).where(Proposal.stage != Stage.DRAFT)
             .options(joinedload(Proposal.department)))
    page = paging.keyset_page(session, query, Proposal.id, lambda p: p.id, args, size,
                              descending=True)
    return page.with_items(describe(session, page.items, now, has_advisory_body))


def _is_latest_period(period) -> object:
    """Say in SQL that `period` is its proposal's newest comment period."""
    newer = aliased(CommentPeriod)
    return ~exists().where(newer.proposal_id == period.proposal_id, newer.id > period.id)


def open_for_comment(session: Session, now: datetime, limit: int) -> tuple[list[ProposalRow], int]:
    """Return the proposals open for comment now, closing soonest first, and how many are.

    Read from the derived status rows (dashboard_store.py), which hold each proposal's
    newest period while it is in public comment: an index range on the closing time, so the
    cost follows the number of open periods, not of proposals or of periods ever held.
    """
    open_now = and_(ProposalStatus.comment_opens_at <= now, ProposalStatus.comment_closes_at > now)
    # The page's keys first, in index order, then their rows: one statement joining all three
    # tables would be planned as a hash join over every open period.
    keys = session.execute(
        select(ProposalStatus.proposal_id, ProposalStatus.comment_period_id).where(open_now)
        .order_by(ProposalStatus.comment_closes_at, ProposalStatus.proposal_id)
        .limit(limit)).all()
    periods = [period_id for _pid, period_id in keys]
    loaded = {p.id: (p, period) for p, period in session.execute(
        select(Proposal, CommentPeriod)
        .join(CommentPeriod, CommentPeriod.proposal_id == Proposal.id)
        .where(CommentPeriod.id.in_(periods)).options(joinedload(Proposal.department)))}
    found = [loaded[pid] for pid, _period_id in keys]
    total = session.scalar(select(func.count()).select_from(ProposalStatus).where(open_now))
    rows = [ProposalRow(p, Stage.PUBLIC_COMMENT, period, None, None, True) for p, period in found]
    return rows, total


def stage_filter(stage: Stage, now: datetime, has_advisory_body: bool):
    """Return an SQL condition: the proposal is in `stage` as of now.

    A comment period closes by the clock, so a proposal stored in public comment whose
    newest period has closed is already in advisory review (or awaiting its hearing).
    """
    after_comment = Stage.ADVISORY_REVIEW if has_advisory_body else Stage.AWAITING_HEARING
    period = aliased(CommentPeriod)
    closed = exists().where(period.proposal_id == Proposal.id, period.closes_at <= now,
                            _is_latest_period(period))
    if stage is Stage.PUBLIC_COMMENT:
        return and_(Proposal.stage == Stage.PUBLIC_COMMENT, ~closed)
    if stage is after_comment:
        return or_(Proposal.stage == stage,
                   and_(Proposal.stage == Stage.PUBLIC_COMMENT, closed))
    return Proposal.stage == stage


def stage_counts(session: Session, now: datetime, has_advisory_body: bool) -> dict[Stage, int]:
    """Count proposals by their stage as of now (the derived tally, and one index range)."""
    tally = dashboard_store.tally(session)
    counts = {stage: tally[dashboard_store.stage_key(stage)]
              for stage in Stage if stage is not Stage.DRAFT}
    # Stored in public comment with the newest period closed: past comment by the clock.
    closed = session.scalar(select(func.count()).select_from(ProposalStatus)
                            .where(ProposalStatus.comment_closes_at <= now))
    after_comment = Stage.ADVISORY_REVIEW if has_advisory_body else Stage.AWAITING_HEARING
    counts[Stage.PUBLIC_COMMENT] -= closed
    counts[after_comment] += closed
    return counts


def stage_page(session: Session, stage: Stage, now: datetime, args: Mapping[str, str],
               size: int, has_advisory_body: bool, prefix: str = "") -> paging.Page:
    """Return one page of the proposals in `stage` as of now, oldest first."""
    query = (select(Proposal).where(stage_filter(stage, now, has_advisory_body))
             .options(joinedload(Proposal.department)))
    page = paging.keyset_page(session, query, Proposal.id, lambda p: p.id, args, size,
                              prefix=prefix)
    return page.with_items(describe(session, page.items, now, has_advisory_body))
