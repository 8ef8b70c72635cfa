"""Health checks for probes: /healthz (the process answers), /readyz (the database is ready).

Neither is rate limited, cached, or tied to a visitor: every caller is treated as
anonymous before any other hook runs, so no user is loaded and no cookie is set.
"""

import logging
from functools import cache

from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Blueprint, current_app, g
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from .. import outage
from ..cli.setup import alembic_config
from ..ratelimit import limiter

log = logging.getLogger("reviewapp.health")

bp = Blueprint("health", __name__)
limiter.exempt(bp)


@bp.url_value_preprocessor
def answer_anonymously(_endpoint, _values) -> None:
    """Treat every caller as anonymous: no user is loaded, so the session stays unchanged."""
    # URL value preprocessors run before every before_request hook, including the one that
    # loads the signed-in user (from the database /healthz must not touch) and refreshes
    # the session's last-seen time (which would set a cookie).
    g._login_user = current_app.login_manager.anonymous_user()


@bp.after_request
def never_cache(response):
    """A probe must always see the present state."""
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/healthz")
def healthz():
    """Say the process is up; touches neither the database nor the session."""
    return {"status": "ok"}


@bp.get("/readyz")
def readyz():
    """Say whether the database answers and its schema is at the migrations' head."""
    problem = readiness_problem()
    if problem:
        return {"status": "unavailable", "problem": problem}, 503
    return {"status": "ready"}


@cache
def migration_heads() -> frozenset[str]:
    """Return the head revisions of the migration scripts shipped with this code."""
    return frozenset(ScriptDirectory.from_config(alembic_config("")).get_heads())


def readiness_problem() -> str | None:
    """Return what keeps the app from serving, in a few words, or None when it is ready."""
    # The reading engine: on SQLite the writing one would take the write lock to check.
    engine = current_app.extensions["db_engines"][1]
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            current = frozenset(MigrationContext.configure(connection).get_current_heads())
    except SQLAlchemyError as exc:
        unreachable = outage.is_unreachable(exc)
        log.warning("not ready: %s", "database unreachable" if unreachable else "database error",
                    extra=outage.describe(exc))
        return "database unreachable" if unreachable else "database error"
    expected = migration_heads()
    if current == expected:
        return None
    # Revisions go to the operator's log, not to the public answer (no version banner).
    log.warning("not ready: database at %s, migrations at %s", sorted(current) or "none",
                sorted(expected))
    return "migrations not applied" if not current else "migrations not current"
