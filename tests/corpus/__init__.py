"""A corpus of real surveillance filings and cases, one TOML file each, as compliance facts.

Each fixture holds what a police analyst would have entered from the public records it cites
(docs/research/corpus.md says where every fact came from), the rule ids a competent reviewer
would expect to fire, and the ones that must not. `load_cases()` turns them into the
`VersionFacts` and settings that `compliance.evaluate` reads.
"""

import tomllib
from dataclasses import dataclass, fields
from pathlib import Path

from forms.documents import IMPACT_REPORT, USE_POLICY
from reviewapp.compliance import RecipientFacts, VersionFacts
from reviewapp.models.vocab import (
    DataOwnership,
    NetworkSharing,
    ProcurementMethod,
    RecipientType,
    SensitiveLocation,
    TechnologyCategory,
)
from reviewapp.profiles import Profile, load_profile
from reviewapp.services.proposals import compliance_settings

CORPUS_DIR = Path(__file__).parent
# The shipped profiles; oak-park (Illinois) is the newest, used for Illinois cases.
PROFILES = ("ccops-model", "oakland", "san-francisco", "seattle", "sebastopol", "oak-park")
TOP_KEYS = {"title", "jurisdiction_profile", "profile_note", "sources", "facts", "expected",
            "not_expected", "reviewer_finding"}
FACT_FIELDS = {f.name for f in fields(VersionFacts)}
# Fields stored as tuples of strings, and as tuples of (label, text) pairs.
STRING_TUPLES = ("missing_impact_sections", "missing_policy_sections", "sensitive_locations")
PAIR_TUPLES = ("placeholder_impact_sections", "placeholder_policy_sections")
RECIPIENT_KEYS = {"name", "recipient_type", "purpose", "data_categories", "legal_basis"}
# A vocabulary field's allowed values ("" is the unanswered value of the new string fields).
VOCABULARIES = {
    "technology_category": {c.value for c in TechnologyCategory},
    "procurement_method": {""} | {m.value for m in ProcurementMethod},
    "data_ownership": {""} | {d.value for d in DataOwnership},
    "network_sharing": {""} | {n.value for n in NetworkSharing},
}
SECTION_LABELS = {
    "missing_impact_sections": {s.label for s in IMPACT_REPORT},
    "missing_policy_sections": {s.label for s in USE_POLICY},
    "placeholder_impact_sections": {s.label for s in IMPACT_REPORT},
    "placeholder_policy_sections": {s.label for s in USE_POLICY},
}
SECTION_KEYS = {"impact_report": {s.key for s in IMPACT_REPORT},
                "use_policy": {s.key for s in USE_POLICY}}


class CorpusError(ValueError):
    """A fixture is malformed: an unknown key, a bad value, a missing part."""


@dataclass(frozen=True)
class Case:
    """One real case: where it came from, the facts entered, and what a reviewer expects."""

    key: str
    title: str
    profile: Profile
    settings: dict
    facts: VersionFacts
    sources: tuple[dict, ...]
    expected: tuple[str, ...]
    not_expected: dict[str, str]  # rule id -> why it must not fire
    reviewer_finding: str


def load_cases(directory: Path = CORPUS_DIR) -> list[Case]:
    """Read every fixture in the corpus directory, sorted by file name."""
    return [load_case(path) for path in sorted(directory.glob("*.toml"))]


def load_case(path: Path) -> Case:
    """Read one fixture; raise CorpusError naming the file and the bad part."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return _case(path.stem, data)
    except (tomllib.TOMLDecodeError, CorpusError, KeyError, TypeError, ValueError) as exc:
        raise CorpusError(f"{path.name}: {exc}") from exc


def _case(key: str, data: dict) -> Case:
    """Build a Case from a fixture's parsed TOML."""
    unknown = set(data) - TOP_KEYS
    if unknown:
        raise CorpusError(f"unknown key {sorted(unknown)[0]!r}")
    profile_key = data["jurisdiction_profile"]
    if profile_key not in PROFILES:
        raise CorpusError(f"jurisdiction_profile {profile_key!r} is not a shipped profile")
    profile = load_profile(profile_key)
    not_expected = {entry["rule"]: entry["reason"] for entry in data.get("not_expected", ())}
    return Case(key=key, title=data["title"], profile=profile,
                settings=compliance_settings(profile),
                facts=build_facts(data["facts"]), sources=tuple(data["sources"]),
                expected=tuple(data.get("expected", ())), not_expected=not_expected,
                reviewer_finding=data["reviewer_finding"])


def build_facts(raw: dict) -> VersionFacts:
    """Turn a fixture's [facts] table into VersionFacts, checking names and values."""
    unknown = set(raw) - FACT_FIELDS
    if unknown:
        raise CorpusError(f"unknown fact {sorted(unknown)[0]!r}")
    values = dict(raw)
    values.setdefault("retention_days", None)
    values.setdefault("impact_report", {})
    values.setdefault("use_policy", {})
    for name in STRING_TUPLES:
        values[name] = tuple(values.get(name, ()))
    for name in PAIR_TUPLES:
        values[name] = tuple((label, text) for label, text in values.get(name, ()))
    values["retention_exceptions"] = tuple(
        (entry["purpose"], entry.get("limit_days")) for entry in values.get("retention_exceptions",
                                                                            ()))
    values["recipients"] = tuple(_recipient(entry) for entry in values.get("recipients", ()))
    _check_values(values)
    return VersionFacts(**values)


def _recipient(entry: dict) -> RecipientFacts:
    """Build one recipient; every key must be given (an empty string is an answer)."""
    if set(entry) != RECIPIENT_KEYS:
        raise CorpusError(f"recipient keys must be {sorted(RECIPIENT_KEYS)}, got {sorted(entry)}")
    if entry["recipient_type"] not in {t.value for t in RecipientType}:
        raise CorpusError(f"recipient type {entry['recipient_type']!r} is not a RecipientType")
    return RecipientFacts(**entry)


def _check_values(values: dict) -> None:
    """Check vocabulary values, section keys and section labels against the app's lists."""
    for name, allowed in VOCABULARIES.items():
        if values.get(name, "") not in allowed:
            raise CorpusError(f"{name} {values[name]!r} is not one of {sorted(allowed)}")
    places = {p.value for p in SensitiveLocation}
    for place in values["sensitive_locations"]:
        if place not in places:
            raise CorpusError(f"sensitive location {place!r} is not a SensitiveLocation")
    for document, keys in SECTION_KEYS.items():
        extra = set(values[document]) - keys
        if extra:
            raise CorpusError(f"{document} has unknown section {sorted(extra)[0]!r}")
    for name, labels in SECTION_LABELS.items():
        for item in values[name]:
            label = item if isinstance(item, str) else item[0]
            if label not in labels:
                raise CorpusError(f"{name}: {label!r} is not a section label")
    for purpose, limit in values["retention_exceptions"]:
        if not purpose or (limit is not None and (not isinstance(limit, int) or limit < 1)):
            raise CorpusError(f"retention exception ({purpose!r}, {limit!r}) is malformed")
