"""Council members' pages: the agenda and the vote."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import fresh_login_required, login_required
from sqlalchemy import select

from forms import options
from forms.council import VoteForm

from .. import clock, record
from ..db import get_session
from ..jurisdiction import profile
from ..models import Hearing, Proposal, Role, Stage, VoteChoice
from ..permissions import can_vote, require
from ..services import council
from . import actor, first_errors, proposal_or_404

bp = Blueprint("council", __name__, url_prefix="/council")

MEMBER_CHOICES = [c for c in VoteChoice.choices() if c[0] != VoteChoice.ABSENT.value]


@bp.before_request
@login_required
def _council_only():
    """Every page here needs the council role."""
    require(actor().role is Role.COUNCIL)


@bp.route("/")
def index():
    """The agenda: proposals scheduled for a hearing, by date."""
    db = get_session()
    rows = db.execute(
        select(Proposal, Hearing).join(Hearing, Hearing.proposal_id == Proposal.id)
        .where(Proposal.stage == Stage.HEARING_SCHEDULED).order_by(Hearing.id)
    ).all()
    latest = {}
    for proposal, hearing in rows:
        latest[proposal.id] = (proposal, hearing)  # later hearings replace earlier ones
    agenda = sorted(latest.values(), key=lambda row: (row[1].hearing_date, row[0].id))
    return render_template("council/index.html", agenda=agenda)


@bp.route("/proposals/<int:proposal_id>", methods=["GET", "POST"])
@fresh_login_required
def vote(proposal_id: int):
    """Cast the member's own vote on the open motion."""
    item = proposal_or_404(proposal_id)
    require(can_vote(actor(), item))
    db = get_session()
    form = VoteForm()
    form.choice.choices = options(MEMBER_CHOICES)
    if form.validate_on_submit():
        council.cast_vote(db, item, actor(), clock.now(), profile(), form.choice.data)
        db.commit()
        flash("Your vote is recorded.")
        return redirect(url_for("council.vote", proposal_id=item.id))
    motion = council.open_motion(db, item)
    mine = next((v for v in motion.votes if v.member_id == actor().id), None) if motion else None
    version = item.current_version
    return render_template(
        "council/vote.html", proposal=item, version=version, form=form, motion=motion,
        my_vote=mine, errors=first_errors(form),
        hearing=record.hearing_for(db, version.id),
        recommendation=record.recommendation_for(db, version.id),
        findings=record.findings_for(db, version.id),
        counts=record.comment_counts(db, item.id),
    ), 400 if form.errors else 200
