"""Read side: everything the public page and the determination show about a proposal.

Each piece is one query whatever the number of comments, recipients or votes, so a page
costs a fixed number of statements (a test counts them).
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from . import audit
from .models import (
    AdvisoryRecommendation,
    CommentPeriod,
    CommentTally,
    Decision,
    Determination,
    Finding,
    FindingOverride,
    Hearing,
    Motion,
    Position,
    Proposal,
    ProposalVersion,
    RequiredFinding,
    StageChange,
    Vote,
)
from .models.comments import HIDDEN
from .profiles import Profile


@dataclass
class CommentCounts:
    """How many comments were received, by position, and how many are hidden."""

    by_position: dict[str, int] = field(default_factory=dict)
    hidden: int = 0

    @property
    def total(self) -> int:
        return sum(self.by_position.values())


def load_proposal(session: Session, proposal_id: int) -> Proposal | None:
    """Load a proposal with its department and versions (with their recipients)."""
    return session.scalar(
        select(Proposal).where(Proposal.id == proposal_id)
        .options(joinedload(Proposal.department),
                 selectinload(Proposal.versions).selectinload(ProposalVersion.recipients))
    )


def findings_for(session: Session, version_id: int) -> list[Finding]:
    """Return a version's stored compliance findings, blocking first."""
    rows = session.scalars(select(Finding).where(Finding.version_id == version_id)
                           .order_by(Finding.id))
    order = {"blocking": 0, "warning": 1, "info": 2}
    return sorted(rows, key=lambda f: (order[f.severity.value], f.id))


@dataclass
class FindingChanges:
    """How a version's findings differ from the previous submitted version's."""

    previous_number: int
    added: list[Finding]
    resolved: list[Finding]


def finding_changes(session: Session, versions: list[ProposalVersion],
                    version: ProposalVersion, current: list[Finding]) -> FindingChanges | None:
    """Compare a version's findings with the submitted version before it (one query)."""
    earlier = [v for v in versions if v.is_frozen and v.number < version.number]
    if not earlier or not version.is_frozen:
        return None
    previous = findings_for(session, earlier[-1].id)

    def key(f: Finding) -> tuple[str, str]:
        return (f.rule_id, f.evidence)

    before, now = {key(f) for f in previous}, {key(f) for f in current}
    return FindingChanges(
        previous_number=earlier[-1].number,
        added=[f for f in current if key(f) not in before],
        resolved=[f for f in previous if key(f) not in now],
    )


def override_for(session: Session, version_id: int) -> FindingOverride | None:
    """Return the clerk's recorded override of blocking findings, if any."""
    return session.scalar(select(FindingOverride).where(FindingOverride.version_id == version_id)
                          .options(joinedload(FindingOverride.actor)))


def period_for(session: Session, version_id: int) -> CommentPeriod | None:
    """Return the comment period opened for a version."""
    return session.scalar(select(CommentPeriod).where(CommentPeriod.version_id == version_id))


def comment_counts(session: Session, proposal_id: int) -> CommentCounts:
    """Read the proposal's comment tally: at most four rows, whatever the comments."""
    counts = CommentCounts(by_position={p.value: 0 for p in Position})
    for kind, number in session.execute(select(CommentTally.kind, CommentTally.number)
                                        .where(CommentTally.proposal_id == proposal_id)):
        if kind == HIDDEN:
            counts.hidden = number
        else:
            counts.by_position[kind] = number
    return counts


def recommendation_for(session: Session, version_id: int) -> AdvisoryRecommendation | None:
    """Return the advisory recommendation on a version."""
    return session.scalar(select(AdvisoryRecommendation)
                          .where(AdvisoryRecommendation.version_id == version_id))


def hearing_for(session: Session, version_id: int) -> Hearing | None:
    """Return the latest hearing scheduled for a version."""
    return session.scalar(select(Hearing).where(Hearing.version_id == version_id)
                          .order_by(Hearing.id.desc()).limit(1))


def motions_for(session: Session, proposal_id: int) -> list[Motion]:
    """Return every motion with its votes, members and result."""
    return list(session.scalars(
        select(Motion).where(Motion.proposal_id == proposal_id).order_by(Motion.id)
        .options(selectinload(Motion.votes).joinedload(Vote.member),
                 selectinload(Motion.result))
    ))


def determinations_for(session: Session, proposal_id: int) -> list[Determination]:
    """Return the issued determinations of a proposal."""
    return list(session.scalars(select(Determination)
                                .where(Determination.proposal_id == proposal_id)
                                .order_by(Determination.id)))


def timeline_for(session: Session, proposal_id: int) -> list[StageChange]:
    """Return the proposal's stage history, oldest first."""
    return list(session.scalars(select(StageChange).where(StageChange.proposal_id == proposal_id)
                                .options(joinedload(StageChange.actor))
                                .order_by(StageChange.created_at, StageChange.id)))


def determination_context(session: Session, proposal: Proposal, profile: Profile,
                          motion: Motion, *, decision: Decision, document_number: str,
                          effective_date: date, review_date: date, issued_at: datetime) -> dict:
    """Gather everything the determination PDF states."""
    version = proposal.current_version
    motions = motions_for(session, proposal.id)
    motion = next(m for m in motions if m.id == motion.id)
    return {
        "profile": profile,
        "proposal": proposal,
        "version": version,
        "decision": decision,
        "document_number": document_number,
        "effective_date": effective_date,
        "review_date": review_date,
        "issued_at": issued_at,
        "period": period_for(session, version.id),
        "counts": comment_counts(session, proposal.id),
        "recommendation": recommendation_for(session, version.id),
        "hearing": hearing_for(session, version.id),
        "motion": motion,
        "votes": sorted(motion.votes, key=lambda v: v.member.name),
        "findings": findings_for(session, version.id),
        "override": override_for(session, version.id),
        "required_findings": [f for f in RequiredFinding if f.value in motion.findings],
        "audit_head": audit.head_hash(session),
    }
