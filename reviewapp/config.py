"""Configuration defaults, overridden by instance/config.py and then the environment.

Every setting can be given as REVIEWAPP_<NAME> (Flask's prefixed-env loading: numbers,
booleans and JSON lists are parsed). In production (a PostgreSQL database, or
REVIEWAPP_ENV=production) the secret key must be given; nothing is generated per host.
"""

import logging
import os
import secrets
from datetime import timedelta
from pathlib import Path

from flask import Config as FlaskConfig

log = logging.getLogger("reviewapp")


class Config:
    """Defaults suitable for a local run; production overrides come from the environment."""

    ENV = "development"  # "production" demands an explicit SECRET_KEY
    SECRET_KEY: str | None = None
    SECRET_KEY_FALLBACKS: list[str] | None = None  # old keys, still accepted, for rotation
    # The key that seals each audit event (audit_keys.py); None derives it from SECRET_KEY.
    AUDIT_KEY: str | None = None
    AUDIT_OLD_KEYS: list[str] | None = None  # keys that sealed earlier events (rotation)
    DATABASE_URL: str | None = None  # None means SQLite in the instance folder
    MIGRATION_DATABASE_URL: str | None = None  # an owner role for `flask setup-db`
    PROFILE = "ccops-model"
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    COMMENTS_PER_PAGE = 20
    # Seconds a process may show the comment form from its last read of the proposal
    # (title, stage, period): under a campaign most loads then read nothing. A post is
    # always checked against the database; 0 reads on every load.
    COMMENT_FORM_READ_SECONDS = 1.0
    LIST_PER_PAGE = 25  # proposals, recipients, technologies a page (paging.py says why 25)

    # Behind a reverse proxy: how many proxies in front of the app set X-Forwarded-*
    # headers (Werkzeug's ProxyFix trusts exactly that many), and the host names the site
    # answers to; any other Host header is refused, so no URL is built from it.
    TRUSTED_PROXIES = 0
    TRUSTED_HOSTS: list[str] | None = None

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False  # set True behind HTTPS (see README)
    IDLE_TIMEOUT = timedelta(minutes=30)
    SESSION_MAX_AGE = timedelta(hours=12)
    # Roles that must sign in with a second factor (mfa.py); any role may set one up.
    MFA_ROLES = ["clerk", "admin", "council"]
    # Issuing a determination, voting and changing accounts ask for the password (and the
    # second factor) again when the last proof is older than this.
    REAUTH_AFTER = timedelta(minutes=15)

    # A token lives as long as the session (30 minutes idle at most), so a long form
    # written in one sitting never fails on an expired token.
    WTF_CSRF_TIME_LIMIT = None
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    # If Redis is down, count in this process's memory and keep accepting comments.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    LOGIN_RATE_LIMIT = "100 per hour"  # per client
    COMMENT_RATE_LIMIT = "20 per minute"

    # Outgoing e-mail (mail.py): invitations and password resets. Without MAIL_SERVER a
    # message is written to the log, which suits a development machine only.
    MAIL_SERVER: str | None = None
    MAIL_PORT = 25
    MAIL_USE_TLS = False  # STARTTLS after connecting
    MAIL_USE_SSL = False  # TLS from the first byte (port 465)
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_FROM = "City surveillance review <no-reply@localhost>"
    MAIL_TIMEOUT = 10  # seconds
    INVITATION_DAYS = 3  # an invitation link works this long
    RESET_MINUTES = 60  # a password-reset link works this long

    # JSON lines on stderr (reviewapp/logs.py): DEBUG, INFO, WARNING, ERROR or CRITICAL.
    LOG_LEVEL = "INFO"


# Settings that are always text, even when they look like JSON ("123", "true").
TEXT_SETTINGS = ("SECRET_KEY", "AUDIT_KEY", "MAIL_SERVER", "MAIL_USERNAME", "MAIL_PASSWORD",
                 "MAIL_FROM", "DATABASE_URL", "MIGRATION_DATABASE_URL", "PROFILE",
                 "RATELIMIT_STORAGE_URI", "ENV", "LOGIN_RATE_LIMIT",
                 "COMMENT_RATE_LIMIT")
# Settings that are lists: a JSON list, or names separated by commas.
LIST_SETTINGS = ("TRUSTED_HOSTS", "SECRET_KEY_FALLBACKS", "AUDIT_OLD_KEYS", "MFA_ROLES")
# Settings whose value is a number of seconds in the environment.
DURATION_SETTINGS = ("IDLE_TIMEOUT", "SESSION_MAX_AGE", "REAUTH_AFTER")
# Plain names kept from the first releases (README, deployments already written).
LEGACY_KEYS = ("SECRET_KEY", "DATABASE_URL", "PROFILE", "RATELIMIT_STORAGE_URI")


def load_environment(config: FlaskConfig) -> None:
    """Apply the settings given as REVIEWAPP_<NAME> (and the four legacy plain names)."""
    environ = os.environ
    for key in LEGACY_KEYS:
        if environ.get(key) and not environ.get(f"REVIEWAPP_{key}"):
            config[key] = environ[key]
    config.from_prefixed_env("REVIEWAPP")
    for key in TEXT_SETTINGS:
        if f"REVIEWAPP_{key}" in environ:
            config[key] = environ[f"REVIEWAPP_{key}"]
    for key in LIST_SETTINGS:
        if isinstance(config.get(key), str):
            config[key] = [item.strip() for item in config[key].split(",") if item.strip()]
    for key in DURATION_SETTINGS:
        if isinstance(config.get(key), int | float):
            config[key] = timedelta(seconds=config[key])
    if environ.get("REVIEWAPP_SECURE_COOKIES") == "1":
        config["SESSION_COOKIE_SECURE"] = True
    if config.get("SESSION_COOKIE_SECURE") and config.get("SESSION_COOKIE_NAME") == "session":
        # Behind HTTPS the __Host- prefix binds the cookie to this host name.
        config["SESSION_COOKIE_NAME"] = "__Host-session"


def is_production(config: FlaskConfig) -> bool:
    """Say whether this is a production deployment (PostgreSQL, or ENV=production)."""
    url = config.get("DATABASE_URL") or ""
    return config.get("ENV") == "production" or url.startswith(("postgresql", "postgres:"))


class ConfigurationError(RuntimeError):
    """A setting is missing or wrong; the app refuses to start and says which."""


def settle_secret_key(config: FlaskConfig, instance_path: str) -> None:
    """Demand an explicit key in production; on a development machine, make one once."""
    key = config.get("SECRET_KEY")
    if is_production(config):
        if not key:
            raise ConfigurationError(
                "SECRET_KEY is not set. In production (a PostgreSQL database, or "
                "REVIEWAPP_ENV=production) every app host must be given the same key: set "
                "REVIEWAPP_SECRET_KEY to the output of "
                "`python -c 'import secrets; print(secrets.token_hex(32))'`.")
        if len(key) < 32:
            raise ConfigurationError("SECRET_KEY is shorter than 32 characters; use "
                                     "`python -c 'import secrets; print(secrets.token_hex(32))'`.")
        if not config.get("MAIL_SERVER"):
            log.warning("production without MAIL_SERVER: invitations and password resets "
                        "wait in the outbox until REVIEWAPP_MAIL_SERVER is set")
        if not config.get("AUDIT_KEY"):
            log.warning("production without AUDIT_KEY: audit seals use a key derived from "
                        "SECRET_KEY; set REVIEWAPP_AUDIT_KEY (README, The audit chain's key)")
        for name in ("TRUSTED_HOSTS",):
            if not config.get(name):
                log.warning("production without %s: set REVIEWAPP_%s (see README, Running on "
                            "several hosts)", name, name)
        if config.get("RATELIMIT_STORAGE_URI", "").startswith("memory"):
            log.warning("production with rate limits in process memory: set "
                        "REVIEWAPP_RATELIMIT_STORAGE_URI=redis://... so limits count across "
                        "hosts")
        return
    if not key:
        config["SECRET_KEY"] = instance_secret_key(instance_path)


def instance_secret_key(instance_path: str) -> str:
    """Return the key kept in instance/secret_key, creating it (mode 600) on first use."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip()
