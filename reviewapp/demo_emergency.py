"""Demo data for emergency use and the existing-technology inventory. Demo only."""

from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from forms.documents import IMPACT_REPORT, USE_POLICY

from .models import User
from .profiles import Profile
from .services import emergency, inventory, proposals
from .services.emergency import NoticeData
from .services.inventory import ItemData


def _documents(name: str) -> dict:
    """Return plausible text for every section of both documents."""
    return {
        "impact_report": {s.key: f"{name}: {s.label.lower()} as described in the attached "
                                 "analysis." for s in IMPACT_REPORT},
        "use_policy": {s.key: f"{name}: {s.label.lower()} as set out in the department's "
                              "general order." for s in USE_POLICY},
    }


def seed_emergency_and_inventory(session: Session, profile: Profile, now: datetime,
                                 analyst: User, clerk: User) -> None:
    """Add two emergency notices and three inventory entries at different standings.

    Whether an entry is overdue depends on `now` and the profile's deadlines: under a
    profile with no deadlines nothing is overdue, which is the point of the profile.
    """
    today = now.astimezone(profile.zone).date()

    # Continuing use, filed on time; the impact report is due later.
    emergency.file_notice(session, analyst, now - timedelta(days=9), NoticeData(
        technology_name="Cell-site simulator borrowed from the County Sheriff",
        technology_category="cell_site_simulator",
        description="A child was abducted and the suspect's phone was the only lead. The "
                    "department borrowed the Sheriff's device to locate the phone; there was "
                    "no time to seek the Council's approval first. The child was found. The "
                    "department expects to need the device again while the case continues.",
        began_on=today - timedelta(days=10), use_continues=True))

    # Continuing use, filed late, and no impact report yet: overdue.
    emergency.file_notice(session, analyst, now - timedelta(days=95), NoticeData(
        technology_name="Drone with thermal camera (loaned by the vendor)",
        technology_category="drone",
        description="During a wildfire evacuation the department used a vendor's loaned "
                    "drone to find residents who had not left. The drone is still being "
                    "used for searches of the burn area.",
        began_on=today - timedelta(days=130), use_continues=True))

    department = analyst.department_id
    listed = now - timedelta(days=60)
    inventory.list_item(session, clerk, listed, ItemData(
        department_id=department, technology_name="Body-worn cameras (Axon Body 3)",
        technology_category="camera",
        description="Every patrol officer wears a camera that records video and audio of "
                    "calls for service; footage is stored by the vendor.",
        in_use_since=date(2017, 7, 1)))

    draft_item = inventory.list_item(session, clerk, listed, ItemData(
        department_id=department, technology_name="Social media monitoring service",
        technology_category="social_media",
        description="A subscription that searches public social media posts by keyword and "
                    "place, used by the investigations unit.",
        in_use_since=None))
    inventory.start_proposal(session, draft_item, analyst, now - timedelta(days=5))

    submitted_item = inventory.list_item(session, clerk, listed, ItemData(
        department_id=department, technology_name="Mobile license plate readers on patrol cars",
        technology_category="alpr",
        description="Cameras on six patrol cars read plates and compare them with the "
                    "state's stolen-vehicle hot list.",
        in_use_since=None))
    started = now - timedelta(days=20)
    proposal = inventory.start_proposal(session, submitted_item, analyst, started)
    proposals.save_draft(session, proposal, analyst, started, proposals.DraftData(
        title=proposal.title, trigger="existing", technology_category="alpr",
        technology_name=submitted_item.technology_name, vendor="Vigilant Solutions",
        product="Mobile ALPR", annual_cost_cents=42000_00, funding_source="Police operating budget",
        retention_days=30, vendor_nda=False, access_log=True,
        recipients=[{"name": "County Sheriff's Office", "recipient_type": "county",
                     "purpose": "Stolen vehicles", "data_categories": "Plate reads",
                     "legal_basis": "Civ. Code 1798.90.55"}],
        **_documents(submitted_item.technology_name)))
    proposals.submit(session, proposal, analyst, started + timedelta(days=1), profile)
    session.flush()
