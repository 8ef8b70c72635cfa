"""Due items: reports (filled in by the reports work)."""


def due_items(session, profile, now) -> list:
    """Return this kind's due items (none until the reports work lands)."""
    return []
