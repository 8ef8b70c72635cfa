"""Settings from REVIEWAPP_<NAME>; production refuses to start without an explicit secret key."""

from datetime import timedelta

import pytest
from flask import Config, request

from reviewapp import config as settings
from reviewapp import create_app
from reviewapp.config import ConfigurationError

KEY = "k" * 40
PG_URL = "postgresql://reviewapp@db.internal:5432/reviewapp"


@pytest.fixture
def clean_environment(monkeypatch):
    """No REVIEWAPP_* or legacy variables from the developer's shell."""
    import os

    for name in list(os.environ):
        if name.startswith("REVIEWAPP_") or name in settings.LEGACY_KEYS:
            monkeypatch.delenv(name)
    return monkeypatch


def loaded() -> Config:
    """Return the defaults with the environment applied."""
    config = Config(".")
    config.from_object(settings.Config)
    settings.load_environment(config)
    return config


def test_every_setting_can_come_from_the_environment(clean_environment):
    env = clean_environment
    env.setenv("REVIEWAPP_TRUSTED_PROXIES", "2")
    env.setenv("REVIEWAPP_TRUSTED_HOSTS", "surveillance.example.gov, www.surveillance.example.gov")
    env.setenv("REVIEWAPP_SECRET_KEY_FALLBACKS", '["old-key-1", "old-key-2"]')
    env.setenv("REVIEWAPP_COMMENTS_PER_PAGE", "50")
    env.setenv("REVIEWAPP_IDLE_TIMEOUT", "900")
    env.setenv("REVIEWAPP_RATELIMIT_ENABLED", "false")
    env.setenv("REVIEWAPP_COMMENT_RATE_LIMIT", "5 per minute")
    env.setenv("REVIEWAPP_MIGRATION_DATABASE_URL", "postgresql://owner@db/reviewapp")
    config = loaded()
    assert config["TRUSTED_PROXIES"] == 2
    assert config["TRUSTED_HOSTS"] == ["surveillance.example.gov", "www.surveillance.example.gov"]
    assert config["SECRET_KEY_FALLBACKS"] == ["old-key-1", "old-key-2"]
    assert config["COMMENTS_PER_PAGE"] == 50
    assert config["IDLE_TIMEOUT"] == timedelta(minutes=15)
    assert config["RATELIMIT_ENABLED"] is False
    assert config["COMMENT_RATE_LIMIT"] == "5 per minute"
    assert config["MIGRATION_DATABASE_URL"] == "postgresql://owner@db/reviewapp"


def test_text_settings_stay_text_even_when_they_look_like_json(clean_environment):
    clean_environment.setenv("REVIEWAPP_SECRET_KEY", "1234567890" * 4)
    clean_environment.setenv("REVIEWAPP_PROFILE", "true")
    config = loaded()
    assert config["SECRET_KEY"] == "1234567890" * 4
    assert config["PROFILE"] == "true"


def test_the_legacy_plain_names_still_work_and_the_prefixed_one_wins(clean_environment):
    clean_environment.setenv("DATABASE_URL", "sqlite:///legacy.sqlite3")
    clean_environment.setenv("PROFILE", "oakland")
    clean_environment.setenv("REVIEWAPP_PROFILE", "seattle")
    config = loaded()
    assert config["DATABASE_URL"] == "sqlite:///legacy.sqlite3"
    assert config["PROFILE"] == "seattle"


def test_the_environment_overrides_the_instance_config_file(clean_environment, tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.py").write_text('PROFILE = "oakland"\nCOMMENTS_PER_PAGE = 7\n')
    clean_environment.setenv("REVIEWAPP_PROFILE", "seattle")
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"},
                     instance_path=str(instance))
    assert app.config["PROFILE"] == "seattle"
    assert app.config["COMMENTS_PER_PAGE"] == 7
    app.extensions["db_engine"].dispose()


@pytest.mark.parametrize("environment", [
    {"REVIEWAPP_DATABASE_URL": PG_URL},
    {"DATABASE_URL": PG_URL},
    {"REVIEWAPP_ENV": "production"},
])
def test_production_refuses_to_start_without_a_secret_key(clean_environment, tmp_path,
                                                          environment):
    for name, value in environment.items():
        clean_environment.setenv(name, value)
    instance = tmp_path / "instance"
    with pytest.raises(ConfigurationError, match="SECRET_KEY is not set"):
        create_app(instance_path=str(instance))
    assert not (instance / "secret_key").exists(), "no per-host key may be generated"


def test_production_refuses_a_short_secret_key(clean_environment, tmp_path):
    clean_environment.setenv("REVIEWAPP_ENV", "production")
    clean_environment.setenv("REVIEWAPP_SECRET_KEY", "too-short")
    with pytest.raises(ConfigurationError, match="shorter than 32"):
        create_app(instance_path=str(tmp_path / "instance"))


def test_production_starts_with_a_key_from_the_environment(clean_environment, tmp_path):
    clean_environment.setenv("REVIEWAPP_DATABASE_URL", PG_URL)
    clean_environment.setenv("REVIEWAPP_SECRET_KEY", KEY)
    app = create_app(instance_path=str(tmp_path / "instance"))
    assert app.config["SECRET_KEY"] == KEY
    assert app.extensions["db_engine"].url.drivername == "postgresql+psycopg"
    app.extensions["db_engine"].dispose()


def test_development_makes_one_key_and_keeps_it(clean_environment, tmp_path):
    instance = tmp_path / "instance"
    url = f"sqlite:///{tmp_path / 'dev.sqlite3'}"
    first = create_app({"DATABASE_URL": url}, instance_path=str(instance))
    second = create_app({"DATABASE_URL": url}, instance_path=str(instance))
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert len(first.config["SECRET_KEY"]) >= 64
    assert (instance / "secret_key").stat().st_mode & 0o777 == 0o600
    for app in (first, second):
        app.extensions["db_engine"].dispose()


def test_a_session_signed_with_a_retired_key_is_still_accepted(clean_environment, tmp_path):
    url = f"sqlite:///{tmp_path / 'rotate.sqlite3'}"
    old = create_app({"DATABASE_URL": url, "SECRET_KEY": "old-" + KEY},
                     instance_path=str(tmp_path / "a"))
    stranger = create_app({"DATABASE_URL": url, "SECRET_KEY": "new-" + KEY},
                          instance_path=str(tmp_path / "c"))
    clean_environment.setenv("REVIEWAPP_SECRET_KEY_FALLBACKS", "old-" + KEY)
    new = create_app({"DATABASE_URL": url, "SECRET_KEY": "new-" + KEY},
                     instance_path=str(tmp_path / "b"))
    interface = old.session_interface
    signed = interface.get_signing_serializer(old).dumps({"probe": "kept"})
    for app, expected in ((new, "kept"), (stranger, None)):
        with app.test_request_context(headers={"Cookie": f"session={signed}"}):
            session = app.session_interface.open_session(app, request)
            assert session.get("probe") == expected
    for app in (old, new, stranger):
        app.extensions["db_engine"].dispose()
