"""Flask commands: set up the database, create users, seed the demo, verify the audit chain."""

import sys
from pathlib import Path

import click
from flask import Flask, current_app

from . import audit, clock
from .db import get_session

ROOT = Path(__file__).resolve().parent.parent


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

    from .db import database_url

    command.upgrade(alembic_config(database_url(app)), "head")


def register_commands(app: Flask) -> None:
    """Attach the commands to `flask`."""
    from .cli_due import register_due_command

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
        from .services.accounts import AccountProblem, create_account

        db = get_session()
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
        from .demo import seed

        created = seed(get_session(), current_app.instance_path)
        click.echo("Demo data loaded." if created else "Demo data was already loaded.")

    @app.cli.command("verify-audit")
    def verify_audit():
        """Check the audit hash chain; exit non-zero naming the first bad event."""
        report = audit.verify_chain(get_session())
        if report.ok:
            click.echo(f"Audit chain verified: {report.count} events, head {report.head}.")
            return
        click.echo(f"Audit chain BROKEN at event {report.first_bad_id}: {report.problem}.",
                   err=True)
        sys.exit(1)
