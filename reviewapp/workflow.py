"""Stages, transitions and their guards: pure Python, no Flask, no database session.

The services build a `Situation` (the facts a guard needs) and call `check`; a guard that
fails raises TransitionNotAllowed with a sentence a clerk can act on.
"""

import enum
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from .models.vocab import MotionType, Stage


class TransitionNotAllowed(Exception):
    """The action is not allowed from the proposal's stage, or a guard failed.

    `fact` names the Situation fact that failed (e.g. 'hearing_date'), so a view can show
    the message next to the field the person typed it in.
    """

    def __init__(self, message: str, fact: str | None = None):
        super().__init__(message)
        self.fact = fact


class Action(enum.StrEnum):
    """Everything that moves a proposal."""

    SUBMIT = "submit"
    ACCEPT = "accept"
    RETURN = "return"
    OPEN_COMMENT = "open_comment"
    RECORD_RECOMMENDATION = "record_recommendation"
    SCHEDULE_HEARING = "schedule_hearing"
    RECORD_MOTION = "record_motion"
    CLOSE_ROLL_CALL = "close_roll_call"
    ISSUE_DETERMINATION = "issue_determination"
    WITHDRAW = "withdraw"


BEFORE_DECISION = frozenset(
    {
        Stage.DRAFT, Stage.SUBMITTED, Stage.RETURNED, Stage.ASSESSMENT, Stage.PUBLIC_COMMENT,
        Stage.ADVISORY_REVIEW, Stage.AWAITING_HEARING, Stage.HEARING_SCHEDULED,
        Stage.REVISIONS_REQUESTED,
    }
)

# Which (effective) stages each action may start from.
ALLOWED_FROM: dict[Action, frozenset[Stage]] = {
    Action.SUBMIT: frozenset({Stage.DRAFT, Stage.RETURNED, Stage.REVISIONS_REQUESTED}),
    Action.ACCEPT: frozenset({Stage.SUBMITTED}),
    # From assessment too: blocking findings are resolved by the department's new version.
    Action.RETURN: frozenset({Stage.SUBMITTED, Stage.ASSESSMENT}),
    Action.OPEN_COMMENT: frozenset({Stage.ASSESSMENT}),
    Action.RECORD_RECOMMENDATION: frozenset({Stage.ADVISORY_REVIEW}),
    Action.SCHEDULE_HEARING: frozenset({Stage.AWAITING_HEARING}),
    Action.RECORD_MOTION: frozenset({Stage.HEARING_SCHEDULED}),
    Action.CLOSE_ROLL_CALL: frozenset({Stage.HEARING_SCHEDULED}),
    Action.ISSUE_DETERMINATION: frozenset({Stage.HEARING_SCHEDULED}),
    Action.WITHDRAW: BEFORE_DECISION,
}


# A technology the jurisdiction bans goes no further than assessment: it cannot be opened
# for comment (whatever override is written), reviewed, heard, voted on or decided. It can
# be returned to the department or withdrawn.
STOPPED_BY_BAN = frozenset({
    Action.OPEN_COMMENT, Action.RECORD_RECOMMENDATION, Action.SCHEDULE_HEARING,
    Action.RECORD_MOTION, Action.CLOSE_ROLL_CALL, Action.ISSUE_DETERMINATION,
})


@dataclass
class Situation:
    """The facts about one proposal that guards look at."""

    stage: Stage
    now: datetime
    has_advisory_body: bool = False
    comment_closes_at: datetime | None = None
    documents_complete: bool = False
    missing_sections: list[str] = field(default_factory=list)
    blocking_findings: int = 0
    override_recorded: bool = False
    comment_days: int = 0
    new_period: tuple[datetime, datetime] | None = None
    packet_public_since: date | None = None
    notice_days: int = 0
    hearing_date: date | None = None
    today: date | None = None
    open_motion: bool = False
    motion_type: MotionType | None = None
    findings_made: frozenset[str] = frozenset()
    findings_required: frozenset[str] = frozenset()
    motion_passed: bool = False
    reasons: str = ""
    ban: str | None = None  # the sentence citing the ban on the technology, if banned


def effective_stage(stage: Stage, now: datetime, closes_at: datetime | None,
                    has_advisory_body: bool) -> Stage:
    """Return the stage as of `now`: a comment period closes itself at closes_at."""
    if stage is Stage.PUBLIC_COMMENT and closes_at is not None and now >= closes_at:
        return Stage.ADVISORY_REVIEW if has_advisory_body else Stage.AWAITING_HEARING
    return stage


def target_stage(action: Action, situation: Situation) -> Stage:
    """Return where `action` takes the proposal (after `check` has passed)."""
    match action:
        case Action.SUBMIT:
            return Stage.SUBMITTED
        case Action.ACCEPT:
            return Stage.ASSESSMENT
        case Action.RETURN:
            return Stage.RETURNED
        case Action.OPEN_COMMENT:
            return Stage.PUBLIC_COMMENT
        case Action.RECORD_RECOMMENDATION:
            return Stage.AWAITING_HEARING
        case Action.SCHEDULE_HEARING | Action.RECORD_MOTION:
            return Stage.HEARING_SCHEDULED
        case Action.CLOSE_ROLL_CALL:
            if situation.motion_passed and situation.motion_type is MotionType.REQUEST_REVISIONS:
                return Stage.REVISIONS_REQUESTED
            return Stage.HEARING_SCHEDULED
        case Action.ISSUE_DETERMINATION:
            return Stage.DECIDED
        case Action.WITHDRAW:
            return Stage.WITHDRAWN
    raise TransitionNotAllowed(f"unknown action {action}")


def check(action: Action, situation: Situation) -> Stage:
    """Raise TransitionNotAllowed unless `action` is allowed now; return the new stage."""
    stage = effective_stage(
        situation.stage, situation.now, situation.comment_closes_at,
        situation.has_advisory_body,
    )
    situation.stage = stage
    if stage not in ALLOWED_FROM[action]:
        raise TransitionNotAllowed(
            f"This cannot be done while the proposal is at the stage “{stage.label}”."
        )
    if action in STOPPED_BY_BAN:
        refuse_if_banned(situation.ban)
    guard = _GUARDS.get(action)
    if guard is not None:
        guard(situation)
    return target_stage(action, situation)


def refuse_if_banned(ban: str | None) -> None:
    """Raise TransitionNotAllowed if `ban` (a sentence citing the ban) stops the proposal."""
    if ban:
        raise TransitionNotAllowed(
            f"{ban} A banned technology cannot go to public comment, a hearing or a vote, "
            "and no override applies: return the proposal to the department or withdraw it.",
            fact="ban")


def _guard_submit(s: Situation) -> None:
    if not s.documents_complete:
        missing = ", ".join(s.missing_sections) or "required sections"
        raise TransitionNotAllowed(
            f"The impact report and use policy are not complete. Missing: {missing}."
        )


def _guard_return(s: Situation) -> None:
    if not s.reasons.strip():
        raise TransitionNotAllowed("Give the department the reasons for returning it.",
                                   fact="reasons")


def _guard_open_comment(s: Situation) -> None:
    if s.new_period is None:
        raise TransitionNotAllowed("Give the dates the comment period opens and closes.",
                                   fact="new_period")
    opens_at, closes_at = s.new_period
    if closes_at - opens_at < timedelta(days=s.comment_days):
        raise TransitionNotAllowed(
            f"The comment period must stay open at least {s.comment_days} days.",
            fact="new_period",
        )
    if s.blocking_findings and not s.override_recorded:
        raise TransitionNotAllowed(
            f"{s.blocking_findings} blocking compliance finding(s) must be resolved, or "
            "overridden with a written reason, before public comment.",
            fact="override_recorded",
        )


def _guard_schedule(s: Situation) -> None:
    if s.hearing_date is None or s.packet_public_since is None:
        raise TransitionNotAllowed("A hearing date is required.", fact="hearing_date")
    earliest = earliest_hearing_date(s.packet_public_since, s.notice_days)
    if s.hearing_date < earliest:
        raise TransitionNotAllowed(
            f"The packet has been public since {s.packet_public_since:%B %-d, %Y}; the "
            f"ordinance requires {s.notice_days} days' notice, so the earliest hearing "
            f"date is {earliest:%B %-d, %Y}.",
            fact="hearing_date",
        )


def _guard_record_motion(s: Situation) -> None:
    if s.hearing_date is not None and s.today is not None and s.today < s.hearing_date:
        raise TransitionNotAllowed(
            f"The council votes at the hearing on {s.hearing_date:%B %-d, %Y}, not before."
        )
    if s.open_motion:
        raise TransitionNotAllowed("A motion is already before the council; close it first.")
    if s.motion_type in (MotionType.APPROVE, MotionType.APPROVE_WITH_CONDITIONS):
        missing = s.findings_required - s.findings_made
        if missing:
            raise TransitionNotAllowed(
                "An approval requires every required finding to be recorded.",
                fact="findings_made",
            )


def _guard_close_roll_call(s: Situation) -> None:
    if not s.open_motion:
        raise TransitionNotAllowed("There is no open motion to close.")


def _guard_issue(s: Situation) -> None:
    if not s.motion_passed:
        raise TransitionNotAllowed("A determination needs a motion that passed.")
    if s.motion_type is MotionType.REQUEST_REVISIONS:
        raise TransitionNotAllowed("A request for revisions is not a determination.")


_GUARDS = {
    Action.SUBMIT: _guard_submit,
    Action.RETURN: _guard_return,
    Action.OPEN_COMMENT: _guard_open_comment,
    Action.SCHEDULE_HEARING: _guard_schedule,
    Action.RECORD_MOTION: _guard_record_motion,
    Action.CLOSE_ROLL_CALL: _guard_close_roll_call,
    Action.ISSUE_DETERMINATION: _guard_issue,
}


def earliest_hearing_date(public_since: date, notice_days: int) -> date:
    """Return the first date a hearing may be held after the packet went public."""
    return public_since + timedelta(days=notice_days)


def default_comment_window(now: datetime, comment_days: int) -> tuple[datetime, datetime]:
    """Return the default (opens_at, closes_at) for a period opened now."""
    return now, now + timedelta(days=comment_days)


@dataclass(frozen=True)
class Tally:
    """A roll call counted and judged against quorum and majority rules."""

    ayes: int
    noes: int
    abstentions: int
    recusals: int
    absences: int
    quorum_required: int
    votes_required: int
    quorum_present: bool
    passed: bool
    explanation: str


def judge_tally(choices: list[str], seats: int, quorum_rule: str, majority_rule: str) -> Tally:
    """Count votes and decide the motion under the profile's quorum and majority rules.

    Recused members do not count toward the quorum: they take no part in the item.
    """
    ayes, noes = choices.count("aye"), choices.count("no")
    abstentions, recusals = choices.count("abstain"), choices.count("recused")
    absences = seats - ayes - noes - abstentions - recusals
    present = ayes + noes + abstentions
    if quorum_rule != "majority_of_seats":
        raise ValueError(f"unknown quorum rule {quorum_rule!r}")
    quorum_required = seats // 2 + 1
    if majority_rule == "majority_of_votes_cast":
        votes_required = (ayes + noes) // 2 + 1
        rule_text = "a majority of votes cast"
    elif majority_rule == "majority_of_seats":
        votes_required = seats // 2 + 1
        rule_text = f"a majority of the {seats} seats"
    elif majority_rule == "two_thirds_of_seats":
        votes_required = -(-2 * seats // 3)
        rule_text = f"two thirds of the {seats} seats"
    else:
        raise ValueError(f"unknown majority rule {majority_rule!r}")
    quorum_present = present >= quorum_required
    passed = quorum_present and ayes >= votes_required and ayes > 0
    counts = f"{ayes} aye, {noes} no, {abstentions} abstain, {recusals} recused, {absences} absent"
    if not quorum_present:
        explanation = f"{counts}. No quorum: {present} present, {quorum_required} required."
    else:
        verdict = "passed" if passed else "failed"
        explanation = (
            f"{counts}. Quorum present ({present} present, {quorum_required} required). "
            f"The motion {verdict}: {ayes} aye against {votes_required} needed ({rule_text})."
        )
    return Tally(ayes, noes, abstentions, recusals, absences, quorum_required,
                 votes_required, quorum_present, passed, explanation)


def next_annual_report_date(after: date, month: int, day: int, cadence_years: int) -> date:
    """Return the first due date (month, day) after `after`, then `cadence_years - 1` more.

    Yearly reports (cadence 1) are due at the next occurrence of the date; a two-year
    cadence is due a year after that.
    """
    due = date(after.year, month, day)
    while due <= after:
        due = date(due.year + 1, month, day)
    return date(due.year + cadence_years - 1, month, day)
