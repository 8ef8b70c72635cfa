"""The structured questions beyond the two documents: retention in detail, efficacy,
procurement, the vendor platform's sharing, data received from others, and prior use.

One list drives the form, the public page and the determination, as forms/documents.py does
for the documents' sections. Answers are stored together in the version's `particulars`.
"""

from dataclasses import dataclass

from wtforms import FieldList, FormField, IntegerField, RadioField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from . import options
from .base import InputSubform
from .limits import MAX_DAYS, NumberWithin
from .money import MoneyField, money_words

LONG_TEXT = 20000
MAX_MONTHS = 1200  # a hundred years: a longer contract term is a typing slip
MAX_EXCEPTIONS = 20


@dataclass(frozen=True)
class Question:
    """One structured question: its answer's kind, and the group it is shown under."""

    key: str
    label: str
    kind: str  # yes_no, choice (a vocabulary the app supplies), text, days, months, money
    group: str
    hint: str = ""


RETENTION, EFFICACY, PROCUREMENT = "Retention in practice", "Efficacy", "Procurement"
PLATFORM, RECEIVED, PRIOR = "Vendor platform sharing", "Data received from others", "Prior use"

QUESTIONS = (
    Question("retention_practice_days", "In practice, data is kept for (days)", "days",
             RETENTION, "If practice differs from the policy (for example, nothing has been "
             "deleted yet), how many days data is really kept. Leave empty if practice "
             "follows the policy."),
    Question("retention_practice", "What happens in practice", "text", RETENTION,
             "How deletion is actually done, and any backlog or copies kept elsewhere."),
    Question("efficacy_measured", "Has its effectiveness been measured, here or elsewhere?",
             "yes_no", EFFICACY),
    Question("efficacy_evidence", "What was measured, and what it showed", "text", EFFICACY,
             "For example: hits per 1,000 plate reads, the false-alert rate, cases solved, "
             "and over what period."),
    Question("procurement_method", "How is it obtained?", "choice", PROCUREMENT),
    Question("contract_term_months", "Contract term (months)", "months", PROCUREMENT,
             "Including renewals the contract allows without a new vote."),
    Question("contract_value_cents", "Total contract value (dollars)", "money", PROCUREMENT,
             "Cents allowed: for example 1250000 or $1,250,000.50."),
    Question("data_ownership", "Who owns the data under the contract?", "choice",
             PROCUREMENT),
    Question("vendor_own_use", "May the vendor use the data for its own purposes (to improve "
             "its products, to share or sell)?", "yes_no", PROCUREMENT),
    Question("network_sharing", "How is the vendor platform's sharing set?", "choice",
             PLATFORM, "Many plate-reader and camera platforms let other agencies search "
             "your data (a “nationwide lookup”). Say what the setting is."),
    Question("network_sharing_detail", "The sharing settings in the vendor's words", "text",
             PLATFORM, "Networks joined, agencies given access, lookup options turned on."),
    Question("third_party_data", "Will the department receive data from others (private "
             "cameras, businesses, homeowners' associations, other agencies)?", "yes_no",
             RECEIVED),
    Question("third_party_sources", "From whom, and on what terms", "text", RECEIVED),
    Question("third_party_solicited", "Will the department ask for or arrange that data, "
             "rather than receive it unasked?", "yes_no", RECEIVED),
    Question("prior_use", "Has the department already used this technology or its data, "
             "before approval (a trial, a loan, another agency's system)?", "yes_no", PRIOR),
    Question("prior_use_details", "When, how, and under what policy", "text", PRIOR),
)
GROUPS = tuple(dict.fromkeys(q.group for q in QUESTIONS))
YES_NO = (("yes", "Yes"), ("no", "No"))
YES_NO_VALUE = {"yes": True, "no": False}
YES_NO_ANSWER = {True: "yes", False: "no"}


def _field(question: Question):
    """Return the unbound field for one question."""
    label, hint = question.label, question.hint
    if question.kind == "yes_no":
        return RadioField(label, choices=options(YES_NO), description=hint,
                          validators=[Optional()], validate_choice=False)
    if question.kind == "choice":
        # Choices are the application's vocabulary, given by set_choices; a value not
        # among them is refused by the field.
        return RadioField(label, choices=[], description=hint, validators=[Optional()])
    if question.kind == "days":
        return IntegerField(label, description=hint, validators=[
            Optional(), NumberWithin(0, MAX_DAYS, "days", "100 years")])
    if question.kind == "months":
        return IntegerField(label, description=hint, validators=[
            Optional(), NumberWithin(0, MAX_MONTHS, "months", "100 years")])
    if question.kind == "money":
        return MoneyField(label, description=hint)
    return TextAreaField(label, description=hint, render_kw={"rows": 3},
                         validators=[Optional(), Length(max=LONG_TEXT)])


class RetentionExceptionForm(InputSubform):
    """One exception to the base retention period: why data is kept longer, and how long."""

    purpose = StringField("Kept longer for", validators=[Optional(), Length(max=500)],
                          description="For example: an active investigation, a court order, "
                                      "training.")
    limit_days = IntegerField("For at most (days)", validators=[
        Optional(), NumberWithin(0, MAX_DAYS, "days", "100 years")],
        description="Leave empty if the policy sets no limit for this exception.")


# A claimed exception to the profile's ban: choices come from the profile, so it is asked
# only where the ordinance names exceptions (not one of QUESTIONS, which every city asks).
BAN_EXCEPTION_KEYS = ("ban_exception", "ban_exception_reason")

ParticularsForm = type("ParticularsForm", (InputSubform,), {
    **{q.key: _field(q) for q in QUESTIONS},
    "ban_exception": RadioField(
        "Does an exception the ordinance makes to its ban apply?", choices=[],
        validators=[Optional()],
        description="Only for a technology this jurisdiction bans. The clerk must confirm it "
                    "in a published decision before anything else happens."),
    "ban_exception_reason": TextAreaField(
        "Why the exception applies", render_kw={"rows": 3},
        validators=[Optional(), Length(max=LONG_TEXT)]),
    "retention_exceptions": FieldList(FormField(RetentionExceptionForm, separator="-"),
                                      min_entries=0, max_entries=MAX_EXCEPTIONS,
                                      separator="-"),
})


def offer_blank_exception(form) -> None:
    """Leave one empty exception row to fill, unless the list is full."""
    rows = form.retention_exceptions
    filled = all((e.form.purpose.data or "").strip() or e.form.limit_days.data is not None
                 for e in rows)
    if filled and len(rows) < MAX_EXCEPTIONS:
        rows.append_entry()


def set_particular_choices(form, vocabularies: dict[str, list[tuple[str, str]]]) -> None:
    """Give each choice question its vocabulary ((value, label) pairs) from the app."""
    for question in QUESTIONS:
        if question.kind == "choice":
            form[question.key].choices = options(vocabularies[question.key])
    form.ban_exception.choices = options(vocabularies.get("ban_exception", []))


def answers_from_form(form) -> dict:
    """Return the particulars to store: typed values, yes/no as booleans, blank rows dropped."""
    stored = {}
    for question in QUESTIONS:
        value = form[question.key].data
        if question.kind == "yes_no":
            value = YES_NO_VALUE.get(value)
        elif question.kind in ("text", "choice"):
            value = (value or "").strip()
        stored[question.key] = value
    for key in BAN_EXCEPTION_KEYS:
        stored[key] = (form[key].data or "").strip()
    stored["retention_exceptions"] = [
        {"purpose": (entry.form.purpose.data or "").strip(),
         "limit_days": entry.form.limit_days.data}
        for entry in form.retention_exceptions
        if (entry.form.purpose.data or "").strip() or entry.form.limit_days.data is not None]
    return stored


def form_data_from_answers(answers: dict) -> dict:
    """Return stored particulars in the form's shape (booleans back to yes/no)."""
    data = {}
    for question in QUESTIONS:
        value = answers.get(question.key)
        data[question.key] = YES_NO_ANSWER.get(value) if question.kind == "yes_no" else value
    for key in BAN_EXCEPTION_KEYS:
        data[key] = answers.get(key) or ""
    data["retention_exceptions"] = list(answers.get("retention_exceptions") or [])
    return data


def shown_answer(question: Question, value, labels: dict[str, str]) -> str:
    """Return a stored answer as the public page and the determination print it."""
    if value is None or value == "":
        return ""
    if question.kind == "yes_no":
        return "Yes" if value else "No"
    if question.kind == "choice":
        return labels.get(value, value)
    if question.kind == "money":
        return money_words(value)
    if question.kind in ("days", "months"):
        return counted(value, question.kind[:-1])
    return value


def counted(number: int, unit: str) -> str:
    """Say a count with its unit, singular or plural: "1 day", "1,200 months"."""
    return f"{number:,} {unit}" + ("" if number == 1 else "s")
