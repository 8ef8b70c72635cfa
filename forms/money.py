"""An amount of money typed as people write it ("$1,250,000.50"), kept as whole cents."""

import re
from decimal import Decimal, InvalidOperation

from wtforms import StringField
from wtforms.validators import ValidationError

from .limits import MAX_DOLLARS

# Dollar signs, thousands separators and spaces are how amounts are written; they carry
# no value. A comma followed by exactly two digits at the end is still read as a thousands
# separator's mistake only if it cannot be one: "1,25" is refused rather than guessed.
NOISE = re.compile(r"[\s$,]|USD", re.IGNORECASE)
AMOUNT = re.compile(r"\d+(?:\.\d{1,2})?")
THOUSANDS = re.compile(r"^\$?\s*\d{1,3}(?:,\d{3})*(?:\.\d{1,2})?$|^\$?\s*\d+(?:\.\d{1,2})?$")

MONEY_MESSAGE = ("Enter an amount in dollars, with cents if you like: for example 1250000 or "
                 "$1,250,000.50.")


def cents_from_text(text: str) -> int:
    """Return the amount in cents, or raise ValueError with what is wrong in plain words."""
    typed = text.strip().removesuffix("USD").strip()
    if not THOUSANDS.match(typed):
        raise ValueError(MONEY_MESSAGE)
    digits = NOISE.sub("", typed)
    if not AMOUNT.fullmatch(digits):
        raise ValueError(MONEY_MESSAGE)
    try:
        amount = Decimal(digits)
    except InvalidOperation as exc:
        raise ValueError(MONEY_MESSAGE) from exc
    if amount > MAX_DOLLARS:
        raise ValueError(f"Enter an amount no larger than ${MAX_DOLLARS:,} (a billion "
                         "dollars).")
    return int(amount * 100)


def text_from_cents(cents: int | None) -> str:
    """Return cents as the form shows them: "1,250,000.50", or "1,250,000" for whole dollars."""
    if cents is None:
        return ""
    dollars, rest = divmod(cents, 100)
    return f"{dollars:,}" + (f".{rest:02d}" if rest else "")


def money_words(cents: int) -> str:
    """Return cents as a reader sees them: "$1,250,000.50", or "$1,250,000"."""
    return "$" + text_from_cents(cents)


class MoneyField(StringField):
    """A dollar amount with optional cents, up to a billion; data is whole cents or None.

    What was typed is shown again as typed when it is refused, so nothing is lost.
    """

    def process_formdata(self, valuelist):
        self.raw_text = valuelist[0] if valuelist else ""
        self.data = None
        self.money_error = ""
        if self.raw_text.strip():
            try:
                self.data = cents_from_text(self.raw_text)
            except ValueError as exc:
                self.money_error = str(exc)

    def process_data(self, value):
        self.data = value
        self.raw_text = text_from_cents(value) if isinstance(value, int) else ""
        self.money_error = ""

    def pre_validate(self, form):
        if self.money_error:
            raise ValidationError(self.money_error)

    def _value(self):
        return self.raw_text
