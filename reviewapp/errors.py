"""One place that maps domain exceptions and HTTP errors to pages."""

import logging
import uuid

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .permissions import PermissionDenied
from .workflow import TransitionNotAllowed

log = logging.getLogger("reviewapp")


def init_app(app: Flask) -> None:
    """Register the error handlers."""

    @app.errorhandler(PermissionDenied)
    def forbidden(_exc):
        log.info("403 %s %s", request.method, request.path)
        return render_template("errors/error.html", code=403,
                               title="You do not have access to this",
                               message="Your account cannot do this. If you think it "
                                       "should, ask the city clerk."), 403

    @app.errorhandler(TransitionNotAllowed)
    def conflict(exc):
        return render_template("errors/error.html", code=409,
                               title="This step is not possible now", message=str(exc)), 409

    @app.errorhandler(CSRFError)
    def csrf_failed(exc):
        if request.endpoint == "public.comment":
            # A slow commenter's token expired: give the form back with their text.
            from .views.public import comment_form_again

            return comment_form_again(request.view_args["proposal_id"])
        if request.endpoint in ("submit.new", "submit.edit"):
            from .views.submit import proposal_form_again

            return proposal_form_again(request.view_args.get("proposal_id"))
        return render_template("errors/error.html", code=400,
                               title="The form expired",
                               message="For your security the form expired. Go back, "
                                       "reload the page and submit again."), 400

    @app.errorhandler(HTTPException)
    def http_error(exc):
        return render_template("errors/error.html", code=exc.code, title=exc.name,
                               message=exc.description), exc.code

    @app.errorhandler(Exception)
    def server_error(exc):
        error_id = uuid.uuid4().hex[:12]
        log.exception("error %s on %s %s", error_id, request.method, request.path)
        return render_template("errors/error.html", code=500, title="Something went wrong",
                               message=f"The error was recorded with reference {error_id}. "
                                       "Nothing you saved before this was lost."), 500
