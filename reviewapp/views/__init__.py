"""One blueprint per audience; each view loads, checks, validates, calls a service, commits."""

from flask import Flask, abort
from flask_login import current_user

from ..db import get_session
from ..models import Proposal, User
from ..permissions import can_view_private
from ..record import load_proposal


def register_blueprints(app: Flask) -> None:
    """Register every blueprint."""
    # emergency, oversight, review_reports and submit_reports add routes to the audience
    # blueprints; importing them here, before any registration, is what attaches them.
    from . import (  # noqa: F401
        admin,
        advisory,
        auth,
        clerk,
        council,
        emergency,
        feeds,
        health,
        oversight,
        public,
        registry,
        review_reports,
        second_factor,
        submit,
        submit_reports,
    )

    for module in (public, registry, auth, submit, clerk, advisory, council, admin, health):
        app.register_blueprint(module.bp)


def proposal_or_404(proposal_id: int) -> Proposal:
    """Load a proposal the signed-in user may see, with its versions, or answer 404.

    Another department's unsubmitted draft is 404 on every page, staff pages included:
    it is not part of the record yet, and a 403 would say that it exists.
    """
    proposal = load_proposal(get_session(), proposal_id)
    if proposal is None or not can_view_private(current_user, proposal):
        abort(404)
    return proposal


def actor() -> User:
    """Return the signed-in user (views that call this require login)."""
    return current_user._get_current_object()


def first_errors(form) -> list[tuple[str, str]]:
    """Return (field id, message) for every field in error, in form order."""
    found = []

    def walk(field):
        if hasattr(field, "form") and hasattr(field.form, "_fields"):
            for sub in field.form:
                walk(sub)
        elif hasattr(field, "entries"):
            for entry in field.entries:
                walk(entry)
        elif field.errors:
            found.append((field.id, field.errors[0]))

    for field in form:
        walk(field)
    return found
