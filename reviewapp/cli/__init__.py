"""Flask commands: set up the database, create users, seed the demo, verify the audit chain."""

import sys
from pathlib import Path

import click
from flask import Flask, current_app

from .. import audit, clock

ROOT = Path(__file__).resolve().parents[2]


def alembic_config(url: str):
    """Return an Alembic configuration pointed at `url`."""
    from alembic.config import Config

    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.attributes["database_url"] = url
    return config


def upgrade_database(app: Flask) -> None:
    """Apply every migration to the configured database."""
    from alembic import command

    from ..db import database_url

    command.upgrade(alembic_config(database_url(app)), "head")


def command_session():
    """Return a session of the command's own, closed (and its connection returned) on exit.

    Not the request-scoped get_session(): a command may run inside an outer app context
    (a test), whose session would stay open mid-transaction after the command.
    """
    return current_app.extensions["db_sessionmaker"]()


def register_commands(app: Flask) -> None:
    """Attach the commands to `flask`."""
    from .due import register_due_command

    register_due_command(app)

    @app.cli.command("setup-db")
    def setup_db():
        """Create or upgrade the database schema (Alembic migrations)."""
        upgrade_database(current_app)
        click.echo("Database is at the latest migration.")

    @app.cli.command("create-user")
    @click.option("--email", required=True)
    @click.option("--name", required=True)
    @click.option("--role", required=True,
                  type=click.Choice(["submitter", "clerk", "advisory", "council", "admin"]))
    @click.option("--department", default=None, help="Department name (submitters only).")
    @click.password_option()
    def create_user(email, name, role, department, password):
        """Create a staff account (the password is asked for, never shown)."""
        from ..services.accounts import AccountProblem, create_account

        with command_session() as db:
            try:
                create_account(db, email=email, name=name, role=role, department=department,
                               password=password, now=clock.now())
            except AccountProblem as exc:
                raise click.ClickException(str(exc)) from exc
            db.commit()
        click.echo(f"Created {role} {email}.")

    @app.cli.command("seed-demo")
    def seed_demo():
        """Load demo users and proposals at different stages (demo only)."""
        from ..demo import seed

        with command_session() as db:
            created = seed(db, current_app.instance_path)
        click.echo("Demo data loaded." if created else "Demo data was already loaded.")

    @app.cli.command("verify-audit")
    def verify_audit():
        """Check the audit hash chain; exit non-zero naming the first bad event."""
        with command_session() as db:
            report = audit.verify_chain(db)
        if report.ok:
            click.echo(f"Audit chain verified: {report.count} events, head {report.head}.")
            return
        click.echo(f"Audit chain BROKEN at event {report.first_bad_id}: {report.problem}.",
                   err=True)
        sys.exit(1)
