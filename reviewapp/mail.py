"""E-mail through an outbox: queued in the event's transaction, sent by any host, once.

`queue` adds a message in the caller's transaction, so a message exists exactly when its
event committed. `send_pending` claims unsent messages one by one with a conditional
UPDATE (so two hosts never send the same one), sends them over SMTP (settings MAIL_*),
marks them sent and erases their bodies (they may hold a one-time link). It runs right
after a request that queued mail, and from `flask --app wsgi send-mail` (cron or a systemd
timer) for whatever is left: a failure is retried later, never lost.

Without MAIL_SERVER (a development machine) a message is written to the log instead.
"""

import logging
import smtplib
import ssl
import threading
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from .config import is_production
from .models import OutboxMessage

log = logging.getLogger("reviewapp.mail")

CLAIM_FOR = timedelta(minutes=5)  # a sender that dies keeps a message this long at most
RETRY_AFTER = timedelta(minutes=2)
GIVE_UP_AFTER = 20  # attempts; the message stays in the outbox with its last error


def queue(session: Session, to_address: str, subject: str, body: str,
          now: datetime) -> OutboxMessage:
    """Add one message to the outbox, in the caller's transaction."""
    message = OutboxMessage(to_address=to_address, subject=subject, body=body,
                            created_at=now, attempts=0, last_error="")
    session.add(message)
    session.flush()
    return message


def _claim(session: Session, message_id: int, now: datetime) -> bool:
    """Take one message for this sender; False if another sender has it or it was sent."""
    taken = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.sent_at.is_(None),
               OutboxMessage.attempts < GIVE_UP_AFTER,
               or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until <= now))
        .values(claimed_until=now + CLAIM_FOR, attempts=OutboxMessage.attempts + 1))
    session.commit()
    return taken.rowcount == 1


def send_pending(session: Session, now: datetime, limit: int = 100) -> tuple[int, int]:
    """Send up to `limit` waiting messages; return (sent, failed)."""
    waiting = session.scalars(
        select(OutboxMessage.id)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.attempts < GIVE_UP_AFTER,
               or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until <= now))
        .order_by(OutboxMessage.id).limit(limit)).all()
    session.commit()
    sent = failed = 0
    for message_id in waiting:
        if not _claim(session, message_id, now):
            continue
        message = session.get(OutboxMessage, message_id)
        try:
            deliver(message.to_address, message.subject, message.body)
        except (OSError, smtplib.SMTPException) as exc:
            failed += 1
            message.claimed_until = now + RETRY_AFTER
            message.last_error = f"{type(exc).__name__}: {exc}"[:300]
            log.warning("message %s not sent (%s); it will be retried", message_id,
                        type(exc).__name__)
        else:
            sent += 1
            message.sent_at = now
            message.body = ""  # it may hold a one-time link: not kept once delivered
        session.commit()
    return sent, failed


def deliver(to_address: str, subject: str, body: str) -> None:
    """Send one message over SMTP now (or log it when no MAIL_SERVER is set)."""
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = to_address
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain=config["MAIL_FROM"].rsplit("@", 1)[-1]
                                       .strip("> "))
    message.set_content(body)
    server = config.get("MAIL_SERVER")
    if not server:
        if is_production(config):
            # A one-time link in a log is a password for whoever reads the log.
            raise OSError("MAIL_SERVER is not set: the message waits in the outbox")
        log.info("MAIL_SERVER is not set; message to %s: %s\n%s", to_address, subject, body)
        return
    port = int(config["MAIL_PORT"])
    timeout = float(config["MAIL_TIMEOUT"])
    if config.get("MAIL_USE_SSL"):
        smtp = smtplib.SMTP_SSL(server, port, timeout=timeout,
                                context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(server, port, timeout=timeout)
    with smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        smtp.send_message(message)



def send_soon(in_background: bool = False) -> None:
    """Try to send what a request just queued; whatever fails waits for `flask send-mail`.

    in_background: send from another thread, so that the answer takes as long whether or
    not a message was queued (the "forgot password" page must not tell who has an account).
    """
    if in_background:
        app = current_app._get_current_object()
        threading.Thread(target=_send_in_context, args=(app,), daemon=True).start()
        return
    _send_now()


def _send_in_context(app) -> None:
    with app.app_context():
        _send_now()


def _send_now() -> None:
    from . import clock

    try:
        with current_app.extensions["db_sessionmaker"]() as session:
            send_pending(session, clock.now(), limit=5)
    except Exception:  # the message is committed; the request must not fail over e-mail
        log.exception("sending right away failed; `flask send-mail` will retry")
