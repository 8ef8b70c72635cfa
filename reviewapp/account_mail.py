"""The e-mails staff receive about their accounts: an invitation and a password reset."""

from datetime import datetime

from sqlalchemy.orm import Session

from . import mail
from .models import User


def send_invitation(session: Session, user: User, link: str, site: str, days: int,
                    now: datetime) -> None:
    """Queue the invitation that lets a new account's holder choose a password."""
    mail.queue(session, user.email, f"Your account on {site}", (
        f"Hello {user.name},\n\n"
        f"An account was made for you on {site}, where the city reviews surveillance "
        f"technology in public.\n\n"
        f"Choose your password here (the link works once, for {days} days):\n{link}\n\n"
        "If you did not expect this, ignore this message: nothing happens without the link.\n"
    ), now)


def send_reset(session: Session, user: User, link: str, site: str, minutes: int,
               now: datetime) -> None:
    """Queue a password-reset link."""
    mail.queue(session, user.email, f"Reset your password on {site}", (
        f"Hello {user.name},\n\n"
        f"Someone asked to reset the password of your account on {site}.\n\n"
        f"Choose a new password here (the link works once, for {minutes} minutes):\n"
        f"{link}\n\n"
        "If it was not you, ignore this message: your password has not changed.\n"
    ), now)
