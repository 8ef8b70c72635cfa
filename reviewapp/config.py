"""Configuration defaults, overridden by instance/config.py and the environment."""

import os
import secrets
from datetime import timedelta
from pathlib import Path


class Config:
    """Defaults suitable for a local run; production overrides come from the environment."""

    SECRET_KEY: str | None = None
    DATABASE_URL: str | None = None  # None means SQLite in the instance folder
    PROFILE = "ccops-model"
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    COMMENTS_PER_PAGE = 20

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False  # set True behind HTTPS (see README)
    IDLE_TIMEOUT = timedelta(minutes=30)
    SESSION_MAX_AGE = timedelta(hours=12)

    # A token lives as long as the session (30 minutes idle at most), so a long form
    # written in one sitting never fails on an expired token.
    WTF_CSRF_TIME_LIMIT = None
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = "100 per hour"
    COMMENT_RATE_LIMIT = "20 per minute"


ENV_KEYS = ("SECRET_KEY", "DATABASE_URL", "PROFILE", "RATELIMIT_STORAGE_URI")


def from_environment() -> dict:
    """Return the settings given as REVIEWAPP_* or plain environment variables."""
    found = {}
    for key in ENV_KEYS:
        value = os.environ.get(f"REVIEWAPP_{key}") or os.environ.get(key)
        if value:
            found[key] = value
    if os.environ.get("REVIEWAPP_SECURE_COOKIES") == "1":
        # Behind HTTPS: Secure, and the __Host- prefix binds the cookie to this host.
        found["SESSION_COOKIE_SECURE"] = True
        found["SESSION_COOKIE_NAME"] = "__Host-session"
    return found


def instance_secret_key(instance_path: str) -> str:
    """Return the key kept in instance/secret_key, creating it (mode 600) on first use."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip()
