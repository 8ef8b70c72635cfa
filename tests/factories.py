"""Factory functions that build records by calling the real services."""

import hashlib
from datetime import timedelta

from forms.documents import IMPACT_REPORT, USE_POLICY
from reviewapp.models import Role, Stage, User
from reviewapp.passwords import hash_password
from reviewapp.services import comments, council, determinations, intake, proposals
from reviewapp.services.accounts import department_named
from reviewapp.services.proposals import DraftData

PASSWORD = "correct horse battery staple"
_HASH: dict[str, str] = {}

ALL_FINDINGS = ["benefits_outweigh_costs", "civil_liberties_safeguarded",
                "no_disparate_impact", "no_less_invasive_alternative"]


def form_nonce(label: str) -> str:
    """Return a comment form's nonce for `label`: the shape the form gives, one per label."""
    return hashlib.sha256(label.encode()).hexdigest()[:32]


def password_hash() -> str:
    """Return one argon2id hash of PASSWORD, computed once per test run (it is slow)."""
    if "h" not in _HASH:
        _HASH["h"] = hash_password(PASSWORD)
    return _HASH["h"]


def make_user(db, role: str, name: str | None = None, department: str = "Police Department",
              email: str | None = None) -> User:
    """Create a user of `role` with the shared test password."""
    count = db.query(User).count() + 1
    user = User(
        email=email or f"{role}{count}@example.org", name=name or f"{role.title()} {count}",
        role=Role(role), password_hash=password_hash(),
        department_id=department_named(db, department).id if role == "submitter" else None,
    )
    db.add(user)
    db.flush()
    return user


def complete_data(**overrides) -> DraftData:
    """Return draft data with every required section filled."""
    data = DraftData(
        title="Test license plate readers", trigger="acquire", technology_category="drone",
        technology_name="Test drones", vendor="Vendor Inc.", product="Model 1",
        acquisition_cost_cents=1000_00, annual_cost_cents=100_00, funding_source="General Fund",
        retention_days=30,
        impact_report={s.key: f"Impact text for {s.key}" for s in IMPACT_REPORT},
        use_policy={s.key: f"Policy text for {s.key}" for s in USE_POLICY},
        recipients=[],
    )
    for key, value in overrides.items():
        setattr(data, key, value)
    return data


class World:
    """A small city: one submitter, a clerk, an advisory member and five council members."""

    def __init__(self, db, profile, clock, instance_path):
        self.db, self.profile, self.clock, self.instance_path = db, profile, clock, instance_path
        self.submitter = make_user(db, "submitter", "Dana Analyst")
        self.other_submitter = make_user(db, "submitter", "Other Dept", department="Fire")
        self.clerk = make_user(db, "clerk", "Sam Clerk")
        self.advisory = make_user(db, "advisory", "Priya Advisor")
        self.council = [make_user(db, "council", f"Member {c}") for c in "ABCDE"]
        self.admin = make_user(db, "admin", "Alex Admin")
        db.commit()

    def user(self, role: str) -> User:
        """Return the world's user for a role name."""
        return {"submitter": self.submitter, "other_submitter": self.other_submitter,
                "clerk": self.clerk, "advisory": self.advisory, "council": self.council[0],
                "admin": self.admin}[role]

    def proposal(self, until: Stage = Stage.DRAFT, data: DraftData | None = None,
                 votes=("aye", "aye", "aye", "no", "abstain"),
                 motion: str = "approve_with_conditions", override: str = "Proceed."):
        """Create a proposal and walk it through the real services up to `until`."""
        db, p, clock = self.db, self.profile, self.clock
        item = proposals.create_draft(db, self.submitter, clock(), data or complete_data())
        steps = [
            (Stage.SUBMITTED, lambda: proposals.submit(db, item, self.submitter, clock(), p)),
            (Stage.ASSESSMENT, lambda: intake.accept(db, item, self.clerk, clock(), p)),
            (Stage.PUBLIC_COMMENT, lambda: comments.open_comment_period(
                db, item, self.clerk, clock(), p, clock(),
                clock() + timedelta(days=p.comment_days), override)),
            (Stage.ADVISORY_REVIEW, lambda: clock.advance(days=p.comment_days, seconds=1)),
            (Stage.AWAITING_HEARING, lambda: council.record_recommendation(
                db, item, self.advisory, clock(), p, "approve", "Looks fine.")),
            (Stage.HEARING_SCHEDULED, lambda: self._schedule(item)),
            (Stage.DECIDED, lambda: self._decide(item, votes, motion)),
        ]
        for stage, step in steps:
            if until is Stage.DRAFT:
                break
            step()
            db.flush()
            if stage is until:
                break
        db.commit()
        return item

    def _schedule(self, item):
        """Schedule the hearing for the first lawful date and move the clock to it."""
        since = council.packet_public_since(self.db, item, self.profile)
        day = since + timedelta(days=self.profile.notice_days)
        council.schedule_hearing(self.db, item, self.clerk, self.clock(), self.profile, day,
                                 "Council Chamber")
        while self.clock().astimezone(self.profile.zone).date() < day:
            self.clock.advance(days=1)

    def hold_vote(self, item, votes=("aye", "aye", "aye", "no", "abstain"),
                  motion: str = "approve_with_conditions"):
        """Record the motion, the votes and the closed roll call of a scheduled hearing."""
        db, p, clock = self.db, self.profile, self.clock
        council.record_motion(db, item, self.clerk, clock(), p, motion,
                              ["Retain data no more than 30 days."], ALL_FINDINGS, "Member A")
        for member, choice in zip(self.council, votes, strict=False):
            council.cast_vote(db, item, member, clock(), p, choice)
        council.close_roll_call(db, item, self.clerk, clock(), p)

    def _decide(self, item, votes, motion):
        """Hold the vote and issue the determination."""
        self.hold_vote(item, votes, motion)
        if motion != "request_revisions":
            determinations.issue_determination(self.db, item, self.clerk, self.clock(),
                                               self.profile)
