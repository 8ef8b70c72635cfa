"""The annual surveillance report a department files for an approved technology."""

from wtforms import (
    DateField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from . import options
from .base import InputForm, InputSubform
from .documents import Section
from .limits import MAX_DAYS, NumberWithin
from .money import MoneyField
from .proposal import TYPE_NOT_CHOSEN

LONG_TEXT = 20000

# The written sections (SF Admin. Code 19B.6, Oakland 9.64.040, Sebastopol); keys are stored
# in the report's `sections` JSON. Required sections left empty make the report incomplete.
REPORT_SECTIONS = (
    Section("use_and_data", "How the technology was used and how much data it collected",
            "The kinds of use, how often, and the volume of data collected and kept."),
    Section("deployment", "Where it was deployed, by district",
            "Each district or area and how much it was used there."),
    Section("complaints", "Complaints received",
            "Complaints from the public about the technology, and what was done."),
    Section("audits_violations", "Audits and violations of the use policy",
            "Audits carried out, what they found, and any violations with their outcome."),
    Section("data_breaches", "Data breaches and unauthorized access",
            "Any breach or unauthorized access, and the response. Write 'None' if none."),
    Section("effectiveness", "Effectiveness, with crime statistics",
            "Whether it achieved its purpose, with the statistics that show it."),
    Section("public_records", "Public records requests",
            "How many requests about the technology were received, and their outcome."),
    Section("civil_rights", "Civil-rights impact analysis",
            "Any effect on free speech, privacy or particular communities, and what was done."),
    Section("outside_policy", "Products or services acquired outside the use policy",
            "Anything acquired or used that the approved policy does not cover. Write 'None' "
            "if none."),
    Section("policy_changes", "Requested changes to the use policy",
            "Changes the department asks for, and why.", required=False),
)


class SharingForm(InputSubform):
    """One line of data sharing in the reporting period."""

    recipient_name = StringField("Recipient name", validators=[Optional(), Length(max=300)],
                                 description="The agency, company or database that received "
                                             "data.")
    recipient_type = SelectField("Type of recipient", choices=[], validate_choice=True)
    times_shared = IntegerField("Times data was shared",
                                validators=[Optional(), NumberWithin(0, 10**9)],
                                description="Queries, exports or disclosures in the period.")
    data_categories = StringField("Data categories shared",
                                  validators=[Optional(), Length(max=1000)])
    legal_standard = StringField("Legal standard", validators=[Optional(), Length(max=1000)],
                                 description="The agreement, warrant, subpoena or statute.")

    def validate(self, extra_validators=None) -> bool:
        """A line with anything in it needs the recipient's name and a count."""
        ok = super().validate(extra_validators)
        named = bool((self.recipient_name.data or "").strip())
        others = (self.times_shared.raw_data and self.times_shared.raw_data[0],
                  self.data_categories.data, self.legal_standard.data)
        if not named and any(others):
            self.recipient_name.errors = ["Give the recipient's name, or remove this line."]
            ok = False
        if named and self.times_shared.data is None and not self.times_shared.errors:
            self.times_shared.errors = ["Say how many times data was shared (0 if never)."]
            ok = False
        if named and not self.recipient_type.data:
            self.recipient_type.errors = [*self.recipient_type.errors, TYPE_NOT_CHOSEN]
            ok = False
        return ok


def _sections_form() -> type[InputSubform]:
    fields = {
        s.key: TextAreaField(s.label, description=s.hint,
                             validators=[Optional(), Length(max=LONG_TEXT)],
                             render_kw={"rows": 4})
        for s in REPORT_SECTIONS
    }
    return type("ReportSectionsForm", (InputSubform,), fields)


ReportSectionsForm = _sections_form()


class AnnualReportForm(InputForm):
    """The annual surveillance report; the numbers are checked against the conditions."""

    period_number = HiddenField()
    sections = FormField(ReportSectionsForm, separator="-")
    retention_days_reported = IntegerField(
        "Longest time data was actually kept (days)",
        validators=[Optional(), NumberWithin(0, MAX_DAYS, "days", "100 years")],
        description="Digits only. Include data kept by the vendor on the department's behalf.")
    audits_conducted = IntegerField("Audits conducted in the period",
                                    validators=[Optional(), NumberWithin(0, 10_000)])
    last_audit_on = DateField("Date of the most recent audit", validators=[Optional()],
                              description="Leave empty if no audit has been done.")
    deployment_areas = StringField(
        "Deployment areas", validators=[Optional(), Length(max=2000)],
        description="Separate areas with commas, e.g. District 3, Downtown.")
    annual_cost = MoneyField("Cost in the period (dollars)",
                             description="Cents allowed: for example 95000 or $94,999.50.")
    funding_next_year = StringField("Funding source for next year",
                                    validators=[Optional(), Length(max=300)])
    sharing = FieldList(FormField(SharingForm, separator="-"), min_entries=0, max_entries=50,
                        separator="-")

    add_sharing = SubmitField("Add a sharing line")
    file_report = SubmitField("File the annual report")

    def set_choices(self, recipient_types) -> None:
        """Fill the recipient type lists (the vocabulary belongs to the application)."""
        self._recipient_types = [("", "Choose…"), *recipient_types]  # none is assumed
        for entry in self.sharing:
            entry.form.recipient_type.choices = options(self._recipient_types)

    def add_blank_sharing(self) -> None:
        """Append an empty sharing row for the person to fill."""
        self.sharing.append_entry()
        self.sharing[-1].form.recipient_type.choices = options(self._recipient_types)


class ReviewReportForm(InputForm):
    """The clerk's or advisory body's review of a filed report."""

    memo = TextAreaField("Review memo (published)",
                         validators=[DataRequired(message="Write the review memo."),
                                     Length(max=LONG_TEXT)], render_kw={"rows": 6})
    submit = SubmitField("Mark as reviewed")
