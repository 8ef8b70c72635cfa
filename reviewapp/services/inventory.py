"""The existing-technology inventory: entries, and the proposals that submit them."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from .. import audit
from ..models import InventoryItem, Proposal, Role, TechnologyCategory, Trigger, User
from .emergency import start_linked_proposal


@dataclass
class ItemData:
    """One technology in use when the ordinance took effect."""

    department_id: int
    technology_name: str
    technology_category: str
    description: str
    in_use_since: date | None


def _signed_in(user) -> bool:
    return bool(user and getattr(user, "is_authenticated", False))


def can_list_inventory(user) -> bool:
    """The clerk lists technology for any department; department staff for their own."""
    return _signed_in(user) and user.role in (Role.CLERK, Role.SUBMITTER)


def can_list_for(user, department_id: int) -> bool:
    """Say whether the user may list technology for `department_id`."""
    if not can_list_inventory(user):
        return False
    return user.role is Role.CLERK or user.department_id == department_id


def can_start_from_item(user, item: InventoryItem) -> bool:
    """The entry's department starts the proposal that submits it for approval."""
    return (_signed_in(user) and user.role is Role.SUBMITTER
            and user.department_id == item.department_id)


def list_item(session: Session, actor: User, now: datetime, data: ItemData) -> InventoryItem:
    """Add one technology to the inventory (a public record, never edited)."""
    item = InventoryItem(
        department_id=data.department_id, listed_by_id=actor.id,
        technology_name=data.technology_name.strip(),
        technology_category=TechnologyCategory(data.technology_category),
        description=data.description.strip(), in_use_since=data.in_use_since, listed_at=now,
    )
    session.add(item)
    session.flush()
    audit.record(session, actor, "list_inventory_item", "inventory_item", item.id, now,
                 technology=item.technology_name, department_id=item.department_id)
    return item


def start_proposal(session: Session, item: InventoryItem, actor: User,
                   now: datetime) -> Proposal:
    """Start the proposal that submits an existing technology for approval."""
    return start_linked_proposal(
        session, actor, now, title=f"{item.technology_name}: approval of existing technology",
        trigger=Trigger.EXISTING, category=item.technology_category,
        name=item.technology_name, inventory_item_id=item.id)
