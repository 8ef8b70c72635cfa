"""Sign-in form."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    """Staff sign-in."""

    email = EmailField("Email address", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=128)])
    submit = SubmitField("Sign in")


class ConfirmPasswordForm(FlaskForm):
    """Re-enter the password before a sensitive action (a stale remember-me session)."""

    password = PasswordField("Password", validators=[DataRequired(), Length(max=128)])
    submit = SubmitField("Confirm")
