"""The advisory body's pages: proposals awaiting review, and the recommendation form."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required

from forms import options
from forms.council import RecommendationForm

from .. import clock, listings, paging, record
from ..db import get_session
from ..jurisdiction import profile
from ..models import Recommendation, Role, Stage
from ..permissions import can_advise, require
from ..services import council
from ..services.transitions import effective_stage
from . import actor, first_errors, proposal_or_404

bp = Blueprint("advisory", __name__, url_prefix="/advisory")


@bp.before_request
@login_required
def _advisory_only():
    """Every page here needs the advisory role."""
    require(actor().role is Role.ADVISORY)


@bp.route("/")
def index():
    """Proposals whose comment period has closed and that await the recommendation."""
    db = get_session()
    now = clock.now()
    size = paging.per_page()
    waiting = listings.stage_page(db, Stage.ADVISORY_REVIEW, now, request.args, size, True)
    in_comment = listings.stage_page(db, Stage.PUBLIC_COMMENT, now, request.args, size, True,
                                     prefix="comment_")
    return render_template("advisory/index.html", waiting=waiting, in_comment=in_comment)


@bp.route("/proposals/<int:proposal_id>", methods=["GET", "POST"])
def review(proposal_id: int):
    """Record the advisory body's recommendation on one proposal."""
    item = proposal_or_404(proposal_id)
    require(can_advise(actor(), item))
    db = get_session()
    form = RecommendationForm()
    form.recommendation.choices = options(Recommendation.choices())
    if form.validate_on_submit():
        council.record_recommendation(db, item, actor(), clock.now(), profile(),
                                      form.recommendation.data, form.memo.data)
        db.commit()
        flash("Recommendation recorded. The proposal now awaits its hearing.")
        return redirect(url_for("public.proposal", proposal_id=item.id))
    version = item.current_version
    return render_template(
        "advisory/review.html", proposal=item, version=version, form=form,
        errors=first_errors(form), stage=effective_stage(db, item, profile(), clock.now()),
        findings=record.findings_for(db, version.id),
        counts=record.comment_counts(db, item.id),
    ), 400 if form.errors else 200
