"""Atom feeds of the record and an iCalendar of hearings and comment deadlines.

So that residents, journalists and council staff can follow the city without polling the
site: every entry is a public step of the record (never a draft). Each feed reads a bounded
number of the newest rows through an index; none counts or loads a whole table.
"""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from xml.etree import ElementTree

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import CommentPeriod, Hearing, Proposal, Stage, StageChange

ENTRIES = 50  # newest steps in a feed
EVENTS = 200  # newest hearings and comment periods in the calendar
ATOM = "http://www.w3.org/2005/Atom"
# Characters XML 1.0 forbids (ElementTree would write them, and no reader could parse the
# feed): pasted text sometimes carries them.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class Entry:
    """One step of the record, as a feed shows it."""

    key: str  # stable: a feed reader never shows it twice
    title: str
    updated: datetime
    path: str
    summary: str


def _steps(session: Session, proposal_id: int | None) -> list[tuple[StageChange, Proposal]]:
    query = (select(StageChange, Proposal).join(Proposal, Proposal.id == StageChange.proposal_id)
             .where(StageChange.to_stage != Stage.DRAFT, Proposal.stage != Stage.DRAFT)
             .order_by(StageChange.id.desc()).limit(ENTRIES))
    if proposal_id is not None:
        query = query.where(StageChange.proposal_id == proposal_id)
    return [tuple(row) for row in session.execute(query)]


def step_entries(session: Session, proposal_id: int | None = None) -> list[Entry]:
    """Return the newest public steps, of one proposal or of the whole city."""
    return [Entry(key=f"step-{change.id}",
                  title=f"{proposal.title}: {change.to_stage.label}",
                  updated=change.created_at, path=f"/proposals/{proposal.id}",
                  summary=(f"File {proposal.file_number}, version {change.version_number}. "
                           + (f"Reason: {change.reason}" if change.reason else "")).strip())
            for change, proposal in _steps(session, proposal_id)]


def atom(title: str, self_url: str, site_url: str, entries: list[Entry],
         fallback_updated: datetime) -> bytes:
    """Return an Atom 1.0 document (RFC 4287); every text is escaped by ElementTree."""
    ElementTree.register_namespace("", ATOM)

    def child(parent, tag: str, text: str | None = None, **attributes):
        element = ElementTree.SubElement(parent, f"{{{ATOM}}}{tag}", attributes)
        element.text = None if text is None else NOT_XML.sub("", text)
        return element

    feed = ElementTree.Element(f"{{{ATOM}}}feed")
    child(feed, "id", self_url)
    child(feed, "title", title)
    child(feed, "updated", _stamp(entries[0].updated if entries else fallback_updated))
    child(feed, "link", rel="self", href=self_url)
    child(feed, "link", rel="alternate", href=site_url)
    author = child(feed, "author")
    child(author, "name", title)
    for entry in entries:
        item = child(feed, "entry")
        child(item, "id", f"{site_url.rstrip('/')}/#{entry.key}")
        child(item, "title", entry.title)
        child(item, "updated", _stamp(entry.updated))
        child(item, "link", rel="alternate", href=site_url.rstrip("/") + entry.path)
        child(item, "summary", entry.summary)
    return ElementTree.tostring(feed, encoding="utf-8", xml_declaration=True)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def calendar_events(session: Session) -> list[tuple[str, date | datetime, str, str, str]]:
    """Return (uid, start, summary, location, path) for recent hearings and deadlines."""
    events = []
    for hearing, proposal in session.execute(
            select(Hearing, Proposal).join(Proposal, Proposal.id == Hearing.proposal_id)
            .order_by(Hearing.id.desc()).limit(EVENTS)):
        events.append((f"hearing-{hearing.id}", hearing.hearing_date,
                       f"Council hearing: {proposal.title}", hearing.location,
                       f"/proposals/{proposal.id}"))
    for period, proposal in session.execute(
            select(CommentPeriod, Proposal).join(Proposal, Proposal.id == CommentPeriod.proposal_id)
            .order_by(CommentPeriod.id.desc()).limit(EVENTS)):
        events.append((f"comment-deadline-{period.id}", period.closes_at,
                       f"Public comment closes: {proposal.title}", "",
                       f"/proposals/{proposal.id}/comment"))
    return events


def icalendar(name: str, site_url: str, host: str, now: datetime,
              events: list[tuple[str, date | datetime, str, str, str]]) -> str:
    """Return an iCalendar (RFC 5545) with CRLF lines, escaped text and folded lines."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//reviewapp//surveillance review//EN",
             "CALSCALE:GREGORIAN", f"X-WR-CALNAME:{_text(name)}"]
    for uid, start, summary, location, path in events:
        lines += ["BEGIN:VEVENT", f"UID:{uid}@{host}", f"DTSTAMP:{_ical_time(now)}"]
        if isinstance(start, datetime):
            lines.append(f"DTSTART:{_ical_time(start)}")
        else:
            lines.append(f"DTSTART;VALUE=DATE:{start:%Y%m%d}")
        lines.append(f"SUMMARY:{_text(summary)}")
        if location:
            lines.append(f"LOCATION:{_text(location)}")
        lines += [f"URL:{site_url.rstrip('/')}{path}", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)


def _ical_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _text(value: str) -> str:
    """Escape a TEXT value (RFC 5545 3.3.11); control characters are dropped."""
    value = "".join(ch for ch in value if ch >= " " or ch == "\n")
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\n", "\\n"))


def _fold(line: str) -> str:
    """Fold a content line at 75 octets, never inside a UTF-8 character."""
    out, current = [], ""
    for ch in line:
        if len((current + ch).encode("utf-8")) > (75 if not out else 74):
            out.append(current)
            current = ""
        current += ch
    out.append(current)
    return "\r\n ".join(out)
