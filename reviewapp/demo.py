"""Demo data: realistic proposals at different stages, for a newcomer to explore. Demo only."""

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import clock, mfa
from .demo_emergency import seed_emergency_and_inventory
from .demo_reports import seed_reports
from .jurisdiction import profile
from .models import User
from .services import accounts, comments, council, determinations, intake, proposals
from .services.proposals import DraftData

DEMO_PASSWORD = "demo-password-2026"  # noqa: S105 (published demo-only password)
# The published second factor of the demo's clerk, administrator and council members (in
# the README), so a newcomer can sign in: add it to an authenticator app, or print the
# current code with `flask --app wsgi demo-code EMAIL`. Demo only, like the password.
DEMO_TOTP_SECRET = "REVIEWAPPDEMOTOTPSECRETFORDEMO23"  # noqa: S105
DEMO_USERS = (
    ("analyst@police.example.org", "Dana Ortiz", "submitter", "Police Department"),
    ("clerk@city.example.org", "Sam Lee", "clerk", None),
    ("pac@city.example.org", "Priya Natarajan", "advisory", None),
    ("admin@city.example.org", "Alex Admin", "admin", None),
)
COUNCIL_NAMES = ("Alvarez", "Brooks", "Chen", "Diallo", "Evans", "Fujimoto", "Garcia",
                 "Haddad", "Ibrahim", "Jensen", "Kowalski")


def council_users(seats: int) -> list[tuple[str, str, str, None]]:
    """Return one demo council member per seat of the profile (council1@ ... councilN@)."""
    return [(f"council{i + 1}@city.example.org", f"Council Member {COUNCIL_NAMES[i]}",
             "council", None) for i in range(min(seats, len(COUNCIL_NAMES)))]


def _sections(prefix: str, keys, overrides: dict | None = None) -> dict:
    """Return plausible text for every section, with specific overrides."""
    text = {key: f"{prefix}: {key.replace('_', ' ')} as described in the attached analysis."
            for key in keys}
    text.update(overrides or {})
    return text


def _data(title, category, name, vendor, product, cost, annual, retention, recipients,
          impact=None, policy=None, trigger="acquire", **answers) -> DraftData:
    from forms.documents import IMPACT_REPORT, USE_POLICY

    return DraftData(
        title=title, trigger=trigger, technology_category=category, technology_name=name,
        vendor=vendor, product=product, acquisition_cost_cents=cost * 100,
        annual_cost_cents=annual * 100,
        funding_source="General Fund, Police Department operating budget",
        retention_days=retention,
        impact_report=_sections(name, [s.key for s in IMPACT_REPORT], impact),
        use_policy=_sections(name, [s.key for s in USE_POLICY], policy),
        recipients=recipients,
        **{"access_log": True, "vendor_nda": False, **answers},
    )


ALPR = _data(
    "Expand automated license plate readers to 40 fixed cameras", "alpr",
    "Fixed automated license plate readers", "Vigilant Solutions (Motorola Solutions)",
    "LEARN / fixed ALPR cameras", 480000, 95000, 365,
    [
        {"name": "Vigilant LEARN national plate database", "recipient_type": "vendor_pool",
         "purpose": "Investigative leads; the pooled database is searchable by participating "
                    "agencies nationwide, including ICE Enforcement and Removal Operations",
         "data_categories": "Plate images, plate numbers, date, time and GPS location",
         "legal_basis": "Vendor data-sharing agreement, section 4"},
        {"name": "County Sheriff's Office", "recipient_type": "county",
         "purpose": "Stolen vehicle and AMBER alert hot lists",
         "data_categories": "Plate reads matching a hot list",
         "legal_basis": "Civ. Code 1798.90.55(b), California public agency"},
    ],
    impact={"purpose": "Locate stolen vehicles and vehicles linked to violent felonies; the "
                       "department expects faster recovery of stolen cars.",
            "locations": "40 intersections on arterial roads citywide, including two near "
                         "high schools."},
    policy={"retention": "Plate reads that do not match a hot list are kept for one year.",
            "third_party_sharing": "Data is contributed to the vendor's national pool so that "
                                   "other agencies can query it."},
    sensitive_locations=["school"],
    particulars={
        "retention_exceptions": [{"purpose": "Reads tied to an active investigation",
                                  "limit_days": None}],
        "efficacy_measured": False, "procurement_method": "sole_source",
        "contract_term_months": 60, "contract_value_cents": 95_500_000,
        "data_ownership": "shared", "vendor_own_use": True, "network_sharing": "nationwide",
        "network_sharing_detail": "National LEARN sharing on; other agencies may query the "
                                  "department's reads.",
        "third_party_data": True, "third_party_solicited": True,
        "third_party_sources": "Shopping-centre and homeowners' association plate cameras "
                               "whose owners share their reads through the vendor.",
        "prior_use": False},
)

DRONE = _data(
    "Drone program for search and rescue and critical incidents", "drone",
    "Small unmanned aircraft (4 units)", "Skydio", "Skydio X10", 140000, 30000, 30,
    [{"name": "County Fire Department", "recipient_type": "county",
      "purpose": "Search and rescue coordination", "data_categories": "Live video",
      "legal_basis": "Mutual aid agreement"}],
    impact={"purpose": "Find missing people and assess dangerous scenes without sending "
                       "officers in first."},
    policy={"prohibited_uses": "No use at protests or lawful assemblies; no facial "
                               "recognition; no routine patrol flights."},
    sensitive_locations=["protest"],
    sensitive_safeguards="Flights over lawful assemblies are prohibited unless a life is in "
                         "immediate danger; any such flight is reported to the council.",
    particulars={
        "efficacy_measured": True,
        "efficacy_evidence": "County search-and-rescue log, 2024-2025: 11 of 14 missing "
                             "people found within two hours with a borrowed drone.",
        "procurement_method": "competitive", "contract_term_months": 36,
        "contract_value_cents": 23_000_000, "data_ownership": "city", "vendor_own_use": False,
        "network_sharing": "off", "third_party_data": False,
        "prior_use": True,
        "prior_use_details": "Two drones borrowed from the County Fire Department for 14 "
                             "searches in 2024-2025, under the county's policy."},
)

GUNSHOT = _data(
    "Renew acoustic gunshot detection for three years", "gunshot_detection",
    "Acoustic gunshot detection sensors", "SoundThinking", "ShotSpotter Respond", 0, 310000,
    90, [], trigger="new_use",
    impact={"track_record": "Independent evaluations in Chicago and elsewhere found many "
                            "alerts with no evidence of a gun crime."},
)

FEED = _data(
    "Body-worn camera upgrade", "camera", "Body-worn cameras", "Axon", "Axon Body 4",
    620000, 180000, 730, [],
)

CAMERAS = _data(
    "Add fixed cameras to the downtown transit plaza", "camera",
    "Fixed CCTV cameras (12)", "Verkada", "CD62", 96000, 12000, 30, [],
)

SUBMITTED = _data(
    "Social media monitoring software trial", "social_media",
    "Social media monitoring", "Dataminr", "First Alert", 0, 60000, 90, [],
    trigger="seek_funds",
)


def seed(session: Session) -> bool:
    """Create the demo users and proposals; return False if they already exist."""
    if session.scalar(select(User).where(User.email == DEMO_USERS[0][0])):
        return False
    now = clock.now()
    rules = profile()
    users = {}
    for email, name, role, department in DEMO_USERS + tuple(council_users(rules.council_seats)):
        users[role if role != "council" else email] = accounts.create_account(
            session, email=email, name=name, role=role, department=department,
            password=DEMO_PASSWORD, now=now - timedelta(days=120))
    for user in users.values():
        if user.role.value in ("clerk", "admin", "council"):
            user.totp_secret_sealed = mfa.seal(DEMO_TOTP_SECRET)
    analyst, clerk, pac = users["submitter"], users["clerk"], users["advisory"]
    members = [users[email] for email, *_ in council_users(rules.council_seats)]

    def submitted(data, days_ago):
        at = now - timedelta(days=days_ago)
        item = proposals.create_draft(session, analyst, at, data)
        proposals.submit(session, item, analyst, at + timedelta(hours=2), rules)
        return item, at

    def commented(item, opened_days_ago, closes_days):
        opened = now - timedelta(days=opened_days_ago)
        comments.open_comment_period(session, item, clerk, opened, rules, opened,
                                     opened + timedelta(days=closes_days),
                                     "Published for comment so the public can weigh in; "
                                     "the council will decide the findings.")
        return opened

    def comment(item, at, kind, position, body, name=None, org=None):
        comments.post_comment(session, item, at, nonce=f"demo-{item.id}-{at.timestamp()}",
                              submitter_type=kind, position=position, body=body, name=name,
                              organization=org)

    # 1. A draft the analyst can continue.
    proposals.create_draft(session, analyst, now - timedelta(days=2), FEED)

    # 2. Submitted, waiting for the clerk's completeness review.
    submitted(SUBMITTED, 1)

    # 3. The ALPR case from the news: blocking SB 34 and SB 54 findings, in assessment.
    alpr, at = submitted(ALPR, 6)
    intake.accept(session, alpr, clerk, at + timedelta(days=1), rules)

    # 4. A drone program in public comment.
    drone, at = submitted(DRONE, 20)
    intake.accept(session, drone, clerk, at + timedelta(days=2), rules)
    opened = commented(drone, 12, rules.comment_days)
    comment(drone, opened + timedelta(days=1), "individual", "oppose",
            "Drones over our neighborhood will chill protest. Please deny or limit "
            "flights to search and rescue only.", name="Maria G.")
    comment(drone, opened + timedelta(days=2), "organization", "support",
            "Search and rescue teams in the hills need this.", org="Hillside Neighbors")
    comment(drone, opened + timedelta(days=3), "anonymous", "oppose",
            "I am afraid to give my name. Who will see the video?")

    # 5. Fixed cameras: comment closed and advisory recommended; ready for a hearing today.
    cams, at = submitted(CAMERAS, 60)
    intake.accept(session, cams, clerk, at + timedelta(days=1), rules)
    opened = commented(cams, 50, rules.comment_days)
    comment(cams, opened + timedelta(days=3), "anonymous", "neutral",
            "Please post signs telling people the plaza is recorded.")
    if rules.has_advisory_body:
        council.record_recommendation(session, cams, pac, opened + timedelta(days=33), rules,
                                      "modify", "Approve only with signage and 30-day "
                                                "retention.")

    # 6. Gunshot detection renewal, decided, with its determination issued.
    shots, at = submitted(GUNSHOT, 150)
    intake.accept(session, shots, clerk, at + timedelta(days=3), rules)
    opened = commented(shots, 140, rules.comment_days)
    for days, kind, pos, body, name, org in (
        (2, "organization", "oppose", "Independent studies show most alerts find no gun "
                                      "crime and send armed officers into our streets.",
         None, "Coalition for Safe Streets"),
        (5, "individual", "support", "Response times matter when someone is shot.",
         "J. Rivera", None),
        (9, "anonymous", "oppose", "Sensors on our block record conversations.", None, None),
    ):
        comment(shots, opened + timedelta(days=days), kind, pos, body, name, org)
    if rules.has_advisory_body:
        council.record_recommendation(session, shots, pac, opened + timedelta(days=34), rules,
                                      "modify", "Renew for one year with quarterly alert "
                                                "audits.")
    hearing_day = (opened + timedelta(days=rules.notice_days + 10)).astimezone(rules.zone)
    council.schedule_hearing(session, shots, clerk, opened + timedelta(days=35), rules,
                             hearing_day.date(), "Council Chamber, City Hall")
    vote_time = opened + timedelta(days=rules.notice_days + 10, hours=2)
    council.record_motion(session, shots, clerk, vote_time, rules,
                          "approve_with_conditions",
                          ["Publish a quarterly audit of alerts and outcomes.",
                           "Retain audio no longer than 90 days.",
                           "No sharing of audio with any federal agency."],
                          ["benefits_outweigh_costs", "civil_liberties_safeguarded",
                           "no_disparate_impact", "no_less_invasive_alternative"],
                          "Council Member Chen")
    choices = ("aye", "aye", "no", "aye", "abstain") + ("aye",) * (len(members) - 5)
    for member, choice in zip(members, choices, strict=True):
        council.cast_vote(session, shots, member, vote_time, rules, choice)
    council.close_roll_call(session, shots, clerk, vote_time + timedelta(minutes=5), rules)
    determinations.issue_determination(session, shots, clerk, vote_time + timedelta(hours=1),
                                       rules)
    session.flush()

    # 7. After the vote: an approved ALPR whose annual report breaks its conditions, and a
    # technology whose report is overdue.
    seed_reports(session, rules, now, analyst, clerk)
    # 8. Emergency use notices and the inventory of technology in use before the ordinance.
    seed_emergency_and_inventory(session, rules, now, analyst, clerk)
    session.commit()
    return True
