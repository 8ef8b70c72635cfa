"""`flask send-mail`: send the e-mail waiting in the outbox (cron or a systemd timer)."""

import sys

import click
from flask import Flask

from .. import clock, mail


def register_mail_command(app: Flask) -> None:
    """Attach `flask send-mail`."""

    @app.cli.command("send-mail")
    @click.option("--limit", default=500, show_default=True,
                  help="Send at most this many messages.")
    def send_mail(limit: int):
        """Send the e-mail waiting in the outbox; several hosts may run it at once."""
        from . import command_session

        with command_session() as session:
            sent, failed = mail.send_pending(session, clock.now(), limit)
        click.echo(f"Sent {sent} message(s); {failed} failed and will be retried.")
        if failed:
            sys.exit(1)
