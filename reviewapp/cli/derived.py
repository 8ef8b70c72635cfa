"""`flask rebuild-derived`: work the derived tables out again from the public record.

The comment tally, the registry, the report schedule and the dashboard's counts are kept
current in the same transaction as each change the app makes. Rows loaded any other way (SQL,
an import, a bench) are not seen by those hooks; this command recounts everything from the
record itself.
"""

import click
from flask import Flask

from .. import dashboard_store, registry_store, schedule_store
from ..services import comment_tally
from . import command_session


def register_derived_command(app: Flask) -> None:
    """Attach `flask rebuild-derived`."""

    @app.cli.command("rebuild-derived")
    def rebuild_derived():
        """Recount comments and the dashboard; rebuild the registry and report schedule."""
        with command_session() as db:
            comments = comment_tally.recount(db)
            listed = registry_store.rebuild(db)
            scheduled = schedule_store.rebuild(db)
            counted = dashboard_store.rebuild(db)
            db.commit()
        click.echo(f"Derived tables rebuilt: {comments:,} comments counted; {listed:,} "
                   f"recipients listed; {scheduled:,} technologies scheduled for annual "
                   f"reports; {counted:,} proposals counted for the dashboard.")
