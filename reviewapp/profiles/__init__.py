"""Jurisdiction profiles: the ordinance's numbers and names, read from TOML data files."""

import tomllib
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

PROFILE_DIR = Path(__file__).parent

QUORUM_RULES = ("majority_of_seats",)
MAJORITY_RULES = ("majority_of_votes_cast", "majority_of_seats", "two_thirds_of_seats")


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

    @property
    def has_advisory_body(self) -> bool:
        """Say whether proposals go through an advisory review stage."""
        return self.advisory_body is not None

    @property
    def zone(self) -> ZoneInfo:
        """Return the time zone in which dates are shown."""
        return ZoneInfo(self.timezone)


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
_OPTIONAL = {"advisory_body": str, "max_retention_days": int}


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
    unknown = set(data) - set(_FIELDS) - set(_OPTIONAL)
    if unknown:
        raise ProfileError(f"profile {key!r}: unknown key {sorted(unknown)[0]!r}")
    values: dict = {"key": key}
    for name, kind in _FIELDS.items():
        if name not in data:
            raise ProfileError(f"profile {key!r}: missing key {name!r}")
        values[name] = _typed(key, name, data[name], kind)
    for name, kind in _OPTIONAL.items():
        values[name] = _typed(key, name, data[name], kind) if name in data else None
    _check_values(key, values)
    values["rule_packs"] = tuple(values["rule_packs"])
    values["banned_technologies"] = tuple(values["banned_technologies"])
    return Profile(**values)


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
    if values["max_retention_days"] is not None and values["max_retention_days"] < 1:
        raise ProfileError(f"profile {key!r}: key 'max_retention_days' must be at least 1")
    try:
        ZoneInfo(values["timezone"])
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ProfileError(f"profile {key!r}: key 'timezone' is not a known zone") from exc
