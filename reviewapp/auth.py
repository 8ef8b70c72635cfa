"""Sign-in with Flask-Login: rotating session tokens, session limits, safe redirects."""

from datetime import datetime
from urllib.parse import urlsplit

from flask import Flask, redirect, request, session, url_for
from flask_login import LoginManager, current_user, logout_user
from sqlalchemy import select

from . import clock
from .db import get_session
from .models import User
from .models.users import new_session_token


class StaffLoginManager(LoginManager):
    """Flask-Login for staff sessions: strong protection of signed-in sessions, no remember-me."""

    def _session_protection_failed(self) -> bool:
        # A resident's session holds only a CSRF token: nothing to protect. Checking it
        # anyway ("strong" mode) rewrote and re-sent the cookie on every response.
        if "_user_id" not in session:
            return False
        return super()._session_protection_failed()

    def _load_user_from_remember_cookie(self, cookie):
        return None  # never issued (sign-in passes remember=False), so never honoured


login_manager = StaffLoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Please sign in to continue."
login_manager.refresh_view = "auth.confirm"
login_manager.needs_refresh_message = "Please confirm your password to continue."
login_manager.session_protection = "strong"


@login_manager.user_loader
def load_user(token: str) -> User | None:
    """Find the user whose current session token this is (rotated on logout)."""
    return get_session().scalar(select(User).where(User.session_token == token, User.active))


def rotate_token(user: User) -> None:
    """Give the user a new session token: every existing session of theirs ends."""
    user.session_token = new_session_token()


def safe_next(target: str | None) -> str:
    """Return `target` if it is a path on this site, else '/' (no open redirects).

    A control character (a line break, say) is refused too: no header may carry it.
    """
    if (not target or not target.startswith("/") or target.startswith("//") or "\\" in target
            or any(ord(ch) < 32 or ord(ch) == 127 for ch in target)):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return "/"
    return target


def _enforce_session_limits(app: Flask) -> None:
    """Sign out after IDLE_TIMEOUT without activity or SESSION_MAX_AGE in all (ASVS 3.3.2)."""
    if not current_user.is_authenticated:
        return
    now = clock.now()
    last = session.get("last_seen")
    started = session.get("signed_in_at")
    idle = last is None or now - datetime.fromisoformat(last) > app.config["IDLE_TIMEOUT"]
    too_old = (started is None or
               now - datetime.fromisoformat(started) > app.config["SESSION_MAX_AGE"])
    if idle or too_old:
        session.clear()
        logout_user()  # after clear(), so Flask-Login's own sign-out markers survive
        return
    session["last_seen"] = now.isoformat()
    proven = session.get("proven_at")
    if session.get("_fresh") and (proven is None or now - datetime.fromisoformat(proven) >
                                  app.config["REAUTH_AFTER"]):
        # Sensitive steps (fresh_login_required) ask for the password and code again.
        session["_fresh"] = False


def mark_proven() -> None:
    """Record that the person just gave their password (and second factor): fresh again."""
    session["_fresh"] = True
    session["proven_at"] = clock.now().isoformat()


# What an account that must set up its second factor may still open before it does.
BEFORE_SECOND_FACTOR = frozenset({"auth.setup_second_factor", "auth.logout", "static",
                                  "health.healthz", "health.readyz"})


def _second_factor_first():
    """Send an account whose role needs a second factor to set one up before anything else."""
    from . import mfa

    if (current_user.is_authenticated and request.endpoint not in BEFORE_SECOND_FACTOR
            and mfa.required_for(current_user) and not mfa.enrolled(current_user)):
        return redirect(url_for("auth.setup_second_factor"))
    return None


def init_app(app: Flask) -> None:
    """Attach the login manager, the session limits and the second-factor requirement."""
    login_manager.init_app(app)
    app.before_request(lambda: _enforce_session_limits(app))
    app.before_request(_second_factor_first)
