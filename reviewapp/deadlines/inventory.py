"""Due items: technology in use when the ordinance took effect (the inventory).

Each entry must be submitted for approval by the ordinance's effective date plus the
profile's `existing_technology_days`; it is met when a proposal linked to the entry has
been submitted. Without that setting the ordinance sets no deadline.
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Decision, Determination, InventoryItem, Proposal, ProposalOrigin, Stage
from . import DueItem
from .emergency import Standing, after, first_submitted, linked_proposals, local_day, standing

KIND = "inventory"
PROGRESS_WORDS = {"not_submitted": "Not yet submitted", "submitted": "Submitted",
                  "approved": "Approved", "denied": "Denied"}


def inventory_deadline(profile) -> date | None:
    """Return the day existing technology must be submitted by, or None if none is set."""
    if profile.ordinance_effective_date is None:
        return None
    return after(profile.ordinance_effective_date, profile.existing_technology_days)


@dataclass
class ItemStatus:
    """One inventory entry, the proposal answering it, and where its deadline stands."""

    item: InventoryItem
    due_on: date | None
    met_on: date | None
    standing: Standing
    proposals: list[Proposal]
    proposal: Proposal | None  # the newest submitted proposal (what the public follows)
    progress: str  # not_submitted, submitted, approved, denied

    @property
    def progress_words(self) -> str:
        """Say in words how far the entry has come."""
        return PROGRESS_WORDS[self.progress]


def item_statuses(session: Session, profile, now: datetime) -> list[ItemStatus]:
    """Return every inventory entry with its deadline and progress, by department."""
    items = list(session.scalars(select(InventoryItem).order_by(
        InventoryItem.department_id, InventoryItem.technology_name, InventoryItem.id)))
    links = linked_proposals(session, ProposalOrigin.inventory_item_id, [i.id for i in items])
    decided = [p.id for linked in links.values() for p, _at in linked
               if p.stage is Stage.DECIDED]
    decisions = {d.proposal_id: d.decision for d in session.scalars(
        select(Determination).where(Determination.proposal_id.in_(decided))
        .order_by(Determination.id))} if decided else {}
    due_on = inventory_deadline(profile)
    today = local_day(now, profile)
    result = []
    for item in items:
        linked = links.get(item.id, [])
        submitted = [p for p, at in linked if at is not None]
        proposal = submitted[-1] if submitted else None
        met_on = first_submitted(linked, profile)
        result.append(ItemStatus(item, due_on, met_on, standing(due_on, met_on, today),
                                 [p for p, _at in linked], proposal,
                                 _progress(proposal, decisions)))
    return result


def _progress(proposal: Proposal | None, decisions: dict) -> str:
    if proposal is None:
        return "not_submitted"
    decision = decisions.get(proposal.id)
    if decision in (Decision.APPROVED, Decision.APPROVED_WITH_CONDITIONS):
        return "approved"
    if decision is Decision.DENIED:
        return "denied"
    return "submitted"


def item_url(item_id: int) -> str:
    """Return where an entry stands on the public inventory page."""
    return f"/inventory#item-{item_id}"


def due_items(session, profile, now) -> list[DueItem]:
    """Return each inventory entry, when the ordinance sets a deadline for them."""
    return [DueItem(KIND, s.item.technology_name, s.item.department.name, s.due_on, s.met_on,
                    item_url(s.item.id))
            for s in item_statuses(session, profile, now) if s.due_on is not None]
