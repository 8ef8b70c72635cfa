"""Jurisdiction profiles: the shipped one loads; a bad one fails loudly, naming the key."""

import re
import tomllib
from pathlib import Path

import pytest

from reviewapp import create_app
from reviewapp.compliance import packs
from reviewapp.models.vocab import TechnologyCategory
from reviewapp.profiles import PROFILE_DIR, ProfileError, load_profile, parse_profile

SHIPPED = PROFILE_DIR / "ccops-model.toml"
SHIPPED_DATA = tomllib.loads(SHIPPED.read_text(encoding="utf-8"))
OPTIONAL_KEYS = {"advisory_body", "max_retention_days", "emergency_notice_days",
                 "emergency_report_days", "existing_technology_days",
                 "ordinance_effective_date", "state"}
REQUIRED_KEYS = sorted(set(SHIPPED_DATA) - OPTIONAL_KEYS)


def write_profile(directory: Path, key: str = "test-city", drop: tuple[str, ...] = (),
                  set_lines: dict[str, str] | None = None, extra: str = "") -> str:
    """Write a copy of the shipped profile with keys dropped, replaced or added."""
    set_lines = dict(set_lines or {})
    lines = []
    for line in SHIPPED.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^(\w+)\s*=", line)
        name = match.group(1) if match else None
        if name in drop:
            continue
        if name in set_lines:
            line = f"{name} = {set_lines.pop(name)}"
        lines.append(line)
    lines += [f"{name} = {value}" for name, value in set_lines.items()]
    lines.append(extra)
    (directory / f"{key}.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return key


def load_error(tmp_path, **changes) -> str:
    key = write_profile(tmp_path, **changes)
    with pytest.raises(ProfileError) as caught:
        load_profile(key, directory=tmp_path)
    return str(caught.value)


# ---------------------------------------------------------------- the shipped profile


def test_shipped_profile_loads_with_the_model_defaults():
    profile = load_profile("ccops-model")
    assert profile.key == "ccops-model"
    assert profile.comment_days == 30
    assert profile.notice_days == 30
    assert profile.council_seats == 5
    assert profile.quorum_rule == "majority_of_seats"
    assert profile.majority_rule == "majority_of_votes_cast"
    assert (profile.annual_report_month, profile.annual_report_day) == (11, 1)
    assert profile.annual_report_cadence_years == 1
    assert profile.rule_packs == ("ccops", "california")
    assert profile.banned_technologies == ()
    assert profile.has_advisory_body
    assert profile.advisory_body == "Privacy Advisory Commission"
    assert profile.max_retention_days is None
    assert profile.zone.key == "America/Los_Angeles"


def test_shipped_profile_names_only_existing_packs_and_categories():
    profile = load_profile("ccops-model")
    assert set(profile.rule_packs) <= set(packs())
    categories = {c.value for c in TechnologyCategory}
    assert set(profile.banned_technologies) <= categories


def test_copy_of_shipped_profile_loads_from_another_directory(tmp_path):
    key = write_profile(tmp_path, key="copy")
    profile = load_profile(key, directory=tmp_path)
    assert profile.key == "copy"
    assert profile.jurisdiction == SHIPPED_DATA["jurisdiction"]


def test_optional_keys_may_be_left_out(tmp_path):
    key = write_profile(tmp_path, drop=("advisory_body",))
    profile = load_profile(key, directory=tmp_path)
    assert profile.advisory_body is None
    assert not profile.has_advisory_body


def test_optional_keys_are_read_when_given(tmp_path):
    key = write_profile(tmp_path, set_lines={
        "max_retention_days": "365", "banned_technologies": '["face_recognition"]',
        "notice_days": "15",
    })
    profile = load_profile(key, directory=tmp_path)
    assert profile.max_retention_days == 365
    assert profile.banned_technologies == ("face_recognition",)
    assert profile.notice_days == 15


# ---------------------------------------------------------------- bad profiles


def test_no_such_profile(tmp_path):
    with pytest.raises(ProfileError, match="'atlantis'"):
        load_profile("atlantis", directory=tmp_path)


@pytest.mark.parametrize("name", REQUIRED_KEYS)
def test_missing_key_is_named(tmp_path, name):
    message = load_error(tmp_path, drop=(name,))
    assert f"missing key '{name}'" in message
    assert "'test-city'" in message


def test_unknown_key_is_named(tmp_path):
    message = load_error(tmp_path, set_lines={"coment_days": "30"})
    assert "unknown key 'coment_days'" in message


@pytest.mark.parametrize(("name", "value", "expected"), [
    ("comment_days", '"thirty"', "must be a whole number"),
    ("comment_days", "30.0", "must be a whole number"),
    ("notice_days", "true", "must be a whole number"),
    ("council_seats", '"5"', "must be a whole number"),
    ("jurisdiction", "42", "must be of type str"),
    ("timezone", "[]", "must be of type str"),
    ("rule_packs", '"ccops"', "must be of type list"),
    ("banned_technologies", '"face_recognition"', "must be of type list"),
    ("advisory_body", "false", "must be of type str"),
    ("max_retention_days", '"ninety"', "must be a whole number"),
])
def test_wrong_type_is_named(tmp_path, name, value, expected):
    message = load_error(tmp_path, set_lines={name: value})
    assert f"'{name}'" in message
    assert expected in message


@pytest.mark.parametrize(("name", "value"), [
    ("comment_days", "0"),
    ("notice_days", "-1"),
    ("council_seats", "0"),
    ("annual_report_cadence_years", "0"),
    ("annual_report_month", "13"),
    ("annual_report_month", "0"),
    ("annual_report_day", "29"),
    ("quorum_rule", '"everyone_present"'),
    ("majority_rule", '"plurality"'),
    ("timezone", '"Mars/Olympus_Mons"'),
    ("timezone", '"../../etc/passwd"'),
    ("timezone", '""'),
])
def test_bad_value_is_named(tmp_path, name, value):
    message = load_error(tmp_path, set_lines={name: value})
    assert f"'{name}'" in message


def test_bad_majority_rule_lists_the_allowed_rules(tmp_path):
    message = load_error(tmp_path, set_lines={"majority_rule": '"plurality"'})
    assert "majority_of_votes_cast" in message
    assert "two_thirds_of_seats" in message


def test_bad_toml_is_reported_with_the_file(tmp_path):
    message = load_error(tmp_path, extra="comment_days = = 30")
    assert "'test-city'" in message
    assert "test-city.toml is not valid TOML" in message


def test_duplicate_key_is_bad_toml(tmp_path):
    message = load_error(tmp_path, extra="comment_days = 45")
    assert "not valid TOML" in message


def test_parse_profile_rejects_an_empty_mapping():
    with pytest.raises(ProfileError, match="missing key"):
        parse_profile("empty", {})


def test_unknown_rule_pack_is_named(tmp_path):
    message = load_error(tmp_path, set_lines={"rule_packs": '["ccops", "texas"]'})
    assert "'rule_packs'" in message


def test_unknown_banned_technology_is_named(tmp_path):
    message = load_error(tmp_path, set_lines={"banned_technologies": '["face-recognition"]'})
    assert "'banned_technologies'" in message


@pytest.mark.parametrize(("limits", "named"), [
    ({"plates": 30}, "'retention_limits' names unknown technology 'plates'"),
    ({"alpr": 0}, "'retention_limits.alpr' must be a whole number of days"),
    ({"alpr": "30"}, "'retention_limits.alpr' must be a whole number of days"),
    ({"alpr": True}, "'retention_limits.alpr' must be a whole number of days"),
])
def test_bad_retention_limits_are_named(limits, named):
    data = tomllib.loads(SHIPPED.read_text(encoding="utf-8"))
    with pytest.raises(ProfileError, match=re.escape(named)):
        parse_profile("test-city", {**data, "retention_limits": limits})


def test_retention_limits_are_read_and_said_in_words():
    data = tomllib.loads(SHIPPED.read_text(encoding="utf-8"))
    profile = parse_profile("test-city", {**data, "retention_limits": {"alpr": 21}})
    assert profile.retention_limits == {"alpr": 21}
    assert profile.retention_limit_words == (
        "Automated license plate reader (ALPR): 21 days",)


# ---------------------------------------------------------------- start-up


def test_create_app_refuses_to_start_with_a_missing_profile(tmp_path):
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-" + "x" * 32,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
        "PROFILE": "no-such-city",
    }
    with pytest.raises(ProfileError, match="'no-such-city'"):
        create_app(config, instance_path=str(tmp_path / "instance"))


def test_create_app_starts_with_the_shipped_profile(tmp_path):
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-" + "x" * 32,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
        "PROFILE": "ccops-model",
    }
    app = create_app(config, instance_path=str(tmp_path / "instance"))
    try:
        assert app.extensions["profile"].key == "ccops-model"
    finally:
        app.extensions["db_engine"].dispose()
