"""Annual report checks: a filed report against the conditions of approval and the approved
use policy.

Pure functions over plain data (no database, no Flask). Each finding quotes the reported
value and the condition or policy it contradicts, and cites the determination and condition
number, so the public page can show exactly why it was raised.
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from ..models.vocab import ObligationKind, RecipientType, Severity
from .agencies import effective_type
from .folding import folded_lower
from .placeholders import answered


@dataclass(frozen=True)
class ObligationFacts:
    """One numbered condition of approval as the checks see it."""

    number: int
    kind: str
    text: str
    number_value: int | None = None
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class SharingFacts:
    """One line of the report's data sharing."""

    recipient_name: str
    recipient_type: str
    times_shared: int


@dataclass(frozen=True)
class ReportFacts:
    """A filed report with what it is checked against."""

    document_number: str
    obligations: tuple[ObligationFacts, ...]
    approved_retention_days: int | None
    approved_recipients: tuple[str, ...]
    approved_version_number: int
    period_end: date
    due_date: date
    filed_on: date
    retention_days_reported: int | None = None
    last_audit_on: date | None = None
    deployment_areas: tuple[str, ...] = ()
    sharing: tuple[SharingFacts, ...] = ()
    missing_sections: tuple[str, ...] = ()
    # The approved impact report's deployment locations, and what the report says was
    # acquired or used outside the approved policy (a material change if anything).
    approved_locations: str = ""
    outside_policy: str = ""
    ordinance: str = "the jurisdiction's surveillance ordinance"  # the profile's, cited


@dataclass(frozen=True)
class ReportFindingResult:
    """One finding about a report."""

    rule_id: str
    severity: Severity
    title: str
    message: str
    citation: str
    evidence: str


def obligation_values(text_value: str) -> tuple[str, ...]:
    """Split a stored obligation's comma-joined values."""
    return tuple(part.strip() for part in (text_value or "").split(",") if part.strip())


def normalized(name: str) -> str:
    """Return a name compared loosely: folded as the agency rules fold it, then case ignored.

    "Sheriff's" is "sheriffs", "U.S." is "us", and look-alike letters or invisible
    characters cannot make a reported recipient differ from (or match) an approved one.
    """
    return folded_lower(name)


def months_before(day: date, months: int) -> date:
    """Return the same day `months` months earlier (the last day of a shorter month)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover (28 always exists)


def _condition(facts: ReportFacts, ob: ObligationFacts) -> str:
    return f"Determination {facts.document_number}, condition {ob.number}"


def _of_kind(facts: ReportFacts, kind: ObligationKind) -> Iterable[ObligationFacts]:
    return (ob for ob in facts.obligations if ob.kind == kind.value)


def _shared(facts: ReportFacts) -> Iterable[SharingFacts]:
    return (s for s in facts.sharing if s.times_shared > 0)


def _type_label(value: str) -> str:
    try:
        return RecipientType(value).label
    except ValueError:
        return value


Found = tuple[str, str, str]  # message, citation, evidence


def _retention_condition(facts: ReportFacts) -> Iterable[Found]:
    reported = facts.retention_days_reported
    for ob in _of_kind(facts, ObligationKind.MAX_RETENTION_DAYS):
        if reported is not None and ob.number_value is not None and reported > ob.number_value:
            yield (f"The report states data is kept {reported} days; the condition of approval "
                   f"allows at most {ob.number_value} days.", _condition(facts, ob),
                   f"Reported retention: {reported} days; condition {ob.number}: “{ob.text}”")


def _retention_policy(facts: ReportFacts) -> Iterable[Found]:
    reported, approved = facts.retention_days_reported, facts.approved_retention_days
    if reported is not None and approved is not None and reported > approved:
        yield (f"The report states data is kept {reported} days; the approved use policy says "
               f"{approved} days.",
               f"Approved use policy (version {facts.approved_version_number}), retention",
               f"Reported retention: {reported} days; approved retention period: "
               f"{approved} days")


def _sharing_type_condition(facts: ReportFacts) -> Iterable[Found]:
    for ob in _of_kind(facts, ObligationKind.NO_SHARING_WITH_TYPE):
        for line in _shared(facts):
            kind = effective_type(line.recipient_name, line.recipient_type)
            if kind in ob.values:
                yield (f"Data was shared {line.times_shared} times with "
                       f"{line.recipient_name}, a {_type_label(kind).lower()}, which the "
                       f"condition of approval forbids.", _condition(facts, ob),
                       f"Reported sharing: “{line.recipient_name}” ({_type_label(kind)}), "
                       f"{line.times_shared} times; condition {ob.number}: “{ob.text}”")


def _sharing_name_condition(facts: ReportFacts) -> Iterable[Found]:
    for ob in _of_kind(facts, ObligationKind.NO_SHARING_WITH):
        for line in _shared(facts):
            name = normalized(line.recipient_name)
            banned = next((v for v in ob.values if normalized(v) and normalized(v) in name),
                          None)
            if banned:
                yield (f"Data was shared {line.times_shared} times with "
                       f"{line.recipient_name}; the condition of approval forbids sharing "
                       f"with {banned}.", _condition(facts, ob),
                       f"Reported sharing: “{line.recipient_name}”, {line.times_shared} times; "
                       f"condition {ob.number}: “{ob.text}”")


def _sharing_unlisted(facts: ReportFacts) -> Iterable[Found]:
    # A recipient the approval does not list is a material change: the ordinance's review
    # applies to it as to a new use, so it needs a new approval, not a line in a report.
    approved = {normalized(name) for name in facts.approved_recipients}
    for line in _shared(facts):
        if normalized(line.recipient_name) not in approved:
            listed = ", ".join(f"“{n}”" for n in facts.approved_recipients) or "none"
            yield (f"Data was shared with {line.recipient_name}, a recipient the approval "
                   f"does not list. Needs new approval: sharing with a new recipient goes "
                   f"back to the council under {facts.ordinance}.",
                   f"{facts.ordinance}; approved use policy (version "
                   f"{facts.approved_version_number}), data recipients",
                   f"Reported sharing: “{line.recipient_name}”, {line.times_shared} times; "
                   f"approved recipients: {listed}")


def _audit_condition(facts: ReportFacts) -> Iterable[Found]:
    for ob in _of_kind(facts, ObligationKind.AUDIT_EVERY_MONTHS):
        if ob.number_value is None:
            continue
        since = months_before(facts.period_end, ob.number_value)
        if facts.last_audit_on is None or facts.last_audit_on < since:
            last = (f"{facts.last_audit_on:%B %-d, %Y}" if facts.last_audit_on
                    else "none reported")
            yield (f"No audit is reported in the {ob.number_value} months before the end of "
                   f"the reporting period ({facts.period_end:%B %-d, %Y}).",
                   _condition(facts, ob),
                   f"Last audit: {last}; condition {ob.number}: “{ob.text}”")


def _deployment_condition(facts: ReportFacts) -> Iterable[Found]:
    for ob in _of_kind(facts, ObligationKind.DEPLOYMENT_LIMITED_TO):
        allowed = {normalized(v) for v in ob.values}
        for area in facts.deployment_areas:
            if normalized(area) and normalized(area) not in allowed:
                yield (f"The technology was deployed in {area}, outside the areas the condition "
                       f"of approval allows.", _condition(facts, ob),
                       f"Reported deployment area: “{area}”; condition {ob.number}: "
                       f"“{ob.text}”")


# Approved locations that cover every area ("citywide", "all districts"), unless negated.
EVERYWHERE = re.compile(r"(?<!not )\b(?:city ?wide|throughout the city|anywhere in the city"
                        r"|all (?:districts|neighborhoods|areas|beats|precincts))\b")
# Where approved locations carve something out: what follows is not approved.
EXCLUSION = re.compile(r"\b(?:except|excluding|other than|but not|not including|apart from)\b")
# An answer saying nothing was acquired or used outside the policy: a leading "none",
# "no", "nothing" ("There were none.", "None during this period", "No changes"), unless a
# "but" or "except" goes on to name something.
NOTHING = re.compile(r"(?:there (?:were|was|have been|has been) )?(?:none|no|nothing|not any)\b")
YET = re.compile(r"\b(?:but|except|however|although|other than|apart from)\b")


def names_area(text: str, area: str) -> bool:
    """Say whether folded `text` names `area` as a whole ("District 1" is not "District 10")."""
    return re.search(rf"(?<!\w){re.escape(area)}(?!\w)", text) is not None


def _deployment_unapproved(facts: ReportFacts) -> Iterable[Found]:
    # An area the approval never names is a new deployment: it goes back to the council.
    # The approved locations are free text: an area counts as approved when it is named
    # before any exclusion ("except District 5"), or the approval covers the whole city.
    # A deployment condition's own areas are checked by its rule instead.
    if any(_of_kind(facts, ObligationKind.DEPLOYMENT_LIMITED_TO)):
        return
    approved = folded_lower(facts.approved_locations)
    included, *rest = EXCLUSION.split(approved, maxsplit=1)
    excluded = rest[0] if rest else ""
    for area in facts.deployment_areas:
        name = normalized(area)
        if not name:
            continue
        allowed = not names_area(excluded, name) and (
            EVERYWHERE.search(included) or names_area(included, name))
        if not allowed:
            yield (f"The technology was deployed in {area}, which the approved impact report "
                   f"does not name. Needs new approval: a new deployment area goes back to "
                   f"the council under {facts.ordinance}.",
                   f"{facts.ordinance}; approved impact report (version "
                   f"{facts.approved_version_number}), deployment locations",
                   f"Reported deployment area: “{area}”; approved locations: "
                   f"“{facts.approved_locations or 'none stated'}”")


def says_nothing(text: str) -> bool:
    """Say whether a report's answer says there was nothing to report."""
    folded = folded_lower(text)
    return NOTHING.match(folded) is not None and YET.search(folded) is None


def _outside_policy(facts: ReportFacts) -> Iterable[Found]:
    text = facts.outside_policy.strip()
    if answered(text) and not says_nothing(text):
        yield ("The report says something was acquired or used outside the approved use "
               f"policy. Needs new approval: a new use goes back to the council under "
               f"{facts.ordinance}.",
               f"{facts.ordinance}; approved use policy (version "
               f"{facts.approved_version_number}), authorized purposes",
               f"Reported outside the policy: “{text}”")


def _late(facts: ReportFacts) -> Iterable[Found]:
    if facts.filed_on > facts.due_date:
        days = (facts.filed_on - facts.due_date).days
        yield (f"The report was filed {days} day{'s' if days != 1 else ''} after its due date.",
               "Annual surveillance report deadline (jurisdiction profile)",
               f"Due: {facts.due_date:%B %-d, %Y}; filed: {facts.filed_on:%B %-d, %Y}")


def _incomplete(facts: ReportFacts) -> Iterable[Found]:
    if facts.missing_sections:
        yield ("The report leaves required sections empty.",
               "CCOPS model bill, annual surveillance report contents",
               "Empty: " + ", ".join(facts.missing_sections))


@dataclass(frozen=True)
class ReportRule:
    """A report check; `check` yields (message, citation, evidence)."""

    id: str
    title: str
    severity: Severity
    check: Callable[[ReportFacts], Iterable[Found]]


BLOCKING, WARNING = Severity.BLOCKING, Severity.WARNING
RULES = (
    ReportRule("report.retention-condition", "Retention longer than the condition allows",
               BLOCKING, _retention_condition),
    ReportRule("report.sharing-type-condition",
               "Sharing with a kind of recipient the condition forbids", BLOCKING,
               _sharing_type_condition),
    ReportRule("report.sharing-name-condition",
               "Sharing with a recipient the condition forbids", BLOCKING,
               _sharing_name_condition),
    ReportRule("report.audit-condition", "No audit as often as the condition requires",
               BLOCKING, _audit_condition),
    ReportRule("report.deployment-condition", "Deployment outside the allowed areas",
               BLOCKING, _deployment_condition),
    ReportRule("report.retention-policy", "Retention longer than the approved use policy",
               WARNING, _retention_policy),
    ReportRule("report.sharing-unlisted",
               "Needs new approval: sharing with a recipient the approval does not list",
               BLOCKING, _sharing_unlisted),
    ReportRule("report.deployment-unapproved",
               "Needs new approval: deployed where the approval does not say", BLOCKING,
               _deployment_unapproved),
    ReportRule("report.outside-policy",
               "Needs new approval: acquired or used outside the approved policy", BLOCKING,
               _outside_policy),
    ReportRule("report.late", "Report filed late", WARNING, _late),
    ReportRule("report.incomplete", "Report incomplete", WARNING, _incomplete),
)

LATE, INCOMPLETE = "report.late", "report.incomplete"


def check_report(facts: ReportFacts) -> list[ReportFindingResult]:
    """Run every report check and return the findings, blocking first."""
    return [ReportFindingResult(rule.id, rule.severity, rule.title, message, citation, evidence)
            for rule in RULES for message, citation, evidence in rule.check(facts)]
