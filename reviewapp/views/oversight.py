"""Public oversight pages: technologies in use, one technology's whole record, the dashboard.

Routes are added to the public blueprint (reviewapp/views/public.py).
"""

from flask import abort, render_template
from sqlalchemy import select

from .. import clock, deadlines, oversight, record
from ..db import get_session
from ..jurisdiction import profile
from ..models import ProposalOrigin
from .public import bp


def _today():
    return clock.now().astimezone(profile().zone).date()


@bp.route("/technologies/")
def technologies():
    """Every approved technology, with its obligations and what it owes next."""
    db = get_session()
    items = oversight.approved_technologies(db)
    due = deadlines.all_due_items(db, profile(), clock.now())
    return render_template("oversight/technologies.html", technologies=items, due=due,
                           today=_today())


@bp.route("/technologies/<int:proposal_id>")
def technology(proposal_id: int):
    """One technology's life on one page: versions, decisions, obligations, reports."""
    db = get_session()
    item = oversight.technology(db, proposal_id)
    if item is None:
        abort(404)
    due = [d for d in deadlines.all_due_items(db, profile(), clock.now())
           if d.proposal_id == proposal_id]
    return render_template(
        "oversight/technology.html", item=item, due=due, today=_today(),
        determinations=record.determinations_for(db, proposal_id),
        timeline=record.timeline_for(db, proposal_id),
        reports=_reports(db, proposal_id),
        report_findings=oversight.report_findings(db, proposal_id),
        origin=db.scalar(select(ProposalOrigin).where(ProposalOrigin.proposal_id == proposal_id)),
    )


def _reports(db, proposal_id: int):
    """Return the technology's annual reports, if that part of the app is present."""
    try:
        from ..reports_record import technology_reports
    except ImportError:
        return None
    return technology_reports(db, proposal_id, profile(), clock.now())


@bp.route("/oversight")
def dashboard():
    """City-wide oversight: counts by status, overdue items, open findings, with a chart."""
    db = get_session()
    board = oversight.dashboard(db, clock.now())
    due = deadlines.all_due_items(db, profile(), clock.now())
    today = _today()
    overdue = [item for item in due if item.overdue(today)]
    return render_template("oversight/dashboard.html", board=board, overdue=overdue,
                           open_findings=oversight.report_findings(db, unreviewed_only=True),
                           due=due, today=today, chart=oversight.bar_chart(board.status_counts))
