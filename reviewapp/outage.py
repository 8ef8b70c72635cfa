"""A database that cannot be reached: tell it from other errors, answer with a static page.

The page (static/errors/503.html) is plain HTML read from disk: no template, no
current_user, nothing that needs the database. A reverse proxy can serve the same file
when the app itself is down.
"""

import base64
import hashlib
import logging
import re
from functools import cache
from pathlib import Path

from flask import Response, current_app, g, request
from sqlalchemy import exc as sa_exc

log = logging.getLogger("reviewapp.outage")

PAGE = Path(__file__).resolve().parent / "static" / "errors" / "503.html"
RETRY_AFTER_SECONDS = 120  # "try again in a few minutes"
LOGGED_KEY = "reviewapp.outage_logged"

# PostgreSQL SQLSTATEs that mean "no usable connection", not "a bad query": class 08
# (connection exception), the server shutting down or starting up, no connection slot
# left, and a login the server refused (password, role or database).
PG_UNREACHABLE_CLASSES = ("08",)
PG_UNREACHABLE_STATES = frozenset({"57P01", "57P02", "57P03", "53300", "28000", "28P01",
                                   "3D000"})
# SQLite result codes for a file that cannot be opened or read; a lock or a bad query is
# something else.
SQLITE_UNREACHABLE = ("SQLITE_CANTOPEN", "SQLITE_IOERR", "SQLITE_NOTADB")


def is_unreachable(exc: BaseException) -> bool:
    """Say whether `exc` means the database cannot be reached (rather than a bad query)."""
    if isinstance(exc, sa_exc.TimeoutError):
        return True  # no pooled connection came free: the database is not answering
    if not isinstance(exc, sa_exc.DBAPIError):
        return False
    if exc.connection_invalidated:
        return True  # SQLAlchemy recognised a dropped connection
    original = exc.orig
    if hasattr(original, "sqlstate"):  # psycopg
        state = original.sqlstate
        if state is None:
            # psycopg's own connection failures (refused, timed out, closed) have no SQLSTATE.
            return isinstance(exc, sa_exc.OperationalError | sa_exc.InterfaceError)
        return state.startswith(PG_UNREACHABLE_CLASSES) or state in PG_UNREACHABLE_STATES
    name = getattr(original, "sqlite_errorname", None) or ""
    return name.startswith(SQLITE_UNREACHABLE)


def describe(exc: BaseException) -> dict:
    """Return the kind of failure for a log line: types and codes, never the message.

    A driver's message names hosts and files, and a failed statement's parameters are
    what someone typed.
    """
    original = getattr(exc, "orig", None)
    described = {"error": type(exc).__name__}
    if original is not None:
        described["driver_error"] = f"{type(original).__module__}.{type(original).__name__}"
        code = getattr(original, "sqlstate", None) or getattr(original, "sqlite_errorname", None)
        if code:
            described["code"] = code
    return described


@cache
def page() -> tuple[bytes, str]:
    """Return the static page and a Content-Security-Policy that allows its one style block."""
    html = PAGE.read_bytes()
    style = re.search(rb"<style>(.*?)</style>", html, re.S)
    digest = base64.b64encode(hashlib.sha256(style.group(1) if style else b"").digest())
    csp = (f"default-src 'none'; style-src 'sha256-{digest.decode()}'; base-uri 'none'; "
           "form-action 'none'; frame-ancestors 'none'")
    return html, csp


def respond(exc: BaseException) -> Response:
    """Answer 503 with the static page, logging the failure once for this request."""
    if not request.environ.get(LOGGED_KEY):
        request.environ[LOGGED_KEY] = True
        log.error("database unreachable", extra={
            **describe(exc), "method": request.method, "path": request.path})
    # The signed-in user cannot be loaded now: hooks that run after this (the security
    # headers, a template) must see an anonymous visitor instead of asking the database.
    g._login_user = current_app.login_manager.anonymous_user()
    html, csp = page()
    response = Response(html, status=503, mimetype="text/html")
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = csp
    return response
