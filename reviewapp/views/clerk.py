"""The clerk's workbench: the queue by stage and every step the clerk takes."""

from datetime import UTC, datetime, time, timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import fresh_login_required, login_required

from forms import options
from forms.clerk import (
    AbsenceForm,
    ActionForm,
    HideCommentForm,
    OpenCommentForm,
    ReturnForm,
    ScheduleHearingForm,
)
from forms.council import MotionForm

from .. import clock, conditions, listings, paging, record
from ..db import get_read_session, get_session, release_write_lock
from ..jurisdiction import profile
from ..models import Comment, MotionType, Proposal, RecipientType, RequiredFinding, Stage
from ..pdf import MissingGlyphs
from ..permissions import can_manage_process, require
from ..read.comment_pages import PageAt, comment_page
from ..record import load_proposal
from ..services import comments, council, determinations, intake
from ..services.transitions import banned, effective_stage
from ..workflow import TransitionNotAllowed, earliest_hearing_date
from . import actor, first_errors, proposal_or_404

bp = Blueprint("clerk", __name__, url_prefix="/clerk")


@bp.before_request
@login_required
def _clerk_only():
    """Every clerk page needs the clerk role."""
    require(can_manage_process(actor()))


@bp.route("/")
def index():
    """The queue: how many proposals are in each stage now, and one stage's page of them."""
    db = get_session()
    now = clock.now()
    advisory = profile().has_advisory_body
    counts = listings.stage_counts(db, now, advisory)
    chosen = request.args.get("stage", "")
    stage = next((s for s in counts if s.value == chosen), None)
    if stage is None:  # the first stage with work waiting, in the order of the process
        stage = next((s for s, n in counts.items() if n), Stage.SUBMITTED)
    page = listings.stage_page(db, stage, now, request.args, paging.per_page(), advisory)
    return render_template("clerk/index.html", counts=counts, stage=stage, page=page)


def _forms(proposal: Proposal) -> dict:
    """Build every form the workbench may show, with defaults from the profile."""
    now = clock.now()
    local_today = now.astimezone(profile().zone).date()
    open_form = OpenCommentForm()
    if not open_form.closes_on.data:
        open_form.closes_on.data = local_today + timedelta(days=profile().comment_days)
    motion = MotionForm()
    motion.motion_type.choices = options(MotionType.choices())
    motion.findings.choices = options(RequiredFinding.choices())
    motion.no_sharing_types.choices = options(RecipientType.choices())
    absence = AbsenceForm()
    absence.member.choices = options((m.id, m.name) for m in council.council_members(get_session()))
    schedule = ScheduleHearingForm()
    since = council.packet_public_since(get_session(), proposal, profile())
    if since and not schedule.hearing_date.data:
        schedule.hearing_date.data = max(earliest_hearing_date(since, profile().notice_days),
                                         local_today)
    return {"accept_form": ActionForm(), "return_form": ReturnForm(), "open_form": open_form,
            "schedule_form": schedule, "motion_form": motion, "absence_form": absence,
            "close_form": ActionForm(), "issue_form": ActionForm(), "hide_form": HideCommentForm()}


def _workbench(proposal: Proposal, status: int = 200, problem: str = "", **forms):
    """Render the clerk's page for one proposal, at the comment page its address names."""
    db = get_session()
    now = clock.now()
    all_forms = _forms(proposal)
    all_forms.update(forms)
    version = proposal.current_version
    motion = council.open_motion(db, proposal)
    errors = [e for f in forms.values() for e in first_errors(f)]
    return render_template(
        "clerk/proposal.html", proposal=proposal, version=version,
        stage=effective_stage(db, proposal, profile(), now),
        findings=record.findings_for(db, version.id) if version.is_frozen else [],
        override=record.override_for(db, version.id),
        ban=banned(profile(), version),
        period=record.period_for(db, version.id),
        counts=record.comment_counts(db, proposal.id),
        comment_page=comment_page(db, proposal.id, PageAt.from_args(request.args),
                                  current_app.config["COMMENTS_PER_PAGE"]),
        recommendation=record.recommendation_for(db, version.id),
        hearing=record.hearing_for(db, version.id),
        motions=record.motions_for(db, proposal.id), open_motion=motion,
        latest_motion=council.latest_motion(db, proposal),
        determinations=record.determinations_for(db, proposal.id),
        members=council.council_members(db), problem=problem, errors=errors,
        **all_forms,
    ), status


# Which form field shows a refused guard's message (workflow fact -> field name).
FIELD_FOR_FACT = {
    "reasons": "reasons", "new_period": "closes_on", "override_recorded": "override_reason",
    "hearing_date": "hearing_date", "findings_made": "findings",
}


def _refused(proposal: Proposal, exc: TransitionNotAllowed, form_name: str, form):
    """Show the workflow's refusal next to the field concerned, keeping what was typed."""
    get_session().rollback()
    field = FIELD_FOR_FACT.get(exc.fact or "")
    if field and field in form:
        form[field].errors = [*form[field].errors, str(exc)]
        return _workbench(proposal, 409, **{form_name: form})
    return _workbench(proposal, 409, str(exc), **{form_name: form})


def _done(proposal: Proposal, message: str, anchor: str | None = None, **page_args):
    """Commit, say what happened, and go back to the workbench (at a comment page)."""
    get_session().commit()
    flash(message)
    return redirect(url_for("clerk.proposal", proposal_id=proposal.id, _anchor=anchor,
                            **page_args))


@bp.route("/proposals/<int:proposal_id>")
def proposal(proposal_id: int):
    """The workbench for one proposal."""
    return _workbench(proposal_or_404(proposal_id))


@bp.route("/proposals/<int:proposal_id>/accept", methods=["POST"])
def accept(proposal_id: int):
    """Accept a submitted proposal as complete."""
    item = proposal_or_404(proposal_id)
    if not ActionForm().validate_on_submit():
        return _workbench(item, 400, "The form expired; try again.")
    intake.accept(get_session(), item, actor(), clock.now(), profile())
    return _done(item, "Accepted. The proposal is now in impact assessment.")


@bp.route("/proposals/<int:proposal_id>/return", methods=["POST"])
def return_(proposal_id: int):
    """Return a submitted proposal to its department with reasons."""
    item = proposal_or_404(proposal_id)
    form = ReturnForm()
    if not form.validate_on_submit():
        return _workbench(item, 400, return_form=form)
    try:
        intake.return_to_department(get_session(), item, actor(), clock.now(), profile(),
                                    form.reasons.data)
    except TransitionNotAllowed as exc:
        return _refused(item, exc, "return_form", form)
    return _done(item, "Returned to the department with your reasons.")


def _end_of_local_day(day) -> datetime:
    """Return 11:59:59 PM of `day` in the jurisdiction's zone, as UTC."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=profile().zone).astimezone(UTC)


@bp.route("/proposals/<int:proposal_id>/open-comment", methods=["POST"])
def open_comment(proposal_id: int):
    """Open the public comment period now, until the chosen date."""
    item = proposal_or_404(proposal_id)
    form = OpenCommentForm()
    if not form.validate_on_submit():
        return _workbench(item, 400, open_form=form)
    now = clock.now()
    try:
        comments.open_comment_period(get_session(), item, actor(), now, profile(), now,
                                     _end_of_local_day(form.closes_on.data),
                                     form.override_reason.data or "")
    except TransitionNotAllowed as exc:
        return _refused(item, exc, "open_form", form)
    return _done(item, "Public comment is open.")


@bp.route("/proposals/<int:proposal_id>/schedule", methods=["POST"])
def schedule(proposal_id: int):
    """Schedule the council hearing."""
    item = proposal_or_404(proposal_id)
    form = ScheduleHearingForm()
    if not form.validate_on_submit():
        return _workbench(item, 400, schedule_form=form)
    try:
        council.schedule_hearing(get_session(), item, actor(), clock.now(), profile(),
                                 form.hearing_date.data, form.location.data)
    except TransitionNotAllowed as exc:
        return _refused(item, exc, "schedule_form", form)
    return _done(item, "The hearing is scheduled and on the council's agenda.")


@bp.route("/proposals/<int:proposal_id>/motion", methods=["POST"])
def motion(proposal_id: int):
    """Record the motion the council will vote on."""
    item = proposal_or_404(proposal_id)
    form = MotionForm()
    form.motion_type.choices = options(MotionType.choices())
    form.findings.choices = options(RequiredFinding.choices())
    form.no_sharing_types.choices = options(RecipientType.choices())
    if not form.validate_on_submit():
        return _workbench(item, 400, motion_form=form)
    try:
        council.record_motion(get_session(), item, actor(), clock.now(), profile(),
                              form.motion_type.data, _conditions(form),
                              form.findings.data or [], form.moved_by.data or "")
    except TransitionNotAllowed as exc:
        return _refused(item, exc, "motion_form", form)
    return _done(item, "The motion is open. Council members can now vote.")


def _conditions(form: MotionForm) -> list[conditions.Condition]:
    """Turn the motion form's typed fields and free-text lines into conditions."""
    return conditions.build(
        retention_days=form.retention_limit_days.data,
        no_sharing_types=form.no_sharing_types.data or (),
        no_sharing_names=form.no_sharing_names.data or "",
        audit_every_months=form.audit_every_months.data,
        deployment_areas=form.deployment_areas.data or "",
        other_lines=(form.conditions.data or "").splitlines(),
    )


@bp.route("/proposals/<int:proposal_id>/absence", methods=["POST"])
def absence(proposal_id: int):
    """Record a council member as absent for the open motion."""
    item = proposal_or_404(proposal_id)
    form = AbsenceForm()
    members = {m.id: m for m in council.council_members(get_session())}
    form.member.choices = options((m.id, m.name) for m in members.values())
    if not form.validate_on_submit():
        return _workbench(item, 400, absence_form=form)
    council.record_absence(get_session(), item, members[form.member.data], actor(),
                           clock.now())
    return _done(item, f"{members[form.member.data].name} is recorded absent.")


@bp.route("/proposals/<int:proposal_id>/close-roll-call", methods=["POST"])
def close_roll_call(proposal_id: int):
    """Close the roll call and record the tally against quorum and majority."""
    item = proposal_or_404(proposal_id)
    if not ActionForm().validate_on_submit():
        return _workbench(item, 400, "The form expired; try again.")
    result = council.close_roll_call(get_session(), item, actor(), clock.now(), profile())
    return _done(item, f"Roll call closed: {result.explanation}")


@bp.route("/proposals/<int:proposal_id>/issue", methods=["POST"])
@fresh_login_required
def issue(proposal_id: int):
    """Issue the determination PDF from the recorded vote (once)."""
    item = proposal_or_404(proposal_id)
    if not ActionForm().validate_on_submit():
        return _workbench(item, 400, "The form expired; try again.")
    db, now = get_session(), clock.now()
    try:
        # Render first, holding no lock (comments go on meanwhile); then a short write
        # transaction re-checks the record and stores what was rendered.
        release_write_lock(db)
        reader = get_read_session()
        rendered = determinations.render_determination(
            reader, load_proposal(reader, proposal_id), profile(), now)
        issued = determinations.issue_determination(db, item, actor(), now, profile(),
                                                    rendered)
    except (TransitionNotAllowed, MissingGlyphs) as exc:
        db.rollback()
        return _workbench(item, 409, str(exc))
    return _done(item, f"Determination {issued.document_number} issued.")


@bp.route("/comments/<int:comment_id>/hide", methods=["POST"])
def hide(comment_id: int):
    """Hide a comment with a published reason; the text stays in the record."""
    db = get_session()
    item = db.get(Comment, comment_id)
    if item is None:
        abort(404)
    proposal_ = proposal_or_404(item.proposal_id)
    form = HideCommentForm()
    if not form.validate_on_submit():
        # Each comment has its own reason box: this is the one to mark and fill again.
        form.reason.id = f"hide-reason-{item.id}"
        return _workbench(proposal_, 400, hide_form=form)
    comments.hide_comment(db, item, actor(), clock.now(), form.reason.data)
    # Back to the page the clerk was reading (its form's address names it), at the comment.
    return _done(proposal_, f"Comment {item.tracking_number} is hidden.", f"comment-{item.id}",
                 **PageAt.from_args(request.args).args())
