"""Sign in and out."""

from datetime import timedelta

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import login_required, login_user, logout_user
from sqlalchemy import select

from forms.accounts import ChangePasswordForm, ForgotPasswordForm, NewPasswordForm
from forms.auth import ConfirmPasswordForm, LoginForm

from .. import account_mail, audit, clock, mfa, throttle
from ..auth import mark_proven, rotate_token, safe_next
from ..db import get_session
from ..mail import send_soon
from ..models import User
from ..passwords import DUMMY_HASH, hash_password, needs_rehash, verify_password
from ..ratelimit import limiter, login_limit
from ..services import accounts
from . import actor, first_errors
from .admin import site_name

bp = Blueprint("auth", __name__, url_prefix="/auth")

WRONG_CODE = ("That code is not right. Use the newest 6-digit code from your authenticator "
              "app (it changes every 30 seconds), or one of your recovery codes.")

# The same words whether or not the account exists (no enumeration).
LOCKED_MESSAGE = ("Too many failed sign-ins for this account. Wait 15 minutes, then try "
                  "again, or ask the city clerk or an administrator to reset your password.")

HOME_FOR_ROLE = {
    "submitter": "submit.index",
    "clerk": "clerk.index",
    "advisory": "advisory.index",
    "council": "council.index",
    "admin": "admin.accounts_list",
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
            if needs_rehash(user.password_hash):
                # Stronger hashing parameters since this hash was made: upgrade it now,
                # while the password is at hand (ASVS 2.4).
                user.password_hash = hash_password(form.password.data)
            target = safe_next(request.args.get("next")
                               or url_for(HOME_FOR_ROLE[user.role.value]))
            if mfa.enrolled(user):
                db.commit()
                # Half way: the password is right, the code is still to come. Failures
                # keep counting against the account until the code is given.
                session.clear()
                session["pending_account"] = user.session_token
                session["pending_since"] = now.isoformat()
                session["pending_next"] = target
                return redirect(url_for("auth.second_factor"))
            throttle.clear(db, email)
            return complete_sign_in(db, user, target)
    return render_template("auth/login.html", form=form), 200 if not form.errors else 400


def complete_sign_in(db, user: User, target: str, **details):
    """Start the account's session, audit it, and go on to `target`."""
    session.clear()  # a new session at sign-in (no fixation)
    # No "remember me": a long-lived cookie would outlast the 30-minute idle and 12-hour
    # limits that ASVS 3.3.2 (level 2) requires.
    login_user(user, remember=False)
    session["signed_in_at"] = session["last_seen"] = clock.now().isoformat()
    mark_proven()
    audit.record(db, user, "login", "account", user.id, clock.now(), **details)
    db.commit()
    return redirect(target)


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
    db = get_session()
    user = db.merge(actor())
    second = mfa.enrolled(user)
    if form.validate_on_submit():
        now = clock.now()
        if throttle.locked_until(db, user.email, now):
            form.password.errors.append(LOCKED_MESSAGE)
        elif not verify_password(user.password_hash, form.password.data):
            form.password.errors.append("That password is not right.")
        elif second and not (mfa.check_code(user, form.code.data or "", now)
                             or mfa.use_recovery_code(db, user, form.code.data or "", now)):
            form.code.errors.append(WRONG_CODE)
        else:
            throttle.clear(db, user.email)
            db.commit()
            mark_proven()
            return redirect(safe_next(request.args.get("next")))
        throttle.record_failure(db, user.email, now)
        db.commit()
    return render_template("auth/confirm.html", form=form, second=second,
                           errors=first_errors(form)), 400 if form.errors else 200


@bp.route("/keepalive", methods=["POST"])
@login_required
def keepalive():
    """Count typing in a long form as activity, so the idle timeout does not strike."""
    return "", 204


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change one's own password; every other session of the account ends."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        db = get_session()
        user = db.merge(actor())
        now = clock.now()
        try:
            if throttle.locked_until(db, user.email, now):
                raise accounts.WrongPassword(LOCKED_MESSAGE)
            accounts.change_password(db, user, form.current.data, form.password.data, now)
        except accounts.WrongPassword as refused:
            # Guessing the current password here counts as failed sign-ins do.
            throttle.record_failure(db, user.email, now)
            db.commit()
            form.current.errors.append(str(refused))
        except accounts.AccountProblem as refused:
            form.password.errors.append(str(refused))
        else:
            db.commit()
            _continue_session(user)
            flash("Your password is changed. Other sessions of your account have ended.")
            return redirect(url_for(HOME_FOR_ROLE[user.role.value]))
    return render_template("auth/change_password.html", form=form,
                           errors=first_errors(form)), 400 if form.errors else 200


def _continue_session(user: User) -> None:
    """Keep this browser signed in under the account's new session token."""
    started = session.get("signed_in_at")
    session.clear()
    login_user(user, remember=False)
    session["signed_in_at"] = started or clock.now().isoformat()
    session["last_seen"] = clock.now().isoformat()


@bp.route("/forgot", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"])
def forgot():
    """Ask for a reset link. The answer is the same whether or not the account exists."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        db = get_session()
        now = clock.now()
        minutes = current_app.config["RESET_MINUTES"]
        made = accounts.request_reset(db, form.email.data, now, timedelta(minutes=minutes))
        if made:
            user, token = made
            account_mail.send_reset(db, user, url_for("auth.reset", token=token,
                                                      _external=True),
                                    site_name(), minutes, now)
        db.commit()
        send_soon(in_background=True)  # either way: the answer's timing tells nothing
        return render_template("auth/forgot_sent.html", minutes=minutes)
    return render_template("auth/forgot.html", form=form, errors=first_errors(form)), \
        400 if form.errors else 200


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset(token: str):
    """Choose a new password through a reset link."""
    return _password_by_link(token, "auth/reset.html")


@bp.route("/welcome/<token>", methods=["GET", "POST"])
def welcome(token: str):
    """Choose the first password of an invited account."""
    return _password_by_link(token, "auth/welcome.html")


def _password_by_link(token: str, template: str):
    """Set a password through a one-time link; an unknown or used link is explained."""
    db = get_session()
    link = accounts.valid_link(db, token[:100], clock.now())
    if link is None:
        return render_template("auth/link_expired.html"), 404
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            user = accounts.set_password_by_link(db, link, form.password.data, clock.now())
            throttle.clear(db, user.email)  # a locked-out person who reset may sign in now
        except accounts.AccountProblem as refused:
            form.password.errors.append(str(refused))
        else:
            db.commit()
            # Its sessions ended with the new session token (this browser's too, if it
            # was signed in to that account); someone else signed in here stays so.
            flash("Your password is set. Sign in with it now.")
            return redirect(url_for("auth.login"))
    return render_template(template, form=form, account=link.user,
                           errors=first_errors(form)), 400 if form.errors else 200
