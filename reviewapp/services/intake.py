"""The clerk's completeness review: accept into assessment, or return with reasons."""

from datetime import datetime

from sqlalchemy.orm import Session

from ..models import Proposal, User
from ..profiles import Profile
from ..workflow import Action
from .transitions import move, situation


def accept(session: Session, proposal: Proposal, actor: User, now: datetime,
           profile: Profile) -> None:
    """Accept a submitted proposal as complete; it moves to impact assessment."""
    move(session, proposal, Action.ACCEPT, actor, now, situation(session, proposal, profile, now))


def return_to_department(session: Session, proposal: Proposal, actor: User, now: datetime,
                         profile: Profile, reasons: str) -> None:
    """Return a submitted proposal to its department with the reasons it must address."""
    move(session, proposal, Action.RETURN, actor, now,
         situation(session, proposal, profile, now, reasons=reasons), reason=reasons.strip())
