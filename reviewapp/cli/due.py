"""`flask due`: every deadline a department has not met yet, without a scheduler."""

import click
from flask import Flask, current_app

from .. import clock
from ..deadlines import DueItem, all_due_items
from ..jurisdiction import profile


def due_line(item: DueItem, today) -> str:
    """Describe one open item: kind, title, department, due date, status."""
    if item.overdue(today):
        days = (today - item.due_on).days
        status = f"OVERDUE by {days} day{'s' if days != 1 else ''}"
    else:
        status = "due"
    return (f"{item.kind} | {item.title} | {item.department} | "
            f"due {item.due_on.isoformat()} | {status}")


def open_items(session, rules, now, overdue_only: bool = False) -> list[DueItem]:
    """Return the items not yet met (only the overdue ones if asked), soonest first."""
    today = now.astimezone(rules.zone).date()
    return [item for item in all_due_items(session, rules, now)
            if item.met_on is None and (item.overdue(today) or not overdue_only)]


def register_due_command(app: Flask) -> None:
    """Attach `flask due` to the app's commands."""

    @app.cli.command("due")
    @click.option("--overdue", is_flag=True, help="List only the overdue items.")
    def due(overdue):
        """List every item due or overdue (emergency, inventory, annual reports)."""
        rules, now = profile(), clock.now()
        today = now.astimezone(rules.zone).date()
        # A read-only session of its own, closed here: the command never takes SQLite's
        # write lock, and leaves no transaction open in an app context it did not push.
        with current_app.extensions["db_read_sessionmaker"]() as session:
            items = open_items(session, rules, now, overdue)
        if not items:
            click.echo("Nothing is overdue." if overdue else "Nothing is due.")
            return
        for item in items:
            click.echo(due_line(item, today))
        click.echo(f"{len(items)} item{'s' if len(items) != 1 else ''}, as of "
                   f"{today.isoformat()} ({rules.timezone}).")
