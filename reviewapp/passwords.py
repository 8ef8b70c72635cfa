"""Password hashing (argon2id) and the password policy (ASVS 2.1, NIST SP 800-63B 5.1.1.2)."""

import gzip
import re
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# OWASP's argon2id minimum is m=19 MiB, t=2, p=1; these parameters exceed it.
_hasher = PasswordHasher(time_cost=3, memory_cost=65536, parallelism=1)

MIN_LENGTH = 12
MAX_LENGTH = 128
# The 100,000 most common passwords of the "10 million passwords" breach corpus (SecLists,
# MIT licence: Passwords/Common-Credentials/10-million-password-list-top-100000.txt),
# checked offline: no password, or hash of one, ever leaves the server.
BREACHED_LIST = Path(__file__).resolve().parent / "data" / "breached-passwords.txt.gz"
# What people add to a common password to pass a length rule: digits, symbols, spaces.
PADDING = "0123456789!@#$%^&*()-_=+.,?~ "
# Words of this site that a password must not be built on.
SITE_WORDS = ("reviewapp", "surveillance")


@cache
def breached_passwords() -> frozenset[str]:
    """Return the breached passwords, lower-cased (read once per process, on first use)."""
    with gzip.open(BREACHED_LIST, "rt", encoding="utf-8") as listed:
        return frozenset(line.strip().lower() for line in listed if line.strip())


def hash_password(password: str) -> str:
    """Return an argon2id hash with a fresh salt."""
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """Say whether the password matches the stored hash."""
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """Say whether a hash was made with other parameters than today's (rehash at sign-in)."""
    try:
        return _hasher.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True


def _repeats(text: str) -> str | None:
    """Return the unit that `text` repeats ('abcabcabc' -> 'abc'), or None."""
    found = re.fullmatch(r"(.+?)\1+", text, flags=re.DOTALL)
    return found.group(1) if found else None


def policy_problem(password: str, email: str = "") -> str | None:
    """Return why a new password is refused, or None if it is acceptable."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    lowered = password.lower()
    breached = breached_passwords()
    if lowered in breached:
        return "This password appears in lists of breached passwords; choose another."
    core = lowered.strip(PADDING)
    if len(core) < 4 or core in breached:
        return ("This is a common password with numbers or symbols added; choose "
                "something less predictable, such as a few unrelated words.")
    unit = _repeats(lowered)
    if unit is not None and (len(unit) < 4 or unit in breached):
        return "This repeats a short or common sequence; choose something less predictable."
    name = email.split("@", 1)[0].lower()
    for word in (*SITE_WORDS, *([name] if len(name) >= 4 else [])):
        if word in lowered:
            return "Do not build the password on your e-mail address or this site's name."
    return None


# A hash of a random password, verified when the account does not exist so that a wrong
# e-mail address takes as long as a wrong password (no account enumeration by timing).
DUMMY_HASH = hash_password("not-a-real-account-password")
