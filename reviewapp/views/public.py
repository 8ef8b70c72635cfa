"""The public portal: every non-draft proposal, its record, comments and determinations."""

import io
import secrets

from flask import (
    Blueprint,
    abort,
    current_app,
    get_template_attribute,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import select

from forms import options
from forms.comment import CommentForm
from forms.documents import IMPACT_REPORT, USE_POLICY

from .. import audit, clock, compliance, listings, paging, record
from ..db import get_session, one_read, write_transaction
from ..jurisdiction import profile
from ..models import (
    Comment,
    Determination,
    Position,
    Stage,
    SubmitterType,
    TechnologyCategory,
)
from ..permissions import can_edit
from ..ratelimit import comment_limit, limiter
from ..read.comment_pages import PageAt, comment_page
from ..services.comments import (
    CommentsClosed,
    CommentTarget,
    FormAlreadyUsed,
    comment_target,
    take_comment,
)
from ..services.determinations import stored_pdf
from ..services.transitions import effective_stage
from . import first_errors, proposal_or_404
from .recent_reads import RecentReads
from .rendered_once import RenderedOnce

bp = Blueprint("public", __name__)
# The comment form's choices, built once rather than on every request.
SUBMITTER_CHOICES = options(SubmitterType.choices())
POSITION_CHOICES = options(Position.choices())
BLANK_FIELDS = "reviewapp.blank_comment_fields"  # app.extensions keys
BLANK_PAGES = "reviewapp.blank_comment_pages"
RECENT_TARGETS = "reviewapp.recent_comment_targets"


@bp.route("/")
def index():
    """List the proposals open for comment now, then every proposal newest first, by page."""
    db = get_session()
    now = clock.now()
    advisory = profile().has_advisory_body
    page = listings.public_page(db, now, request.args, paging.per_page(), advisory)
    open_rows, open_total = (listings.open_for_comment(db, now, listings.OPEN_SHOWN)
                             if page.is_first else ([], 0))
    return render_template("public/index.html", page=page, rows=page.items,
                           open_rows=open_rows, open_total=open_total, now=now)


@bp.route("/about")
def about():
    """The ordinance in force, the process, and the published audit head."""
    db = get_session()
    return render_template("public/about.html", audit_head=audit.head_hash(db))


@bp.route("/rules")
def rules():
    """Every compliance rule the active profile applies, with its citation and severity."""
    active = profile()
    available = compliance.packs()
    packs = [(name, available[name]) for name in active.rule_packs]
    return render_template("public/rules.html", packs=packs,
                           categories=dict(TechnologyCategory.choices()))


@bp.route("/proposals/<int:proposal_id>")
def proposal(proposal_id: int):
    """The whole public record of one proposal."""
    db = get_session()
    item = proposal_or_404(proposal_id)  # a draft is 404: do not reveal that it exists
    now = clock.now()
    number = request.args.get("version", type=int)
    # The public reads submitted versions only; the department also sees its working copy.
    versions = item.versions if can_edit(current_user, item) else [
        v for v in item.versions if v.is_frozen]
    version = next((v for v in versions if v.number == number), None) if number else None
    if number and version is None:
        abort(404)
    version = version or versions[-1]
    findings = record.findings_for(db, version.id) if version.is_frozen else []
    period = record.period_for(db, item.current_version.id)
    return render_template(
        "public/proposal.html",
        proposal=item, version=version, versions=versions, now=now,
        stage=effective_stage(db, item, profile(), now),
        findings=findings, changes=record.finding_changes(db, versions, version, findings),
        override=record.override_for(db, version.id),
        period=period, counts=record.comment_counts(db, item.id),
        comment_page=comment_page(db, item.id, PageAt.from_args(request.args),
                                  current_app.config["COMMENTS_PER_PAGE"]),
        # Page links keep the version the reader chose.
        page_route={"proposal_id": item.id, **({"version": number} if number else {})},
        recommendation=record.recommendation_for(db, version.id),
        hearing=record.hearing_for(db, version.id),
        motions=record.motions_for(db, item.id),
        determinations=record.determinations_for(db, item.id),
        timeline=record.timeline_for(db, item.id),
        impact_sections=IMPACT_REPORT, policy_sections=USE_POLICY,
    )


def _comment_form(**kwargs) -> CommentForm:
    """Build the comment form with its choices."""
    form = CommentForm(**kwargs)
    form.submitter_type.choices = SUBMITTER_CHOICES
    form.position.choices = POSITION_CHOICES
    return form


@bp.record_once
def _keep_comment_page_caches(state) -> None:
    """Give the app its comment-page caches once, not a new one to discard per request."""
    state.app.extensions[BLANK_PAGES] = RenderedOnce()
    state.app.extensions[RECENT_TARGETS] = RecentReads()


def _comment_target_or_404(proposal_id: int) -> CommentTarget:
    """Read what the comment page needs of a public proposal, or answer 404."""
    return _public_or_404(_read_comment_target(proposal_id))


def _recent_comment_target(proposal_id: int) -> CommentTarget:
    """Return the proposal as read in the last COMMENT_FORM_READ_SECONDS, for the form."""
    recent = current_app.extensions[RECENT_TARGETS]
    return _public_or_404(recent.get(proposal_id,
                                     current_app.config["COMMENT_FORM_READ_SECONDS"],
                                     lambda: _read_comment_target(proposal_id)))


def _public_or_404(target: CommentTarget | None) -> CommentTarget:
    """Return the target if the public may see it; otherwise answer 404."""
    if target is None or target.stage is Stage.DRAFT:
        abort(404)  # a draft is not public; do not reveal that it exists
    return target


def _read_comment_target(proposal_id: int) -> CommentTarget | None:
    """Read the comment page's proposal now, in a read of its own."""
    # On SQLite it takes no write lock, and on PostgreSQL a page that reads nothing else
    # needs no transaction around it.
    with one_read() as connection:
        return comment_target(connection, proposal_id)


def _render_comment(target: CommentTarget, form: CommentForm | None, status: int = 200,
                    notice: str = ""):
    """Render the comment page (the form, or why comments are closed); no form: a blank one."""
    nonce = secrets.token_urlsafe(24)
    if form is not None and not form.nonce.data:
        form.nonce.data = nonce
    open_now = target.is_open(clock.now())

    def render() -> str:
        return render_template("public/comment.html", proposal=target, form=form,
                               nonce=nonce, period=target.period, open_now=open_now,
                               blank_fields=None if form else _blank_comment_fields(),
                               errors=first_errors(form) if form else [], notice=notice)

    if form is None and not notice and open_now and _reader_without_state():
        # The page a campaign's residents load: the same for everyone but the CSRF token
        # and the nonce, as long as the proposal reads the same (title, stage, period).
        period = target.period
        key = (target.id, target.file_number, target.title, target.stage, period.id,
               period.opens_at, period.closes_at)
        pages = current_app.extensions[BLANK_PAGES]
        return pages.page(key, (generate_csrf(), nonce), render), status
    return render(), status


def _reader_without_state() -> bool:
    """Say whether nothing on the page depends on who reads it: no sign-in, no flash."""
    return "_flashes" not in session and not current_user.is_authenticated


def _blank_comment_fields():
    """Return the markup of a blank comment form's fields, rendered once per process."""
    if BLANK_FIELDS not in current_app.extensions:
        blank = _comment_form(formdata=None)
        render = get_template_attribute("public/_comment_fields.html", "comment_fields")
        # The macro returns Markup it escaped itself: it is stored, not re-escaped.
        current_app.extensions[BLANK_FIELDS] = render(blank)
    return current_app.extensions[BLANK_FIELDS]


@bp.route("/proposals/<int:proposal_id>/comment", methods=["GET", "POST"])
@limiter.limit(comment_limit, methods=["POST"])
def comment(proposal_id: int):
    """Show the comment form and accept a comment while the period is open."""
    if request.method != "POST":
        # A blank form: no form object to build, and the proposal as read a moment ago.
        return _render_comment(_recent_comment_target(proposal_id), None)
    form = _comment_form()
    if not form.validate_on_submit():
        if form.nonce.errors:
            return _form_to_send_again(_comment_target_or_404(proposal_id), form)
        return _render_comment(_comment_target_or_404(proposal_id), form,
                               400 if form.errors else 200)
    # Checked and valid: one short write transaction stores the comment (on SQLite the
    # write lock is taken here, not while validating). The proposal may be the form's
    # recent read: the insert itself checks that it still takes comments in that period,
    # and reads it again if not. The receipt needs only the tracking number.
    target = _recent_comment_target(proposal_id)
    try:
        with write_transaction() as connection:
            tracking_number = take_comment(
                connection, target, clock.now(), nonce=form.nonce.data,
                submitter_type=form.submitter_type.data, position=form.position.data,
                body=form.body.data, name=form.name.data,
                organization=form.organization.data,
            )
    except CommentsClosed as closed:
        return _render_comment(closed.target or target, form, 409, notice="closed")
    except FormAlreadyUsed:
        return _form_to_send_again(target, form)
    # Sent only after the commit: a receipt always names a stored comment.
    return redirect(url_for("public.receipt", tracking_number=tracking_number))


def _form_to_send_again(target: CommentTarget, form: CommentForm):
    """Give the form back, text kept, with a fresh nonce: its own was blank or used."""
    form.nonce.errors = []  # said by the notice, not as a field's error
    form.nonce.data = secrets.token_urlsafe(24)
    return _render_comment(target, form, 409, notice="resend")


def comment_form_again(proposal_id: int):
    """Re-render the comment form with the person's text after an expired CSRF token."""
    target = _comment_target_or_404(proposal_id)
    form = _comment_form()
    form.nonce.data = secrets.token_urlsafe(24)
    return _render_comment(target, form, 400, notice="expired")


def comment_form_after_limit(proposal_id: int):
    """Re-render the comment form with the person's text when they sent too many at once.

    The nonce is kept: the refused post stored nothing, and sending it again stores once.
    """
    return _render_comment(_comment_target_or_404(proposal_id), _comment_form(), 429,
                           notice="limited")


@bp.route("/receipts/<tracking_number>")
def receipt(tracking_number: str):
    """The receipt of a comment: its tracking number and exactly what is published."""
    db = get_session()
    saved = db.scalar(select(Comment).where(Comment.tracking_number == tracking_number))
    if saved is None:
        abort(404)
    item = proposal_or_404(saved.proposal_id)
    return render_template("public/receipt.html", comment=saved, proposal=item)


@bp.route("/determinations/<document_number>.pdf")
def determination_pdf(document_number: str):
    """Serve the stored bytes of an issued determination, exactly as issued."""
    db = get_session()
    issued = db.scalar(select(Determination)
                       .where(Determination.document_number == document_number))
    if issued is None:
        abort(404)
    # Served from the database, so every app host answers with the same bytes.
    response = send_file(io.BytesIO(stored_pdf(db, issued)), mimetype="application/pdf",
                         as_attachment=True, download_name=issued.file_name, max_age=3600,
                         etag=issued.sha256, last_modified=issued.issued_at)
    response.headers["X-Content-SHA256"] = issued.sha256
    return response
