"""People who sign in, and the departments that submit proposals."""

import enum
import secrets
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, enum_column, utcnow


class Role(enum.StrEnum):
    """What a signed-in person does in the process."""

    SUBMITTER = "submitter"
    CLERK = "clerk"
    ADVISORY = "advisory"
    COUNCIL = "council"
    ADMIN = "admin"


class Department(Base):
    """A city department that proposes surveillance technology (e.g. the police)."""

    __tablename__ = "department"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)


def new_session_token() -> str:
    """Return a fresh random token; rotating it signs out every copy of a session."""
    return secrets.token_urlsafe(32)


class User(Base):
    """A staff account; the public never needs one."""

    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint(
            "(role = 'submitter') = (department_id IS NOT NULL)", name="department_iff_submitter"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    password_hash: Mapped[str] = mapped_column(String(200))
    session_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_session_token)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The TOTP secret (RFC 6238), encrypted with a key the database never holds (mfa.py);
    # NULL until the second factor is set up.
    totp_secret_sealed: Mapped[str | None] = mapped_column(String(300))
    # The newest 30-second step whose code was accepted: a code is never accepted twice.
    totp_last_step: Mapped[int | None]

    department: Mapped[Department | None] = relationship()

    # Flask-Login protocol. get_id returns the rotatable token, not the row id, so that
    # logout and password change invalidate copied cookies (ASVS 3.3.1).
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return self.session_token
