"""Password hashing (argon2id) and the password policy (ASVS 2.1)."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# OWASP's argon2id minimum is m=19 MiB, t=2, p=1; these parameters exceed it.
_hasher = PasswordHasher(time_cost=3, memory_cost=65536, parallelism=1)

MIN_LENGTH = 12
MAX_LENGTH = 128
COMMON = frozenset({
    "password1234", "123456789012", "qwertyuiop12", "passwordpassword", "letmein12345",
    "administrator", "changeme1234", "iloveyou1234", "welcome12345", "000000000000",
})


def hash_password(password: str) -> str:
    """Return an argon2id hash with a fresh salt."""
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """Say whether the password matches the stored hash."""
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def policy_problem(password: str) -> str | None:
    """Return why a new password is refused, or None if it is acceptable."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    if password.lower() in COMMON:
        return "This password is too common; choose another."
    return None


# A hash of a random password, verified when the account does not exist so that a wrong
# e-mail address takes as long as a wrong password (no account enumeration by timing).
DUMMY_HASH = hash_password("not-a-real-account-password")
