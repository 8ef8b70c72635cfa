"""Due items: inventory (filled in by the inventory work)."""


def due_items(session, profile, now) -> list:
    """Return this kind's due items (none until the inventory work lands)."""
    return []
