"""Public oversight pages: technologies in use, one technology's whole record, the dashboard.

Routes are added to the public blueprint (reviewapp/views/public.py).
"""

from flask import abort, render_template, request
from sqlalchemy import select

# schedule_store also installs, on import, the listeners that keep the schedule current.
from .. import clock, oversight, paging, record, report_schedule, schedule_store  # noqa: F401
from ..db import get_session
from ..deadlines import emergency, inventory, reports
from ..jurisdiction import profile
from ..models import ProposalOrigin
from .public import bp

# The dashboard lists this many findings, and technologies with overdue reports, a page.
DASHBOARD_PAGE = 25
DUE_NEXT = 10


def _today():
    return clock.now().astimezone(profile().zone).date()


def _page_number(name: str) -> int:
    """Return a page number from the query string (1 when absent or nonsense)."""
    return max(1, min(request.args.get(name, 1, type=int), 10**6))


@bp.route("/technologies/")
def technologies():
    """Every approved technology, with its obligations, by page."""
    page = oversight.approved_page(get_session(), request.args, paging.per_page())
    return render_template("oversight/technologies.html", page=page, today=_today())


@bp.route("/technologies/<int:proposal_id>")
def technology(proposal_id: int):
    """One technology's life on one page: versions, decisions, obligations, reports."""
    db = get_session()
    item = oversight.technology(db, proposal_id)
    if item is None:
        abort(404)
    due = sorted(reports.due_items(db, profile(), clock.now(), proposal_ids=[proposal_id]),
                 key=lambda d: d.due_on)
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
    now, today, rules = clock.now(), _today(), profile()
    board = oversight.dashboard(db, now)
    findings_page = _page_number("findings_page")
    findings = oversight.report_findings(db, unreviewed_only=True, page=findings_page,
                                         size=DASHBOARD_PAGE)
    overdue_page = _page_number("overdue_page")
    keyed = report_schedule.is_keyed(db, rules)
    overdue, more_overdue = report_schedule.overdue_page(db, rules, today, overdue_page,
                                                         DASHBOARD_PAGE, keyed)
    # Emergency notices and the inventory are short lists of their own pages.
    others = sorted(emergency.due_items(db, rules, now) + inventory.due_items(db, rules, now),
                    key=lambda item: (item.due_on, item.title))
    return render_template(
        "oversight/dashboard.html", board=board, today=today,
        chart=oversight.bar_chart(board.status_counts),
        open_findings=findings[:DASHBOARD_PAGE], findings_page=findings_page,
        more_findings=len(findings) > DASHBOARD_PAGE,
        overdue=overdue, overdue_page=overdue_page, more_overdue=more_overdue,
        overdue_technologies=report_schedule.overdue_count(db, rules, today, keyed),
        other_overdue=[item for item in others if item.overdue(today)],
        other_due=[item for item in others if item.met_on is None and not item.overdue(today)],
        due_next=report_schedule.due_next(db, rules, today, DUE_NEXT, keyed))
