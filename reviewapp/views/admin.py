"""The administrator's pages: staff accounts (list, invite, role, deactivate, reset)."""

from datetime import timedelta

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import fresh_login_required, login_required
from sqlalchemy import select

from forms.accounts import InviteForm, RoleFields

from .. import account_mail, clock, mfa, paging
from ..db import get_session
from ..jurisdiction import profile
from ..mail import send_soon
from ..models import User
from ..permissions import can_administer, require
from ..services import accounts
from . import actor, first_errors

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@login_required
def _admin_only():
    """Every page here needs the administrator role."""
    require(can_administer(actor()))


def site_name() -> str:
    """Name the site in e-mails: the jurisdiction's surveillance review."""
    return f"{profile().jurisdiction} surveillance review"


@bp.route("/accounts")
def accounts_list():
    """Every staff account, a page at a time, newest first."""
    page = paging.keyset_page(get_session(), select(User), User.id, lambda u: u.id,
                              request.args, paging.per_page(), descending=True)
    return render_template("admin/accounts.html", page=page)


@bp.route("/accounts/new", methods=["GET", "POST"])
@fresh_login_required
def invite():
    """Create an account; its holder chooses the password through an e-mailed link."""
    form = InviteForm()
    if form.validate_on_submit():
        db = get_session()
        now = clock.now()
        days = current_app.config["INVITATION_DAYS"]
        try:
            user, token = accounts.invite_account(
                db, actor(), email=form.email.data, name=form.name.data, role=form.role.data,
                department=form.department.data, now=now, lifetime=timedelta(days=days))
        except accounts.AccountProblem as problem:
            form.email.errors.append(str(problem))
        else:
            account_mail.send_invitation(
                db, user, url_for("auth.welcome", token=token, _external=True), site_name(),
                days, now)
            db.commit()
            send_soon()
            flash(f"Invitation sent to {user.email}. The link works for {days} days.")
            return redirect(url_for("admin.account", user_id=user.id))
    return render_template("admin/invite.html", form=form, errors=first_errors(form)), \
        400 if form.errors else 200


def _account_or_404(user_id: int) -> User:
    """Load an account, or answer 404."""
    user = get_session().get(User, user_id)
    if user is None:
        abort(404)
    return user


def _role_form(user: User, formdata=None) -> RoleFields:
    """The role form, filled with the account's role and department."""
    return RoleFields(formdata=formdata, data={
        "role": user.role.value, "department": user.department.name if user.department else ""})


@bp.route("/accounts/<int:user_id>", methods=["GET", "POST"])
@fresh_login_required
def account(user_id: int):
    """One account: its role and department, and whether it may sign in."""
    user = _account_or_404(user_id)
    form = _role_form(user, request.form if request.method == "POST" else None)
    problem = ""
    if request.method == "POST" and form.validate():
        db = get_session()
        try:
            accounts.change_role(db, actor(), user, form.role.data, form.department.data,
                                 clock.now())
        except accounts.AccountProblem as refused:
            problem = str(refused)
        else:
            db.commit()
            flash(f"{user.name}'s role is saved. Their sessions were ended.")
            return redirect(url_for("admin.account", user_id=user.id))
    status = 400 if (form.errors or problem) else 200
    return render_template("admin/account.html", user=user, form=form, problem=problem,
                           errors=first_errors(form)), status


@bp.route("/accounts/<int:user_id>/active", methods=["POST"])
@fresh_login_required
def set_active(user_id: int):
    """Deactivate an account (it is signed out everywhere), or reactivate it."""
    user = _account_or_404(user_id)
    active = request.form.get("active") == "1"
    db = get_session()
    try:
        accounts.set_active(db, actor(), user, active, clock.now())
    except accounts.AccountProblem as refused:
        flash(str(refused))
    else:
        db.commit()
        flash(f"{user.name} can sign in again." if active else
              f"{user.name} can no longer sign in, and was signed out everywhere.")
    return redirect(url_for("admin.account", user_id=user.id))


@bp.route("/accounts/<int:user_id>/reset", methods=["POST"])
@fresh_login_required
def force_reset(user_id: int):
    """Void the password and sessions, and e-mail the holder a link to choose a new one."""
    user = _account_or_404(user_id)
    db = get_session()
    now = clock.now()
    minutes = current_app.config["RESET_MINUTES"]
    try:
        token = accounts.force_reset(db, actor(), user, now, timedelta(minutes=minutes))
    except accounts.AccountProblem as refused:
        flash(str(refused))
    else:
        account_mail.send_reset(db, user, url_for("auth.reset", token=token, _external=True),
                                site_name(), minutes, now)
        db.commit()
        send_soon()
        flash(f"{user.name}'s password no longer works. A link to choose a new one was "
              f"sent to {user.email}.")
    return redirect(url_for("admin.account", user_id=user.id))


@bp.route("/accounts/<int:user_id>/second-factor", methods=["POST"])
@fresh_login_required
def remove_second_factor(user_id: int):
    """Remove the second factor of someone who lost their phone; they set it up again."""
    user = _account_or_404(user_id)
    db = get_session()
    mfa.remove(db, actor(), user, clock.now())
    db.commit()
    flash(f"{user.name}'s second factor is removed and their sessions ended. They set up a "
          "new one when they next sign in.")
    return redirect(url_for("admin.account", user_id=user.id))
