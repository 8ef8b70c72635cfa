"""Flask commands: set up the database, create users, seed the demo, verify the audit chain."""

import sys

import click
from flask import Flask, current_app
from sqlalchemy import select

from .. import audit, clock


def command_session():
    """Return a session of the command's own, closed (and its connection returned) on exit.

    Not the request-scoped get_session(): a command may run inside an outer app context
    (a test), whose session would stay open mid-transaction after the command.
    """
    return current_app.extensions["db_sessionmaker"]()


def register_commands(app: Flask) -> None:
    """Attach the commands to `flask`."""
    from .backup import register_backup_commands
    from .derived import register_derived_command
    from .due import register_due_command
    from .mail import register_mail_command
    from .setup import register_setup_command

    register_setup_command(app)
    register_due_command(app)
    register_derived_command(app)
    register_backup_commands(app)
    register_mail_command(app)

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

    @app.cli.command("demo-code")
    @click.argument("email")
    def demo_code(email):
        """Print the current second-factor code of a demo account (demo accounts only)."""
        import pyotp

        from .. import mfa
        from ..demo import DEMO_TOTP_SECRET
        from ..models import User

        with command_session() as db:
            user = db.scalar(select(User).where(User.email == email.strip().lower()))
            secret = mfa.unseal(user.totp_secret_sealed) if user and \
                user.totp_secret_sealed else None
        if secret != DEMO_TOTP_SECRET:
            raise click.ClickException(f"{email} is not a demo account with the published "
                                       "demo second factor.")
        click.echo(pyotp.TOTP(secret).at(clock.now()))

    @app.cli.command("reseal-second-factors")
    def reseal_second_factors():
        """Re-encrypt every second-factor secret under the current SECRET_KEY (rotation)."""
        from .. import mfa

        with command_session() as db:
            resealed, unreadable = mfa.reseal_all(db)
        click.echo(f"Re-encrypted {resealed} second-factor secret(s) under the current key.")
        if unreadable:
            click.echo(f"{unreadable} could not be opened with any listed key: an "
                       "administrator must remove those second factors.", err=True)
            sys.exit(1)

    @app.cli.command("seed-demo")
    def seed_demo():
        """Load demo users and proposals at different stages (demo only)."""
        from ..demo import seed

        with command_session() as db:
            created = seed(db)
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
