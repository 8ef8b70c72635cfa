"""Forms for staff accounts: invitations, roles, and setting or changing a password."""

from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp

from . import options
from .base import InputForm

ROLE_CHOICES = [
    ("submitter", "Department staff (files proposals and reports)"),
    ("clerk", "City clerk (runs the process, issues determinations)"),
    ("advisory", "Advisory body member"),
    ("council", "Council member (votes)"),
    ("admin", "Administrator (manages accounts)"),
]
# A hint for people, not a password.
PASSWORD_HINT = ("At least 12 characters. A few unrelated words are easy to remember and "  # noqa: S105
                 "hard to guess; common or breached passwords are refused.")


class RoleFields(InputForm):
    """A role, and the department when the role is a department's staff."""

    role = SelectField("Role", choices=options(ROLE_CHOICES),
                       validators=[DataRequired(message="Choose a role.")])
    department = StringField("Department (department staff only)",
                             validators=[Optional(), Length(max=200)],
                             description="For example: Police Department.")

    def validate(self, extra_validators=None) -> bool:
        """Check the fields, then that the department is given exactly when it is needed."""
        valid = super().validate(extra_validators)
        has_department = bool((self.department.data or "").strip())
        if self.role.data == "submitter" and not has_department:
            self.department.errors = ["Give the department of this member of staff."]
            valid = False
        elif self.role.data and self.role.data != "submitter" and has_department:
            self.department.errors = ["Only department staff have a department; "
                                      "leave this empty."]
            valid = False
        return valid


class InviteForm(RoleFields):
    """A new account: its holder sets the password through an e-mailed link."""

    name = StringField("Full name", validators=[DataRequired(message="Give the name."),
                                                Length(max=200)])
    email = EmailField("Email address", validators=[
        DataRequired(message="Give the e-mail address."), Length(max=254),
        Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
               message="Give an e-mail address such as name@city.gov.")])


class NewPasswordForm(InputForm):
    """Choose a password (from an invitation or a reset link)."""

    password = PasswordField("New password", description=PASSWORD_HINT,
                             render_kw={"autocomplete": "new-password"},
                             validators=[DataRequired(message="Choose a password."),
                                         Length(max=128)])
    confirm = PasswordField("New password again", render_kw={"autocomplete": "new-password"},
                            validators=[
        DataRequired(message="Type the password again."),
        EqualTo("password", message="The two passwords are not the same.")])


class ChangePasswordForm(NewPasswordForm):
    """Change one's own password, knowing the current one."""

    current = PasswordField("Current password", render_kw={"autocomplete": "current-password"},
                            validators=[DataRequired(message="Give your current password."),
                                        Length(max=128)])


class ForgotPasswordForm(InputForm):
    """Ask for a password-reset link."""

    email = EmailField("Email address", validators=[
        DataRequired(message="Give your e-mail address."), Length(max=254)])
