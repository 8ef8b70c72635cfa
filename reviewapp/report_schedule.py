"""Annual reports owed by every approved technology, worked out in SQL a page at a time.

deadlines/reports.py walks each technology's reporting periods in Python, which is right
for one technology and too slow for all of them on every dashboard view. Here the due date
of each technology's next unfiled report is an SQL expression over the derived schedule
(models/schedule.py: one narrow row per approved technology). The schedule is a formula:
report 1 is due on the determination's review date, each later one on the profile's month
and day, `cadence_years` apart; so the dashboard can count, order and page the
technologies that owe a report, and work out the items only for the page it shows.

schedule_store also keeps each row's due dates under the active profile, indexed, so that
the dashboard reads index ranges rather than working the formula out for every row; the
formula over all rows is what the dashboard falls back on while rows worked out under
another profile wait for `flask rebuild-derived`.
"""

from datetime import date

from sqlalchemy import Integer, and_, case, cast, extract, func, or_, select
from sqlalchemy.orm import Session, joinedload

from .deadlines import DueItem
from .deadlines.reports import filed_reports, items_for
from .models import Determination, Proposal, ReportSchedule
from .schedule_store import rule_of


def _day_number(year, month, day):
    """Return an SQL integer YYYYMMDD, which orders as the date does."""
    return year * 10000 + month * 100 + day


def _parts(profile):
    """Return the SQL pieces every schedule needs: report 1's day and report 2's year."""
    month, day, cadence = (profile.annual_report_month, profile.annual_report_day,
                           profile.annual_report_cadence_years)
    review = ReportSchedule.review_date
    year, r_month, r_day = (cast(extract(part, review), Integer)
                            for part in ("year", "month", "day"))
    # Report 2 is due on the first month/day after the review date, cadence - 1 years on;
    # each later one `cadence` years after the one before.
    second_year = year + case((or_(r_month > month, and_(r_month == month, r_day >= day)), 1),
                              else_=0) + (cadence - 1)
    return (month, day, cadence), _day_number(year, r_month, r_day), second_year


def _schedule(profile):
    """Return a subquery: proposal id, first approval id, next unfiled report's due day."""
    (month, day, cadence), first_due, second_year = _parts(profile)
    number = ReportSchedule.next_number
    due = case((number == 1, first_due),
               else_=_day_number(second_year + (number - 2) * cadence, month, day))
    return select(ReportSchedule.proposal_id, ReportSchedule.determination_id.label("id"),
                  due.label("due")).subquery()


def _upcoming(profile, today: date):
    """Return a subquery: proposal id, first approval id, the due day of the period that
    ends today or next (every approved technology has one)."""
    (month, day, cadence), first_due, second_year = _parts(profile)
    # The first year whose month/day is today or later.
    year = today.year + (1 if (month, day) < (today.month, today.day) else 0)
    behind = year - second_year  # how many years report 2 is behind that
    steps = case((behind > 0, (behind + cadence - 1) // cadence), else_=0)
    due = case((first_due >= _key(today), first_due),
               else_=_day_number(second_year + steps * cadence, month, day))
    return select(ReportSchedule.proposal_id, ReportSchedule.determination_id.label("id"),
                  due.label("due")).subquery()


def _key(day: date) -> int:
    return day.year * 10000 + day.month * 100 + day.day


def overdue_count(session: Session, profile, today: date, keyed: bool | None = None) -> int:
    """Count the technologies whose next report is overdue (an index range, or the formula)."""
    if is_keyed(session, profile) if keyed is None else keyed:  # formula while stale
        return session.scalar(select(func.count()).select_from(ReportSchedule)
                              .where(ReportSchedule.next_due < today))
    schedule = _schedule(profile)
    return session.scalar(select(func.count()).select_from(schedule)
                          .where(schedule.c.due < _key(today)))


def _items(session: Session, profile, today: date, rows) -> list[DueItem]:
    """Return the due items of these technologies, worked out one by one."""
    ids = [proposal_id for proposal_id, _ in rows]
    if not ids:
        return []
    proposals = {p.id: p for p in session.scalars(
        select(Proposal).where(Proposal.id.in_(ids)).options(joinedload(Proposal.department)))}
    approvals = {d.id: d for d in session.scalars(
        select(Determination).where(Determination.id.in_([d for _p, d in rows])))}
    filed = filed_reports(session, ids)
    items = []
    for proposal_id, determination_id in rows:
        items.extend(items_for(proposals[proposal_id], approvals[determination_id], filed,
                               profile, today))
    return items


def overdue_page(session: Session, profile, today: date, page: int, size: int,
                 keyed: bool | None = None) -> tuple[list[DueItem], bool]:
    """Return the overdue reports of one page of technologies, longest overdue first."""
    if is_keyed(session, profile) if keyed is None else keyed:
        query = (select(ReportSchedule.proposal_id, ReportSchedule.determination_id)
                 .where(ReportSchedule.next_due < today)
                 .order_by(ReportSchedule.next_due, ReportSchedule.proposal_id))
    else:
        schedule = _schedule(profile)
        query = (select(schedule.c.proposal_id, schedule.c.id).where(schedule.c.due < _key(today))
                 .order_by(schedule.c.due, schedule.c.proposal_id))
    rows = session.execute(query.offset((page - 1) * size).limit(size + 1)).all()
    items = [i for i in _items(session, profile, today, rows[:size]) if i.overdue(today)]
    return sorted(items, key=lambda i: (i.due_on, i.title)), len(rows) > size


def due_next(session: Session, profile, today: date, limit: int,
             keyed: bool | None = None) -> list[DueItem]:
    """Return the next reports to fall due (not yet overdue), soonest first."""
    if is_keyed(session, profile) if keyed is None else keyed:
        rows = _upcoming_rows(session, profile, today, limit)
    else:
        schedule = _upcoming(profile, today)
        rows = session.execute(
            select(schedule.c.proposal_id, schedule.c.id)
            .order_by(schedule.c.due, schedule.c.proposal_id).limit(limit)).all()
    items = [i for i in _items(session, profile, today, rows)
             if i.met_on is None and not i.overdue(today)]
    return sorted(items, key=lambda i: (i.due_on, i.title))


def is_keyed(session: Session, profile) -> bool:
    """Say whether every schedule row follows the profile's rule (one index probe).

    A page that reads the schedule more than once asks once and passes the answer on.
    """
    rule, column = rule_of(profile), ReportSchedule.rule
    return session.scalar(select(ReportSchedule.proposal_id).where(
        or_(column < rule, column > rule, column.is_(None))).limit(1)) is None


def _upcoming_rows(session: Session, profile, today: date, limit: int) -> list[tuple]:
    """Return (proposal id, approval id) of the `limit` technologies whose report period
    ending today or next ends soonest, from index ranges (what _upcoming orders by).

    That period's due day is report 1's (the review date) while that is not past; else
    report 2's while that is not past; else the profile's month and day in the first
    year from today's that is report 2's year plus a whole number of cadences: one day
    for each `cycle`. Each case is read in due order, `limit` rows at most, and merged.
    """
    month, day, cadence = (profile.annual_report_month, profile.annual_report_day,
                           profile.annual_report_cadence_years)
    year = today.year + (1 if (month, day) < (today.month, today.day) else 0)
    columns = (ReportSchedule.proposal_id, ReportSchedule.determination_id,
               ReportSchedule.review_date, ReportSchedule.second_due)
    found = {}
    for query in [
            select(*columns).where(ReportSchedule.review_date >= today)
            .order_by(ReportSchedule.review_date, ReportSchedule.proposal_id),
            # May hold rows whose review date is not past: their due day is that date.
            select(*columns).where(ReportSchedule.second_due >= today)
            .order_by(ReportSchedule.second_due, ReportSchedule.proposal_id),
            *(select(*columns).where(ReportSchedule.cycle == cycle,
                                     ReportSchedule.second_due < today)
              .order_by(ReportSchedule.proposal_id) for cycle in range(cadence))]:
        for proposal_id, approval_id, review, second in session.execute(query.limit(limit)):
            if review >= today:
                due = _key(review)
            elif second >= today:
                due = _key(second)
            else:
                due = (year + (second.year - year) % cadence) * 10000 + month * 100 + day
            found[proposal_id] = (due, proposal_id, approval_id)
    return [(proposal_id, approval_id)
            for _due, proposal_id, approval_id in sorted(found.values())[:limit]]
