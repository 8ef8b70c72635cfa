"""The department's notice of emergency (exigent) use already begun."""

from datetime import date

from wtforms import DateField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from . import options
from .base import InputForm

DATE_HINT = "Year-month-day, for example 2026-03-02."


class DayField(DateField):
    """A date typed as year-month-day, with a plain message when it cannot be read."""

    def process_formdata(self, valuelist):
        """Read the date; keep what was typed and say how to write it if it is not one."""
        if not "".join(valuelist).strip():
            self.data = None  # empty: the Required/Optional validators decide
            return
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError(f"Enter a real date as year-month-day, for example "
                             f"2026-03-02 (you typed “{' '.join(valuelist)}”).") from exc


def not_after(field, latest: date | None, message: str) -> None:
    """Refuse a date after `latest` (used by the forms' validate_<field> methods)."""
    if field.data is not None and latest is not None and field.data > latest:
        raise ValidationError(message)


class EmergencyNoticeForm(InputForm):
    """What the department tells the public about an emergency use; kept as filed."""

    technology_name = StringField(
        "Technology used", validators=[DataRequired(message="Name the technology used."),
                                       Length(max=200)],
        description="For example: a cell-site simulator borrowed from the county.")
    technology_category = SelectField(
        "Kind of technology", choices=[],
        validators=[DataRequired(message="Choose the kind of technology.")])
    description = TextAreaField(
        "What happened, and why it was an emergency",
        validators=[DataRequired(message="Say what happened and why there was no time to "
                                         "seek approval first."), Length(max=20000)],
        description="The danger of death or serious injury, what the technology was used for, "
                    "and why there was no time to ask the council first. This is published.",
        render_kw={"rows": 8})
    began_on = DayField("Date the use began",
                        validators=[InputRequired(message="Give the date the use began.")],
                        description=DATE_HINT)
    use_continues = RadioField(
        "Is the technology still in use?", choices=options([("yes", "Yes"), ("no", "No")]),
        validators=[DataRequired(message="Say whether the use continues.")],
        description="If it is, an impact report and use policy are due.")
    submit = SubmitField("File the notice")

    latest: date | None = None  # the view sets today's date in the jurisdiction

    def set_choices(self, categories) -> None:
        """Offer the technology categories as (value, label) pairs."""
        self.technology_category.choices = options([("", "Choose one"), *categories])

    def validate_began_on(self, field) -> None:
        """A notice is for a use already begun: not a date in the future."""
        not_after(field, self.latest, "The use cannot begin in the future: give the date it "
                                      "began.")
