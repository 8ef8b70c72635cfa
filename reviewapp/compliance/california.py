"""California rules: SB 34 (ALPR policy, access log, sharing) and SB 54 (no immigration
enforcement)."""

import re

from ..models.vocab import (
    CALIFORNIA_PUBLIC_AGENCIES,
    NetworkSharing,
    RecipientType,
    Severity,
)
from . import Rule, VersionFacts, quoted_recipient
from .agencies import effective_type, names_immigration_agency, type_note
from .placeholders import answered

SB34_POLICY_URL = "https://california.public.law/codes/ca_civ_code_section_1798.90.51"
SB34_LOG_URL = "https://california.public.law/codes/ca_civ_code_section_1798.90.52"
SB34_URL = "https://california.public.law/codes/ca_civ_code_section_1798.90.55"
SB54_URL = "https://self-law.org/code/ca/government-code/7284-6"

IMMIGRATION_PURPOSE = re.compile(
    r"immigration|deportation|removal proceedings|287\(g\)|detainer", re.IGNORECASE)
SALE = re.compile(r"\b(sell|sold|sale|resale|resell)\b", re.IGNORECASE)

# Civ. Code 1798.90.51(b)(1)(A)-(G) and the use-policy sections that answer each element.
SB34_ELEMENTS = (
    ("A", "authorized purposes", ("authorized_purposes",)),
    ("B", "who may access the data, and training", ("access",)),
    ("C", "how the system is monitored for security and compliance", ("security", "auditing")),
    ("D", "sharing: purposes, process and restrictions", ("third_party_sharing",)),
    ("E", "the custodian", ("custodian",)),
    ("F", "accuracy and error correction", ("accuracy",)),
    ("G", "retention and destruction", ("retention",)),
)


def _policy_elements(facts: VersionFacts, _settings: dict):
    # A placeholder ("TBD", "see attached") does not state an element.
    missing = [f"({letter}) {what}" for letter, what, keys in SB34_ELEMENTS
               if not any(answered(facts.use_policy.get(key)) for key in keys)]
    if missing:
        yield ("The ALPR usage and privacy policy lacks elements the law requires.",
               "Missing: " + "; ".join(missing))


def _access_log(facts: VersionFacts, _settings: dict):
    if facts.access_log is not True:
        answer = {None: "not answered", False: "no"}[facts.access_log]
        yield ("An ALPR operator must log every access: date and time, the plate or query, "
               "the user and organization, and the purpose.",
               f"Access log kept: {answer}.")


def _alpr_sharing(facts: VersionFacts, _settings: dict):
    for recipient in facts.recipients:
        real_type = effective_type(recipient.name, recipient.recipient_type)
        note = type_note(recipient.name, recipient.recipient_type)
        if real_type == RecipientType.NOT_STATED:
            yield ("ALPR data may be shared only with California public agencies; this "
                   "recipient's type is not stated, so it is not shown to be one.",
                   quoted_recipient(recipient))
        elif real_type not in CALIFORNIA_PUBLIC_AGENCIES:
            yield ("ALPR data may be shared only with California public agencies; this "
                   "recipient is not one." + note, quoted_recipient(recipient))
        elif SALE.search(recipient.purpose):
            yield ("ALPR data may not be sold.", quoted_recipient(recipient))


def _network_sharing(facts: VersionFacts, _settings: dict):
    # A nationwide lookup lets agencies of every state, and federal users, search the
    # city's reads: sharing outside California public agencies, as the AG's bulletin says
    # of vendor-hosted networks.
    if facts.network_sharing == NetworkSharing.NATIONWIDE:
        detail = f"; “{facts.network_sharing_detail}”" if facts.network_sharing_detail else ""
        yield ("The vendor platform's nationwide lookup lets agencies outside California "
               "search this ALPR data; California law allows sharing only with California "
               "public agencies.", f"Platform sharing: {NetworkSharing.NATIONWIDE.label}"
               + detail)


def serves_immigration_enforcement(name: str, recipient_type: str, purpose: str,
                                   data_categories: str) -> bool:
    """Say whether sharing with this recipient serves immigration enforcement (SB 54).

    By the recipient's name, by a purpose that names immigration enforcement or an
    immigration agency, or, for a vendor pool, by who can search it.
    """
    return bool(
        names_immigration_agency(name)
        or IMMIGRATION_PURPOSE.search(purpose)
        or names_immigration_agency(purpose)
        or (recipient_type == RecipientType.VENDOR_POOL
            and names_immigration_agency(data_categories))
    )


def _immigration_enforcement(facts: VersionFacts, _settings: dict):
    for recipient in facts.recipients:
        if serves_immigration_enforcement(recipient.name, recipient.recipient_type,
                                          recipient.purpose, recipient.data_categories):
            yield ("California agencies may not use money or personnel for immigration "
                   "enforcement, including giving out personal information such as home or "
                   "work addresses or release dates."
                   + type_note(recipient.name, recipient.recipient_type),
                   quoted_recipient(recipient))


ALPR = frozenset({"alpr"})
RULES = (
    Rule(
        id="ca.sb34.policy-elements",
        title="ALPR usage and privacy policy incomplete (SB 34)",
        citation="Civ. Code 1798.90.51(b)(1)(A)-(G)",
        citation_url=SB34_POLICY_URL,
        severity=Severity.BLOCKING,
        check=_policy_elements,
        categories=ALPR,
    ),
    Rule(
        id="ca.sb34.access-log",
        title="No ALPR access log (SB 34)",
        citation="Civ. Code 1798.90.52",
        citation_url=SB34_LOG_URL,
        severity=Severity.BLOCKING,
        check=_access_log,
        categories=ALPR,
    ),
    Rule(
        id="ca.sb34.alpr-sharing",
        title="ALPR data shared outside California public agencies, or sold (SB 34)",
        citation="Civ. Code 1798.90.55(b); AG Bulletin 2023-DLE-06",
        citation_url=SB34_URL,
        severity=Severity.BLOCKING,
        check=_alpr_sharing,
        categories=ALPR,
    ),
    Rule(
        id="ca.sb34.network-sharing",
        title="ALPR data open to a nationwide vendor lookup (SB 34)",
        citation="Civ. Code 1798.90.55(b); AG Bulletin 2023-DLE-06",
        citation_url=SB34_URL,
        severity=Severity.BLOCKING,
        check=_network_sharing,
        categories=ALPR,
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

__all__ = ["RULES", "names_immigration_agency", "serves_immigration_enforcement"]
