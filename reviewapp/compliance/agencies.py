"""A maintained list of agencies and data pools that recipients are checked against.

Departments type a recipient's name and choose its type; a federal immigration agency
entered as, say, a county agency is still recognized by its name, and the finding says the
type looks wrong; so is another state's agency entered as a California one ("Phoenix AZ
PD"). Names are folded first (folding.py), so look-alike letters, invisible characters,
"&" or "U.S." hide nothing. Acronyms match only in capitals ("Oakland Ice Center" is not
ICE). Patterns are written in the folded form: words separated by single spaces.
"""

import re
from dataclasses import dataclass

from ..models.vocab import CALIFORNIA_PUBLIC_AGENCIES, RecipientType
from .folding import fold, folded_lower


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
        # "U.S. I.C.E." folds to one word, "USICE": an acronym may follow a glued "US".
        parts.append(rf"(?-i:\b(?:US)?(?:{acronyms})\b)")
    if words:
        parts.append(rf"\b(?:{words})\b")
    return KnownAgency(name, kind, immigration, re.compile("|".join(parts), re.IGNORECASE))


FEDERAL = RecipientType.FEDERAL
KNOWN_AGENCIES = (
    _known("U.S. Immigration and Customs Enforcement", FEDERAL, True,
           acronyms="ICE|ERO|HSI",
           words="Immigration and Customs Enforcement|Enforcement and Removal Operations|"
                 "Homeland Security Investigations|Inmigracion y Control de Aduanas"),
    _known("U.S. Customs and Border Protection", FEDERAL, True, acronyms="CBP",
           words="Customs and Border Protection|Border Patrol|Patrulla Fronteriza|"
                 "Aduanas y Proteccion Fronteriza"),
    _known("U.S. Citizenship and Immigration Services", FEDERAL, True, acronyms="USCIS",
           words="Citizenship and Immigration Services"),
    _known("U.S. Department of Homeland Security", FEDERAL, True, acronyms="DHS",
           words="(?:Department of )?Homeland Security"),
    _known("Federal Bureau of Investigation", FEDERAL, False, acronyms="FBI",
           words="Federal Bureau of Investigation"),
    _known("Drug Enforcement Administration", FEDERAL, False, acronyms="DEA",
           words="Drug Enforcement Administration"),
    _known("Bureau of Alcohol, Tobacco, Firearms and Explosives", FEDERAL, False,
           acronyms="ATF", words="Alcohol Tobacco (?:and )?Firearms"),
    _known("U.S. Marshals Service", FEDERAL, False, acronyms="USMS",
           words="(?:US|United States) Marshals?"),
    _known("Vigilant Solutions LEARN", RecipientType.VENDOR_POOL, False,
           words="Vigilant|LEARN database|National Vehicle Location Service|NVLS"),
    _known("Flock Safety national lookup", RecipientType.VENDOR_POOL, False,
           words="Flock (?:Safety )?(?:national|network|lookup)"),
    # Regional intelligence (fusion) centers: many agencies, federal ones among them.
    _known("a regional intelligence (fusion) center", RecipientType.FUSION_CENTER, False,
           acronyms="NCRIC|JRIC|LA JRIC|RTTAC|NCRTTAC|CCIC|OCIAC|SD LECC|STAC",
           words="fusion cent(?:er|re)s?|regional intelligence cent(?:er|re)|"
                 "(?:regional )?threat assessment cent(?:er|re)|"
                 "intelligence assessment cent(?:er|re)|"
                 "(?:joint )?regional intelligence cent(?:er|re)"),
    _known("a vendor's nationwide lookup network", RecipientType.VENDOR_POOL, False,
           words="(?:nationwide|national|multi ?state) (?:lookup|search|sharing|network|"
                 "database)s?"),
)

# Another state named in a recipient's name: its full name, or its postal code in
# capitals. Codes that are also common words or California places in capitals (LA, SD,
# CO, OR, IN, ME, ...) are left out; "Nevada County" and "Nevada City" are Californian.
STATE_NAMES = (
    "California|Alabama|Alaska|Arizona|Arkansas|Colorado|Connecticut|Delaware|Florida|Georgia|Hawaii|"
    "Idaho|Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland|Massachusetts|"
    "Michigan|Minnesota|Mississippi|Missouri|Montana|Nebraska|Nevada|New Hampshire|"
    "New Jersey|New Mexico|New York|North Carolina|North Dakota|Ohio|Oklahoma|Oregon|"
    "Pennsylvania|Rhode Island|South Carolina|South Dakota|Tennessee|Texas|Utah|Vermont|"
    "Virginia|Washington|West Virginia|Wisconsin|Wyoming"
)
STATE_BY_CODE = {
    "CA": "California", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas",
    "CT": "Connecticut", "FL": "Florida",
    "GA": "Georgia", "IA": "Iowa", "IL": "Illinois", "KS": "Kansas", "KY": "Kentucky",
    "MI": "Michigan", "MN": "Minnesota", "MT": "Montana", "NC": "North Carolina",
    "ND": "North Dakota", "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico",
    "NV": "Nevada", "NY": "New York", "OH": "Ohio", "RI": "Rhode Island", "TN": "Tennessee",
    "TX": "Texas", "UT": "Utah", "VA": "Virginia", "VT": "Vermont", "WA": "Washington",
    "WI": "Wisconsin", "WV": "West Virginia", "WY": "Wyoming",
}
OTHER_STATE = re.compile(
    rf"\b(?!Nevada (?:County|City)\b)({STATE_NAMES})\b|(?-i:\b({'|'.join(STATE_BY_CODE)})\b)",
    re.IGNORECASE)


# A group, not a recipient: "law enforcement agencies", "partners", "third parties", "as
# required by law" (the whole name, folded, case ignored).
COLLECTIVE = re.compile(
    r"(?:(?:any|all|other|outside|various|partner|allied|requesting|participating|approved"
    r"|authorized|government|public|local|state|federal|regional|neighboring|law"
    r"|enforcement|criminal|justice) )*"
    r"(?:agenc(?:y|ies)|partners?|entit(?:y|ies)|organi[sz]ations?|jurisdictions?"
    r"|(?:third )?part(?:y|ies)|others?|departments?)"
    r"(?: (?:as (?:required|permitted|authorized|allowed) by law|upon request|on request"
    r"|as needed|as appropriate))?"
    r"|as (?:required|permitted|authorized|allowed) by law|various|unspecified|tbd|unknown"
    r"|law enforcement")
# A count instead of names: "424 out-of-state law enforcement agencies", "hundreds of
# entities across the United States", "over 1,000 agencies nationwide".
COUNTED = re.compile(
    r"(?:(?:over|more than|about|approximately|nearly|some|up to) )?"
    r"(?:\d[\d, ]*\+?|hundreds|thousands|dozens|many|numerous|several|multiple|countless)"
    # Plural nouns only: "4 County Narcotics Agency" or "3 Rivers Transit Agency" is a name.
    r"(?: of)? (?:[a-z ]+ )?(?:agencies|entities|departments|organi[sz]ations"
    r"|jurisdictions|partners|parties|users|customers|subscribers)\b.*")


def is_collective(name: str) -> bool:
    """Say whether a recipient's name names a group, or a count, instead of a recipient."""
    folded = folded_lower(name)
    return COLLECTIVE.fullmatch(folded) is not None or COUNTED.fullmatch(folded) is not None


def identify(name: str) -> KnownAgency | None:
    """Return the known agency this name refers to, if any."""
    folded = fold(name)
    return next((agency for agency in KNOWN_AGENCIES if agency.pattern.search(folded)), None)


def recognized(name: str, declared: str, home_state: str | None = "California"
               ) -> KnownAgency | None:
    """Return what the name shows a recipient to be: a known agency, or another state's.

    Another state is read from the name only against a declared agency of the home state
    (a company in Texas is still a company), and never the home state itself.
    """
    known = identify(name)
    if known is not None:
        return known
    if home_state is None or declared not in CALIFORNIA_PUBLIC_AGENCIES:
        return None
    for state in OTHER_STATE.finditer(fold(name)):
        named = (state.group(1) or STATE_BY_CODE[state.group(2)]).title()
        if named != home_state.title():
            return KnownAgency(f"an agency of {named}", RecipientType.OTHER_STATE, False,
                               OTHER_STATE)
    return None


def names_immigration_agency(text: str) -> bool:
    """Say whether `text` names a federal immigration agency."""
    folded = fold(text)
    return any(a.immigration and a.pattern.search(folded) for a in KNOWN_AGENCIES)


def effective_type(name: str, declared: str, home_state: str | None = "California") -> str:
    """Return the recipient type rules should use: what the name shows, else as declared."""
    known = recognized(name, declared, home_state)
    return known.recipient_type.value if known else declared


def type_note(name: str, declared: str, home_state: str | None = "California") -> str:
    """Return a sentence when the declared type contradicts what the name shows, else ''."""
    known = recognized(name, declared, home_state)
    if known is None or known.recipient_type.value == declared:
        return ""
    return (f" The type entered, {RecipientType(declared).label}, looks wrong: this name "
            f"matches {known.name} ({known.recipient_type.label}).")
