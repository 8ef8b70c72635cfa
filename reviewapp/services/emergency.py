"""Emergency (exigent) use: the department's notice, and the proposal that answers it."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import audit
from ..models import (
    EmergencyNotice,
    Proposal,
    ProposalOrigin,
    Role,
    TechnologyCategory,
    Trigger,
    User,
)
from ..permissions import EDITABLE_STAGES
from .proposals import DraftData, create_draft


@dataclass
class NoticeData:
    """What the department says about an emergency use already begun."""

    technology_name: str
    technology_category: str
    description: str
    began_on: date
    use_continues: bool


def _department_submitter(user, department_id: int) -> bool:
    return bool(user and getattr(user, "is_authenticated", False)
                and user.role is Role.SUBMITTER and user.department_id == department_id)


def can_file_notice(user) -> bool:
    """Department staff file notices of emergency use, for their own department."""
    return bool(user and getattr(user, "is_authenticated", False)
                and user.role is Role.SUBMITTER)


def can_start_from_notice(user, notice: EmergencyNotice) -> bool:
    """The notice's department starts the impact report and use policy that answer it."""
    return _department_submitter(user, notice.department_id)


def file_notice(session: Session, actor: User, now: datetime, data: NoticeData) -> EmergencyNotice:
    """Record the actor's department's notice of emergency use (a public record)."""
    notice = EmergencyNotice(
        department_id=actor.department_id, filed_by_id=actor.id,
        technology_name=data.technology_name.strip(),
        technology_category=TechnologyCategory(data.technology_category),
        description=data.description.strip(), began_on=data.began_on,
        use_continues=data.use_continues, filed_at=now,
    )
    session.add(notice)
    session.flush()
    audit.record(session, actor, "file_emergency_notice", "emergency_notice", notice.id, now,
                 technology=notice.technology_name, began_on=notice.began_on.isoformat(),
                 use_continues=notice.use_continues)
    return notice


def open_linked_draft(session: Session, department_id: int, **origin) -> Proposal | None:
    """Return the department's proposal for this origin still with the department, if any."""
    column, origin_id = next(iter(origin.items()))
    return session.scalar(
        select(Proposal).join(ProposalOrigin, ProposalOrigin.proposal_id == Proposal.id)
        .where(getattr(ProposalOrigin, column) == origin_id,
               Proposal.department_id == department_id,
               Proposal.stage.in_(EDITABLE_STAGES))
        .order_by(Proposal.id.desc()).limit(1))


def start_linked_proposal(session: Session, actor: User, now: datetime, *, title: str,
                          trigger: Trigger, category: TechnologyCategory, name: str,
                          **origin: int) -> Proposal:
    """Start a draft answering an origin (emergency_notice_id= or inventory_item_id=).

    A draft the department already started for the same origin is returned instead, so a
    second press of the button does not make a second proposal.
    """
    existing = open_linked_draft(session, actor.department_id, **origin)
    if existing is not None:
        return existing
    proposal = create_draft(session, actor, now, DraftData(
        title=title, trigger=trigger.value, technology_category=category.value,
        technology_name=name))
    link = ProposalOrigin(proposal_id=proposal.id, **origin)
    session.add(link)
    session.flush()
    kind, origin_id = next(iter(origin.items()))
    audit.record(session, actor, "link_proposal_origin", "proposal", proposal.file_number, now,
                 **{kind: origin_id})
    return proposal


def start_proposal(session: Session, notice: EmergencyNotice, actor: User,
                   now: datetime) -> Proposal:
    """Start the impact report and use policy that a continuing emergency use needs."""
    return start_linked_proposal(
        session, actor, now, title=f"{notice.technology_name}: approval after emergency use",
        trigger=Trigger.EMERGENCY, category=notice.technology_category,
        name=notice.technology_name, emergency_notice_id=notice.id)
