"""CCOPS-model rules: documents filed, retention, banned technologies, vendor secrecy,
sensitive locations, audit logs, and data recipients."""

import re

from ..models.vocab import (
    DataOwnership,
    NetworkSharing,
    ProcurementMethod,
    RecipientType,
    SensitiveLocation,
    Severity,
    TechnologyCategory,
)
from . import CCOPS_MODEL_URL, ORDINANCE, ORDINANCE_URL, RETENTION_LIMIT_SOURCE, Rule, VersionFacts
from .agencies import is_collective, recognized, type_note
from .folding import folded_lower
from .retention import open_ended

# Citations name the CCOPS model bill and this jurisdiction's own ordinance (filled in
# from the profile by evaluate), never another city's law.
OWN_URL = ORDINANCE_URL


def _missing_documents(facts: VersionFacts, _settings: dict):
    if facts.missing_impact_sections:
        yield ("The Surveillance Impact Report is incomplete; the proposal cannot be heard.",
               "Missing sections: " + ", ".join(facts.missing_impact_sections))
    if facts.missing_policy_sections:
        yield ("The Surveillance Use Policy is incomplete; the proposal cannot be heard.",
               "Missing sections: " + ", ".join(facts.missing_policy_sections))
    for document, found in (("Surveillance Impact Report", facts.placeholder_impact_sections),
                            ("Surveillance Use Policy", facts.placeholder_policy_sections)):
        if found:
            yield (f"Sections of the {document} hold only a placeholder, which answers "
                   "nothing; the proposal cannot be heard until they are answered.",
                   "; ".join(f"{label}: “{text}”" for label, text in found))


def _missing_retention(facts: VersionFacts, _settings: dict):
    text = (facts.use_policy.get("retention") or "").strip()
    if facts.retention_days is None:
        quoted = f"Use policy, retention: “{text}”" if text else "Use policy, retention: empty"
        yield ("No retention period is stated in days; data could be kept indefinitely.",
               quoted + "; retention period (days): not given")


def _retention_open_ended(facts: VersionFacts, _settings: dict):
    for where, text in (("Use policy, retention", facts.use_policy.get("retention")),
                        ("Impact report, storage and retention",
                         facts.impact_report.get("storage_retention"))):
        clauses = open_ended(text)
        if clauses:
            yield ("The retention text lets data be kept with no end: an exception or a "
                   "phrase such as “until no longer needed” sets no period.",
                   f"{where}: " + "; ".join(f"“{clause}”" for clause in clauses))


def _retention_over_limit(facts: VersionFacts, settings: dict):
    limit = settings.get("max_retention_days")
    if limit is not None and facts.retention_days is not None and facts.retention_days > limit:
        yield (f"Data would be kept longer than this jurisdiction's maximum of {limit} days.",
               f"Retention period (days): {facts.retention_days}")


def _unlimited_exceptions(facts: VersionFacts, _settings: dict):
    unlimited = [purpose or "purpose not stated"
                 for purpose, limit in facts.retention_exceptions if limit is None]
    if unlimited:
        yield ("An exception to the retention period has no limit of its own, so data kept "
               "under it may be kept forever.",
               "Retention exceptions without a limit: "
               + "; ".join(f"“{purpose}”" for purpose in unlimited))


def _practice_longer(facts: VersionFacts, _settings: dict):
    practice, policy = facts.retention_practice_days, facts.retention_days
    if practice is not None and (policy is None or practice > policy):
        stated = "not stated" if policy is None else f"{policy:,} days"
        yield ("Data is kept longer in practice than the policy says: the policy is not what "
               "is done.",
               f"Retention period (policy): {stated}; in practice: {practice:,} days"
               + (f"; “{facts.retention_practice}”" if facts.retention_practice else ""))


def _category_limit(facts: VersionFacts, settings: dict):
    limits = settings.get("retention_limits") or {}
    limit = limits.get(facts.technology_category)
    if limit is None:
        return
    over = [("retention period", facts.retention_days),
            ("in practice", facts.retention_practice_days),
            *((f"exception “{purpose}”", days) for purpose, days in facts.retention_exceptions)]
    longer = [f"{what}: {days:,} days" for what, days in over
              if days is not None and days > limit]
    unlimited = [f"exception “{purpose}”: no limit"
                 for purpose, days in facts.retention_exceptions if days is None]
    if longer or unlimited:
        label = TechnologyCategory(facts.technology_category).label
        yield (f"This jurisdiction keeps {label} data for at most {limit:,} days; this filing "
               "keeps it longer.", "; ".join(longer + unlimited))


def _efficacy(facts: VersionFacts, _settings: dict):
    if facts.efficacy_measured is not True:
        answer = {None: "not answered", False: "no"}[facts.efficacy_measured]
        yield ("Nothing shows the technology works: its effectiveness has not been measured, "
               "so its benefits cannot be weighed against its costs.",
               f"Effectiveness measured: {answer}")
    elif not facts.efficacy_evidence.strip():
        yield ("Effectiveness is said to be measured, but no measure or result is given.",
               "Effectiveness measured: yes; what was measured: empty")


def _sole_source(facts: VersionFacts, _settings: dict):
    if facts.procurement_method == ProcurementMethod.SOLE_SOURCE:
        term = (f"; term {facts.contract_term_months:,} months"
                if facts.contract_term_months is not None else "")
        yield ("Obtained without competition: the council may ask why no other vendor was "
               "considered.", f"Procurement: {ProcurementMethod.SOLE_SOURCE.label}{term}")


def _vendor_data_use(facts: VersionFacts, _settings: dict):
    owner = facts.data_ownership
    if owner in (DataOwnership.VENDOR, DataOwnership.SHARED) or facts.vendor_own_use is True:
        parts = []
        if owner:
            parts.append(f"Data ownership: {DataOwnership(owner).label}")
        if facts.vendor_own_use is True:
            parts.append("vendor may use the data for its own purposes: yes")
        yield ("The vendor, not the city, may control or use the data: what the city "
               "promises about it may not bind the vendor.", "; ".join(parts))


# Kinds whose vendor platforms commonly offer search by other agencies (plate readers,
# camera networks); for these an unanswered setting is itself a finding.
NETWORKED_KINDS = frozenset({TechnologyCategory.ALPR, TechnologyCategory.CAMERA})


def _network_sharing(facts: VersionFacts, _settings: dict):
    setting = facts.network_sharing
    if setting in (NetworkSharing.STATEWIDE, NetworkSharing.NATIONWIDE):
        yield ("The vendor platform lets other agencies search this data: every agency on "
               "that network is a recipient, and each must be approved like any other.",
               f"Platform sharing: {NetworkSharing(setting).label}"
               + (f"; “{facts.network_sharing_detail}”" if facts.network_sharing_detail else ""))
    elif setting == NetworkSharing.NOT_KNOWN or (
            not setting and facts.technology_category in NETWORKED_KINDS):
        answer = "not answered" if not setting else NetworkSharing.NOT_KNOWN.label
        yield ("Nobody has said who else can search this data through the vendor's platform; "
               "vendor networks are how local data has reached federal agencies.",
               f"Platform sharing: {answer}")


def _third_party_data(facts: VersionFacts, _settings: dict):
    if facts.third_party_data is not True:
        return
    if not facts.third_party_sources.strip():
        yield ("The department will receive data from others but does not say from whom or "
               "on what terms.", "Data received from others: yes; from whom: empty")
    if facts.third_party_solicited is True:
        yield ("The department will ask for data from private or other systems: using "
               "someone else's cameras or readers is surveillance this review covers.",
               "Data received from others, asked for: yes"
               + (f"; sources: “{facts.third_party_sources}”" if facts.third_party_sources
                  else ""))


def _prior_use(facts: VersionFacts, _settings: dict):
    if facts.prior_use is True:
        yield ("The technology or its data was used before approval, which the ordinance "
               "requires first; the record should say how it was used and stopped.",
               "Used before approval: yes"
               + (f"; “{facts.prior_use_details}”" if facts.prior_use_details else
                  "; details: empty"))


def _banned_technology(facts: VersionFacts, settings: dict):
    banned = settings.get("banned_technologies", ())
    if facts.technology_category not in banned:
        return
    claimed = (settings.get("ban_exceptions") or {}).get(facts.ban_exception)
    if claimed is not None and claimed.technology == facts.technology_category:
        # The ordinance's own exception: the ban stops nothing yet, but only a published
        # override by the clerk, finding that the exception applies, clears this.
        yield ("This jurisdiction bans this technology; the department claims an exception "
               f"the ordinance makes ({claimed.citation}). It may proceed only if the clerk "
               "finds, in a published override, that the exception applies.",
               f"Technology: “{facts.technology_name}” ({facts.technology_category}); "
               f"exception claimed: “{claimed.exception}”; why: "
               f"“{facts.ban_exception_reason or 'not given'}”")
        return
    yield ("This jurisdiction prohibits this technology. No override applies: it cannot "
           "go to public comment, a hearing or a vote, only back to the department.",
           f"Technology: “{facts.technology_name}” ({facts.technology_category})")


# What a banned kind of technology is called when it is filed under another category
# ("Clearview AI" as investigative software): names and products, folded, case ignored.
NAMED_AS = {
    "face_recognition": re.compile(
        r"\b(?:face|facial) (?:recognition|matching|identification|search|comparison)\b"
        r"|\bclearview\b|\brekognition\b|\bfacefirst\b|\bface ?plus ?plus\b"),
    "cell_site_simulator": re.compile(
        r"\bstingray\b|\bhailstorm\b|\bimsi catchers?\b|\bcell ?site simulators?\b"),
}


def _possibly_banned(facts: VersionFacts, settings: dict):
    named = folded_lower(f"{facts.technology_name} {facts.vendor}")
    for category in settings.get("banned_technologies", ()):
        pattern = NAMED_AS.get(category)
        if category != facts.technology_category and pattern and pattern.search(named):
            label = TechnologyCategory(category).label.lower()
            yield (f"The technology is filed as another kind, but its name or vendor points "
                   f"to {label}, which this jurisdiction bans. If it is, it cannot proceed: "
                   f"the department should file it as {label}, or the clerk return it.",
                   f"Technology: “{facts.technology_name}”; vendor: “{facts.vendor}”; filed "
                   f"as: {facts.technology_category or 'not given'}")


def _vendor_nda(facts: VersionFacts, _settings: dict):
    if facts.vendor_nda is True:
        yield ("The vendor contract has a non-disclosure clause that limits what the city "
               "may tell the public or the council.",
               f"Vendor: “{facts.vendor}”; non-disclosure clause: yes")


def _sensitive_locations(facts: VersionFacts, _settings: dict):
    if facts.sensitive_locations and not facts.sensitive_safeguards.strip():
        places = ", ".join(SensitiveLocation(p).label.lower() for p in facts.sensitive_locations)
        yield ("The technology would be used at sensitive locations, but no safeguards are "
               "described for them.", f"Sensitive locations: {places}; safeguards: empty")


def _audit_log(facts: VersionFacts, _settings: dict):
    if facts.access_log is not True:
        answer = {None: "not answered", False: "no"}[facts.access_log]
        yield ("Without a log of every access, misuse cannot be audited.",
               f"Access log kept: {answer}")


def _recipient_basis(facts: VersionFacts, _settings: dict):
    for r in facts.recipients:
        missing = [what for what, value in (("purpose", r.purpose), ("legal basis", r.legal_basis))
                   if not value.strip()]
        if missing:
            yield (f"Data would be shared without a stated {' or '.join(missing)}.",
                   f"Recipient “{r.name}” ({RecipientType(r.recipient_type).label})")


def _unspecified_recipients(facts: VersionFacts, _settings: dict):
    for r in facts.recipients:
        if is_collective(r.name):
            yield ("A recipient is named only as a group (“law enforcement agencies”, "
                   "“partners”, “as required by law”): the public cannot tell who would "
                   "receive the data. Name each agency or company.",
                   f"Recipient “{r.name}” ({RecipientType(r.recipient_type).label})")


def _type_not_stated(facts: VersionFacts, _settings: dict):
    for r in facts.recipients:
        if r.recipient_type == RecipientType.NOT_STATED:
            yield ("The department did not state what kind of body this recipient is; until "
                   "it does, it is not treated as a public agency of this state.",
                   f"Recipient “{r.name}”: type not stated")


def _material_change(facts: VersionFacts, _settings: dict):
    if facts.earlier_number is None:
        return
    since = f"version {facts.earlier_number}"
    earlier = {folded_lower(name) for name in facts.earlier_recipients}
    for r in facts.recipients:
        if folded_lower(r.name) not in earlier:
            yield (f"Needs new approval: {since}, which the public commented on, did not "
                   "share data with this recipient; the new sharing needs its own notice and "
                   "comment, and the council's approval.",
                   f"Recipient “{r.name}” ({RecipientType(r.recipient_type).label}), added "
                   f"since {since}")
    added = [SensitiveLocation(p).label.lower() for p in facts.sensitive_locations
             if p not in facts.earlier_sensitive_locations]
    if added:
        yield (f"Needs new approval: the technology would now also be used at places {since} "
               "did not include.", f"Sensitive locations added since {since}: "
               + ", ".join(added))
    for what, before, now in (
            ("deployment locations", facts.earlier_locations,
             facts.impact_report.get("locations") or ""),
            ("authorized purposes", facts.earlier_purposes,
             facts.use_policy.get("authorized_purposes") or "")):
        if folded_lower(before) != folded_lower(now):
            yield (f"Needs new approval if this widens them: the {what} changed since {since}, "
                   "which the public commented on.",
                   f"{what.capitalize()} in {since}: “{_clip(before)}”; now: “{_clip(now)}”")


def _clip(text: str, words: int = 40) -> str:
    """Return the first `words` words of `text` (evidence quotes, not whole sections)."""
    parts = text.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "") or "empty"


def _recipient_type(facts: VersionFacts, settings: dict):
    home = settings.get("state")
    for r in facts.recipients:
        note = type_note(r.name, r.recipient_type, home)
        if note:
            known = recognized(r.name, r.recipient_type, home)
            yield (note.strip(), f"Recipient “{r.name}”, entered as "
                                 f"{RecipientType(r.recipient_type).label}; known as "
                                 f"{known.name}")


RULES = (
    Rule(id="ccops.documents-complete",
         title="Impact report and use policy must be complete",
         citation=f"{ORDINANCE}; CCOPS model bill (impact report and use policy before any "
                  "approval)",
         citation_url=OWN_URL, severity=Severity.BLOCKING, check=_missing_documents),
    Rule(id="ccops.retention-period", title="A retention period must be stated",
         citation=f"{ORDINANCE}; CCOPS model use-policy element: data retention",
         citation_url=OWN_URL, severity=Severity.WARNING, check=_missing_retention),
    Rule(id="ccops.retention-open-ended", title="Retention without an end",
         citation=f"{ORDINANCE}; CCOPS model use-policy element: data retention (how long, "
                  "and why)",
         citation_url=OWN_URL, severity=Severity.WARNING, check=_retention_open_ended),
    Rule(id="ccops.retention-limit", title="Retention longer than the jurisdiction allows",
         citation=f"{ORDINANCE} (the retention limit in this jurisdiction's profile)",
         citation_url=OWN_URL, severity=Severity.WARNING, check=_retention_over_limit),
    Rule(id="ccops.retention-exception-unlimited", title="Retention exception without a limit",
         citation=f"{ORDINANCE}; CCOPS model use-policy element: data retention (how long, "
                  "and why)",
         citation_url=OWN_URL, severity=Severity.WARNING, check=_unlimited_exceptions),
    Rule(id="ccops.retention-practice-longer", title="Data kept longer in practice than policy",
         citation=f"{ORDINANCE}; CCOPS model use-policy element: data retention",
         citation_url=OWN_URL, severity=Severity.WARNING, check=_practice_longer),
    Rule(id="ccops.retention-category-limit",
         title="Retention longer than this jurisdiction allows for the technology",
         citation=RETENTION_LIMIT_SOURCE,
         citation_url=OWN_URL, severity=Severity.BLOCKING, check=_category_limit),
    Rule(id="ccops.efficacy-not-measured", title="Effectiveness not measured",
         citation=f"{ORDINANCE}; CCOPS model impact report (purpose and expected benefits, "
                  "weighed against costs)",
         citation_url=OWN_URL, severity=Severity.WARNING, check=_efficacy),
    Rule(id="ccops.sole-source", title="Obtained without competition",
         citation=f"{ORDINANCE}; CCOPS model impact report (fiscal cost)",
         citation_url=OWN_URL, severity=Severity.INFO, check=_sole_source),
    Rule(id="ccops.vendor-data-use", title="The vendor may own or use the data",
         citation="CCOPS model use-policy elements: third-party sharing and data protection",
         citation_url=CCOPS_MODEL_URL, severity=Severity.WARNING, check=_vendor_data_use),
    Rule(id="ccops.network-sharing", title="Sharing through the vendor's platform",
         citation="CCOPS model use-policy element: third-party sharing (which entities may "
                  "receive the data)",
         citation_url=CCOPS_MODEL_URL, severity=Severity.WARNING, check=_network_sharing),
    Rule(id="ccops.third-party-data", title="Data received from others",
         citation=f"{ORDINANCE}; CCOPS model bill (surveillance technology includes data "
                  "obtained from others)",
         citation_url=OWN_URL, severity=Severity.WARNING, check=_third_party_data),
    Rule(id="ccops.prior-use", title="Used before approval",
         citation=f"{ORDINANCE} (approval before acquiring or using surveillance technology)",
         citation_url=OWN_URL, severity=Severity.WARNING, check=_prior_use),
    Rule(id="ccops.banned-technology", title="Technology banned by the jurisdiction",
         citation=f"{ORDINANCE} (technologies this jurisdiction bans)",
         citation_url=OWN_URL, severity=Severity.BLOCKING, check=_banned_technology),
    Rule(id="ccops.possibly-banned", title="May be a banned technology filed as another kind",
         citation=f"{ORDINANCE} (technologies this jurisdiction bans)",
         citation_url=OWN_URL, severity=Severity.BLOCKING, check=_possibly_banned),
    Rule(id="ccops.vendor-nda", title="Vendor non-disclosure clause limits public oversight",
         citation=f"CCOPS model bill (no non-disclosure agreements that impair "
                  f"transparency); {ORDINANCE}",
         citation_url=CCOPS_MODEL_URL, severity=Severity.WARNING, check=_vendor_nda),
    Rule(id="ccops.sensitive-locations",
         title="Sensitive locations without safeguards",
         citation=f"CCOPS model impact report (deployment locations, civil-liberties "
                  f"impact); {ORDINANCE}",
         citation_url=CCOPS_MODEL_URL, severity=Severity.WARNING, check=_sensitive_locations),
    Rule(id="ccops.audit-log", title="No access log or audit provision",
         citation="CCOPS model use-policy element: auditing and oversight",
         citation_url=CCOPS_MODEL_URL, severity=Severity.WARNING, check=_audit_log),
    Rule(id="ccops.recipient-basis",
         title="Data shared without a stated purpose or legal basis",
         citation="CCOPS model use-policy element: third-party sharing",
         citation_url=CCOPS_MODEL_URL, severity=Severity.WARNING, check=_recipient_basis),
    Rule(id="ccops.recipient-unspecified", title="Recipient not identified",
         citation="CCOPS model use-policy element: third-party sharing (which entities "
                  "may receive the data)",
         citation_url=CCOPS_MODEL_URL, severity=Severity.BLOCKING,
         check=_unspecified_recipients),
    Rule(id="ccops.recipient-type-not-stated", title="Recipient type not stated",
         citation="CCOPS model use-policy element: third-party sharing",
         citation_url=CCOPS_MODEL_URL, severity=Severity.WARNING, check=_type_not_stated),
    Rule(id="ccops.material-change",
         title="Needs new approval: shares, deploys or uses beyond the version the public saw",
         citation=f"{ORDINANCE} (approval of the use policy, its sharing and deployment, after "
                  "notice and comment)",
         citation_url=OWN_URL, severity=Severity.WARNING, check=_material_change),
    Rule(id="ccops.recipient-type", title="Recipient type looks wrong",
         citation="reviewapp list of known agencies (data-sharing must be described truly)",
         citation_url=CCOPS_MODEL_URL, severity=Severity.WARNING, check=_recipient_type),
)
