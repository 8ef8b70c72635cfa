"""One place that maps domain exceptions and HTTP errors to pages.

Every page here renders through base.html, which asks for the signed-in user, and so the
database. When the database cannot be reached, at any point of the request, the answer is
the static 503 page (outage.py) instead: an error page never fails in turn.
"""

import logging
from functools import wraps

from flask import Flask, Response, render_template, request
from flask.globals import request_ctx
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from . import outage
from .logs import loggable_path, request_id
from .permissions import PermissionDenied
from .workflow import TransitionNotAllowed

log = logging.getLogger("reviewapp")


def _comment_after_limit():
    from .views.public import comment_form_after_limit

    return comment_form_after_limit(request.view_args["proposal_id"])


def _login_after_limit():
    from .views.auth import login_form_after_limit

    return login_form_after_limit()


AFTER_LIMIT = {"public.comment": _comment_after_limit, "auth.login": _login_after_limit}


def error_page(code: int, title: str, message: str):
    """Render the error page with this status."""
    return render_template("errors/error.html", code=code, title=title, message=message), code


def falls_back_when_database_down(handler):
    """Wrap an error handler: if it needs the database and cannot reach it, answer 503."""

    @wraps(handler)
    def guarded(exc):
        try:
            return handler(exc)
        except Exception as failure:
            if outage.is_unreachable(failure):
                return outage.respond(failure)
            raise

    return guarded


def _record_refusal() -> None:
    """Log a refused request, and audit it when a signed-in account was refused (ASVS 7.2.2).

    Staff only: a refused visitor has no identity to record, and none is kept.
    """
    from flask_login import current_user

    from . import audit, clock
    from .db import get_session

    if not current_user.is_authenticated:
        log.info("403 %s %s", request.method, loggable_path(request.path))
        return
    log.warning("403 %s %s account %s", request.method, loggable_path(request.path),
                current_user.id)
    db = get_session()
    db.rollback()  # nothing the refused request began is kept
    # The path as logged, cut to the column's 80 characters (a path may be longer).
    audit.record(db, current_user, "access_refused", "route", loggable_path(request.path)[:80],
                 clock.now(), method=request.method)
    db.commit()


def init_app(app: Flask) -> None:
    """Register the error handlers."""
    outage.page()  # read now: a missing page should stop start-up, not the first outage

    @app.errorhandler(PermissionDenied)
    @falls_back_when_database_down
    def forbidden(_exc):
        _record_refusal()
        return error_page(403, "You do not have access to this",
                          "Your account cannot do this. If you think it should, ask the "
                          "city clerk.")

    @app.errorhandler(TransitionNotAllowed)
    @falls_back_when_database_down
    def conflict(exc):
        return error_page(409, "This step is not possible now", str(exc))

    @app.errorhandler(CSRFError)
    @falls_back_when_database_down
    def csrf_failed(exc):
        if request.endpoint == "public.comment":
            # A slow commenter's token expired: give the form back with their text.
            from .views.public import comment_form_again

            return comment_form_again(request.view_args["proposal_id"])
        if request.endpoint in ("submit.new", "submit.edit"):
            from .views.submit import proposal_form_again

            return proposal_form_again(request.view_args.get("proposal_id"))
        return error_page(400, "The form expired",
                          "For your security the form expired. Go back, reload the page and "
                          "submit again.")

    @app.errorhandler(HTTPException)
    @falls_back_when_database_down
    def http_error(exc):
        # Flask wraps an exception no handler took (one raised by a response hook) in a 500.
        original = getattr(exc, "original_exception", None)
        if original is not None and outage.is_unreachable(original):
            return outage.respond(original)
        if exc.code == 429 and request.endpoint in AFTER_LIMIT:
            # Too many at once: give the form back with what was typed.
            return AFTER_LIMIT[request.endpoint]()
        if request_ctx.url_adapter is None:
            # The Host header is not one of TRUSTED_HOSTS: no URL may be built from it, so
            # the answer has no links at all.
            return Response("400 Bad Request: this site does not answer to that host name.\n",
                            400, mimetype="text/plain")
        return error_page(exc.code, exc.name, exc.description)

    @app.errorhandler(Exception)
    @falls_back_when_database_down
    def server_error(exc):
        if outage.is_unreachable(exc):
            return outage.respond(exc)
        reference = request_id()
        log.exception("error %s on %s %s", reference, request.method,
                      loggable_path(request.path))
        return error_page(500, "Something went wrong",
                          f"The error was recorded with reference {reference}. Nothing you "
                          "saved before this was lost.")
