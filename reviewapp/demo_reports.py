"""Demo data for annual reports: an approved ALPR whose first report contradicts two
conditions, and an approved technology whose report is overdue. Demo only.

Everything goes through the real services, dated in the past, after reviewapp.demo.seed has
created the users (council members and the advisory member are looked up by role).
"""

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from forms.documents import IMPACT_REPORT, USE_POLICY
from forms.report import REPORT_SECTIONS

from . import conditions
from .models import Proposal, Role, User
from .profiles import Profile
from .services import comments, council, determinations, intake, proposals, reports
from .services.proposals import DraftData

ALPR_TITLE = "Citywide license plate readers (approved with conditions)"
OVERDUE_TITLE = "Acoustic gunshot detection pilot (approved)"
FINDINGS = ["benefits_outweigh_costs", "civil_liberties_safeguarded", "no_disparate_impact",
            "no_less_invasive_alternative"]


def _draft(title: str, category: str, name: str, vendor: str, retention: int,
           recipients: list[dict]) -> DraftData:
    return DraftData(
        title=title, trigger="acquire", technology_category=category, technology_name=name,
        vendor=vendor, product="Standard", acquisition_cost_cents=120000_00,
        annual_cost_cents=40000_00,
        funding_source="General Fund", retention_days=retention, access_log=True,
        vendor_nda=False,
        impact_report={**{s.key: f"{name}: {s.label.lower()}, as described in the analysis."
                          for s in IMPACT_REPORT},
                       # Where the annual reports may say it was deployed without a new vote.
                       "locations": "Fixed units at arterial intersections citywide, in every "
                                    "council district."},
        use_policy={s.key: f"{name}: {s.label.lower()}, as set out in the policy."
                    for s in USE_POLICY},
        recipients=recipients,
    )


def _approve(session: Session, profile: Profile, data: DraftData, start: datetime,
             analyst: User, clerk: User, typed: dict) -> Proposal:
    """Walk a proposal from draft to an issued approval, starting at `start`."""
    members = list(session.scalars(select(User).where(User.role == Role.COUNCIL)
                                   .order_by(User.id)))
    if not members:
        raise ValueError("seed the demo users (council members) first")
    item = proposals.create_draft(session, analyst, start, data)
    proposals.submit(session, item, analyst, start + timedelta(hours=1), profile)
    intake.accept(session, item, clerk, start + timedelta(days=1), profile)
    opened = start + timedelta(days=2)
    comments.open_comment_period(session, item, clerk, opened, profile, opened,
                                 opened + timedelta(days=profile.comment_days),
                                 "Published for comment; the council will weigh the findings.")
    after = opened + timedelta(days=profile.comment_days + 1)
    if profile.has_advisory_body:
        advisor = session.scalar(select(User).where(User.role == Role.ADVISORY))
        council.record_recommendation(session, item, advisor, after, profile, "modify",
                                      "Approve with the conditions below.")
    hearing_day = (opened + timedelta(days=max(profile.notice_days, profile.comment_days)
                                      + 10)).astimezone(profile.zone).date()
    council.schedule_hearing(session, item, clerk, after + timedelta(hours=1), profile,
                             hearing_day, "Council Chamber, City Hall")
    vote_time = datetime.combine(hearing_day, time(18), profile.zone).astimezone(UTC)
    council.record_motion(session, item, clerk, vote_time, profile, "approve_with_conditions",
                          conditions.build(**typed), FINDINGS, "Council Member Chen")
    for member in members:
        council.cast_vote(session, item, member, vote_time, profile, "aye")
    council.close_roll_call(session, item, clerk, vote_time + timedelta(minutes=5), profile)
    determinations.issue_determination(session, item, clerk, vote_time + timedelta(hours=1),
                                       profile)
    return item


def _report_data() -> reports.ReportData:
    sections = {s.key: f"{s.label}: see the attached statistics." for s in REPORT_SECTIONS}
    sections.update({
        "use_and_data": "The 12 fixed cameras read about 2.1 million plates in the period.",
        "complaints": "Two complaints about cameras near a high school; both referred to "
                      "the auditor.",
        "data_breaches": "None.", "outside_policy": "None.",
    })
    return reports.ReportData(
        sections=sections, retention_days_reported=365, audits_conducted=1,
        deployment_areas=["District 1", "District 3"], annual_cost_cents=95000_00,
        funding_next_year="General Fund",
        sharing=[
            {"recipient_name": "County Sheriff's Office", "recipient_type": "county",
             "times_shared": 40, "data_categories": "Hot-list hits",
             "legal_standard": "Civ. Code 1798.90.55(b)"},
            {"recipient_name": "U.S. Immigration and Customs Enforcement",
             "recipient_type": "federal", "times_shared": 12,
             "data_categories": "Plate reads with time and location",
             "legal_standard": "Informal request by email"},
        ])


def seed_reports(session: Session, profile: Profile, now: datetime, analyst: User,
                 clerk: User) -> bool:
    """Create the demo's approved technologies and reports; False if they already exist."""
    if session.scalar(select(Proposal).where(Proposal.title == ALPR_TITLE)):
        return False
    sheriff = {"name": "County Sheriff's Office", "recipient_type": "county",
               "purpose": "Stolen vehicle and AMBER alert hot lists",
               "data_categories": "Plate reads matching a hot list",
               "legal_basis": "Civ. Code 1798.90.55(b), California public agency"}
    # Approved about 200 days ago; its first report is filed before it is due.
    alpr = _approve(session, profile,
                    _draft(ALPR_TITLE, "alpr", "Fixed automated license plate readers",
                           "Flock Safety", 30, [sheriff]),
                    now - timedelta(days=200 + profile.comment_days + profile.notice_days),
                    analyst, clerk, {"retention_days": 30, "no_sharing_types": ["federal"]})
    approval = reports.approval_for(session, alpr.id)
    due = datetime.combine(approval.first.review_date, time(12), profile.zone)
    filed_at = min(now - timedelta(hours=1), due.astimezone(UTC))
    reports.file_report(session, alpr, analyst, filed_at, profile, _report_data())
    # Approved long enough ago that its first report's due date has passed, unfiled.
    years = profile.annual_report_cadence_years
    _approve(session, profile,
             _draft(OVERDUE_TITLE, "gunshot_detection", "Acoustic gunshot sensors",
                    "SoundThinking", 90, []),
             now - timedelta(days=365 * years + 120 + profile.comment_days
                             + profile.notice_days),
             analyst, clerk, {"retention_days": 90, "audit_every_months": 6})
    session.flush()
    return True
