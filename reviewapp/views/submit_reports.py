"""The department's annual surveillance reports: what it owes, and the filing form."""

from flask import abort, flash, redirect, render_template, request, url_for

from forms.report import REPORT_SECTIONS, AnnualReportForm

from .. import clock, reports_record
from ..db import get_session
from ..inputs import bounded_int
from ..jurisdiction import profile
from ..models import Proposal, RecipientType
from ..permissions import can_create_proposal, can_file_report, require
from ..services import reports as service
from . import actor, first_errors, proposal_or_404
from .submit import bp


@bp.route("/reports")
def reports():
    """The department's approved technologies and the report each owes next."""
    require(can_create_proposal(actor()))
    rows = reports_record.department_technologies(get_session(), profile(), clock.now(),
                                                  actor().department_id)
    return render_template("reports/department.html", rows=rows)


def _form() -> AnnualReportForm:
    form = AnnualReportForm()
    form.set_choices(RecipientType.choices())
    return form


def _report_data(form: AnnualReportForm) -> service.ReportData:
    """Copy the validated form into the service's data object (and nothing else)."""
    return service.ReportData(
        sections=dict(form.sections.data),
        retention_days_reported=form.retention_days_reported.data,
        audits_conducted=form.audits_conducted.data, last_audit_on=form.last_audit_on.data,
        deployment_areas=service.split_areas(form.deployment_areas.data),
        annual_cost_cents=form.annual_cost.data,
        funding_next_year=form.funding_next_year.data or "",
        sharing=[dict(entry.data) for entry in form.sharing],
    )


def _apply_row_buttons(form: AnnualReportForm) -> bool:
    """Add or remove a sharing row if that button was pressed; say whether one was."""
    remove = request.form.get("remove_sharing", type=int)
    if remove is not None:
        if 0 <= remove < len(form.sharing.entries):
            del form.sharing.entries[remove]
        return True
    if form.add_sharing.data:
        form.add_blank_sharing()
        return True
    return False


def _render(form, proposal: Proposal, period, status: int = 200):
    return render_template("reports/new.html", form=form, proposal=proposal, period=period,
                           sections=REPORT_SECTIONS, errors=first_errors(form)), status


@bp.route("/technologies/<int:proposal_id>/reports/new", methods=["GET", "POST"])
def new_report(proposal_id: int):
    """File the next annual surveillance report for an approved technology."""
    proposal = proposal_or_404(proposal_id)
    require(can_file_report(actor(), proposal))
    db = get_session()
    approval = service.approval_for(db, proposal.id)
    if approval is None:
        abort(404, "This technology has not been approved, so no annual report is due.")
    now = clock.now()
    # A number no period can have (a tampered form) reads as absent: the next period.
    requested = request.form.get("period_number", type=bounded_int)
    period = service.check_period(db, proposal, profile(), approval, now, requested)
    form = _form()
    if request.method == "GET":
        form.period_number.data = period.number
        return _render(form, proposal, period)
    if _apply_row_buttons(form):
        return _render(form, proposal, period)
    if not form.validate():
        return _render(form, proposal, period, 400)
    report = service.file_report(db, proposal, actor(), now, profile(), _report_data(form),
                                 requested_period=period.number)
    db.commit()
    flash(f"Annual report {report.period_number} filed. It is now public.")
    return redirect(url_for("public.report", report_id=report.id))
