"""Feeds to follow the record without polling the site (routes of `public`)."""

from flask import Response, request, url_for

from .. import clock, feeds
from ..db import get_session
from ..jurisdiction import profile
from . import proposal_or_404
from .public import bp

MAX_AGE = 300  # seconds a feed reader or proxy may keep a copy


def _site_name() -> str:
    return f"{profile().jurisdiction} surveillance review"


def _cached(body, mimetype: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE
    return response


@bp.route("/feeds/city.atom")
def city_feed():
    """Every public step of every proposal, newest first (Atom)."""
    body = feeds.atom(_site_name(), request.url, url_for("public.index", _external=True),
                      feeds.step_entries(get_session()), clock.now())
    return _cached(body, "application/atom+xml")


@bp.route("/proposals/<int:proposal_id>/feed.atom")
def proposal_feed(proposal_id: int):
    """One proposal's public steps, newest first (Atom); a draft is 404."""
    item = proposal_or_404(proposal_id)
    body = feeds.atom(f"{item.title} · {_site_name()}", request.url,
                      url_for("public.index", _external=True),
                      feeds.step_entries(get_session(), item.id), item.created_at)
    return _cached(body, "application/atom+xml")


@bp.route("/calendar.ics")
def calendar():
    """Council hearings and comment deadlines, for any calendar app (iCalendar)."""
    body = feeds.icalendar(_site_name(), url_for("public.index", _external=True), request.host,
                           clock.now(), feeds.calendar_events(get_session()))
    return _cached(body, "text/calendar")
