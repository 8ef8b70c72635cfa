"""Jurisdiction profiles: the ordinance's numbers and names, read from TOML data files.

How a city writes its own profile is in README.md next to this file.
"""

import calendar
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

PROFILE_DIR = Path(__file__).parent

QUORUM_RULES = ("majority_of_seats",)
MAJORITY_RULES = ("majority_of_votes_cast", "majority_of_seats", "two_thirds_of_seats")
RULE_WORDS = {
    "majority_of_seats": "a majority of all seats",
    "majority_of_votes_cast": "a majority of the votes cast",
    "two_thirds_of_seats": "two-thirds of all seats",
}
PACK_WORDS = {
    "ccops": "CCOPS process rules",
    "california": "California law (SB 34 on license plate readers, SB 54 on immigration)",
    "washington": "Washington law (Keep Washington Working Act on immigration; the 2026 "
                  "Driver Privacy Act on license plate readers)",
    "illinois": "Illinois law (the TRUST Act on immigration; the Vehicle Code's license "
                "plate reader limits)",
}
_URL = re.compile(r"https?://[^\s<>\"']+")


@dataclass(frozen=True)
class BanException:
    """An exception the ordinance itself makes to one of its bans, with its citation."""

    key: str
    technology: str
    exception: str
    citation: str


class ProfileError(ValueError):
    """A profile file is missing, malformed, or has a bad key."""


@dataclass(frozen=True)
class Profile:
    """One jurisdiction's settings; code reads these instead of constants."""

    key: str
    jurisdiction: str
    governing_body: str
    instrument: str
    ordinance: str
    ordinance_url: str
    timezone: str
    advisory_body: str | None
    comment_days: int
    notice_days: int
    council_seats: int
    quorum_rule: str
    majority_rule: str
    annual_report_month: int
    annual_report_day: int
    annual_report_cadence_years: int
    rule_packs: tuple[str, ...]
    banned_technologies: tuple[str, ...]
    max_retention_days: int | None
    # After the vote: exigent-use windows and the existing-technology deadline (None: the
    # ordinance sets none), counted from the ordinance's effective date.
    emergency_notice_days: int | None = None
    emergency_report_days: int | None = None
    existing_technology_days: int | None = None
    ordinance_effective_date: date | None = None
    # The state the jurisdiction is in: a recipient named after any other state is that
    # state's agency, whatever type was entered. None: no state is read from names.
    state: str | None = None
    # Technology category -> the longest its data may be kept, in days, by this
    # jurisdiction's law (cited in [sources]). None: no per-technology maximum.
    retention_limits: dict[str, int] | None = field(default=None, hash=False)
    # The exceptions the ordinance names to its bans ([[ban_exceptions]] tables). Only a
    # filing that claims one of these may go on, and then only through a published override.
    ban_exceptions: tuple[BanException, ...] = field(default=(), hash=False)
    # Setting name -> citation text (the [sources] table). Left out of hashing: a dict
    # cannot be hashed, and the citations do not change what the profile decides.
    sources: dict[str, str] = field(default_factory=dict, hash=False)

    @property
    def has_advisory_body(self) -> bool:
        """Say whether proposals go through an advisory review stage."""
        return self.advisory_body is not None

    @property
    def zone(self) -> ZoneInfo:
        """Return the time zone in which dates are shown."""
        return ZoneInfo(self.timezone)

    @property
    def quorum_words(self) -> str:
        """Say the quorum rule in words, e.g. 'a majority of all seats'."""
        return RULE_WORDS.get(self.quorum_rule, self.quorum_rule)

    @property
    def majority_words(self) -> str:
        """Say the majority rule in words, e.g. 'a majority of the votes cast'."""
        return RULE_WORDS.get(self.majority_rule, self.majority_rule)

    @property
    def annual_report_due(self) -> str:
        """Say when annual reports are due, e.g. 'March 15, every year'."""
        day = f"{calendar.month_name[self.annual_report_month]} {self.annual_report_day}"
        years = self.annual_report_cadence_years
        return f"{day}, every year" if years == 1 else f"{day}, every {years} years"

    @property
    def rule_pack_words(self) -> tuple[str, ...]:
        """Name the rule packs in words."""
        return tuple(PACK_WORDS.get(pack, pack) for pack in self.rule_packs)

    @property
    def banned_technology_labels(self) -> tuple[str, ...]:
        """Return the human labels of the banned technology categories."""
        from ..models.vocab import TechnologyCategory

        return tuple(TechnologyCategory(value).label for value in self.banned_technologies)

    @property
    def retention_limit_words(self) -> tuple[str, ...]:
        """Say each technology's retention limit, e.g. 'Drone / unmanned aircraft: 30 days'."""
        from ..models.vocab import TechnologyCategory

        return tuple(f"{TechnologyCategory(category).label}: {days:,} days"
                     for category, days in (self.retention_limits or {}).items())

    def exceptions_to_ban(self, category: str | None) -> tuple[BanException, ...]:
        """Return the ordinance's exceptions to its ban on `category` (none if not banned)."""
        return tuple(e for e in self.ban_exceptions if e.technology == category)

    def ban_on(self, category: str | None, claimed: str | None = None) -> str | None:
        """Say in a sentence, citing the ordinance, that this jurisdiction bans `category`.

        None when it does not (or no category was given), or when the filing claims an
        exception the ordinance makes to that ban (`claimed`, its key): the claim is then a
        blocking finding that only a published override can clear.
        """
        if category is None or category not in self.banned_technologies:
            return None
        if claimed and any(e.key == claimed for e in self.exceptions_to_ban(category)):
            return None
        from ..models.vocab import TechnologyCategory

        label = TechnologyCategory(category).label
        return f"{self.jurisdiction} bans {label[0].lower()}{label[1:]} ({self.ordinance})."

    def citations(self, *names: str) -> list[list[tuple[str, str | None]]]:
        """Return the distinct citations of settings `names`, split into text and links.

        Each citation is a list of (text, href) parts: href is None for plain text; for a
        web address it is the address, and text is its host name (short link text).
        """
        found: list[str] = []
        for name in names:
            text = self.sources.get(name)
            if text and text not in found:
                found.append(text)
        return [_split_links(text) for text in found]


_FIELDS: dict[str, type | tuple] = {
    "jurisdiction": str,
    "governing_body": str,
    "instrument": str,
    "ordinance": str,
    "ordinance_url": str,
    "timezone": str,
    "comment_days": int,
    "notice_days": int,
    "council_seats": int,
    "quorum_rule": str,
    "majority_rule": str,
    "annual_report_month": int,
    "annual_report_day": int,
    "annual_report_cadence_years": int,
    "rule_packs": list,
    "banned_technologies": list,
}
_OPTIONAL = {
    "advisory_body": str, "max_retention_days": int, "emergency_notice_days": int,
    "emergency_report_days": int, "existing_technology_days": int,
    "ordinance_effective_date": date, "state": str, "retention_limits": dict,
    "ban_exceptions": list,
}
SETTINGS = (*_FIELDS, *_OPTIONAL)  # the names a [sources] table may cite


def load_profile(key: str, directory: Path = PROFILE_DIR) -> Profile:
    """Read and validate profile `key`; raise ProfileError naming the bad key."""
    path = directory / f"{key}.toml"
    if not path.is_file():
        raise ProfileError(f"profile {key!r}: no file {path}")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"profile {key!r}: {path.name} is not valid TOML: {exc}") from exc
    return parse_profile(key, data)


def parse_profile(key: str, data: dict) -> Profile:
    """Validate a profile mapping and build the Profile."""
    unknown = set(data) - set(_FIELDS) - set(_OPTIONAL) - {"sources"}
    if unknown:
        raise ProfileError(f"profile {key!r}: unknown key {sorted(unknown)[0]!r}")
    sources = data.get("sources", {})
    values: dict = {"key": key}
    for name, kind in _FIELDS.items():
        if name not in data:
            misplaced = isinstance(sources, dict) and not isinstance(sources.get(name, ""), str)
            hint = " (it is inside [sources]: settings go above that table)" if misplaced else ""
            raise ProfileError(f"profile {key!r}: missing key {name!r}{hint}")
        values[name] = _typed(key, name, data[name], kind)
    for name, kind in _OPTIONAL.items():
        values[name] = _typed(key, name, data[name], kind) if name in data else None
    _check_values(key, values)
    values["rule_packs"] = tuple(values["rule_packs"])
    values["banned_technologies"] = tuple(values["banned_technologies"])
    values["ban_exceptions"] = _ban_exceptions(key, values["ban_exceptions"] or [],
                                               values["banned_technologies"])
    values["sources"] = _check_sources(key, sources)
    return Profile(**values)


def _ban_exceptions(key: str, tables: list, banned: tuple[str, ...]) -> tuple[BanException, ...]:
    """Check the [[ban_exceptions]] tables: each names a banned technology and cites itself."""
    found, seen = [], set()
    for number, table in enumerate(tables, 1):
        where = f"profile {key!r}: ban_exceptions entry {number}"
        if not isinstance(table, dict) or set(table) != {"key", "technology", "exception",
                                                          "citation"}:
            raise ProfileError(f"{where} needs exactly: key, technology, exception, citation")
        if not all(isinstance(v, str) and v.strip() for v in table.values()):
            raise ProfileError(f"{where}: every value must be non-empty text")
        if table["technology"] not in banned:
            raise ProfileError(f"{where}: technology {table['technology']!r} is not in "
                               "banned_technologies")
        if table["key"] in seen:
            raise ProfileError(f"{where}: key {table['key']!r} is used twice")
        seen.add(table["key"])
        found.append(BanException(**table))
    return tuple(found)


def _check_sources(key: str, sources) -> dict[str, str]:
    """Check the [sources] table: known setting names, each with a non-empty string."""
    if not isinstance(sources, dict):
        raise ProfileError(f"profile {key!r}: key 'sources' must be a table "
                           "([sources] with lines: setting = \"citation\")")
    for name, citation in sources.items():
        if name not in SETTINGS:
            raise ProfileError(f"profile {key!r}: [sources] names unknown setting {name!r} "
                               f"(known: {', '.join(SETTINGS)})")
        if not isinstance(citation, str):
            raise ProfileError(f"profile {key!r}: key 'sources.{name}' must be of type str")
        if not citation.strip():
            raise ProfileError(f"profile {key!r}: key 'sources.{name}' must not be empty")
    return dict(sources)


def _split_links(text: str) -> list[tuple[str, str | None]]:
    """Split citation text into plain parts and (host, address) link parts."""
    parts: list[tuple[str, str | None]] = []
    position = 0
    for match in _URL.finditer(text):
        address = _trim_address(match.group())
        if match.start() > position:
            parts.append((text[position:match.start()], None))
        parts.append((urlsplit(address).hostname or address, address))
        position = match.start() + len(address)
    if position < len(text):
        parts.append((text[position:], None))
    return parts


def _typed(key: str, name: str, value, kind):
    """Return value if it has the expected type, else raise naming the key."""
    if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise ProfileError(f"profile {key!r}: key {name!r} must be a whole number")
    if not isinstance(value, kind):
        raise ProfileError(f"profile {key!r}: key {name!r} must be of type {kind.__name__}")
    return value


def _check_values(key: str, values: dict) -> None:
    """Check ranges and allowed words; raise naming the first bad key."""
    for name in ("comment_days", "notice_days", "council_seats", "annual_report_cadence_years"):
        if values[name] < 1:
            raise ProfileError(f"profile {key!r}: key {name!r} must be at least 1")
    if not 1 <= values["annual_report_month"] <= 12:
        raise ProfileError(f"profile {key!r}: key 'annual_report_month' must be 1 to 12")
    if not 1 <= values["annual_report_day"] <= 28:
        raise ProfileError(f"profile {key!r}: key 'annual_report_day' must be 1 to 28")
    if values["quorum_rule"] not in QUORUM_RULES:
        raise ProfileError(f"profile {key!r}: key 'quorum_rule' must be one of {QUORUM_RULES}")
    if values["majority_rule"] not in MAJORITY_RULES:
        raise ProfileError(
            f"profile {key!r}: key 'majority_rule' must be one of {MAJORITY_RULES}"
        )
    from ..compliance import packs
    from ..models.vocab import TechnologyCategory

    for pack in values["rule_packs"]:
        if pack not in packs():
            raise ProfileError(f"profile {key!r}: key 'rule_packs' names unknown pack {pack!r}")
    categories = {c.value for c in TechnologyCategory}
    for banned in values["banned_technologies"]:
        if banned not in categories:
            raise ProfileError(f"profile {key!r}: key 'banned_technologies' names unknown "
                               f"technology {banned!r} (known: {', '.join(sorted(categories))})")
    for category, days in (values["retention_limits"] or {}).items():
        if category not in categories:
            raise ProfileError(f"profile {key!r}: key 'retention_limits' names unknown "
                               f"technology {category!r} (known: "
                               f"{', '.join(sorted(categories))})")
        if isinstance(days, bool) or not isinstance(days, int) or days < 1:
            raise ProfileError(f"profile {key!r}: key 'retention_limits.{category}' must be "
                               "a whole number of days, at least 1")
    for name in ("max_retention_days", "emergency_notice_days", "emergency_report_days",
                 "existing_technology_days"):
        if values[name] is not None and values[name] < 1:
            raise ProfileError(f"profile {key!r}: key {name!r} must be at least 1")
    if values["existing_technology_days"] and values["ordinance_effective_date"] is None:
        raise ProfileError(f"profile {key!r}: key 'ordinance_effective_date' is needed with "
                           "'existing_technology_days' (the deadline counts from it)")
    try:
        ZoneInfo(values["timezone"])
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ProfileError(f"profile {key!r}: key 'timezone' is not a known zone") from exc


def _trim_address(address: str) -> str:
    """Drop sentence punctuation after an address; keep a bracket the address opened."""
    while address:
        last = address[-1]
        if last in ".,;:!?'\"" or (last == ")" and address.count("(") < address.count(")")) \
                or (last == "]" and address.count("[") < address.count("]")):
            address = address[:-1]
        else:
            break
    return address
