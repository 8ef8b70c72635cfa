"""Staff accounts: creation, invitations, password changes and resets, administration.

Every change is audited. A password is set only through a one-time link (invitation or
reset, kept as the SHA-256 of its token) or by the person who knows the current one.
Setting a password, deactivating an account or changing its role rotates its session
token, which signs out every copy of its sessions.
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from .. import audit
from ..models import AccountLink, Department, LinkPurpose, Role, User
from ..models.users import new_session_token
from ..passwords import hash_password, policy_problem, verify_password

RESETS_PER_HOUR = 3  # "forgot password" mails per account an hour: no mail-bombing


class AccountProblem(ValueError):
    """The account cannot be changed as asked; the message says why, for the person."""


class WrongPassword(AccountProblem):
    """The current password given is not the account's."""


def department_named(session: Session, name: str) -> Department:
    """Return the department with this name, creating it if needed."""
    found = session.scalar(select(Department).where(Department.name == name))
    if found is None:
        found = Department(name=name)
        session.add(found)
        session.flush()
    return found


def _checked_role(role: str, department: str | None) -> Role:
    """Return the role, refusing a department where there must be none or lacks one."""
    role_value = Role(role)
    if (role_value is Role.SUBMITTER) != bool((department or "").strip()):
        raise AccountProblem("A department's staff need a department; other roles have none.")
    return role_value


def create_account(session: Session, *, email: str, name: str, role: str,
                   department: str | None, password: str, now: datetime) -> User:
    """Create a user with an argon2id password hash, enforcing the password policy."""
    problem = policy_problem(password, email)
    if problem:
        raise AccountProblem(problem)
    user = _new_user(session, email=email, name=name, role=role, department=department,
                     password_hash=hash_password(password), now=now)
    audit.record(session, None, "create_account", "account", user.id, now, role=role)
    return user


def _new_user(session: Session, *, email: str, name: str, role: str, department: str | None,
              password_hash: str, now: datetime) -> User:
    role_value = _checked_role(role, department)
    email = email.strip().lower()
    if session.scalar(select(User).where(User.email == email)):
        raise AccountProblem(f"An account for {email} already exists.")
    user = User(email=email, name=name.strip(), role=role_value,
                department_id=department_named(session, department.strip()).id
                if role_value is Role.SUBMITTER else None,
                password_hash=password_hash, created_at=now)
    session.add(user)
    session.flush()
    return user


def _unusable_hash() -> str:
    """Return the hash of a random password nobody knows (an account not yet set up)."""
    return hash_password(secrets.token_urlsafe(32))


def token_digest(token: str) -> str:
    """Return the SHA-256 that stands for a link's token in the database."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _new_link(session: Session, user: User, purpose: LinkPurpose, now: datetime,
              lifetime: timedelta) -> str:
    """Make a one-time link for the user; return its token (never stored as is)."""
    # A new link replaces the user's earlier unused ones of any purpose.
    session.execute(update(AccountLink)
                    .where(AccountLink.user_id == user.id, AccountLink.used_at.is_(None))
                    .values(used_at=now))
    token = secrets.token_urlsafe(32)
    session.add(AccountLink(user_id=user.id, purpose=purpose, token_sha256=token_digest(token),
                            created_at=now, expires_at=now + lifetime))
    session.flush()
    return token


def invite_account(session: Session, admin: User, *, email: str, name: str, role: str,
                   department: str | None, now: datetime,
                   lifetime: timedelta) -> tuple[User, str]:
    """Create an account whose password its holder sets through an invitation link."""
    user = _new_user(session, email=email, name=name, role=role, department=department,
                     password_hash=_unusable_hash(), now=now)
    token = _new_link(session, user, LinkPurpose.INVITATION, now, lifetime)
    audit.record(session, admin, "invite_account", "account", user.id, now, role=role)
    return user, token


def resets_in_last_hour(session: Session, user: User, now: datetime) -> int:
    """Count the reset links made for the user in the last hour (a handful at most)."""
    return session.scalar(select(func.count()).select_from(AccountLink).where(
        AccountLink.user_id == user.id, AccountLink.purpose == LinkPurpose.RESET,
        AccountLink.created_at > now - timedelta(hours=1)))


def request_reset(session: Session, email: str, now: datetime,
                  lifetime: timedelta) -> tuple[User, str] | None:
    """Make a reset link for an active account with this address; None otherwise.

    The caller answers the same either way: the page never says whether the account exists.
    """
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.active or resets_in_last_hour(session, user, now) >= \
            RESETS_PER_HOUR:
        return None
    token = _new_link(session, user, LinkPurpose.RESET, now, lifetime)
    audit.record(session, None, "request_password_reset", "account", user.id, now)
    return user, token


def valid_link(session: Session, token: str, now: datetime) -> AccountLink | None:
    """Return the unused, unexpired link of an active account with this token, or None."""
    link = session.scalar(select(AccountLink)
                          .where(AccountLink.token_sha256 == token_digest(token)))
    if link is None or link.used_at is not None or link.expires_at <= now:
        return None
    return link if link.user.active else None


def set_password_by_link(session: Session, link: AccountLink, password: str,
                         now: datetime) -> User:
    """Set the account's password through its link, which is used up; sign out elsewhere."""
    user = link.user
    problem = policy_problem(password, user.email)
    if problem:
        raise AccountProblem(problem)
    user.password_hash = hash_password(password)
    user.session_token = new_session_token()
    link.used_at = now
    session.flush()
    audit.record(session, user, "set_password", "account", user.id, now,
                 by=link.purpose.value)
    return user


def change_password(session: Session, user: User, current: str, new: str,
                    now: datetime) -> None:
    """Change one's own password, knowing the current one; other sessions end."""
    if not verify_password(user.password_hash, current):
        raise WrongPassword("That is not your current password.")
    if current == new:
        raise AccountProblem("Choose a password different from the current one.")
    problem = policy_problem(new, user.email)
    if problem:
        raise AccountProblem(problem)
    user.password_hash = hash_password(new)
    user.session_token = new_session_token()
    session.flush()
    audit.record(session, user, "change_password", "account", user.id, now)


def _not_oneself(admin: User, user: User, what: str) -> None:
    if admin.id == user.id:
        raise AccountProblem(f"You cannot {what} your own account: ask another administrator.")


def set_active(session: Session, admin: User, user: User, active: bool, now: datetime) -> None:
    """Deactivate (signing out everywhere) or reactivate an account."""
    _not_oneself(admin, user, "deactivate" if not active else "reactivate")
    if user.active == active:
        return
    user.active = active
    user.session_token = new_session_token()
    session.flush()
    audit.record(session, admin, "activate_account" if active else "deactivate_account",
                 "account", user.id, now)


def change_role(session: Session, admin: User, user: User, role: str, department: str | None,
                now: datetime) -> None:
    """Give an account another role or department; its sessions end."""
    _not_oneself(admin, user, "change the role of")
    role_value = _checked_role(role, department)
    department_id = (department_named(session, department.strip()).id
                     if role_value is Role.SUBMITTER else None)
    if (user.role, user.department_id) == (role_value, department_id):
        return
    before = f"{user.role.value}/{user.department_id or '-'}"
    user.role, user.department_id = role_value, department_id
    user.session_token = new_session_token()
    session.flush()
    audit.record(session, admin, "change_role", "account", user.id, now, before=before,
                 after=f"{role_value.value}/{department_id or '-'}")


def force_reset(session: Session, admin: User, user: User, now: datetime,
                lifetime: timedelta) -> str:
    """Void the account's password and sessions; return a reset link's token for it."""
    _not_oneself(admin, user, "force a reset of")
    user.password_hash = _unusable_hash()
    user.session_token = new_session_token()
    token = _new_link(session, user, LinkPurpose.RESET, now, lifetime)
    audit.record(session, admin, "force_password_reset", "account", user.id, now)
    return token
