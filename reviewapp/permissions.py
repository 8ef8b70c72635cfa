"""Who may do what: can_<verb>(user, obj) predicates used by views and templates alike.

These answer 'who'; the workflow answers 'when'. A template shows a button only when both
agree, and the view refuses the POST on the same predicate.
"""

import logging
from functools import wraps

from .models import Proposal, Role, Stage, User

log = logging.getLogger("reviewapp.permissions")

EDITABLE_STAGES = frozenset({Stage.DRAFT, Stage.RETURNED, Stage.REVISIONS_REQUESTED})


class PermissionDenied(Exception):
    """The signed-in user may not do this."""


def fails_closed(predicate):
    """Make a predicate answer 'no' when it raises (ASVS 4.1.5): a refusal, not a 500."""

    @wraps(predicate)
    def checked(*args, **kwargs) -> bool:
        try:
            return bool(predicate(*args, **kwargs))
        except Exception:
            log.exception("permission check %s failed; access refused", predicate.__name__)
            return False

    return checked


def _has_role(user, role: Role) -> bool:
    return bool(user and getattr(user, "is_authenticated", False) and user.role is role)


@fails_closed
def is_staff(user) -> bool:
    """Say whether the user is signed in with any staff role."""
    return bool(user and getattr(user, "is_authenticated", False))


@fails_closed
def can_create_proposal(user) -> bool:
    """Department staff may start proposals for their department."""
    return _has_role(user, Role.SUBMITTER)


@fails_closed
def can_view_private(user, proposal: Proposal) -> bool:
    """Drafts are visible only to their department; everything else is public."""
    if proposal.stage is not Stage.DRAFT:
        return True
    return _has_role(user, Role.SUBMITTER) and user.department_id == proposal.department_id


@fails_closed
def can_edit(user, proposal: Proposal) -> bool:
    """The department may edit while the proposal is with it (draft or returned)."""
    return (
        _has_role(user, Role.SUBMITTER)
        and user.department_id == proposal.department_id
        and proposal.stage in EDITABLE_STAGES
    )


@fails_closed
def can_withdraw(user, proposal: Proposal) -> bool:
    """The department may withdraw its own proposal."""
    return _has_role(user, Role.SUBMITTER) and user.department_id == proposal.department_id


@fails_closed
def can_manage_process(user) -> bool:
    """The clerk runs intake, comment periods, hearings, moderation and issuance."""
    return _has_role(user, Role.CLERK)


@fails_closed
def can_advise(user, proposal: Proposal) -> bool:
    """Advisory members recommend, except on a proposal they submitted."""
    return _has_role(user, Role.ADVISORY) and user.id != proposal.created_by_id


@fails_closed
def can_vote(user, proposal: Proposal) -> bool:
    """Council members vote, except on a proposal they submitted (separation of duties)."""
    return _has_role(user, Role.COUNCIL) and user.id != proposal.created_by_id


@fails_closed
def can_file_report(user, proposal: Proposal) -> bool:
    """The technology's own department files its annual reports."""
    return _has_role(user, Role.SUBMITTER) and user.department_id == proposal.department_id


@fails_closed
def can_review_report(user) -> bool:
    """The clerk and advisory members review filed annual reports."""
    return _has_role(user, Role.CLERK) or _has_role(user, Role.ADVISORY)


@fails_closed
def can_administer(user) -> bool:
    """Administrators manage users and departments."""
    return _has_role(user, Role.ADMIN)


def require(allowed: bool) -> None:
    """Raise PermissionDenied unless `allowed`."""
    if not allowed:
        raise PermissionDenied()


__all__ = [
    "PermissionDenied", "User", "can_administer", "can_advise", "can_create_proposal",
    "can_edit", "can_file_report", "can_manage_process", "can_review_report",
    "can_view_private", "can_vote", "can_withdraw", "is_staff", "require",
]
