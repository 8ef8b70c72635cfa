"""The second factor's pages: the code at sign-in, and setting it up (routes of `auth`)."""

from datetime import datetime, timedelta

from flask import current_app, flash, redirect, render_template, session, url_for
from flask_login import login_fresh, login_required
from sqlalchemy import select

from forms.auth import SecondFactorForm, SetUpSecondFactorForm

from .. import audit, clock, mfa, throttle
from ..auth import mark_proven
from ..db import get_session
from ..models import User
from ..ratelimit import limiter, login_limit
from . import actor, first_errors
from .admin import site_name
from .auth import LOCKED_MESSAGE, WRONG_CODE, bp, complete_sign_in

PENDING_FOR = timedelta(minutes=5)  # between the password and the code


def _pending_account() -> User | None:
    """Return the account whose password was just given, if that was recently."""
    token, since = session.get("pending_account"), session.get("pending_since")
    if not token or not since or clock.now() - datetime.fromisoformat(since) > PENDING_FOR:
        return None
    return get_session().scalar(select(User).where(User.session_token == token, User.active))


@bp.route("/second-factor", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def second_factor():
    """The second step of signing in: a code from the app, or a recovery code."""
    user = _pending_account()
    if user is None:
        session.pop("pending_account", None)
        flash("Please sign in again.")
        return redirect(url_for("auth.login"))
    form = SecondFactorForm()
    status = 200
    if form.validate_on_submit():
        db = get_session()
        now = clock.now()
        if throttle.locked_until(db, user.email, now):
            form.code.errors.append(LOCKED_MESSAGE)
            return render_template("auth/second_factor.html", form=form,
                                   errors=first_errors(form)), 429
        if mfa.check_code(user, form.code.data, now):
            method = "app"
        elif mfa.use_recovery_code(db, user, form.code.data, now):
            method = "recovery code"
        else:
            throttle.record_failure(db, user.email, now)
            audit.record(db, None, "second_factor_failed", "account", user.id, now)
            db.commit()
            form.code.errors.append(WRONG_CODE)
            return render_template("auth/second_factor.html", form=form,
                                   errors=first_errors(form)), 400
        throttle.clear(db, user.email)
        target = session.get("pending_next") or url_for("public.index")
        left = mfa.unused_recovery_codes(db, user) if method == "recovery code" else None
        response = complete_sign_in(db, user, target, second_factor=method)
        if left is not None:
            flash(f"You signed in with a recovery code; {left} remain. Set up your "
                  "authenticator again from the Password page if your phone is lost.")
        return response
    elif form.errors:
        status = 400
    return render_template("auth/second_factor.html", form=form,
                           errors=first_errors(form)), status


@bp.route("/second-factor/set-up", methods=["GET", "POST"])
@login_required
def setup_second_factor():
    """Set up (or replace) the account's authenticator app, and show recovery codes once."""
    db = get_session()
    user = db.merge(actor())
    if mfa.enrolled(user) and not login_fresh():
        # Replacing it needs the password and the current second factor first.
        return current_app.login_manager.needs_refresh()
    kept = session.get("setup_secret")
    secret = mfa.unseal(kept) if kept else None
    if secret is None:
        secret = mfa.new_secret()
        # Kept, encrypted, in this person's session cookie until the app proves it has it:
        # a signed cookie can be read, so never the secret in clear.
        session["setup_secret"] = mfa.seal(secret)
    form = SetUpSecondFactorForm()
    if form.validate_on_submit():
        codes = mfa.enroll(db, user, secret, form.code.data, clock.now())
        if codes is not None:
            db.commit()
            session.pop("setup_secret", None)
            mark_proven()
            return render_template("auth/recovery_codes.html", codes=codes)
        form.code.errors.append("That code does not match. Check that the app added this "
                                "account, then type the code it shows now.")
    uri = mfa.setup_uri(user, secret, site_name())
    return render_template("auth/setup_second_factor.html", form=form, qr=mfa.qr_data_uri(uri),
                           key=mfa.spaced(secret), required=mfa.required_for(user),
                           replacing=mfa.enrolled(user), errors=first_errors(form)), \
        400 if form.errors else 200
