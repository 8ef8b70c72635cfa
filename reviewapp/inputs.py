"""Refuse malformed addresses early with a clear 4xx, before any view or query sees them.

Form fields are checked by the forms themselves (forms/base.py), next to each field.
"""

from flask import Flask, request
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

from forms.limits import INT4_MAX, INT4_MIN, has_unstorable

# Every id in a URL names a row of an Integer column (int4 on PostgreSQL, which refuses a
# larger value in the query itself), so a larger id cannot name anything: 404.
ID_MAX = INT4_MAX


class BoundedIntegerConverter(IntegerConverter):
    """The `int` converter, refusing (404) a number no id column can hold."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None,
                 max: int | None = ID_MAX, signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def bounded_int(text: str) -> int:
    """Read a whole number an Integer column can hold (ValueError otherwise).

    As `request.args.get(name, type=bounded_int)` (or `request.form`), a value out of range
    reads as absent.
    """
    value = int(text)
    if not INT4_MIN <= value <= INT4_MAX:
        raise ValueError("out of range")
    return value


def refuse_unstorable_address() -> None:
    """Answer 400 when the path or query string holds a character no database can store."""
    if has_unstorable(request.path):
        raise BadRequest("The web address contains a hidden character (a “null”, %00) that "
                         "no page here can have. Check the link, or type the address again.")
    for key, value in request.args.items(multi=True):
        if has_unstorable(key) or has_unstorable(value):
            raise BadRequest("The part of the web address after “?” contains a hidden "
                             "character (a “null”, %00) that cannot be used. Check the link, "
                             "or type the address again.")


def init_app(app: Flask) -> None:
    """Bound the `int` URL converter and check every address before the views run."""
    # Rules pick their converter when they are added, so this precedes the blueprints.
    app.url_map.converters["int"] = BoundedIntegerConverter
    app.before_request(refuse_unstorable_address)
