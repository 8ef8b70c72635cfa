"""The department's proposal form: basics, the two documents, and data recipients."""

from wtforms import (
    FieldList,
    FormField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from . import options
from .base import InputForm, InputSubform
from .documents import IMPACT_REPORT, USE_POLICY, Section
from .limits import MAX_DAYS, NumberWithin
from .money import MoneyField
from .particulars import ParticularsForm, offer_blank_exception, set_particular_choices

LONG_TEXT = 20000


def _document_form(name: str, sections: tuple[Section, ...]) -> type[InputSubform]:
    """Build a sub-form with one text area per document section."""
    fields = {
        s.key: TextAreaField(
            s.label, description=s.hint,
            validators=[Optional(), Length(max=LONG_TEXT)],
            render_kw={"rows": 5, "data-required": "true" if s.required else "false"},
        )
        for s in sections
    }
    return type(name, (InputSubform,), fields)


ImpactReportForm = _document_form("ImpactReportForm", IMPACT_REPORT)
UsePolicyForm = _document_form("UsePolicyForm", USE_POLICY)


YES_NO = options([("yes", "Yes"), ("no", "No")])


class CheckboxesField(SelectMultipleField):
    """Several choices shown as checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


TYPE_NOT_CHOSEN = ("Choose the type of recipient, or ‘Not stated’ if the agreement does "
                   "not say.")


class RecipientForm(InputSubform):
    """One recipient of the technology's data."""

    name = StringField("Recipient name", validators=[Optional(), Length(max=300)],
                       description="The agency, company or database, as named in the agreement.")
    recipient_type = SelectField("Type of recipient", choices=[], validate_choice=True)
    purpose = TextAreaField("Purpose of sharing", validators=[Optional(), Length(max=5000)],
                            render_kw={"rows": 2})
    data_categories = StringField("Data categories shared",
                                  validators=[Optional(), Length(max=1000)],
                                  description="For example: plate images, time, location.")
    legal_basis = StringField("Legal basis", validators=[Optional(), Length(max=1000)],
                              description="The agreement, statute or court order relied on.")

    def validate(self, extra_validators=None) -> bool:
        """Check the fields, then that a named recipient's type was chosen (none is assumed)."""
        valid = super().validate(extra_validators)
        if (self.name.data or "").strip() and not self.recipient_type.data:
            self.recipient_type.errors = [*self.recipient_type.errors, TYPE_NOT_CHOSEN]
            valid = False
        return valid


class ProposalForm(InputForm):
    """Everything the department files; it may be saved at any point as a draft."""

    title = StringField("Proposal title", validators=[DataRequired(), Length(max=300)],
                        description="For example: Expand license plate readers to 40 cameras.")
    trigger = SelectField("What triggers review", choices=[], validators=[Optional()])
    technology_category = SelectField("Kind of technology", choices=[],
                                      validators=[Optional()])
    technology_name = StringField("Technology name", validators=[Optional(), Length(max=200)])
    vendor = StringField("Vendor", validators=[Optional(), Length(max=200)])
    product = StringField("Product and model", validators=[Optional(), Length(max=200)])
    acquisition_cost = MoneyField(
        "Acquisition cost (dollars)",
        description="Cents allowed: for example 250000 or $249,999.50.")
    annual_cost = MoneyField(
        "Annual cost (dollars)",
        description="Licences, maintenance and staffing per year.")
    funding_source = StringField("Funding source", validators=[Optional(), Length(max=300)])
    retention_days = IntegerField(
        "Retention period (days)",
        validators=[Optional(), NumberWithin(0, MAX_DAYS, "days", "100 years")],
        description="How many days data is kept before it is deleted.")
    sensitive_locations = CheckboxesField(
        "Will it be used at or near any of these places?", choices=[],
        description="Tick every place that applies; leave all unticked if none does.")
    sensitive_safeguards = TextAreaField(
        "Safeguards at those places", validators=[Optional(), Length(max=LONG_TEXT)],
        description="What prevents misuse there (e.g. no recording at protests).",
        render_kw={"rows": 3})
    vendor_nda = RadioField(
        "Does the vendor contract include a non-disclosure clause that limits what the "
        "city may tell the public or the council?", choices=YES_NO, validators=[Optional()],
        validate_choice=False)
    access_log = RadioField(
        "Will every use be logged (date and time, query, user, organization, purpose)?",
        choices=YES_NO, validators=[Optional()], validate_choice=False)
    impact_report = FormField(ImpactReportForm, label="Surveillance Impact Report",
                              separator="-")
    use_policy = FormField(UsePolicyForm, label="Surveillance Use Policy", separator="-")
    particulars = FormField(ParticularsForm, label="Retention, efficacy, procurement and "
                            "sharing", separator="-")
    recipients = FieldList(FormField(RecipientForm, separator="-"), min_entries=0,
                           max_entries=50, separator="-")

    save = SubmitField("Save draft")
    add_recipient = SubmitField("Add a recipient")
    submit_for_review = SubmitField("Submit for clerk review")

    def set_choices(self, triggers, categories, recipient_types, locations,
                    vocabularies: dict) -> None:
        """Fill the select lists (the vocabularies belong to the application)."""
        blank = [("", "Choose…")]
        set_particular_choices(self.particulars.form, vocabularies)
        offer_blank_exception(self.particulars.form)
        self.sensitive_locations.choices = options(locations)
        self.trigger.choices = options(blank + list(triggers))
        self.technology_category.choices = options(blank + list(categories))
        # No type is preselected: a recipient's type is never assumed ("Not stated" is a
        # choice of its own, and counts as not a California public agency).
        self._recipient_types = blank + list(recipient_types)
        for entry in self.recipients:
            entry.form.recipient_type.choices = options(self._recipient_types)

    def add_blank_recipient(self) -> None:
        """Append an empty recipient row for the person to fill."""
        self.recipients.append_entry()
        self.recipients[-1].form.recipient_type.choices = options(self._recipient_types)


class WithdrawForm(InputForm):
    """Withdraw a proposal, with the reason on the record."""

    reason = TextAreaField("Reason for withdrawing", validators=[
        DataRequired(message="Give the reason for withdrawing."), Length(max=5000)])
    submit = SubmitField("Withdraw proposal")
