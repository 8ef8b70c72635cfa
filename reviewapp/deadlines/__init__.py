"""Deadlines without a scheduler: an item is overdue the moment a request looks at it after
its due time. Each module here lists one kind of due item; `all_due_items` gathers them."""

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class DueItem:
    """Something a department owes the public, with its deadline and whether it is met."""

    kind: str  # "annual report", "emergency notice", "emergency report", "inventory"
    title: str
    department: str
    due_on: date
    met_on: date | None
    url: str  # the public page where the item stands
    proposal_id: int | None = None  # the technology or proposal it belongs to, if any

    def overdue(self, today: date) -> bool:
        """Say whether the item is late as of `today` (met late counts as met, not overdue)."""
        return self.met_on is None and today > self.due_on

    def late(self) -> bool:
        """Say whether the item was met after its deadline."""
        return self.met_on is not None and self.met_on > self.due_on


def all_due_items(session, profile, now: datetime) -> list[DueItem]:
    """Return every due item of every kind, soonest first."""
    from . import emergency, inventory, reports

    items = []
    for module in (reports, emergency, inventory):
        items.extend(module.due_items(session, profile, now))
    return sorted(items, key=lambda item: (item.due_on, item.title))
