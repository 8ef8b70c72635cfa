"""Template helpers: dates in the jurisdiction's zone, money, and the permission checks."""

from datetime import date, datetime

from flask import Flask, url_for

from forms.money import money_words

from . import particulars, permissions, workflow
from .jurisdiction import profile
from .models import SensitiveLocation, Stage


def local_datetime(value: datetime | None) -> str:
    """Format an aware time in the jurisdiction's zone, e.g. 'March 4, 2026, 5:00 PM PST'."""
    if value is None:
        return ""
    local = value.astimezone(profile().zone)
    return local.strftime("%B %-d, %Y, %-I:%M %p %Z")


def long_date(value: date | datetime | None) -> str:
    """Format a date as 'March 4, 2026' (times are first moved to the local zone)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(profile().zone).date()
    return value.strftime("%B %-d, %Y")


def money(cents: int | None) -> str:
    """Format cents as '$12,500' (or '$12,500.50'), or 'not given'."""
    return "not given" if cents is None else money_words(cents)


def cost_summary(version) -> str:
    """Describe a version's costs in one sentence, saying plainly what was not given."""
    acquisition = ("acquisition cost not given" if version.acquisition_cents is None
                   else f"{money(version.acquisition_cents)} to acquire")
    annual = ("annual cost not given" if version.annual_cents is None
              else f"{money(version.annual_cents)} a year")
    funding = f"; funded by {version.funding_source}" if version.funding_source else ""
    sentence = f"{acquisition}, {annual}{funding}"
    return sentence[0].upper() + sentence[1:]


def yes_no(answer: bool | None) -> str:
    """Say 'Yes', 'No' or 'Not answered' for a structured yes/no answer."""
    return {True: "Yes", False: "No"}.get(answer, "Not answered")


def sensitive_places(values) -> str:
    """Name the sensitive locations chosen, or say there are none."""
    names = [SensitiveLocation(value).label for value in values or ()]
    return ", ".join(names) if names else "None declared"


# An id no row has: url_for builds it in, and url_pattern swaps it for a placeholder.
_SENTINEL_ID = 9_876_543_210_123


def url_pattern(endpoint: str, name: str) -> str:
    """Return the URL of `endpoint` with '{}' where its integer argument `name` goes.

    A listing builds it once and formats it per row: url_for per row is most of a long
    list's cost (routing builds each URL afresh).
    """
    return url_for(endpoint, **{name: _SENTINEL_ID}).replace(str(_SENTINEL_ID), "{}")


def init_app(app: Flask) -> None:
    """Register filters and the names every template may use."""
    app.jinja_env.filters.update(local_datetime=local_datetime, long_date=long_date,
                                 money=money, cost_summary=cost_summary, yes_no=yes_no,
                                 sensitive_places=sensitive_places)
    app.jinja_env.globals["url_pattern"] = url_pattern
    app.jinja_env.globals.update(answered_groups=particulars.answered_groups,
                                 retention_exceptions=particulars.retention_exceptions,
                                 claimed_ban_exception=particulars.claimed_ban_exception)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def names():
        return {
            "profile": profile(),
            "can": permissions,
            "Stage": Stage,
            "allowed_from": workflow.ALLOWED_FROM,
            "Action": workflow.Action,
        }
