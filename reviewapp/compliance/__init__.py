"""The compliance engine: rules in packs, run over a proposal version's data.

A rule is pure: it reads a `VersionFacts` snapshot (no database) and returns findings with
evidence quoted from the field or recipient that triggered it.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..models.vocab import Severity


@dataclass(frozen=True)
class RecipientFacts:
    """A data recipient as the rules see it."""

    name: str
    recipient_type: str
    purpose: str
    data_categories: str
    legal_basis: str


def quoted_recipient(recipient: RecipientFacts) -> str:
    """Quote a recipient as the evidence of a finding: name, type and purpose."""
    from ..models.vocab import RecipientType

    label = RecipientType(recipient.recipient_type).label
    return f"Recipient “{recipient.name}” ({label}); purpose: “{recipient.purpose}”."


@dataclass(frozen=True)
class VersionFacts:
    """The data of one proposal version that rules check."""

    technology_category: str | None
    technology_name: str
    retention_days: int | None
    impact_report: dict
    use_policy: dict
    recipients: tuple[RecipientFacts, ...]
    missing_impact_sections: tuple[str, ...] = ()
    missing_policy_sections: tuple[str, ...] = ()
    # Sections filled with a placeholder ("TBD", "see attached"): label and what was typed.
    placeholder_impact_sections: tuple[tuple[str, str], ...] = ()
    placeholder_policy_sections: tuple[tuple[str, str], ...] = ()
    vendor: str = ""
    vendor_nda: bool | None = None
    access_log: bool | None = None
    sensitive_locations: tuple[str, ...] = ()
    sensitive_safeguards: str = ""
    # Retention as data: exceptions to the base period, each (purpose, limit in days or
    # None for no limit), and what the department does in practice.
    retention_exceptions: tuple[tuple[str, int | None], ...] = ()
    retention_practice_days: int | None = None
    retention_practice: str = ""
    # Efficacy: whether results were measured, and what was measured with what result.
    efficacy_measured: bool | None = None
    efficacy_evidence: str = ""
    # Procurement: method (a ProcurementMethod value, "" unanswered), term, value, who owns
    # the data and whether the vendor may use it for its own purposes.
    procurement_method: str = ""
    contract_term_months: int | None = None
    contract_value_cents: int | None = None
    data_ownership: str = ""  # a DataOwnership value, "" unanswered
    vendor_own_use: bool | None = None
    # The vendor platform's sharing setting (a NetworkSharing value, "" unanswered).
    network_sharing: str = ""
    network_sharing_detail: str = ""
    # Data received from others (private cameras, other agencies), and whether sought.
    third_party_data: bool | None = None
    third_party_sources: str = ""
    third_party_solicited: bool | None = None
    # Use before approval (a trial, a loan, another agency's system).
    prior_use: bool | None = None
    prior_use_details: str = ""
    # An exception to a ban that the ordinance names (its key in the profile), claimed by
    # the department, and why it applies.
    ban_exception: str = ""
    ban_exception_reason: str = ""
    # The version before this one that was submitted: its number, recipients' names,
    # sensitive places, deployment locations and authorized purposes, so a revision that
    # shares, deploys or uses beyond what the public and council saw is flagged.
    earlier_number: int | None = None
    earlier_recipients: tuple[str, ...] = ()
    earlier_sensitive_locations: tuple[str, ...] = ()
    earlier_locations: str = ""
    earlier_purposes: str = ""


@dataclass(frozen=True)
class FindingResult:
    """One finding produced by a rule."""

    rule_id: str
    severity: Severity
    title: str
    message: str
    citation: str
    citation_url: str
    evidence: str


@dataclass(frozen=True)
class Rule:
    """A check with its legal citation; `check` yields (message, evidence) pairs."""

    id: str
    title: str
    citation: str
    citation_url: str
    severity: Severity
    check: Callable[[VersionFacts, dict], Iterable[tuple[str, str]]]
    categories: frozenset[str] | None = None  # None: applies to every technology

    def applies_to(self, facts: VersionFacts) -> bool:
        """Say whether this rule covers the version's technology category."""
        return self.categories is None or facts.technology_category in self.categories


def packs() -> dict[str, tuple[Rule, ...]]:
    """Return every rule pack by name."""
    from . import california, ccops, illinois, washington

    return {"ccops": ccops.RULES, "california": california.RULES,
            "washington": washington.RULES, "illinois": illinois.RULES}


def active_rules(pack_names: Iterable[str]) -> list[Rule]:
    """Return the rules of the named packs, in pack order."""
    available = packs()
    return [rule for name in pack_names for rule in available[name]]


# Where a rule cites the jurisdiction's own ordinance: the profile's, given in settings;
# and where it cites the law behind the profile's retention limits: that setting's source.
ORDINANCE, ORDINANCE_URL = "{ordinance}", "{ordinance_url}"
RETENTION_LIMIT_SOURCE = "{retention_limit_citation}"
ANY_ORDINANCE = "the jurisdiction's surveillance ordinance"
CCOPS_MODEL_URL = ("https://www.aclu.org/legal-document/"
                   "community-control-over-police-surveillance-ccops-model-bill")


def evaluate(facts: VersionFacts, pack_names: Iterable[str], settings: dict) -> list[FindingResult]:
    """Run every active rule over `facts` and return the findings, blocking first."""
    ordinance = settings.get("ordinance") or ANY_ORDINANCE
    ordinance_url = settings.get("ordinance_url") or CCOPS_MODEL_URL
    results = []
    for rule in active_rules(pack_names):
        if not rule.applies_to(facts):
            continue
        citation = rule.citation.replace(ORDINANCE, ordinance).replace(
            RETENTION_LIMIT_SOURCE, settings.get("retention_limit_citation") or ordinance)
        url = rule.citation_url.replace(ORDINANCE_URL, ordinance_url)
        for message, evidence in rule.check(facts, settings):
            results.append(
                FindingResult(rule.id, rule.severity, rule.title, message, citation, url,
                              evidence)
            )
    order = {Severity.BLOCKING: 0, Severity.WARNING: 1, Severity.INFO: 2}
    return sorted(results, key=lambda f: order[f.severity])
