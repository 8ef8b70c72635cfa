"""A maintained list of agencies and data pools that recipients are checked against.

Departments type a recipient's name and choose its type; a federal immigration agency
entered as, say, a county agency is still recognized by its name, and the finding says the
type looks wrong. Acronyms match only in capitals ("Oakland Ice Center" is not ICE).
"""

import re
from dataclasses import dataclass

from ..models.vocab import RecipientType


@dataclass(frozen=True)
class KnownAgency:
    """An agency recognized by name, with its real type."""

    name: str
    recipient_type: RecipientType
    immigration: bool
    pattern: re.Pattern


def _known(name: str, kind: RecipientType, immigration: bool, acronyms: str = "",
           words: str = "") -> KnownAgency:
    parts = []
    if acronyms:
        parts.append(rf"(?-i:\b(?:{acronyms})\b)")
    if words:
        parts.append(rf"\b(?:{words})\b")
    return KnownAgency(name, kind, immigration, re.compile("|".join(parts), re.IGNORECASE))


FEDERAL = RecipientType.FEDERAL
KNOWN_AGENCIES = (
    _known("U.S. Immigration and Customs Enforcement", FEDERAL, True,
           acronyms="ICE|ERO|HSI",
           words="Immigration and Customs Enforcement|Enforcement and Removal Operations|"
                 "Homeland Security Investigations"),
    _known("U.S. Customs and Border Protection", FEDERAL, True, acronyms="CBP",
           words="Customs and Border Protection|Border Patrol"),
    _known("U.S. Citizenship and Immigration Services", FEDERAL, True, acronyms="USCIS",
           words="Citizenship and Immigration Services"),
    _known("U.S. Department of Homeland Security", FEDERAL, True, acronyms="DHS",
           words="(?:Department of )?Homeland Security"),
    _known("Federal Bureau of Investigation", FEDERAL, False, acronyms="FBI",
           words="Federal Bureau of Investigation"),
    _known("Drug Enforcement Administration", FEDERAL, False, acronyms="DEA",
           words="Drug Enforcement Administration"),
    _known("Bureau of Alcohol, Tobacco, Firearms and Explosives", FEDERAL, False,
           acronyms="ATF", words="Alcohol, Tobacco, Firearms"),
    _known("U.S. Marshals Service", FEDERAL, False, acronyms="USMS",
           words="U\\.?S\\.? Marshals?"),
    _known("Vigilant Solutions LEARN", RecipientType.VENDOR_POOL, False,
           words="Vigilant|LEARN database|National Vehicle Location Service|NVLS"),
    _known("Flock Safety national lookup", RecipientType.VENDOR_POOL, False,
           words="Flock (?:Safety )?(?:national|network|lookup)"),
)


def identify(name: str) -> KnownAgency | None:
    """Return the known agency this name refers to, if any."""
    return next((agency for agency in KNOWN_AGENCIES if agency.pattern.search(name)), None)


def names_immigration_agency(text: str) -> bool:
    """Say whether `text` names a federal immigration agency."""
    return any(a.immigration and a.pattern.search(text) for a in KNOWN_AGENCIES)


def effective_type(name: str, declared: str) -> str:
    """Return the recipient type rules should use: the known agency's, else as declared."""
    known = identify(name)
    return known.recipient_type.value if known else declared


def type_note(name: str, declared: str) -> str:
    """Return a sentence when the declared type contradicts the known agency, else ''."""
    known = identify(name)
    if known is None or known.recipient_type.value == declared:
        return ""
    return (f" The type entered, {RecipientType(declared).label}, looks wrong: this name "
            f"matches {known.name} ({known.recipient_type.label}).")
