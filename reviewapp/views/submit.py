"""The department's pages: its proposals, the long form, submission and withdrawal."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from forms.documents import IMPACT_REPORT, USE_POLICY
from forms.particulars import GROUPS, QUESTIONS, answers_from_form, form_data_from_answers
from forms.proposal import ProposalForm, WithdrawForm

from .. import clock, documents, record
from ..db import get_session
from ..jurisdiction import profile
from ..models import Proposal, RecipientType, SensitiveLocation, TechnologyCategory, Trigger
from ..particulars import VOCABULARIES
from ..permissions import can_create_proposal, can_edit, can_withdraw, require
from ..record import load_proposal
from ..services import proposals as service
from ..workflow import TransitionNotAllowed
from . import actor, first_errors, proposal_or_404

bp = Blueprint("submit", __name__, url_prefix="/department")


@bp.before_request
@login_required
def _signed_in():
    """Every page here needs a signed-in user; permissions are checked per view."""


@bp.route("/")
def index():
    """The department's proposals, drafts first."""
    require(can_create_proposal(actor()))
    db = get_session()
    items = list(db.scalars(select(Proposal).where(Proposal.department_id ==
                                                   actor().department_id)
                            .order_by(Proposal.id.desc())))
    returned = {p.id: record.timeline_for(db, p.id)[-1].reason for p in items
                if p.stage.value in ("returned", "revisions_requested")}
    return render_template("submit/index.html", proposals=items, returned=returned)


YES_NO_VALUE = {"yes": True, "no": False}
YES_NO_ANSWER = {True: "yes", False: "no"}


def _form(data=None) -> ProposalForm:
    """Build the proposal form with its choices."""
    form = ProposalForm(data=data) if data is not None else ProposalForm()
    form.set_choices(Trigger.choices(), TechnologyCategory.choices(), RecipientType.choices(),
                     SensitiveLocation.choices(),
                     {**{key: vocabulary.choices() for key, vocabulary in VOCABULARIES.items()},
                      "ban_exception": [("", "No exception claimed")] + [
                          (e.key, e.exception) for e in profile().ban_exceptions]})
    return form


def _draft_data(form: ProposalForm) -> service.DraftData:
    """Copy the validated form into the service's data object (and nothing else)."""
    return service.DraftData(
        title=form.title.data or "", trigger=form.trigger.data or None,
        technology_category=form.technology_category.data or None,
        technology_name=form.technology_name.data or "", vendor=form.vendor.data or "",
        product=form.product.data or "", acquisition_cost_cents=form.acquisition_cost.data,
        annual_cost_cents=form.annual_cost.data, funding_source=form.funding_source.data or "",
        retention_days=form.retention_days.data,
        vendor_nda=YES_NO_VALUE.get(form.vendor_nda.data),
        access_log=YES_NO_VALUE.get(form.access_log.data),
        sensitive_locations=list(form.sensitive_locations.data or []),
        sensitive_safeguards=form.sensitive_safeguards.data or "",
        impact_report=dict(form.impact_report.data), use_policy=dict(form.use_policy.data),
        particulars=answers_from_form(form.particulars.form),
        recipients=[dict(entry.data) for entry in form.recipients],
    )


def _form_data(version) -> dict:
    """Return a version's content in the form's shape."""
    return {
        "title": version.title or version.proposal.title,
        "trigger": version.trigger and version.trigger.value,
        "technology_category": version.technology_category and version.technology_category.value,
        "technology_name": version.technology_name, "vendor": version.vendor,
        "product": version.product, "acquisition_cost": version.acquisition_cents,
        "annual_cost": version.annual_cents, "funding_source": version.funding_source,
        "retention_days": version.retention_days,
        "vendor_nda": YES_NO_ANSWER.get(version.vendor_nda),
        "access_log": YES_NO_ANSWER.get(version.access_log),
        "sensitive_locations": list(version.sensitive_locations),
        "sensitive_safeguards": version.sensitive_safeguards,
        "impact_report": version.impact_report, "use_policy": version.use_policy,
        "particulars": form_data_from_answers(version.particulars or {}),
        "recipients": [
            {"name": r.name, "recipient_type": r.recipient_type.value, "purpose": r.purpose,
             "data_categories": r.data_categories, "legal_basis": r.legal_basis}
            for r in version.recipients
        ],
    }


def _render(form: ProposalForm, proposal: Proposal | None, status: int = 200,
            problem: str = "", withdraw_form: WithdrawForm | None = None):
    """Render the long form with its error summary."""
    if proposal and withdraw_form is None:
        withdraw_form = WithdrawForm()
    return render_template(
        "submit/edit.html", form=form, proposal=proposal,
        errors=first_errors(form) + (first_errors(withdraw_form) if withdraw_form else []),
        problem=problem, impact_sections=IMPACT_REPORT, policy_sections=USE_POLICY,
        questions=QUESTIONS, question_groups=GROUPS,
        returned_reason=_returned_reason(proposal), withdraw_form=withdraw_form,
    ), status


def _returned_reason(proposal: Proposal | None) -> str:
    if proposal is None or proposal.stage.value not in ("returned", "revisions_requested"):
        return ""
    return record.timeline_for(get_session(), proposal.id)[-1].reason


@bp.route("/proposals/new", methods=["GET", "POST"])
def new():
    """Start a proposal; the first save creates the draft."""
    require(can_create_proposal(actor()))
    form = _form()
    if request.method == "POST":
        _apply_row_buttons(form)
        if form.validate():
            db = get_session()
            created = service.create_draft(db, actor(), clock.now(), _draft_data(form))
            db.commit()
            flash("Draft saved. You can come back to it at any time.")
            anchor = "#recipients" if form.add_recipient.data else ""
            return redirect(url_for("submit.edit", proposal_id=created.id,
                                    add=1 if form.add_recipient.data else None) + anchor)
        return _render(form, None, 400)
    return _render(form, None)


def _apply_row_buttons(form: ProposalForm) -> None:
    """Drop the recipient row whose Remove button was pressed (before saving)."""
    remove = request.form.get("remove_recipient", type=int)
    if remove is not None and 0 <= remove < len(form.recipients.entries):
        del form.recipients.entries[remove]


@bp.route("/proposals/<int:proposal_id>/edit", methods=["GET", "POST"])
def edit(proposal_id: int):
    """Edit, save and submit a draft (or a returned proposal, as a new version)."""
    proposal = proposal_or_404(proposal_id)
    require(can_edit(actor(), proposal))
    if request.method == "GET":
        form = _form(_form_data(proposal.current_version))
        if request.args.get("add"):
            form.add_blank_recipient()
        return _render(form, proposal)
    form = _form()
    _apply_row_buttons(form)
    if not form.validate():
        return _render(form, proposal, 400)
    db = get_session()
    now = clock.now()
    service.save_draft(db, proposal, actor(), now, _draft_data(form))
    db.commit()  # the text is safe before anything else is attempted
    if form.add_recipient.data:
        form.add_blank_recipient()
        flash("Draft saved. Fill in the new recipient row below.")
        return _render(form, proposal)
    if form.submit_for_review.data:
        return _submit(form, proposal)
    flash(f"Draft saved at {now.astimezone(profile().zone):%-I:%M %p}.")
    if request.form.get("remove_recipient") is not None:
        return _render(form, proposal)
    return redirect(url_for("submit.edit", proposal_id=proposal.id))


def _submit(form: ProposalForm, proposal: Proposal):
    """Submit after saving; missing sections are marked next to their fields."""
    db = get_session()
    try:
        service.submit(db, proposal, actor(), clock.now(), profile())
    except TransitionNotAllowed as exc:
        db.rollback()
        _mark_missing(form, proposal)
        return _render(form, proposal, 400, problem=str(exc))
    db.commit()
    flash("Submitted. The clerk will review it for completeness.")
    return redirect(url_for("public.proposal", proposal_id=proposal.id))


def _mark_missing(form: ProposalForm, proposal: Proposal) -> None:
    """Attach 'required before submitting' to every empty required field."""
    message = "Required before submitting."
    version = proposal.current_version
    for attr, _label in documents.BASICS:
        if not getattr(version, attr):
            getattr(form, attr).errors = [message]
    for sub, sections, stored in ((form.impact_report, IMPACT_REPORT, version.impact_report),
                                  (form.use_policy, USE_POLICY, version.use_policy)):
        for section in sections:
            if section.required and not (stored.get(section.key) or "").strip():
                sub.form[section.key].errors = [message]


def proposal_form_again(proposal_id: int | None):
    """Give the long form back with everything typed after a failed security check."""
    problem = ("Your session's security check failed, so nothing was saved yet. Your text "
               "is below, unchanged: press Save draft again.")
    user = actor() if current_user.is_authenticated else None
    # Read without proposal_or_404: a signed-out analyst may not see the draft, but must
    # get their own text back all the same.
    proposal = load_proposal(get_session(), proposal_id) if proposal_id else None
    allowed = user is not None and (can_edit(user, proposal) if proposal
                                    else proposal_id is None and can_create_proposal(user))
    form = _form()
    if not allowed:
        # Signed out (or never allowed): show only the person's own text, nothing stored.
        typed = [(key, value) for key, value in request.form.items(multi=True)
                 if key != "csrf_token" and value.strip() and len(value) > 1]
        return render_template("submit/session_ended.html", typed=typed), 400
    return _render(form, proposal, 400, problem=problem)


@bp.route("/proposals/<int:proposal_id>/withdraw", methods=["POST"])
def withdraw(proposal_id: int):
    """Withdraw the department's proposal before a decision."""
    proposal = proposal_or_404(proposal_id)
    require(can_withdraw(actor(), proposal))
    form = WithdrawForm()
    if not form.validate():
        if can_edit(actor(), proposal):  # the page with the form: show it again, as typed
            return _render(_form(_form_data(proposal.current_version)), proposal, 400,
                           withdraw_form=form)
        abort(400, next((message for _, message in first_errors(form)),
                        "Give the reason for withdrawing."))
    db = get_session()
    service.withdraw(db, proposal, actor(), clock.now(), profile(), form.reason.data)
    db.commit()
    flash("The proposal was withdrawn. It stays in the public record.")
    return redirect(url_for("public.proposal", proposal_id=proposal.id))
