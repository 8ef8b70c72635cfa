"""Advisory review, hearings, motions and the roll call."""

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import audit
from ..conditions import Condition
from ..models import (
    AdvisoryRecommendation,
    Hearing,
    Motion,
    MotionOutcome,
    MotionResult,
    MotionType,
    Proposal,
    Recommendation,
    RequiredFinding,
    Role,
    User,
    Vote,
    VoteChoice,
)
from ..models.vocab import ObligationKind
from ..profiles import Profile
from ..workflow import Action, TransitionNotAllowed, judge_tally, refuse_if_banned
from .transitions import banned, current_period, effective_stage, move, situation


def local_date(moment: datetime, profile: Profile) -> date:
    """Return the calendar date of `moment` in the jurisdiction's time zone."""
    return moment.astimezone(profile.zone).date()


def record_recommendation(session: Session, proposal: Proposal, actor: User, now: datetime,
                          profile: Profile, recommendation: str,
                          memo: str) -> AdvisoryRecommendation:
    """Record the advisory body's recommendation; the proposal then awaits its hearing."""
    move(session, proposal, Action.RECORD_RECOMMENDATION, actor, now,
         situation(session, proposal, profile, now), recommendation=recommendation)
    row = AdvisoryRecommendation(
        proposal_id=proposal.id, version_id=proposal.current_version.id,
        recommendation=Recommendation(recommendation), memo=memo.strip(), actor_id=actor.id,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row


def packet_public_since(session: Session, proposal: Proposal, profile: Profile) -> date | None:
    """Return the local date the current version's packet was published for comment."""
    period = current_period(session, proposal)
    return local_date(period.opens_at, profile) if period else None


def schedule_hearing(session: Session, proposal: Proposal, actor: User, now: datetime,
                     profile: Profile, hearing_date: date, location: str) -> Hearing:
    """Put the proposal on a hearing agenda, if the packet has been public long enough."""
    move(session, proposal, Action.SCHEDULE_HEARING, actor, now,
         situation(session, proposal, profile, now, hearing_date=hearing_date,
                   packet_public_since=packet_public_since(session, proposal, profile)),
         hearing_date=hearing_date.isoformat(), location=location)
    hearing = Hearing(proposal_id=proposal.id, version_id=proposal.current_version.id,
                      hearing_date=hearing_date, location=location.strip(),
                      scheduled_by_id=actor.id, created_at=now)
    session.add(hearing)
    session.flush()
    return hearing


def current_hearing(session: Session, proposal: Proposal) -> Hearing | None:
    """Return the latest hearing scheduled for the proposal's current version."""
    return session.scalar(
        select(Hearing).where(Hearing.version_id == proposal.current_version.id)
        .order_by(Hearing.id.desc()).limit(1)
    )


def open_motion(session: Session, proposal: Proposal) -> Motion | None:
    """Return the motion before the council that has no result yet."""
    return session.scalar(
        select(Motion).where(Motion.proposal_id == proposal.id, ~Motion.result.has())
        .order_by(Motion.id.desc()).limit(1)
    )


def latest_motion(session: Session, proposal: Proposal) -> Motion | None:
    """Return the most recent motion on the proposal, open or closed."""
    return session.scalar(
        select(Motion).where(Motion.proposal_id == proposal.id).order_by(Motion.id.desc())
        .limit(1)
    )


def record_motion(session: Session, proposal: Proposal, actor: User, now: datetime,
                  profile: Profile, motion_type: str, conditions: list,
                  findings: list[str], moved_by: str) -> Motion:
    """Put a motion to the council at the hearing (approval needs every required finding).

    `conditions` are Condition objects, or plain text lines (free-text conditions).
    """
    kind = MotionType(motion_type)
    hearing = current_hearing(session, proposal)
    conditions = [c if isinstance(c, Condition) else Condition(ObligationKind.OTHER.value,
                                                               c.strip())
                  for c in conditions if isinstance(c, Condition) or c.strip()]
    if kind is MotionType.APPROVE_WITH_CONDITIONS and not conditions:
        raise TransitionNotAllowed("List at least one condition of approval.")
    move(session, proposal, Action.RECORD_MOTION, actor, now,
         situation(session, proposal, profile, now,
                   hearing_date=hearing.hearing_date if hearing else None,
                   today=local_date(now, profile),
                   open_motion=open_motion(session, proposal) is not None,
                   motion_type=kind, findings_made=frozenset(findings),
                   findings_required=frozenset(f.value for f in RequiredFinding)),
         motion_type=kind.value)
    motion = Motion(
        proposal_id=proposal.id, hearing_id=hearing.id, motion_type=kind,
        conditions=[c.as_dict() for c in conditions]
        if kind is MotionType.APPROVE_WITH_CONDITIONS else [],
        findings=sorted(findings) if kind in (MotionType.APPROVE,
                                              MotionType.APPROVE_WITH_CONDITIONS) else [],
        moved_by=moved_by.strip(), recorded_by_id=actor.id, created_at=now,
    )
    session.add(motion)
    session.flush()
    return motion


def cast_vote(session: Session, proposal: Proposal, member: User, now: datetime,
              profile: Profile, choice: str) -> Vote:
    """Record a council member's own vote on the open motion; one vote per member."""
    refuse_if_banned(banned(profile, proposal.current_version))
    motion = open_motion(session, proposal)
    stage = effective_stage(session, proposal, profile, now)
    if motion is None or stage.value != "hearing_scheduled":
        raise TransitionNotAllowed("There is no motion open for a vote on this proposal.")
    choice_value = VoteChoice(choice)
    if choice_value is VoteChoice.ABSENT:
        raise TransitionNotAllowed("Absences are recorded by the clerk.")
    return _add_vote(session, motion, member, member, now, choice_value, proposal)


def record_absence(session: Session, proposal: Proposal, member: User, clerk: User,
                   now: datetime) -> Vote:
    """Record, as the clerk, that a member was absent for the open motion."""
    motion = open_motion(session, proposal)
    if motion is None:
        raise TransitionNotAllowed("There is no motion open on this proposal.")
    return _add_vote(session, motion, member, clerk, now, VoteChoice.ABSENT, proposal)


def _add_vote(session: Session, motion: Motion, member: User, recorder: User, now: datetime,
              choice: VoteChoice, proposal: Proposal) -> Vote:
    """Insert one roll-call row; the UNIQUE constraint settles racing duplicates."""
    vote = Vote(motion_id=motion.id, member_id=member.id, choice=choice,
                recorded_by_id=recorder.id, created_at=now)
    try:
        with session.begin_nested():
            session.add(vote)
    except IntegrityError:
        raise TransitionNotAllowed(f"{member.name} is already recorded on this motion.") from None
    audit.record(session, recorder, "vote", "motion", motion.id, now,
                 proposal=proposal.file_number, member=member.name, choice=choice.value)
    return vote


def council_members(session: Session) -> list[User]:
    """Return the active council members, by name."""
    return list(session.scalars(
        select(User).where(User.role == Role.COUNCIL, User.active).order_by(User.name)
    ))


def close_roll_call(session: Session, proposal: Proposal, actor: User, now: datetime,
                    profile: Profile) -> MotionResult:
    """Close the open motion: members who did not vote are absent; judge the tally."""
    motion = open_motion(session, proposal)
    if motion is not None:
        voted = {v.member_id for v in motion.votes}
        for member in council_members(session):
            if member.id not in voted:
                _add_vote(session, motion, member, actor, now, VoteChoice.ABSENT, proposal)
        session.refresh(motion)
    choices = [v.choice.value for v in motion.votes if v.choice is not VoteChoice.ABSENT] \
        if motion else []
    tally = judge_tally(choices, profile.council_seats, profile.quorum_rule,
                        profile.majority_rule)
    move(session, proposal, Action.CLOSE_ROLL_CALL, actor, now,
         situation(session, proposal, profile, now, open_motion=motion is not None,
                   motion_type=motion.motion_type if motion else None,
                   motion_passed=tally.passed),
         motion=motion.id if motion else None, tally=tally.explanation)
    outcome = (MotionOutcome.PASSED if tally.passed else
               MotionOutcome.FAILED if tally.quorum_present else MotionOutcome.NO_QUORUM)
    result = MotionResult(
        motion_id=motion.id, outcome=outcome, ayes=tally.ayes, noes=tally.noes,
        abstentions=tally.abstentions, recusals=tally.recusals, absences=tally.absences,
        quorum_required=tally.quorum_required, votes_required=tally.votes_required,
        explanation=tally.explanation, closed_by_id=actor.id, created_at=now,
    )
    session.add(result)
    session.flush()
    return result
