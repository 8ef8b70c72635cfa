"""Illinois rules: the Illinois TRUST Act (5 ILCS 805) and the license plate reader
sharing limits of the Illinois Vehicle Code (625 ILCS 5/2-130, Public Act 103-0540).

The statute texts each rule relies on are quoted in docs/research/washington-illinois.md.
"""

import re

from ..models.vocab import NetworkSharing, RecipientType, Severity
from . import RecipientFacts, Rule, VersionFacts, quoted_recipient
from .agencies import effective_type, type_note
from .folding import folded_lower

# The same reading of a recipient as Washington's pack: by name, purpose or pool, with a
# stated restriction against immigration use not read as that use.
from .washington import serves_immigration

TRUST_ACT_URL = "https://www.ilga.gov/legislation/ilcs/ilcs3.asp?ActID=3818&ChapterID=2"
ALPR_URL = "https://www.ilga.gov/legislation/ilcs/fulltext.asp?DocName=062500050K2-130"

HOME_STATE = "Illinois"
# Recipients through which out-of-state agencies may reach the data without being named.
POOLED_TYPES = frozenset({RecipientType.VENDOR_POOL, RecipientType.FUSION_CENTER,
                          RecipientType.NOT_STATED})
# 625 ILCS 5/2-130(c): the out-of-state agency's written declaration, named in the
# recipient's purpose or legal basis.
DECLARATION = re.compile(r"declaration|affirm\w*|\b2 130 ?c\b")


def _home(settings: dict) -> str:
    return settings.get("state") or HOME_STATE


# "No written declaration obtained", "declaration not yet signed": named, but not given.
NO_DECLARATION = re.compile(
    r"\b(?:no|not|without|missing|lacks?|lacking|never|pending|unsigned)\b(?: \w+){0,3} "
    r"(?:declarations?|affirm\w*)|(?:declarations?|affirm\w*)(?: \w+){0,3} "
    r"(?:not|never|pending|missing|unsigned|requested)\b")


def _declared(recipient: RecipientFacts) -> bool:
    """Say whether the recipient's entry names the written declaration 2-130(c) requires."""
    stated = folded_lower(f"{recipient.purpose} {recipient.legal_basis}")
    return bool(DECLARATION.search(stated)) and not NO_DECLARATION.search(stated)


def _immigration_sharing(message: str):
    """Return a check finding each recipient that serves immigration enforcement."""
    def check(facts: VersionFacts, settings: dict):
        home = _home(settings)
        for recipient in facts.recipients:
            if serves_immigration(recipient, home):
                yield (message + type_note(recipient.name, recipient.recipient_type, home),
                       quoted_recipient(recipient))
    return check


_trust_act = _immigration_sharing(
    "The Illinois TRUST Act gives no Illinois law enforcement agency authority to enforce "
    "federal civil immigration law, and bars its agencies from enforcing it; sharing data "
    "for immigration enforcement takes part in it.")
_alpr_immigration = _immigration_sharing(
    "Plate reader information may not be sold, shared, made accessible or transferred to "
    "investigate or enforce a law that permits detaining or investigating a person based on "
    "immigration status.")


def _alpr_out_of_state(facts: VersionFacts, settings: dict):
    home = _home(settings)
    for recipient in facts.recipients:
        real_type = effective_type(recipient.name, recipient.recipient_type, home)
        if (real_type == RecipientType.OTHER_STATE and not _declared(recipient)
                and not serves_immigration(recipient, home)):
            yield ("Plate reader information may be shared with an out-of-state law "
                   "enforcement agency only after it signs a written declaration that the "
                   "information will not be used for immigration or reproductive health care "
                   "enforcement; none is stated."
                   + type_note(recipient.name, recipient.recipient_type, home),
                   quoted_recipient(recipient))


def _alpr_pooled(facts: VersionFacts, settings: dict):
    home = _home(settings)
    for recipient in facts.recipients:
        real_type = effective_type(recipient.name, recipient.recipient_type, home)
        if (real_type in POOLED_TYPES and not _declared(recipient)
                and not serves_immigration(recipient, home)):
            yield ("Out-of-state agencies may reach the data through this recipient, and no "
                   "written declaration from them is stated; each must sign one before any "
                   "sharing." + type_note(recipient.name, recipient.recipient_type, home),
                   quoted_recipient(recipient))
    if facts.network_sharing == NetworkSharing.NATIONWIDE:
        yield ("A nationwide lookup shares the data with out-of-state agencies: each must sign "
               "the written declaration before it can search.",
               f"Platform sharing: {NetworkSharing.NATIONWIDE.label}")


ALPR = frozenset({"alpr"})
RULES = (
    Rule(
        id="illinois.trust-act",
        title="Assistance with civil immigration enforcement (Illinois TRUST Act)",
        citation="5 ILCS 805/5, 805/15",
        citation_url=TRUST_ACT_URL,
        severity=Severity.BLOCKING,
        check=_trust_act,
    ),
    Rule(
        id="illinois.alpr-immigration",
        title="Plate reader data shared for immigration enforcement (625 ILCS 5/2-130)",
        citation="625 ILCS 5/2-130(b)(2)",
        citation_url=ALPR_URL,
        severity=Severity.BLOCKING,
        check=_alpr_immigration,
        categories=ALPR,
    ),
    Rule(
        id="illinois.alpr-out-of-state",
        title="Plate reader data shared out of state without a written declaration "
              "(625 ILCS 5/2-130)",
        citation="625 ILCS 5/2-130(c)",
        citation_url=ALPR_URL,
        severity=Severity.BLOCKING,
        check=_alpr_out_of_state,
        categories=ALPR,
    ),
    Rule(
        id="illinois.alpr-pooled-sharing",
        title="Plate reader data pooled where out-of-state agencies may search it "
              "(625 ILCS 5/2-130)",
        citation="625 ILCS 5/2-130(c)",
        citation_url=ALPR_URL,
        severity=Severity.WARNING,
        check=_alpr_pooled,
        categories=ALPR,
    ),
)

__all__ = ["RULES"]
