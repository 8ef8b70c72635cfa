"""Advisory recommendation, motions and votes."""

from wtforms import (
    IntegerField,
    RadioField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from .base import InputForm
from .limits import MAX_DAYS, NumberWithin


class RecommendationForm(InputForm):
    """The advisory body's recommendation with its memo."""

    recommendation = RadioField("Recommendation", choices=[],
                                validators=[DataRequired(message="Choose a recommendation.")])
    memo = TextAreaField("Memo (published)", validators=[DataRequired(message="Write the memo."),
                                                         Length(max=20000)],
                         render_kw={"rows": 8})
    submit = SubmitField("Record recommendation")


class CheckboxesField(SelectMultipleField):
    """Several choices shown as checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class MotionForm(InputForm):
    """The motion the council votes on."""

    motion_type = RadioField("Motion", choices=[],
                             validators=[DataRequired(message="Choose the motion.")])
    findings = CheckboxesField("Findings made by the council (all are required to approve)",
                               choices=[])
    retention_limit_days = IntegerField(
        "Keep data no longer than (days)",
        validators=[Optional(), NumberWithin(1, MAX_DAYS, "days", "100 years")],
        description="Checked against each annual report. Leave empty for no limit.")
    no_sharing_types = CheckboxesField("No sharing with these kinds of recipients",
                                       choices=[])
    no_sharing_names = StringField(
        "No sharing with these named recipients", validators=[Optional(), Length(max=1000)],
        description="Separate names with commas, e.g. Vigilant LEARN, Flock national lookup.")
    audit_every_months = IntegerField(
        "An audit of the system's use at least every (months)",
        validators=[Optional(), NumberWithin(1, 120, "months")])
    deployment_areas = StringField(
        "Deployment limited to these areas", validators=[Optional(), Length(max=1000)],
        description="Separate areas with commas, e.g. District 3, Downtown.")
    conditions = TextAreaField(
        "Other conditions of approval, one per line",
        validators=[Optional(), Length(max=20000)], render_kw={"rows": 5},
        description="Each line becomes a numbered condition in the determination.")
    moved_by = StringField("Moved by", validators=[Optional(), Length(max=200)])
    submit = SubmitField("Put the motion to a vote")


class VoteForm(InputForm):
    """A council member's own vote."""

    choice = RadioField("Your vote", choices=[],
                        validators=[DataRequired(message="Choose how you vote.")])
    submit = SubmitField("Cast vote")
