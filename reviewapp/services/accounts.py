"""Creating staff accounts."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import audit
from ..models import Department, Role, User
from ..passwords import hash_password, policy_problem


class AccountProblem(ValueError):
    """The account cannot be created as asked."""


def department_named(session: Session, name: str) -> Department:
    """Return the department with this name, creating it if needed."""
    found = session.scalar(select(Department).where(Department.name == name))
    if found is None:
        found = Department(name=name)
        session.add(found)
        session.flush()
    return found


def create_account(session: Session, *, email: str, name: str, role: str,
                   department: str | None, password: str, now: datetime) -> User:
    """Create a user with an argon2id password hash, enforcing the password policy."""
    problem = policy_problem(password, email)
    if problem:
        raise AccountProblem(problem)
    role_value = Role(role)
    if (role_value is Role.SUBMITTER) != bool(department):
        raise AccountProblem("Submitters need a department; other roles have none.")
    email = email.strip().lower()
    if session.scalar(select(User).where(User.email == email)):
        raise AccountProblem(f"An account for {email} already exists.")
    user = User(email=email, name=name.strip(), role=role_value,
                department_id=department_named(session, department).id if department else None,
                password_hash=hash_password(password), created_at=now)
    session.add(user)
    session.flush()
    audit.record(session, None, "create_account", "account", user.id, now, role=role)
    return user
