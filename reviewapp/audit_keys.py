"""The keys that seal the audit chain: held by the app hosts, never by the database.

Each event's hash is sealed with HMAC-SHA256 under the current key, and the seal names the
key by a fingerprint. Whoever can write the database can still rewrite a row and
recompute every hash, but not the seals: `verify-audit` then fails.

The key comes from REVIEWAPP_AUDIT_KEY. Without it, it is derived from SECRET_KEY (also
never in the database). To rotate: set the new key, and list the old ones, comma-separated,
in REVIEWAPP_AUDIT_OLD_KEYS, so that events sealed before still verify. An old SECRET_KEY
listed there stands for the key derived from it.
"""

import hashlib
import hmac
from dataclasses import dataclass

from flask import Flask, current_app

EXTENSION = "audit_keys"
DERIVATION_LABEL = b"reviewapp audit chain seal"


def fingerprint(key: bytes) -> str:
    """Name a key without revealing it (stored with each seal)."""
    return hashlib.sha256(b"reviewapp audit key id:" + key).hexdigest()[:12]


@dataclass(frozen=True)
class SealKeys:
    """The current key, and every key a seal may name (the current one included)."""

    current: bytes
    by_fingerprint: dict[str, bytes]

    @property
    def current_fingerprint(self) -> str:
        return fingerprint(self.current)

    def seal(self, event_hash: str) -> str:
        """Return the seal of an event's hash under the current key."""
        return seal_with(self.current, event_hash)


def seal_with(key: bytes, event_hash: str) -> str:
    """Return HMAC-SHA256(key, hash) in hex."""
    return hmac.new(key, event_hash.encode("ascii"), hashlib.sha256).hexdigest()


def keys_from_config(config) -> SealKeys:
    """Read AUDIT_KEY and AUDIT_OLD_KEYS; derive the key from SECRET_KEY when none is set."""
    given = (config.get("AUDIT_KEY") or "").strip()
    # Without an AUDIT_KEY the seals use keys derived from the secret key and, while it is
    # rotated, its fallbacks. With one, SECRET_KEY has no say: a leaked secret key must not
    # be able to seal events (an old one that sealed events is listed in AUDIT_OLD_KEYS).
    derived = [] if given else [
        _derived(secret) for secret in (config.get("SECRET_KEY"),
                                        *(config.get("SECRET_KEY_FALLBACKS") or [])) if secret]
    current = given.encode("utf-8") if given else derived[0]
    listed = config.get("AUDIT_OLD_KEYS") or []
    if isinstance(listed, str):
        listed = listed.split(",")
    old = [k.strip() for k in listed if k.strip()]
    # An old entry may be an audit key, or an old SECRET_KEY whose derived key sealed
    # events (a city that rotated SECRET_KEY without an AUDIT_KEY of its own): try both.
    keys = (*derived, *(k.encode("utf-8") for k in old), *(_derived(k) for k in old), current)
    return SealKeys(current, {fingerprint(k): k for k in keys})


def _derived(secret_key: str) -> bytes:
    """Return the seal key derived from a secret key (when no AUDIT_KEY is set)."""
    return hmac.new(str(secret_key).encode("utf-8"), DERIVATION_LABEL, hashlib.sha256).digest()


def current_keys() -> SealKeys:
    """Return the app's seal keys."""
    return current_app.extensions[EXTENSION]


def init_app(app: Flask) -> None:
    """Read the keys once, at start-up."""
    app.extensions[EXTENSION] = keys_from_config(app.config)
