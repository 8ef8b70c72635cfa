"""One entry of the existing-technology inventory."""

from datetime import date

from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from . import options
from .base import InputForm
from .emergency import DATE_HINT, DayField, not_after


class InventoryItemForm(InputForm):
    """A technology the department was using when the ordinance took effect."""

    department = SelectField("Department", choices=[],
                             validators=[DataRequired(message="Choose the department.")])
    technology_name = StringField(
        "Technology", validators=[DataRequired(message="Name the technology."),
                                  Length(max=200)],
        description="For example: body-worn cameras (Axon Body 3).")
    technology_category = SelectField(
        "Kind of technology", choices=[],
        validators=[DataRequired(message="Choose the kind of technology.")])
    description = TextAreaField(
        "What it does and how the department uses it",
        validators=[DataRequired(message="Describe the technology and its use."),
                    Length(max=20000)],
        description="This is published.", render_kw={"rows": 6})
    in_use_since = DayField("In use since (optional)", validators=[Optional()],
                            description=DATE_HINT + " Leave empty if not known.")
    submit = SubmitField("Add to the inventory")

    latest: date | None = None  # the view sets the last day the entry could have begun
    latest_words: str = ""

    def set_choices(self, departments, categories) -> None:
        """Offer the departments (value, name) and technology categories."""
        self.department.choices = options([("", "Choose one"), *departments])
        self.technology_category.choices = options([("", "Choose one"), *categories])

    def validate_in_use_since(self, field) -> None:
        """The inventory lists technology already in use when the ordinance took effect."""
        not_after(field, self.latest, f"Give a date on or before {self.latest_words}: the "
                                      "inventory lists technology in use by then.")
