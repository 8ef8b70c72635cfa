"""What staff sign-in needs beyond the account: failed-attempt counters and one-time links."""

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, enum_column
from .users import User


class SignInThrottle(Base):
    """Failed sign-ins for one typed e-mail address in the current window.

    Kept in the database, so every worker and host counts together with or without Redis.
    The address is stored only as a keyed hash, and an address with no account is counted
    like any other, so the counter tells nobody which accounts exist.
    """

    __tablename__ = "sign_in_throttle"

    account_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LinkPurpose(enum.StrEnum):
    """What a one-time link sent by e-mail lets its holder do."""

    INVITATION = "invitation"  # set the first password of a new account
    RESET = "reset"  # set a new password after "forgot password" or a forced reset


class AccountLink(Base):
    """A one-time link for an account; only the SHA-256 of its token is kept."""

    __tablename__ = "account_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    purpose: Mapped[LinkPurpose] = mapped_column(enum_column(LinkPurpose, "link_purpose"))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class RecoveryCode(Base):
    """A one-time code that stands in for the second factor; only its SHA-256 is kept."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    code_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
