"""`flask setup-db`: migrate as the owner role, then grant the app's role only what it needs.

On PostgreSQL a city can run migrations as a role that owns the tables
(MIGRATION_DATABASE_URL) and the app as another role (DATABASE_URL) that may only read and
append to the public record: no UPDATE, DELETE or TRUNCATE there, and no ownership, so it
cannot drop the triggers that guard the record either.
"""

from pathlib import Path

import click
from flask import Flask, current_app
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, make_url

from .. import audit, clock
from ..db import database_url, normalize_url
from ..models import Base
from ..models.append_only import APPEND_ONLY_TABLES

ROOT = Path(__file__).resolve().parents[2]

READ_APPEND = "SELECT, INSERT"
# Tables that change in place: drafts are edited until submitted (triggers freeze them
# after), a draft's recipient list is replaced, accounts rotate their session token, and
# each comment or hide adds to its proposal's tally (a derived counter, never deleted).
MUTABLE = {
    "proposal": "SELECT, INSERT, UPDATE",
    "proposal_version": "SELECT, INSERT, UPDATE",
    "data_recipient": "SELECT, INSERT, UPDATE, DELETE",
    "department": "SELECT, INSERT, UPDATE",
    "user_account": "SELECT, INSERT, UPDATE",
    # Counters of failed sign-ins are reset and purged; a link is marked used; a sent
    # message is marked sent and its body erased.
    "sign_in_throttle": "SELECT, INSERT, UPDATE, DELETE",
    "account_link": "SELECT, INSERT, UPDATE",
    "recovery_code": "SELECT, INSERT, UPDATE, DELETE",  # replaced when set up again
    "outbox_message": "SELECT, INSERT, UPDATE",
    "comment_tally": "SELECT, INSERT, UPDATE",
    # Derived from the record, not part of it: rewritten whenever a proposal's listing changes.
    "registry_recipient": "SELECT, INSERT, UPDATE, DELETE",
    "registry_use": "SELECT, INSERT, UPDATE, DELETE",
    "report_schedule": "SELECT, INSERT, UPDATE, DELETE",
    "proposal_status": "SELECT, INSERT, UPDATE, DELETE",
    "open_report_finding": "SELECT, INSERT, UPDATE, DELETE",
    "status_tally": "SELECT, INSERT, UPDATE, DELETE",
}


def app_privileges() -> dict[str, str]:
    """Return the privileges of the app's role on every table (record tables: read, append)."""
    granted = {name: READ_APPEND for name in APPEND_ONLY_TABLES}
    granted.update(MUTABLE)
    granted["alembic_version"] = "SELECT"  # /readyz compares it with the migrations
    return granted


def unclassified_tables() -> list[str]:
    """Return the model tables that have no privileges decided (a new table must be)."""
    return sorted(set(Base.metadata.tables) - set(app_privileges()))


def alembic_config(url: str, instance_path: str | None = None):
    """Return an Alembic configuration pointed at `url`."""
    from alembic.config import Config

    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.attributes["database_url"] = url
    # Migration 0005 moves issued PDFs from this host's instance folder into the database.
    config.attributes["instance_path"] = instance_path
    return config


def migration_url(app: Flask) -> str:
    """Return the URL migrations run with: MIGRATION_DATABASE_URL, else the app's own."""
    url = app.config.get("MIGRATION_DATABASE_URL")
    return normalize_url(url) if url else database_url(app)


def app_role(app: Flask) -> str | None:
    """Return the app's PostgreSQL role when migrations run as another one, else None."""
    owner, runner = make_url(migration_url(app)), make_url(database_url(app))
    if runner.get_backend_name() != "postgresql" or runner.username in (None, owner.username):
        return None
    return runner.username


def grant_app_role(connection: Connection, role: str) -> None:
    """Give `role` exactly app_privileges() on this schema's tables, revoking anything else."""
    quote = connection.dialect.identifier_preparer.quote
    exists = connection.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role})
    if exists.first() is None:
        raise click.ClickException(
            f"The database role {role!r} (from DATABASE_URL) does not exist. Create it as the "
            f"owner first: CREATE ROLE {quote(role)} LOGIN PASSWORD '...';")
    schema = quote(connection.execute(text("SELECT current_schema()")).scalar_one())
    who = quote(role)
    connection.execute(text(f"GRANT USAGE ON SCHEMA {schema} TO {who}"))
    connection.execute(text(f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {who}"))
    existing = set(connection.dialect.get_table_names(connection))
    for table, privileges in sorted(app_privileges().items()):
        if table in existing:
            connection.execute(text(f"GRANT {privileges} ON {schema}.{quote(table)} TO {who}"))
    connection.execute(text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {who}"))


def upgrade_database(app: Flask) -> str | None:
    """Apply every migration; on PostgreSQL grant the app's role if it is not the owner.

    Returns the role that was granted, if any.
    """
    from alembic import command

    command.upgrade(alembic_config(migration_url(app), app.instance_path), "head")
    return grant_app_role_if_separate(app)


def grant_app_role_if_separate(app: Flask) -> str | None:
    """Grant the app's role (if it is not the owner) as the owner; return the role granted."""
    role = app_role(app)
    if role is not None:
        engine = create_engine(migration_url(app))
        try:
            with engine.begin() as connection:
                grant_app_role(connection, role)
        finally:
            engine.dispose()
    return role


def register_setup_command(app: Flask) -> None:
    """Attach `flask setup-db`."""

    @app.cli.command("setup-db")
    def setup_db():
        """Create or upgrade the database schema (Alembic migrations) and grant the app role."""
        role = upgrade_database(current_app)
        click.echo("Database is at the latest migration.")
        from . import command_session

        with command_session() as db:
            if audit.start_sealing(db, clock.now()):
                db.commit()
                click.echo("The audit chain's earlier events are now followed by a sealed "
                           "event: every new event is sealed.")
        if role:
            click.echo(f"Role {role} may read every table and append to the public record; "
                       "it cannot change, delete or truncate it.")
