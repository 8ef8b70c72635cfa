"""The clerk's forms: intake, comment period, hearing, moderation, roll call, issuance."""

from wtforms import DateField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from .base import InputForm


class ActionForm(InputForm):
    """A button that needs nothing but the CSRF token."""

    submit = SubmitField("Confirm")


class ReturnForm(InputForm):
    """Return a proposal to its department."""

    reasons = TextAreaField("Reasons for returning (the department sees these)",
                            validators=[DataRequired(message="Give the reasons."),
                                        Length(max=10000)], render_kw={"rows": 5})
    submit = SubmitField("Return to department")


class OpenCommentForm(InputForm):
    """Open the public comment period."""

    closes_on = DateField("Comments close at 11:59 PM on",
                          validators=[DataRequired(message="Give a closing date.")])
    override_reason = TextAreaField(
        "Reason to proceed despite blocking findings (published)",
        validators=[Optional(), Length(max=10000)], render_kw={"rows": 4},
        description="Required only when the proposal has blocking compliance findings.")
    submit = SubmitField("Open public comment")


class ScheduleHearingForm(InputForm):
    """Put the proposal on a council hearing agenda."""

    hearing_date = DateField("Hearing date",
                             validators=[DataRequired(message="Give the hearing date.")])
    location = StringField("Location", validators=[DataRequired(), Length(max=300)],
                           default="Council Chamber, City Hall")
    submit = SubmitField("Schedule hearing")


class HideCommentForm(InputForm):
    """Hide a comment from the public page, with the published reason."""

    reason = StringField("Reason (published with the placeholder)",
                         validators=[DataRequired(message="Give the reason."),
                                     Length(max=500)])
    submit = SubmitField("Hide comment")


class AbsenceForm(InputForm):
    """Record that a council member is absent for the open motion."""

    member = SelectField("Council member", choices=[], coerce=int)
    submit = SubmitField("Record absent")
