"""The workflow in isolation: stages, transitions, guards, tallies and due dates.

Everything here is pure Python (no Flask, no database): `workflow.check` gets a
`Situation` built by hand, exactly as the services would build it.
"""

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from reviewapp import workflow
from reviewapp.models.vocab import MotionType, RequiredFinding, Stage
from reviewapp.workflow import (
    ALLOWED_FROM,
    Action,
    Situation,
    TransitionNotAllowed,
    check,
    effective_stage,
    judge_tally,
    next_annual_report_date,
)

NOW = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)
TODAY = date(2026, 3, 2)
ALL_FINDINGS = frozenset(f.value for f in RequiredFinding)
COMMENT_DAYS = 30
NOTICE_DAYS = 30

# Where each action leads, written out from the design (domain.md), not read from the code.
EXPECTED_TARGET = {
    Action.SUBMIT: Stage.SUBMITTED,
    Action.ACCEPT: Stage.ASSESSMENT,
    Action.RETURN: Stage.RETURNED,
    Action.OPEN_COMMENT: Stage.PUBLIC_COMMENT,
    Action.RECORD_RECOMMENDATION: Stage.AWAITING_HEARING,
    Action.SCHEDULE_HEARING: Stage.HEARING_SCHEDULED,
    Action.RECORD_MOTION: Stage.HEARING_SCHEDULED,
    Action.CLOSE_ROLL_CALL: Stage.HEARING_SCHEDULED,
    Action.ISSUE_DETERMINATION: Stage.DECIDED,
    Action.WITHDRAW: Stage.WITHDRAWN,
}

# The stage table of domain.md, spelled out independently of workflow.ALLOWED_FROM.
DESIGN_ALLOWED_FROM = {
    Action.SUBMIT: {Stage.DRAFT, Stage.RETURNED, Stage.REVISIONS_REQUESTED},
    Action.ACCEPT: {Stage.SUBMITTED},
    # Assessment too: "blocking findings resolved" means a new version from the department.
    Action.RETURN: {Stage.SUBMITTED, Stage.ASSESSMENT},
    Action.OPEN_COMMENT: {Stage.ASSESSMENT},
    Action.RECORD_RECOMMENDATION: {Stage.ADVISORY_REVIEW},
    Action.SCHEDULE_HEARING: {Stage.AWAITING_HEARING},
    Action.RECORD_MOTION: {Stage.HEARING_SCHEDULED},
    Action.CLOSE_ROLL_CALL: {Stage.HEARING_SCHEDULED},
    Action.ISSUE_DETERMINATION: {Stage.HEARING_SCHEDULED},
    Action.WITHDRAW: set(Stage) - {Stage.DECIDED, Stage.WITHDRAWN},
}


def satisfied(action: Action, stage: Stage, now: datetime = NOW, **overrides) -> Situation:
    """Return a Situation at `stage` in which every guard fact of `action` holds."""
    facts = dict(
        stage=stage,
        now=now,
        has_advisory_body=True,
        comment_closes_at=None,
        documents_complete=True,
        missing_sections=[],
        blocking_findings=0,
        override_recorded=False,
        comment_days=COMMENT_DAYS,
        new_period=(now, now + timedelta(days=COMMENT_DAYS)),
        packet_public_since=TODAY - timedelta(days=NOTICE_DAYS),
        notice_days=NOTICE_DAYS,
        hearing_date=TODAY,
        today=TODAY,
        # Recording a motion needs no open motion; closing the roll call needs one.
        open_motion=action is Action.CLOSE_ROLL_CALL,
        motion_type=MotionType.APPROVE,
        findings_made=ALL_FINDINGS,
        findings_required=ALL_FINDINGS,
        motion_passed=True,
        reasons="The use policy has no retention section.",
    )
    facts.update(overrides)
    return Situation(**facts)


# ---------------------------------------------------------------- the transition table


def test_allowed_from_matches_the_design_table():
    assert set(ALLOWED_FROM) == set(Action)
    for action in Action:
        assert set(ALLOWED_FROM[action]) == DESIGN_ALLOWED_FROM[action], action


def test_decided_and_withdrawn_are_terminal():
    for action in Action:
        assert Stage.DECIDED not in ALLOWED_FROM[action]
        assert Stage.WITHDRAWN not in ALLOWED_FROM[action]


@pytest.mark.parametrize("action", list(Action), ids=str)
@pytest.mark.parametrize("stage", list(Stage), ids=str)
def test_every_stage_and_action(stage, action):
    situation = satisfied(action, stage)
    if stage in ALLOWED_FROM[action]:
        assert check(action, situation) is EXPECTED_TARGET[action]
    else:
        with pytest.raises(TransitionNotAllowed) as caught:
            check(action, situation)
        # The refusal names the stage in words a clerk reads.
        assert stage.label in str(caught.value)


def test_legal_path_from_draft_to_decided():
    """Walk the whole happy path, feeding each new stage into the next check."""
    stage = Stage.DRAFT
    path = [stage]
    for action in (Action.SUBMIT, Action.RETURN, Action.SUBMIT, Action.ACCEPT,
                   Action.OPEN_COMMENT):
        stage = check(action, satisfied(action, stage))
        path.append(stage)
    # The period closes itself; the next action sees advisory review.
    closes = NOW + timedelta(days=COMMENT_DAYS)
    later = closes + timedelta(seconds=1)
    for action in (Action.RECORD_RECOMMENDATION, Action.SCHEDULE_HEARING,
                   Action.RECORD_MOTION, Action.CLOSE_ROLL_CALL,
                   Action.ISSUE_DETERMINATION):
        stage = check(action, satisfied(action, stage, now=later, comment_closes_at=closes))
        path.append(stage)
    assert path == [
        Stage.DRAFT, Stage.SUBMITTED, Stage.RETURNED, Stage.SUBMITTED, Stage.ASSESSMENT,
        Stage.PUBLIC_COMMENT, Stage.AWAITING_HEARING, Stage.HEARING_SCHEDULED,
        Stage.HEARING_SCHEDULED, Stage.HEARING_SCHEDULED, Stage.DECIDED,
    ]


def test_check_reports_the_effective_stage_in_the_situation():
    closes = NOW - timedelta(minutes=1)
    situation = satisfied(Action.WITHDRAW, Stage.PUBLIC_COMMENT, comment_closes_at=closes)
    assert check(Action.WITHDRAW, situation) is Stage.WITHDRAWN
    assert situation.stage is Stage.ADVISORY_REVIEW


def test_comment_cannot_be_closed_early_by_an_action_from_advisory_review():
    """While the period is open, advisory actions are refused (the clock has not moved)."""
    closes = NOW + timedelta(days=1)
    situation = satisfied(Action.RECORD_RECOMMENDATION, Stage.PUBLIC_COMMENT,
                          comment_closes_at=closes)
    with pytest.raises(TransitionNotAllowed, match="Public comment"):
        check(Action.RECORD_RECOMMENDATION, situation)


def test_close_roll_call_on_passed_request_for_revisions_goes_back_to_department():
    situation = satisfied(Action.CLOSE_ROLL_CALL, Stage.HEARING_SCHEDULED,
                          motion_type=MotionType.REQUEST_REVISIONS, motion_passed=True)
    assert check(Action.CLOSE_ROLL_CALL, situation) is Stage.REVISIONS_REQUESTED


@pytest.mark.parametrize("motion_type", list(MotionType), ids=str)
def test_close_roll_call_on_failed_motion_stays_at_hearing(motion_type):
    situation = satisfied(Action.CLOSE_ROLL_CALL, Stage.HEARING_SCHEDULED,
                          motion_type=motion_type, motion_passed=False)
    assert check(Action.CLOSE_ROLL_CALL, situation) is Stage.HEARING_SCHEDULED


def test_close_roll_call_needs_an_open_motion():
    situation = satisfied(Action.CLOSE_ROLL_CALL, Stage.HEARING_SCHEDULED, open_motion=False)
    with pytest.raises(TransitionNotAllowed, match="no open motion"):
        check(Action.CLOSE_ROLL_CALL, situation)


# ---------------------------------------------------------------- guards


def test_submit_refused_naming_missing_sections():
    situation = satisfied(Action.SUBMIT, Stage.DRAFT, documents_complete=False,
                          missing_sections=["Purpose and intended benefits", "Custodian"])
    with pytest.raises(TransitionNotAllowed) as caught:
        check(Action.SUBMIT, situation)
    message = str(caught.value)
    assert "Purpose and intended benefits" in message
    assert "Custodian" in message


def test_submit_refused_without_a_list_still_says_why():
    situation = satisfied(Action.SUBMIT, Stage.RETURNED, documents_complete=False,
                          missing_sections=[])
    with pytest.raises(TransitionNotAllowed, match="required sections"):
        check(Action.SUBMIT, situation)


@pytest.mark.parametrize("reasons", ["", "   ", "\n\t"])
def test_return_needs_reasons(reasons):
    situation = satisfied(Action.RETURN, Stage.SUBMITTED, reasons=reasons)
    with pytest.raises(TransitionNotAllowed, match="reasons"):
        check(Action.RETURN, situation)


def test_return_with_reasons_passes():
    situation = satisfied(Action.RETURN, Stage.SUBMITTED, reasons="Add a retention period.")
    assert check(Action.RETURN, situation) is Stage.RETURNED


def test_open_comment_needs_dates():
    situation = satisfied(Action.OPEN_COMMENT, Stage.ASSESSMENT, new_period=None)
    with pytest.raises(TransitionNotAllowed, match="dates"):
        check(Action.OPEN_COMMENT, situation)


def test_open_comment_window_shorter_than_comment_days_is_refused():
    short = (NOW, NOW + timedelta(days=COMMENT_DAYS) - timedelta(microseconds=1))
    situation = satisfied(Action.OPEN_COMMENT, Stage.ASSESSMENT, new_period=short)
    with pytest.raises(TransitionNotAllowed, match=f"at least {COMMENT_DAYS} days"):
        check(Action.OPEN_COMMENT, situation)


@pytest.mark.parametrize("extra", [timedelta(0), timedelta(days=19)])
def test_open_comment_window_of_comment_days_or_more_passes(extra):
    window = (NOW, NOW + timedelta(days=COMMENT_DAYS) + extra)
    situation = satisfied(Action.OPEN_COMMENT, Stage.ASSESSMENT, new_period=window)
    assert check(Action.OPEN_COMMENT, situation) is Stage.PUBLIC_COMMENT


def test_open_comment_with_blocking_findings_needs_an_override():
    situation = satisfied(Action.OPEN_COMMENT, Stage.ASSESSMENT, blocking_findings=2,
                          override_recorded=False)
    with pytest.raises(TransitionNotAllowed, match="2 blocking compliance finding"):
        check(Action.OPEN_COMMENT, situation)


def test_open_comment_with_blocking_findings_and_override_passes():
    situation = satisfied(Action.OPEN_COMMENT, Stage.ASSESSMENT, blocking_findings=2,
                          override_recorded=True)
    assert check(Action.OPEN_COMMENT, situation) is Stage.PUBLIC_COMMENT


def test_schedule_refused_one_day_early_naming_the_earliest_date():
    since = date(2026, 3, 2)
    situation = satisfied(Action.SCHEDULE_HEARING, Stage.AWAITING_HEARING,
                          packet_public_since=since, notice_days=30,
                          hearing_date=date(2026, 3, 31))
    with pytest.raises(TransitionNotAllowed) as caught:
        check(Action.SCHEDULE_HEARING, situation)
    message = str(caught.value)
    assert "April 1, 2026" in message  # the earliest lawful date
    assert "March 2, 2026" in message  # when the packet went public
    assert "30 days" in message


def test_schedule_on_the_earliest_date_passes():
    situation = satisfied(Action.SCHEDULE_HEARING, Stage.AWAITING_HEARING,
                          packet_public_since=date(2026, 3, 2), notice_days=30,
                          hearing_date=date(2026, 4, 1))
    assert check(Action.SCHEDULE_HEARING, situation) is Stage.HEARING_SCHEDULED


def test_schedule_uses_the_profile_notice_days():
    """Oakland's 15 days: a date refused under 30 days' notice is fine under 15."""
    situation = satisfied(Action.SCHEDULE_HEARING, Stage.AWAITING_HEARING,
                          packet_public_since=date(2026, 3, 2), notice_days=15,
                          hearing_date=date(2026, 3, 17))
    assert check(Action.SCHEDULE_HEARING, situation) is Stage.HEARING_SCHEDULED
    early = satisfied(Action.SCHEDULE_HEARING, Stage.AWAITING_HEARING,
                      packet_public_since=date(2026, 3, 2), notice_days=15,
                      hearing_date=date(2026, 3, 16))
    with pytest.raises(TransitionNotAllowed, match="March 17, 2026"):
        check(Action.SCHEDULE_HEARING, early)


@pytest.mark.parametrize("missing", ["hearing_date", "packet_public_since"])
def test_schedule_needs_a_date_and_a_public_packet(missing):
    situation = satisfied(Action.SCHEDULE_HEARING, Stage.AWAITING_HEARING, **{missing: None})
    with pytest.raises(TransitionNotAllowed, match="hearing date is required"):
        check(Action.SCHEDULE_HEARING, situation)


def test_earliest_hearing_date():
    assert workflow.earliest_hearing_date(date(2026, 12, 15), 30) == date(2027, 1, 14)


def test_record_motion_refused_before_the_hearing_date():
    situation = satisfied(Action.RECORD_MOTION, Stage.HEARING_SCHEDULED,
                          hearing_date=date(2026, 4, 1), today=date(2026, 3, 31))
    with pytest.raises(TransitionNotAllowed, match="April 1, 2026"):
        check(Action.RECORD_MOTION, situation)


@pytest.mark.parametrize("today", [date(2026, 4, 1), date(2026, 4, 2)])
def test_record_motion_on_or_after_the_hearing_date_passes(today):
    situation = satisfied(Action.RECORD_MOTION, Stage.HEARING_SCHEDULED,
                          hearing_date=date(2026, 4, 1), today=today)
    assert check(Action.RECORD_MOTION, situation) is Stage.HEARING_SCHEDULED


def test_record_motion_refused_while_a_motion_is_open():
    situation = satisfied(Action.RECORD_MOTION, Stage.HEARING_SCHEDULED, open_motion=True)
    with pytest.raises(TransitionNotAllowed, match="already before the council"):
        check(Action.RECORD_MOTION, situation)


@pytest.mark.parametrize("motion_type",
                         [MotionType.APPROVE, MotionType.APPROVE_WITH_CONDITIONS], ids=str)
@pytest.mark.parametrize("left_out", sorted(ALL_FINDINGS))
def test_approval_without_every_required_finding_is_refused(motion_type, left_out):
    situation = satisfied(Action.RECORD_MOTION, Stage.HEARING_SCHEDULED,
                          motion_type=motion_type, findings_made=ALL_FINDINGS - {left_out})
    with pytest.raises(TransitionNotAllowed, match="every required finding"):
        check(Action.RECORD_MOTION, situation)


def test_required_findings_are_the_four_of_the_model_bill():
    assert len(ALL_FINDINGS) == 4


@pytest.mark.parametrize("motion_type", [MotionType.DENY, MotionType.REQUEST_REVISIONS],
                         ids=str)
def test_denial_and_revision_requests_need_no_findings(motion_type):
    situation = satisfied(Action.RECORD_MOTION, Stage.HEARING_SCHEDULED,
                          motion_type=motion_type, findings_made=frozenset())
    assert check(Action.RECORD_MOTION, situation) is Stage.HEARING_SCHEDULED


def test_issue_needs_a_passed_motion():
    situation = satisfied(Action.ISSUE_DETERMINATION, Stage.HEARING_SCHEDULED,
                          motion_passed=False)
    with pytest.raises(TransitionNotAllowed, match="motion that passed"):
        check(Action.ISSUE_DETERMINATION, situation)


def test_issue_refuses_a_request_for_revisions():
    situation = satisfied(Action.ISSUE_DETERMINATION, Stage.HEARING_SCHEDULED,
                          motion_passed=True, motion_type=MotionType.REQUEST_REVISIONS)
    with pytest.raises(TransitionNotAllowed, match="not a determination"):
        check(Action.ISSUE_DETERMINATION, situation)


@pytest.mark.parametrize(
    "motion_type",
    [MotionType.APPROVE, MotionType.APPROVE_WITH_CONDITIONS, MotionType.DENY], ids=str,
)
def test_issue_after_a_passed_decisive_motion(motion_type):
    situation = satisfied(Action.ISSUE_DETERMINATION, Stage.HEARING_SCHEDULED,
                          motion_passed=True, motion_type=motion_type)
    assert check(Action.ISSUE_DETERMINATION, situation) is Stage.DECIDED


# ---------------------------------------------------------------- the clock closes comment


CLOSES = datetime(2026, 4, 1, 7, 0, tzinfo=UTC)


@pytest.mark.parametrize(("advisory", "after"), [
    (True, Stage.ADVISORY_REVIEW),
    (False, Stage.AWAITING_HEARING),
])
def test_comment_closes_exactly_at_closes_at(advisory, after):
    just_before = CLOSES - timedelta(microseconds=1)
    assert effective_stage(Stage.PUBLIC_COMMENT, just_before, CLOSES, advisory) \
        is Stage.PUBLIC_COMMENT
    assert effective_stage(Stage.PUBLIC_COMMENT, CLOSES, CLOSES, advisory) is after
    assert effective_stage(Stage.PUBLIC_COMMENT, CLOSES + timedelta(days=90), CLOSES,
                           advisory) is after


def test_comment_without_closing_time_stays_open():
    assert effective_stage(Stage.PUBLIC_COMMENT, CLOSES + timedelta(days=365), None, True) \
        is Stage.PUBLIC_COMMENT


@pytest.mark.parametrize("stage", [s for s in Stage if s is not Stage.PUBLIC_COMMENT], ids=str)
def test_only_public_comment_moves_with_the_clock(stage):
    assert effective_stage(stage, CLOSES + timedelta(days=1), CLOSES, True) is stage


def test_default_comment_window():
    opens, closes = workflow.default_comment_window(NOW, 30)
    assert opens == NOW
    assert closes - opens == timedelta(days=30)


# ---------------------------------------------------------------- the tally


def tally(choices, seats=5, majority="majority_of_votes_cast"):
    return judge_tally(list(choices), seats, "majority_of_seats", majority)


def test_simple_majority_passes_with_counts_in_the_explanation():
    result = tally(["aye", "aye", "aye", "no", "abstain"])
    assert (result.ayes, result.noes, result.abstentions, result.recusals, result.absences) \
        == (3, 1, 1, 0, 0)
    assert result.quorum_required == 3
    assert result.quorum_present
    assert result.votes_required == 3  # a majority of the 4 votes cast
    assert result.passed
    assert "3 aye, 1 no, 1 abstain, 0 recused, 0 absent" in result.explanation
    assert "passed" in result.explanation
    assert "majority of votes cast" in result.explanation


def test_abstentions_do_not_count_as_votes_cast():
    result = tally(["aye", "aye", "no", "abstain", "abstain"])
    assert result.votes_required == 2
    assert result.passed


@pytest.mark.parametrize("majority", ["majority_of_votes_cast", "majority_of_seats",
                                      "two_thirds_of_seats"])
def test_a_tie_fails(majority):
    result = tally(["aye", "aye", "no", "no", "abstain"], majority=majority)
    assert result.quorum_present
    assert not result.passed
    assert "failed" in result.explanation


def test_tie_on_an_even_council_fails():
    result = tally(["aye"] * 3 + ["no"] * 3, seats=6)
    assert result.votes_required == 4
    assert not result.passed


def test_quorum_is_a_majority_of_seats():
    present = tally(["aye", "aye", "no", "absent", "absent"])
    assert present.quorum_required == 3
    assert present.quorum_present
    assert present.passed
    absent = tally(["aye", "aye", "absent", "absent", "absent"])
    assert not absent.quorum_present
    assert not absent.passed
    assert absent.absences == 3


def test_absent_members_may_be_left_out_of_the_list():
    result = tally(["aye", "aye"], seats=5)
    assert result.absences == 3
    assert not result.quorum_present


def test_recused_members_are_not_present_for_quorum():
    # Three members in the room, but one recused: only two take part, no quorum.
    result = tally(["aye", "aye", "recused", "absent", "absent"])
    assert result.recusals == 1
    assert not result.quorum_present
    assert not result.passed
    assert "No quorum: 2 present, 3 required" in result.explanation
    assert "2 aye, 0 no, 0 abstain, 1 recused, 2 absent" in result.explanation


def test_abstaining_members_are_present_for_quorum():
    result = tally(["aye", "abstain", "abstain", "absent", "absent"])
    assert result.quorum_present
    assert result.passed  # 1 of 1 vote cast


def test_no_quorum_explanation_and_failure_even_if_unanimous():
    result = tally(["aye", "aye", "absent", "absent", "absent", "absent", "absent"], seats=7)
    assert result.quorum_required == 4
    assert not result.passed
    assert "No quorum" in result.explanation


def test_majority_of_seats_counts_seats_not_votes():
    # 2 of 2 votes cast is a majority of votes cast, but not of the 5 seats.
    choices = ["aye", "aye", "abstain", "abstain", "absent"]
    assert tally(choices, majority="majority_of_votes_cast").passed
    by_seats = tally(choices, majority="majority_of_seats")
    assert by_seats.votes_required == 3
    assert not by_seats.passed
    assert "majority of the 5 seats" in by_seats.explanation
    assert tally(["aye", "aye", "aye", "abstain", "absent"], majority="majority_of_seats").passed


@pytest.mark.parametrize(("seats", "needed"), [(3, 2), (5, 4), (6, 4), (7, 5), (9, 6)])
def test_two_thirds_of_seats_rounds_up(seats, needed):
    short = ["aye"] * (needed - 1) + ["no"] * (seats - needed + 1)
    enough = ["aye"] * needed + ["no"] * (seats - needed)
    assert tally(short, seats=seats, majority="two_thirds_of_seats").votes_required == needed
    assert not tally(short, seats=seats, majority="two_thirds_of_seats").passed
    result = tally(enough, seats=seats, majority="two_thirds_of_seats")
    assert result.passed
    assert f"two thirds of the {seats} seats" in result.explanation


def test_no_ayes_never_passes():
    result = tally(["abstain", "abstain", "abstain", "absent", "absent"])
    assert result.quorum_present
    assert not result.passed


@pytest.mark.parametrize(("quorum", "majority"), [
    ("everyone", "majority_of_votes_cast"),
    ("majority_of_seats", "plurality"),
])
def test_unknown_rules_are_refused(quorum, majority):
    with pytest.raises(ValueError, match="unknown"):
        judge_tally(["aye"], 5, quorum, majority)


# ---------------------------------------------------------------- annual report date


@pytest.mark.parametrize(("after", "cadence", "due"), [
    (date(2026, 3, 2), 1, date(2026, 11, 1)),    # later this year
    (date(2026, 10, 31), 1, date(2026, 11, 1)),  # the day before
    (date(2026, 11, 1), 1, date(2027, 11, 1)),   # not on the decision day itself
    (date(2026, 12, 15), 1, date(2027, 11, 1)),  # already past this year
    (date(2026, 3, 2), 2, date(2027, 11, 1)),    # every other year
    (date(2026, 12, 15), 2, date(2028, 11, 1)),
])
def test_next_annual_report_date(after, cadence, due):
    assert next_annual_report_date(after, 11, 1, cadence) == due


def test_next_annual_report_date_other_month():
    # Oakland: March 15.
    assert next_annual_report_date(date(2026, 3, 14), 3, 15, 1) == date(2026, 3, 15)
    assert next_annual_report_date(date(2026, 3, 15), 3, 15, 1) == date(2027, 3, 15)


# ---------------------------------------------------------------- random walks


def _guard_failed(action: Action, s: Situation) -> bool:
    """Say whether the facts break the guard of `action` (an oracle written from the design)."""
    if action is Action.SUBMIT:
        return not s.documents_complete
    if action is Action.RETURN:
        return not s.reasons.strip()
    if action is Action.OPEN_COMMENT:
        opens, closes = s.new_period
        return (closes - opens < timedelta(days=s.comment_days)
                or (s.blocking_findings > 0 and not s.override_recorded))
    if action is Action.SCHEDULE_HEARING:
        return s.hearing_date < s.packet_public_since + timedelta(days=s.notice_days)
    if action is Action.RECORD_MOTION:
        approval = s.motion_type in (MotionType.APPROVE, MotionType.APPROVE_WITH_CONDITIONS)
        return (s.today < s.hearing_date or s.open_motion
                or (approval and not s.findings_made >= s.findings_required))
    if action is Action.CLOSE_ROLL_CALL:
        return not s.open_motion
    if action is Action.ISSUE_DETERMINATION:
        return not s.motion_passed or s.motion_type is MotionType.REQUEST_REVISIONS
    return False


class RandomWorkflow(RuleBasedStateMachine):
    """Apply random actions with random facts; the stage must only follow ALLOWED_FROM."""

    @initialize(advisory=st.booleans())
    def start(self, advisory):
        self.advisory = advisory
        self.stored = Stage.DRAFT
        self.now = NOW
        self.closes_at = None

    def effective(self) -> Stage:
        return effective_stage(self.stored, self.now, self.closes_at, self.advisory)

    @rule(hours=st.integers(min_value=0, max_value=24 * 40))
    def time_passes(self, hours):
        self.now += timedelta(hours=hours)

    @rule(data=st.data(), motion_type=st.sampled_from(list(MotionType)), passed=st.booleans())
    def legal_step(self, data, motion_type, passed):
        """Take an action the current stage allows, with every guard met (goes deep)."""
        stage = self.effective()
        if stage is Stage.PUBLIC_COMMENT:
            self.now = self.closes_at  # the only way on is the clock
            return
        # Withdrawal is tried by random_step; here move forward through the process.
        allowed = [a for a in Action if stage in ALLOWED_FROM[a] and a is not Action.WITHDRAW]
        if not allowed:
            return
        action = data.draw(st.sampled_from(allowed))
        if action is Action.ISSUE_DETERMINATION and motion_type is MotionType.REQUEST_REVISIONS:
            motion_type = MotionType.DENY
        situation = satisfied(action, self.stored, now=self.now,
                              has_advisory_body=self.advisory,
                              comment_closes_at=self.closes_at, motion_type=motion_type,
                              motion_passed=passed or action is Action.ISSUE_DETERMINATION)
        self.apply(action, situation, must_pass=True)

    @rule(
        action=st.sampled_from(list(Action)),
        documents_complete=st.booleans(),
        reasons=st.sampled_from(["", " ", "Incomplete."]),
        window_days=st.integers(min_value=0, max_value=60),
        blocking=st.integers(min_value=0, max_value=2),
        override=st.booleans(),
        notice_shift=st.integers(min_value=-5, max_value=5),
        vote_shift=st.integers(min_value=-2, max_value=2),
        open_motion=st.booleans(),
        motion_type=st.sampled_from(list(MotionType)),
        findings=st.sets(st.sampled_from(sorted(ALL_FINDINGS))),
        passed=st.booleans(),
    )
    def random_step(self, action, documents_complete, reasons, window_days, blocking,
                    override, notice_shift, vote_shift, open_motion, motion_type, findings,
                    passed):
        """Any action from any stage, with facts that may or may not satisfy the guard."""
        today = self.now.date()
        situation = Situation(
            stage=self.stored, now=self.now, has_advisory_body=self.advisory,
            comment_closes_at=self.closes_at, documents_complete=documents_complete,
            missing_sections=[] if documents_complete else ["Custodian"],
            blocking_findings=blocking, override_recorded=override,
            comment_days=COMMENT_DAYS,
            new_period=(self.now, self.now + timedelta(days=window_days)),
            packet_public_since=today - timedelta(days=NOTICE_DAYS), notice_days=NOTICE_DAYS,
            hearing_date=today + timedelta(days=notice_shift),
            today=today + timedelta(days=vote_shift), open_motion=open_motion,
            motion_type=motion_type, findings_made=frozenset(findings),
            findings_required=ALL_FINDINGS, motion_passed=passed, reasons=reasons,
        )
        self.apply(action, situation, must_pass=False)

    def apply(self, action: Action, situation: Situation, must_pass: bool) -> None:
        before = self.effective()
        try:
            after = check(action, situation)
        except TransitionNotAllowed as refused:
            assert not must_pass, f"{action} refused from {before}: {refused}"
            assert before not in ALLOWED_FROM[action] or _guard_failed(action, situation)
            return
        assert before in ALLOWED_FROM[action], f"{action} allowed from {before}"
        if action is Action.CLOSE_ROLL_CALL:
            assert after in {Stage.HEARING_SCHEDULED, Stage.REVISIONS_REQUESTED}
        else:
            assert after is EXPECTED_TARGET[action]
        assert not _guard_failed(action, situation)
        event(f"reached {after}")
        self.stored = after
        if action is Action.OPEN_COMMENT:
            self.closes_at = situation.new_period[1]

    @invariant()
    def no_advisory_stage_without_an_advisory_body(self):
        if not self.advisory:
            assert self.effective() is not Stage.ADVISORY_REVIEW

    @invariant()
    def comment_never_stays_open_past_its_closing_time(self):
        if self.closes_at is not None and self.now >= self.closes_at:
            assert self.effective() is not Stage.PUBLIC_COMMENT


RandomWorkflow.TestCase.settings = settings(
    max_examples=200, stateful_step_count=40, deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_random_workflow = RandomWorkflow.TestCase
