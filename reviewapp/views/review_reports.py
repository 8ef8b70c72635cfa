"""Filed annual reports: the public report page, and review by the clerk and the advisory body.

The review pages are registered on both the clerk's and the advisory body's blueprints,
whose own checks admit only their role; the service's predicate is checked again here.
"""

from flask import abort, flash, redirect, render_template, request, url_for

from forms.report import REPORT_SECTIONS, ReviewReportForm

from .. import clock, reports_record
from ..db import get_session
from ..jurisdiction import profile
from ..permissions import can_review_report, require
from ..services import reports as service
from . import actor, first_errors, proposal_or_404
from .advisory import bp as advisory_bp
from .clerk import bp as clerk_bp
from .public import bp as public_bp


def _report_or_404(report_id: int):
    report = reports_record.load_report(get_session(), report_id)
    if report is None:
        abort(404)
    return report


@public_bp.route("/reports/<int:report_id>")
def report(report_id: int):
    """A filed annual report: what the department said, the findings, and the reviews."""
    item = _report_or_404(report_id)
    proposal = proposal_or_404(item.proposal_id)
    approval = service.approval_for(get_session(), proposal.id)
    return render_template("reports/report.html", report=item, proposal=proposal,
                           approval=approval, sections=REPORT_SECTIONS,
                           **reports_record.flags(item))


def _list():
    """Every filed report, and the reports owed but not filed."""
    require(can_review_report(actor()))
    db, now = get_session(), clock.now()
    return render_template(
        "reports/review_list.html", reports=reports_record.summaries(db, profile()),
        outstanding=reports_record.outstanding(db, profile(), now),
        today=now.astimezone(profile().zone).date(), audience=request.blueprint)


def _review(report_id: int):
    """Mark a report reviewed, with a published memo."""
    item = _report_or_404(report_id)
    require(can_review_report(actor()))
    form = ReviewReportForm()
    if form.validate_on_submit():
        db = get_session()
        service.review_report(db, item, actor(), clock.now(), form.memo.data)
        db.commit()
        flash("Review recorded. It is published with the report.")
        return redirect(url_for("public.report", report_id=item.id))
    return render_template(
        "reports/review.html", report=item, proposal=proposal_or_404(item.proposal_id),
        form=form, errors=first_errors(form), audience=request.blueprint,
        **reports_record.flags(item)), 400 if form.errors else 200


for _bp in (clerk_bp, advisory_bp):
    _bp.add_url_rule("/reports/", "reports", _list)
    _bp.add_url_rule("/reports/<int:report_id>", "review_report", _review,
                     methods=["GET", "POST"])
