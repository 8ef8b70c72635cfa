"""Sign-in form."""

from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Length

from .base import InputForm


class LoginForm(InputForm):
    """Staff sign-in."""

    email = EmailField("Email address", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=128)])
    submit = SubmitField("Sign in")


class ConfirmPasswordForm(InputForm):
    """Re-enter the password before a sensitive action (a stale remember-me session)."""

    password = PasswordField("Password", validators=[DataRequired(), Length(max=128)])
    submit = SubmitField("Confirm")
