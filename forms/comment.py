"""The public comment form: anonymous, as an individual, or for an organization."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

MAX_COMMENT = 5000


class CommentForm(FlaskForm):
    """A public comment; only what the person chooses to publish is kept."""

    submitter_type = RadioField("How do you want to appear?", choices=[],
                                validators=[DataRequired(message="Choose how to appear.")])
    name = StringField("Your name (published)", validators=[Optional(), Length(max=200)],
                       description="Only if you chose ‘As an individual’.")
    organization = StringField("Organization name (published)",
                               validators=[Optional(), Length(max=200)],
                               description="Only if you chose ‘On behalf of an organization’.")
    position = RadioField("Your position", choices=[],
                          validators=[DataRequired(message="Choose support, oppose or "
                                                           "neutral.")])
    body = TextAreaField(
        "Your comment (published)",
        validators=[DataRequired(message="Write your comment."), Length(max=MAX_COMMENT)],
        description=f"Up to {MAX_COMMENT:,} characters. Do not include private details "
                    "about yourself or others.",
        render_kw={"rows": 8},
    )
    nonce = HiddenField()
    submit = SubmitField("Send comment")

    def validate_organization(self, field) -> None:
        """An organization comment needs the organization's name."""
        if self.submitter_type.data == "organization" and not (field.data or "").strip():
            raise ValidationError("Give the organization's name, or choose another option.")

    def validate_name(self, field) -> None:
        """An individual comment needs a name; otherwise choose anonymous."""
        if self.submitter_type.data == "individual" and not (field.data or "").strip():
            raise ValidationError("Give the name to publish, or choose ‘Anonymous’.")
