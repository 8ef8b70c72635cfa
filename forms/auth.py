"""Sign-in form."""

from wtforms import EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional

from .base import InputForm


class LoginForm(InputForm):
    """Staff sign-in."""

    email = EmailField("Email address", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=128)])
    submit = SubmitField("Sign in")


CODE_HINT = "The 6-digit code your authenticator app shows now, or one of your recovery codes."


def code_field(validators) -> StringField:
    """A one-time code: digits from an app, or a recovery code; never autofilled."""
    return StringField("Code", description=CODE_HINT, validators=[*validators, Length(max=20)],
                       render_kw={"autocomplete": "one-time-code", "inputmode": "text",
                                  "spellcheck": "false", "autocapitalize": "off"})


class ConfirmPasswordForm(InputForm):
    """Re-enter the password (and the code, with a second factor) before a sensitive step."""

    password = PasswordField("Password", validators=[DataRequired(), Length(max=128)])
    code = code_field([Optional()])
    submit = SubmitField("Confirm")


class SecondFactorForm(InputForm):
    """The second step of signing in."""

    code = code_field([DataRequired(message="Give the code.")])


class SetUpSecondFactorForm(InputForm):
    """Prove the authenticator app holds the new secret by typing its current code."""

    code = StringField("The 6-digit code your app shows now",
                       validators=[DataRequired(message="Give the code the app shows."),
                                   Length(max=20)],
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"})
