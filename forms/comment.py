"""The public comment form: anonymous, as an individual, or for an organization."""

from wtforms import HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from .base import InputForm

MAX_COMMENT = 5000
# The form's own nonce (secrets.token_urlsafe(24) gives 32 such characters). A blank or
# odd one cannot tell a resend of this form from another form, so the form is given back.
NONCE_SHAPE = r"^[A-Za-z0-9_-]{32}$"


class CommentForm(InputForm):
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
    # The page's own button sends the form: no SubmitField to bind.
    nonce = HiddenField(validators=[Regexp(NONCE_SHAPE, message="resend")])

    def validate(self, extra_validators=None) -> bool:
        """Check the fields, then that the chosen way of appearing has its name.

        Done here, not in validate_<field>: an empty optional field stops its own chain.
        """
        valid = super().validate(extra_validators)
        kind = self.submitter_type.data
        if kind == "organization" and not (self.organization.data or "").strip():
            self.organization.errors = [
                "Give the organization's name, or choose another option."]
            valid = False
        if kind == "individual" and not (self.name.data or "").strip():
            self.name.errors = ["Give the name to publish, or choose ‘Anonymous’."]
            valid = False
        return valid
