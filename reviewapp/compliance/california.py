"""California rules: SB 34 (ALPR data sharing) and SB 54 (no immigration enforcement)."""

import re

from ..models.vocab import CALIFORNIA_PUBLIC_AGENCIES, RecipientType, Severity
from . import RecipientFacts, Rule, VersionFacts

SB34_URL = "https://california.public.law/codes/ca_civ_code_section_1798.90.55"
SB54_URL = "https://self-law.org/code/ca/government-code/7284-6"

# Federal immigration agencies by name, so a recipient entered with the wrong type is still
# caught. Acronyms match only in capitals ("Oakland Ice Center" is not ICE); full names
# match in any case.
IMMIGRATION_ACRONYMS = re.compile(r"\b(ICE|ERO|HSI|CBP|USCIS|DHS)\b")
IMMIGRATION_AGENCY_FULL_NAMES = re.compile(
    r"\b(Immigration and Customs Enforcement|Customs and Border Protection|Border Patrol|"
    r"Enforcement and Removal Operations|Homeland Security Investigations|"
    r"(Department of )?Homeland Security|Citizenship and Immigration Services)\b",
    re.IGNORECASE,
)


def names_immigration_agency(text: str) -> bool:
    """Say whether `text` names a federal immigration agency."""
    return bool(IMMIGRATION_ACRONYMS.search(text) or IMMIGRATION_AGENCY_FULL_NAMES.search(text))


IMMIGRATION_PURPOSE = re.compile(
    r"immigration|deportation|removal proceedings|civil immigration|287\(g\)|"
    r"immigration status|detainer",
    re.IGNORECASE,
)


def _describe(recipient: RecipientFacts) -> str:
    label = RecipientType(recipient.recipient_type).label
    return f"Recipient “{recipient.name}” ({label}); purpose: “{recipient.purpose}”"


def _alpr_sharing(facts: VersionFacts, _settings: dict):
    for recipient in facts.recipients:
        if recipient.recipient_type not in CALIFORNIA_PUBLIC_AGENCIES:
            yield (
                "ALPR data may be shared only with California public agencies; this "
                "recipient is not one.",
                _describe(recipient),
            )


def _immigration_enforcement(facts: VersionFacts, _settings: dict):
    for recipient in facts.recipients:
        by_name = names_immigration_agency(recipient.name)
        by_purpose = IMMIGRATION_PURPOSE.search(recipient.purpose)
        by_pool = recipient.recipient_type == RecipientType.VENDOR_POOL and (
            names_immigration_agency(recipient.data_categories + " " + recipient.purpose)
        )
        if by_name or by_purpose or by_pool:
            yield (
                "California agencies may not use money or personnel for immigration "
                "enforcement, including giving out personal information such as home or "
                "work addresses.",
                _describe(recipient),
            )


RULES = (
    Rule(
        id="ca.sb34.alpr-sharing",
        title="ALPR data shared outside California public agencies (SB 34)",
        citation="Civ. Code 1798.90.55(b); AG Bulletin 2023-DLE-06",
        citation_url=SB34_URL,
        severity=Severity.BLOCKING,
        check=_alpr_sharing,
        categories=frozenset({"alpr"}),
    ),
    Rule(
        id="ca.sb54.immigration-enforcement",
        title="Use for immigration enforcement (SB 54)",
        citation="Gov. Code 7284.6(a)",
        citation_url=SB54_URL,
        severity=Severity.BLOCKING,
        check=_immigration_enforcement,
    ),
)
