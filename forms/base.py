"""The base classes of every form: input that no database can store is refused at the field.

Every form subclasses InputForm (a page's form) or InputSubform (a repeated or nested part),
so no field can be forgotten: binding adds the checks to each field.
"""

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, DateTimeField, FieldList, Form, FormField
from wtforms.csrf.core import CSRFTokenField
from wtforms.fields import HiddenField, IntegerField, PasswordField, StringField

from .limits import (
    RETYPE_MESSAGE,
    DateWithin,
    NumberWithin,
    Storable,
    Visible,
    column_int,
    storable,
)

# Containers validate through their own fields; a checkbox or button stores only a bool;
# a bad CSRF token is refused before any view runs.
UNCHECKED = (FormField, FieldList, BooleanField, CSRFTokenField)


def _bounded(field) -> bool:
    """Say whether the field already has an explicit range with both ends."""
    return any(isinstance(v, NumberWithin) and v.min is not None and v.max is not None
               for v in field.validators)


def guard(field) -> None:
    """Add the storable-input checks to one bound field (the class's lists stay untouched)."""
    if isinstance(field, UNCHECKED):
        return
    first = [Storable(RETYPE_MESSAGE) if isinstance(field, PasswordField) else Storable()]
    if isinstance(field, StringField) and not isinstance(field, PasswordField | HiddenField):
        first.append(Visible())  # text a reader would see: a title, a name, a comment
    last = []
    if isinstance(field, IntegerField) and not _bounded(field):
        last.append(column_int())  # the safety net for a number given no range of its own
    if isinstance(field, DateField | DateTimeField):
        last.append(DateWithin())
    field.validators = [*first, *field.validators, *last]
    # The text is shown again without the hidden characters even when validation never
    # runs (a form given back after its security token expired).
    field.filters = (*field.filters, storable)


class StorableMeta:
    """Form options that guard every field as it is bound to its form."""

    def bind_field(self, form, unbound_field, options):
        """Bind the field, then add the checks."""
        field = super().bind_field(form, unbound_field, options)
        guard(field)
        return field


class InputForm(FlaskForm):
    """A page's form; its CSRF token is checked by CSRFProtect (reviewapp/security.py)."""

    class Meta(StorableMeta):
        # CSRFProtect refuses every POST without a valid token before any view runs, and
        # exempts nothing (tests/test_security.py); a form's own check would only repeat
        # it, at the cost of a token signed and checked again on every post.
        csrf = False


class InputSubform(Form):
    """A part of a form: a document's sections, one recipient, one sharing line."""

    class Meta(StorableMeta):
        pass
