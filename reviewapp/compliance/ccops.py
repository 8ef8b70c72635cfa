"""CCOPS-model rules: documents filed, retention stated, banned technologies."""

from ..models.vocab import Severity
from . import Rule, VersionFacts

ORDINANCE_URL = "https://www.aclu.org/legal-document/community-control-over-police-surveillance-ccops-model-bill"


def _missing_documents(facts: VersionFacts, _settings: dict):
    if facts.missing_impact_sections:
        yield (
            "The Surveillance Impact Report is incomplete; the proposal cannot be heard.",
            "Missing sections: " + ", ".join(facts.missing_impact_sections),
        )
    if facts.missing_policy_sections:
        yield (
            "The Surveillance Use Policy is incomplete; the proposal cannot be heard.",
            "Missing sections: " + ", ".join(facts.missing_policy_sections),
        )


def _missing_retention(facts: VersionFacts, _settings: dict):
    text = (facts.use_policy.get("retention") or "").strip()
    if facts.retention_days is None:
        quoted = f"Use policy, retention: “{text}”" if text else "Use policy, retention: empty"
        yield (
            "No retention period is stated in days; data could be kept indefinitely.",
            quoted + "; retention period (days): not given",
        )


def _retention_over_limit(facts: VersionFacts, settings: dict):
    limit = settings.get("max_retention_days")
    if limit is not None and facts.retention_days is not None and facts.retention_days > limit:
        yield (
            f"Data would be kept longer than this jurisdiction's maximum of {limit} days.",
            f"Retention period (days): {facts.retention_days}",
        )


def _banned_technology(facts: VersionFacts, settings: dict):
    banned = settings.get("banned_technologies", ())
    if facts.technology_category in banned:
        yield (
            "This jurisdiction prohibits this technology.",
            f"Technology: “{facts.technology_name}” ({facts.technology_category})",
        )


RULES = (
    Rule(
        id="ccops.documents-complete",
        title="Impact report and use policy must be complete",
        citation="CCOPS model bill; Oakland OMC 9.64.030; SF Admin. Code 19B.3",
        citation_url=ORDINANCE_URL,
        severity=Severity.BLOCKING,
        check=_missing_documents,
    ),
    Rule(
        id="ccops.retention-period",
        title="A retention period must be stated",
        citation="CCOPS model use-policy elements; Civ. Code 1798.90.51(b)(1)(G) for ALPR",
        citation_url="https://california.public.law/codes/ca_civ_code_section_1798.90.51",
        severity=Severity.WARNING,
        check=_missing_retention,
    ),
    Rule(
        id="ccops.retention-limit",
        title="Retention longer than the jurisdiction allows",
        citation="Jurisdiction profile max_retention_days (ordinance retention limit)",
        citation_url=ORDINANCE_URL,
        severity=Severity.WARNING,
        check=_retention_over_limit,
    ),
    Rule(
        id="ccops.banned-technology",
        title="Technology banned by the jurisdiction",
        citation="Jurisdiction profile banned list (e.g. SF Admin. Code 19B.2(d))",
        citation_url="https://sanfranciscopolice.org/your-sfpd/policies/19b-surveillance-technology-policies",
        severity=Severity.BLOCKING,
        check=_banned_technology,
    ),
)
