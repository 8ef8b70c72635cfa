"""Washington rules: the Keep Washington Working Act (RCW 10.93.160) and the Driver Privacy
Act (ESSB 6002, 2026) on license plate readers.

The statute texts each rule relies on are quoted in docs/research/washington-illinois.md.
"""

import re

from ..models.vocab import (
    CALIFORNIA_PUBLIC_AGENCIES,
    NetworkSharing,
    RecipientType,
    SensitiveLocation,
    Severity,
)
from . import RecipientFacts, Rule, VersionFacts, quoted_recipient
from .agencies import effective_type, names_immigration_agency, type_note
from .folding import fold

KWW_URL = "https://app.leg.wa.gov/RCW/default.aspx?cite=10.93.160"
# ESSB 6002 creates a new chapter in Title 10 RCW that had no RCW numbers when this was
# written, so its sections are cited from the session law.
DPA_URL = ("https://lawfilesext.leg.wa.gov/biennium/2025-26/Pdf/Bills/Session%20Laws/"
           "Senate/6002-S.SL.pdf")
DPA = "ESSB 6002 (Driver Privacy Act, 2026)"

HOME_STATE = "Washington"
# Recipients that can hand data on to others, federal immigration authorities among them.
PASS_ON_TYPES = frozenset({RecipientType.FEDERAL, RecipientType.OTHER_STATE,
                           RecipientType.VENDOR_POOL, RecipientType.FUSION_CENTER,
                           RecipientType.NOT_STATED})
# "This state's" agency types: CALIFORNIA_PUBLIC_AGENCIES is named for the first pack, but
# its labels say "this state", so it is Washington's here.
HOME_PUBLIC_AGENCIES = CALIFORNIA_PUBLIC_AGENCIES
ALPR_MAX_RETENTION_DAYS = 21  # ESSB 6002 sec. 4
# ESSB 6002 sec. 3(4)(a): schools, places of worship and courts among the listed facilities.
DPA_BANNED_PLACES = (SensitiveLocation.SCHOOL, SensitiveLocation.PLACE_OF_WORSHIP,
                     SensitiveLocation.COURT)

IMMIGRATION_PURPOSE = re.compile(
    r"immigration|deportation|removal proceedings|287 ?\(?g\)?|detainer", re.IGNORECASE)
SALE = re.compile(r"\b(sell|sold|sale|resale|resell|lease|rent)\b", re.IGNORECASE)
JUDICIAL = re.compile(r"judicial proceeding|court order|warrant|subpoena|discovery",
                      re.IGNORECASE)
# A stated restriction against immigration use ("not for immigration enforcement", "no
# sharing with ICE", "immigration enforcement prohibited"), read clause by clause in the
# folded text (folding drops punctuation, so clauses are split first). It is removed before
# a purpose is read for immigration enforcement, so the restriction itself does not read as
# that purpose.
CLAUSE_BREAK = re.compile(r"[;,\n]|(?<=[a-z]{2})\.(?:\s|$)")
# A negation restricts only when it negates the sharing itself: "not for", "no sharing
# with", "never shared for", "not searchable by" ICE or immigration. A negation elsewhere
# in the clause ("without delay with ICE", "no-cost access for ICE", "not only criminal
# cases: also immigration enforcement") restricts nothing.
_NEGATION = r"(?i:no|not|never|may not|shall not|must not|cannot|can not)"
_SHARING = (r"(?i:(?:be )?(?:used|uses?|shared|shar(?:e|ing)|disclosed|disclos(?:e|ure)"
            r"|provided|provide|released?|sold|sale|given|give|made available|available"
            r"|accessible|searchable|searched|access(?:ed)?|quer(?:y|ies|ied)|transferred"
            r"|transfer) )")
_PREPOSITION = r"(?i:(?:for|to|with|by) )"
_PROHIBITION = r"(?i:prohibit\w*|forbid\w*|bar|bars|barred|exclud\w*)"
_TARGET = r"(?:(?i:immigration|deportation)|(?-i:(?:US)?(?:ICE|CBP|DHS|HSI)))"
_FORBIDDEN = r"(?i:prohibited|forbidden|barred|excluded|not (?:allowed|permitted))"
RESTRICTION = re.compile(
    rf"\b{_NEGATION} {_SHARING}?{_PREPOSITION}(?:\w+ ){{0,2}}{_TARGET}\b.*"
    rf"|\b{_PROHIBITION}\b.{{0,40}}?\b{_TARGET}\b.*"
    rf"|\b{_TARGET}\b.{{0,40}}?\b{_FORBIDDEN}\b")


def _clauses(text: str) -> list[str]:
    return [fold(clause) for clause in CLAUSE_BREAK.split(text or "")]


def without_restrictions(text: str) -> str:
    """Return `text` folded, with any stated restriction against immigration use removed."""
    return " ".join(RESTRICTION.sub(" ", clause) for clause in _clauses(text))


def restricts_immigration_use(*texts: str) -> bool:
    """Say whether any of `texts` states a restriction against immigration use."""
    return any(RESTRICTION.search(clause) for text in texts for clause in _clauses(text))


def serves_immigration(recipient: RecipientFacts, home_state: str | None) -> bool:
    """Say whether sharing with this recipient serves immigration enforcement.

    By its name, by a purpose naming immigration enforcement or an immigration agency, or,
    for a vendor pool, by who can search it; a stated restriction does not count.
    """
    purpose = without_restrictions(recipient.purpose)
    real_type = effective_type(recipient.name, recipient.recipient_type, home_state)
    return bool(
        names_immigration_agency(recipient.name)
        or IMMIGRATION_PURPOSE.search(purpose)
        or names_immigration_agency(purpose)
        or (real_type == RecipientType.VENDOR_POOL
            and names_immigration_agency(without_restrictions(recipient.data_categories)))
    )


def _home(settings: dict) -> str:
    return settings.get("state") or HOME_STATE


def _immigration_sharing(facts: VersionFacts, settings: dict):
    home = _home(settings)
    for recipient in facts.recipients:
        if serves_immigration(recipient, home):
            yield ("Washington law enforcement agencies may not give federal immigration "
                   "authorities nonpublic personal information in a noncriminal matter, nor "
                   "answer their notification requests for civil immigration enforcement, "
                   "except as required by law."
                   + type_note(recipient.name, recipient.recipient_type, home),
                   quoted_recipient(recipient))


def _onward_immigration_use(facts: VersionFacts, settings: dict):
    home = _home(settings)
    policy = str(facts.use_policy.get("third_party_sharing") or "")
    for recipient in facts.recipients:
        real_type = effective_type(recipient.name, recipient.recipient_type, home)
        if real_type not in PASS_ON_TYPES or serves_immigration(recipient, home):
            continue
        if restricts_immigration_use(recipient.purpose, recipient.legal_basis,
                                     recipient.data_categories, policy):
            continue
        yield ("This recipient can pass data on to others, federal immigration authorities "
               "among them, and no restriction against use for immigration enforcement is "
               "stated; Washington agencies may not give such authorities nonpublic personal "
               "information in a noncriminal matter."
               + type_note(recipient.name, recipient.recipient_type, home),
               quoted_recipient(recipient))


def _alpr_sharing(facts: VersionFacts, settings: dict):
    home = _home(settings)
    for recipient in facts.recipients:
        real_type = effective_type(recipient.name, recipient.recipient_type, home)
        note = type_note(recipient.name, recipient.recipient_type, home)
        if SALE.search(recipient.purpose):
            yield ("Plate reader data may not be sold, leased or rented.",
                   quoted_recipient(recipient))
        elif serves_immigration(recipient, home):
            yield ("Plate reader systems may not be used for immigration investigation or "
                   "enforcement, and their data may not be shared." + note,
                   quoted_recipient(recipient))
        elif real_type not in HOME_PUBLIC_AGENCIES and not JUDICIAL.search(
                f"{recipient.purpose} {recipient.legal_basis}"):
            yield ("Plate reader data may be shared only as required in a judicial proceeding; "
                   "direct access is allowed only to other Washington state or local agencies "
                   "authorized to use plate readers." + note, quoted_recipient(recipient))


def _alpr_network(facts: VersionFacts, _settings: dict):
    if facts.network_sharing == NetworkSharing.NATIONWIDE:
        detail = f"; “{facts.network_sharing_detail}”" if facts.network_sharing_detail else ""
        yield ("A nationwide lookup gives agencies outside Washington direct access to the "
               "data; the vendor's sharing settings must default to no sharing with anyone "
               "not authorized.",
               f"Platform sharing: {NetworkSharing.NATIONWIDE.label}{detail}")


def _alpr_retention(facts: VersionFacts, _settings: dict):
    stated = [(what, days) for what, days in (("Retention period", facts.retention_days),
                                              ("In practice", facts.retention_practice_days))
              if days is not None and days > ALPR_MAX_RETENTION_DAYS]
    if stated:
        yield (f"Plate reader data may not be kept longer than {ALPR_MAX_RETENTION_DAYS} days, "
               "except as evidence, under a warrant or court order, or for parking, traffic "
               "studies or commercial vehicle enforcement within their own limits.",
               "; ".join(f"{what}: {days} days" for what, days in stated))


def _alpr_audit_trail(facts: VersionFacts, _settings: dict):
    if facts.access_log is not True:
        answer = {None: "not answered", False: "no"}[facts.access_log]
        yield ("Every agency operating or accessing a plate reader system must keep audit "
               "trail data of all access (who, when, query, purpose, case number, camera "
               "location) for two years.",
               f"Access log kept: {answer}.")


def _alpr_places(facts: VersionFacts, _settings: dict):
    places = [place for place in DPA_BANNED_PLACES if place.value in facts.sensitive_locations]
    if places:
        yield ("Plate reader data may not be collected at or around schools, places of "
               "worship, courts, food banks, facilities giving protected health care, or "
               "facilities conducting immigration matters.",
               "Sensitive locations: " + ", ".join(place.label for place in places))


ALPR = frozenset({"alpr"})
RULES = (
    Rule(
        id="washington.immigration-sharing",
        title="Data given to federal immigration authorities (Keep Washington Working Act)",
        citation="RCW 10.93.160(4)(b), (5)",
        citation_url=KWW_URL,
        severity=Severity.BLOCKING,
        check=_immigration_sharing,
    ),
    Rule(
        id="washington.onward-immigration-use",
        title="No restriction against immigration enforcement use by a recipient that can "
              "pass data on",
        citation="RCW 10.93.160(5)",
        citation_url=KWW_URL,
        severity=Severity.WARNING,
        check=_onward_immigration_use,
    ),
    Rule(
        id="washington.alpr-sharing",
        title="Plate reader data shared outside a judicial proceeding (Driver Privacy Act)",
        citation=f"{DPA} secs. 3(3), 5(1), 5(3)",
        citation_url=DPA_URL,
        severity=Severity.BLOCKING,
        check=_alpr_sharing,
        categories=ALPR,
    ),
    Rule(
        id="washington.alpr-network",
        title="Plate reader data open to a nationwide lookup (Driver Privacy Act)",
        citation=f"{DPA} secs. 5(1)(b), 5(8)",
        citation_url=DPA_URL,
        severity=Severity.BLOCKING,
        check=_alpr_network,
        categories=ALPR,
    ),
    Rule(
        id="washington.alpr-retention",
        title=f"Plate reader data kept longer than {ALPR_MAX_RETENTION_DAYS} days "
              "(Driver Privacy Act)",
        citation=f"{DPA} sec. 4",
        citation_url=DPA_URL,
        severity=Severity.BLOCKING,
        check=_alpr_retention,
        categories=ALPR,
    ),
    Rule(
        id="washington.alpr-audit-trail",
        title="No plate reader audit trail (Driver Privacy Act)",
        citation=f"{DPA} sec. 8(1)",
        citation_url=DPA_URL,
        severity=Severity.BLOCKING,
        check=_alpr_audit_trail,
        categories=ALPR,
    ),
    Rule(
        id="washington.alpr-sensitive-locations",
        title="Plate readers at schools, places of worship or courts (Driver Privacy Act)",
        citation=f"{DPA} sec. 3(4)(a)",
        citation_url=DPA_URL,
        severity=Severity.BLOCKING,
        check=_alpr_places,
        categories=ALPR,
    ),
)

__all__ = ["RULES", "restricts_immigration_use", "serves_immigration"]
