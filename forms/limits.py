"""What a typed value may hold so that every database can store it, with plain messages."""

import re
import unicodedata
from datetime import date

from wtforms.validators import StopValidation, ValidationError

# PostgreSQL refuses NUL in text; lone surrogates cannot be encoded as UTF-8 at all.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")

# Integer columns are int4 on PostgreSQL.
INT4_MIN = -(2**31)
INT4_MAX = 2**31 - 1

# Domain maxima: a hundred years of keeping data; a billion dollars is beyond any city's
# surveillance contract, so a larger figure is a slip of the keyboard.
MAX_DAYS = 36_500
MAX_DOLLARS = 1_000_000_000

# Every date the process deals with (ordinances, audits, hearings) falls in these years;
# anything outside is a typing slip, and far-off years overflow the time zone arithmetic.
FIRST_YEAR = 1900
LAST_YEAR = 2099

UNSTORABLE_MESSAGE = ("This contained a hidden character (a “null”, often carried over when "
                      "pasting from another program) that cannot be saved. It has been taken "
                      "out: check what is shown here and submit again.")
RETYPE_MESSAGE = ("This contained a hidden character (a “null”) that no password can "
                       "hold. Type the password again.")


def has_unstorable(text: str) -> bool:
    """Say whether `text` holds a character that no database can store."""
    return UNSTORABLE.search(text) is not None


def storable(value):
    """Return `value` with unstorable characters taken out (strings and lists of them)."""
    if isinstance(value, str):
        return UNSTORABLE.sub("", value)
    if isinstance(value, list):
        return [storable(item) for item in value]
    return value


# What shows nothing on a page: controls and format characters (zero-width spaces, bidi
# overrides), separators, combining marks on their own, unassigned and private code
# points, and the few "letters" that are blank fillers.
INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp", "Mn", "Me"})
BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
INVISIBLE_MESSAGE = ("This holds only invisible characters. Type the text, or leave the "
                     "box empty if it is optional.")


def has_visible_text(value: str) -> bool:
    """Say whether `value` holds at least one character a reader can see."""
    return any(ch not in BLANK_LETTERS and unicodedata.category(ch) not in INVISIBLE_CATEGORIES
               for ch in value)


class Visible:
    """Refuse text that is not blank yet shows nothing (zero-width spaces, say)."""

    def __call__(self, form, field) -> None:
        data = field.data
        if isinstance(data, str) and data.strip() and not has_visible_text(data):
            field.errors[:] = []
            raise StopValidation(INVISIBLE_MESSAGE)


class Storable:
    """Refuse a value holding characters that no database can store.

    It runs first and stops the chain: the other messages (and a date field's echo of what
    was typed) would only repeat the hidden character. What was typed is kept without it, so
    the form shows it again ready to resubmit.
    """

    def __init__(self, message: str = UNSTORABLE_MESSAGE):
        self.message = message

    def __call__(self, form, field) -> None:
        raw = field.raw_data or []
        if not any(isinstance(v, str) and has_unstorable(v) for v in raw):
            return
        field.raw_data = storable(list(raw))
        field.data = storable(field.data)
        field.errors[:] = []
        raise StopValidation(self.message)


class NumberWithin:
    """Refuse a number outside [minimum, maximum], saying the limit in plain words."""

    def __init__(self, minimum: int | None = None, maximum: int | None = None,
                 unit: str = "", note: str = ""):
        self.min, self.max = minimum, maximum
        # Only the upper limit carries the unit and note: "36,500 days (100 years)".
        self.max_words = f"{maximum:,}" + (f" {unit}" if unit else "") + \
            (f" ({note})" if note else "") if maximum is not None else ""

    def __call__(self, form, field) -> None:
        value = field.data
        if value is None:
            return
        if self.max is not None and value > self.max:
            raise ValidationError(f"Enter a number no larger than {self.max_words}.")
        if self.min is not None and value < self.min:
            raise ValidationError(f"Enter a number no smaller than {self.min:,}.")


class DateWithin:
    """Refuse a date whose year is outside FIRST_YEAR..LAST_YEAR."""

    def __call__(self, form, field) -> None:
        value = field.data
        if isinstance(value, date) and not FIRST_YEAR <= value.year <= LAST_YEAR:
            raise ValidationError(f"Check the year: enter a date between {FIRST_YEAR} and "
                                  f"{LAST_YEAR}, as year-month-day.")


def column_int() -> NumberWithin:
    """Return the widest range an Integer column holds on PostgreSQL."""
    return NumberWithin(INT4_MIN, INT4_MAX)
