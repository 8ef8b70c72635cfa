"""Due items: emergency (exigent) use notices and the reports they call for.

The notice is due within the profile's `emergency_notice_days` of the use beginning; while
the use continues, an impact report and use policy are due within `emergency_report_days`,
met when a proposal linked to the notice has its first version submitted. A window the
profile leaves out (None) is a deadline the ordinance does not set: never overdue.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import EmergencyNotice, Proposal, ProposalOrigin, ProposalVersion
from . import DueItem

NOTICE_KIND = "emergency notice"
REPORT_KIND = "emergency report"
NO_DEADLINE = "The ordinance sets no deadline"


@dataclass(frozen=True)
class Standing:
    """Where one deadline stands: a short key (for styling and tests) and words."""

    key: str  # on_time, filed_late, due, overdue, met, met_late, no_deadline, not_required
    words: str


def standing(due_on: date | None, met_on: date | None, today: date) -> Standing:
    """Say where a deadline stands as of `today` (overdue from the day after `due_on`)."""
    if due_on is None:
        return Standing("no_deadline", NO_DEADLINE)
    if met_on is not None:
        if met_on > due_on:
            return Standing("met_late", f"Met late, on {_words(met_on)}")
        return Standing("met", f"Met on {_words(met_on)}")
    if today > due_on:
        return Standing("overdue", f"Overdue since {_words(due_on + timedelta(days=1))}")
    return Standing("due", "Due")


def _words(day: date) -> str:
    return day.strftime("%B %-d, %Y")


def local_day(moment: datetime, profile) -> date:
    """Return the date of `moment` in the profile's time zone."""
    return moment.astimezone(profile.zone).date()


def after(start: date, days: int | None) -> date | None:
    """Return `start` plus `days`, or None when the ordinance sets no window."""
    return None if days is None else start + timedelta(days=days)


@dataclass
class NoticeStatus:
    """One notice with its deadlines, the proposals answering it, and where each stands."""

    notice: EmergencyNotice
    filed_on: date
    notice_due: date | None
    notice_standing: Standing
    report_due: date | None
    report_met_on: date | None
    report_standing: Standing
    proposals: list[Proposal]

    @property
    def needs_report(self) -> bool:
        """Say whether the ordinance calls for a report (the use continues)."""
        return self.notice.use_continues

    @property
    def attention(self) -> bool:
        """Say whether anything about this notice is late."""
        return (self.notice_standing.key == "filed_late"
                or self.report_standing.key in ("overdue", "met_late"))


def linked_proposals(session: Session, column, ids) -> dict[int, list[tuple]]:
    """Map each origin id (of ProposalOrigin `column`) to (proposal, first submitted_at)."""
    found: dict[int, list] = {}
    if not ids:
        return found
    rows = session.execute(
        select(column, Proposal, ProposalVersion.submitted_at)
        .join(Proposal, Proposal.id == ProposalOrigin.proposal_id)
        .join(ProposalVersion, (ProposalVersion.proposal_id == Proposal.id)
              & (ProposalVersion.number == 1))
        .where(column.in_(ids)).order_by(Proposal.id))
    for origin_id, proposal, submitted_at in rows:
        found.setdefault(origin_id, []).append((proposal, submitted_at))
    return found


def first_submitted(linked, profile) -> date | None:
    """Return the local date the earliest linked proposal was first submitted, if any."""
    times = [at for _proposal, at in linked if at is not None]
    return local_day(min(times), profile) if times else None


def notice_statuses(session: Session, profile, now: datetime,
                    notice_id: int | None = None) -> list[NoticeStatus]:
    """Return every notice (or just `notice_id`) with its deadlines, newest use first."""
    query = select(EmergencyNotice).order_by(EmergencyNotice.began_on.desc(),
                                             EmergencyNotice.id.desc())
    if notice_id is not None:
        query = query.where(EmergencyNotice.id == notice_id)
    notices = list(session.scalars(query))
    links = linked_proposals(session, ProposalOrigin.emergency_notice_id,
                             [n.id for n in notices])
    today = local_day(now, profile)
    result = []
    for notice in notices:
        linked = links.get(notice.id, [])
        filed_on = local_day(notice.filed_at, profile)
        notice_due = after(notice.began_on, profile.emergency_notice_days)
        if notice_due is None:
            notice_standing = Standing("no_deadline", NO_DEADLINE)
        elif filed_on > notice_due:
            notice_standing = Standing("filed_late", "Filed late")
        else:
            notice_standing = Standing("on_time", "Filed on time")
        met_on = first_submitted(linked, profile)
        if notice.use_continues:
            report_due = after(notice.began_on, profile.emergency_report_days)
            report_standing = standing(report_due, met_on, today)
        else:
            report_due = None
            report_standing = Standing("not_required", "Not required: the use has ended")
        result.append(NoticeStatus(notice, filed_on, notice_due, notice_standing, report_due,
                                   met_on, report_standing, [p for p, _at in linked]))
    return result


def notice_url(notice_id: int) -> str:
    """Return the public page of a notice (also the route of views.emergency)."""
    return f"/emergency/{notice_id}"


def due_items(session, profile, now) -> list[DueItem]:
    """Return each notice and each continuing use's report that has a deadline."""
    items = []
    for status in notice_statuses(session, profile, now):
        notice = status.notice
        title = f"{notice.technology_name} (use began {_words(notice.began_on)})"
        department = notice.department.name
        if status.notice_due is not None:
            items.append(DueItem(NOTICE_KIND, title, department, status.notice_due,
                                 status.filed_on, notice_url(notice.id)))
        if status.report_due is not None:
            items.append(DueItem(REPORT_KIND, title, department, status.report_due,
                                 status.report_met_on, notice_url(notice.id)))
    return items
