"""Sign in and out."""

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import confirm_login, current_user, login_required, login_user, logout_user
from sqlalchemy import select

from forms.auth import ConfirmPasswordForm, LoginForm

from .. import audit, clock, throttle
from ..auth import rotate_token, safe_next
from ..db import get_session
from ..models import User
from ..passwords import DUMMY_HASH, hash_password, needs_rehash, verify_password
from ..ratelimit import limiter, login_limit
from . import actor

bp = Blueprint("auth", __name__, url_prefix="/auth")

# The same words whether or not the account exists (no enumeration).
LOCKED_MESSAGE = ("Too many failed sign-ins for this account. Wait 15 minutes, then try "
                  "again, or ask the city clerk or an administrator to reset your password.")

HOME_FOR_ROLE = {
    "submitter": "submit.index",
    "clerk": "clerk.index",
    "advisory": "advisory.index",
    "council": "council.index",
    "admin": "public.index",
}


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def login():
    """Show the sign-in form and sign the person in."""
    form = LoginForm()
    if form.validate_on_submit():
        db = get_session()
        now = clock.now()
        email = form.email.data.strip().lower()
        if throttle.locked_until(db, email, now):
            # The password is not even checked while locked: guessing gains nothing.
            form.password.errors.append(LOCKED_MESSAGE)
            return render_template("auth/login.html", form=form), 429
        user = db.scalar(select(User).where(User.email == email))
        valid = verify_password(user.password_hash if user else DUMMY_HASH, form.password.data)
        if user is None or not valid or not user.active:
            throttle.record_failure(db, email, now)
            audit.record(db, None, "login_failed", "account", "-", now)
            db.commit()
            form.password.errors.append("The email address or password is not right.")
        else:
            throttle.clear(db, email)
            if needs_rehash(user.password_hash):
                # Stronger hashing parameters since this hash was made: upgrade it now,
                # while the password is at hand (ASVS 2.4).
                user.password_hash = hash_password(form.password.data)
            session.clear()  # a new session at sign-in (no fixation)
            # No "remember me": a long-lived cookie would outlast the 30-minute idle and
            # 12-hour limits that ASVS 3.3.2 (level 2) requires.
            login_user(user, remember=False)
            session["signed_in_at"] = session["last_seen"] = clock.now().isoformat()
            audit.record(db, user, "login", "account", user.id, clock.now())
            db.commit()
            target = request.args.get("next") or url_for(HOME_FOR_ROLE[user.role.value])
            return redirect(safe_next(target))
    return render_template("auth/login.html", form=form), 200 if not form.errors else 400


def login_form_after_limit():
    """Re-render the sign-in form, e-mail kept, when there were too many attempts."""
    form = LoginForm()
    form.password.errors = ["Too many sign-in attempts from this connection. Wait a few "
                            "minutes, then try again."]
    return render_template("auth/login.html", form=form), 429


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Sign out everywhere: the session token is rotated so copied cookies stop working."""
    db = get_session()
    user = db.merge(actor())
    rotate_token(user)
    audit.record(db, user, "logout", "account", user.id, clock.now())
    db.commit()
    logout_user()
    session.clear()
    flash("You are signed out.")
    response = redirect(url_for("public.index"))
    # The browser forgets the unsaved text it kept (draft-keeper.js): on a shared computer
    # the next person must not be offered it.
    response.headers["Clear-Site-Data"] = '"storage"'
    return response


@bp.route("/confirm", methods=["GET", "POST"])
@login_required
def confirm():
    """Ask for the password again before a sensitive action (ASVS 3.7.1)."""
    form = ConfirmPasswordForm()
    if form.validate_on_submit():
        if verify_password(current_user.password_hash, form.password.data):
            confirm_login()
            return redirect(safe_next(request.args.get("next")))
        form.password.errors.append("That password is not right.")
    return render_template("auth/confirm.html", form=form)


@bp.route("/keepalive", methods=["POST"])
@login_required
def keepalive():
    """Count typing in a long form as activity, so the idle timeout does not strike."""
    return "", 204
