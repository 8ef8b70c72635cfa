"""The second factor: TOTP codes (RFC 6238) and one-time recovery codes.

Clerks, administrators and council members (MFA_ROLES) must set it up; anyone else may.
Each secret is encrypted with Fernet under a key derived from SECRET_KEY (and, while
rotating, from SECRET_KEY_FALLBACKS): the database and its backups never hold it in clear.
A secret is re-encrypted under the current key at each sign-in, and `flask
reseal-second-factors` re-encrypts them all: run it while the old key is still a fallback.
A code is accepted in its 30-second step or the one either side (clocks drift), and never
twice: the step of the last accepted code is kept. Recovery codes are random, shown once,
and kept as SHA-256.
"""

import base64
import hashlib
import hmac
import secrets
from datetime import datetime

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app
from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session, object_session
from sqlalchemy.orm.attributes import set_committed_value

from . import audit
from .models import RecoveryCode, User
from .models.users import new_session_token

STEP_SECONDS = 30
RECOVERY_CODES = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread


def required_for(user: User) -> bool:
    """Say whether the account's role must sign in with a second factor."""
    return user.role.value in current_app.config["MFA_ROLES"]


def enrolled(user: User) -> bool:
    """Say whether the account has a second factor set up."""
    return user.totp_secret_sealed is not None


def _fernet() -> MultiFernet:
    """Fernet keys derived from the secret key, the current one first."""
    config = current_app.config
    secrets_ = [config["SECRET_KEY"], *(config.get("SECRET_KEY_FALLBACKS") or [])]
    return MultiFernet([
        Fernet(base64.urlsafe_b64encode(hmac.new(str(s).encode(), b"reviewapp totp secret",
                                                 hashlib.sha256).digest()))
        for s in secrets_ if s])


def seal(secret: str) -> str:
    """Encrypt a TOTP secret for the database."""
    return _fernet().encrypt(secret.encode("ascii")).decode("ascii")


def unseal(sealed: str) -> str | None:
    """Decrypt a stored TOTP secret; None if no key of this host opens it."""
    try:
        return _fernet().decrypt(sealed.encode("ascii")).decode("ascii")
    except InvalidToken:
        return None


def new_secret() -> str:
    """Return a fresh random TOTP secret (base32, 160 bits)."""
    return pyotp.random_base32(32)


def setup_uri(user: User, secret: str, issuer: str) -> str:
    """Return the otpauth:// URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=issuer)


def qr_data_uri(uri: str) -> str:
    """Return the QR code of `uri` as an SVG data: URI (allowed by the CSP's img-src)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=4, dark="#000", light="#fff")


def spaced(secret: str) -> str:
    """Group a secret in fours for typing it by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def _digits(code: str) -> str:
    return "".join(ch for ch in code if not ch.isspace())


def matching_step(secret: str, code: str, now: datetime) -> int | None:
    """Return the time step whose code this is (this step or one either side), or None."""
    code = _digits(code)
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    step = int(now.timestamp()) // STEP_SECONDS
    for candidate in (step, step - 1, step + 1):
        if hmac.compare_digest(totp.at(candidate * STEP_SECONDS), code):
            return candidate
    return None


def check_code(user: User, code: str, now: datetime) -> bool:
    """Accept a current code once; remember its step so that it is never accepted again."""
    secret = unseal(user.totp_secret_sealed) if user.totp_secret_sealed else None
    step = matching_step(secret, code, now) if secret else None
    if step is None or (user.totp_last_step is not None and step <= user.totp_last_step):
        return False
    # Conditional, so that two requests with the same code cannot both pass: only one
    # moves the step forward. The secret is sealed again under the current key.
    sealed = seal(secret)
    moved = object_session(user).execute(
        update(User).where(User.id == user.id, or_(User.totp_last_step.is_(None),
                                                   User.totp_last_step < step))
        .values(totp_last_step=step, totp_secret_sealed=sealed))
    if moved.rowcount != 1:
        return False
    set_committed_value(user, "totp_last_step", step)
    set_committed_value(user, "totp_secret_sealed", sealed)
    return True


def reseal_all(session: Session) -> tuple[int, int]:
    """Re-encrypt every secret under the current key; return (resealed, unreadable).

    An unreadable secret was sealed under a key no longer listed: its holder needs an
    administrator to remove the second factor, then sets it up again.
    """
    resealed = unreadable = 0
    last_id = 0
    while True:  # a batch at a time: staff accounts are few, but never load them all
        batch = session.scalars(select(User).where(User.id > last_id,
                                                   User.totp_secret_sealed.is_not(None))
                                .order_by(User.id).limit(200)).all()
        if not batch:
            return resealed, unreadable
        for user in batch:
            secret = unseal(user.totp_secret_sealed)
            if secret is None:
                unreadable += 1
            else:
                user.totp_secret_sealed = seal(secret)
                resealed += 1
        last_id = batch[-1].id
        session.commit()


def _code_digest(code: str) -> str:
    return hashlib.sha256(_digits(code).lower().replace("-", "").encode()).hexdigest()


def use_recovery_code(session: Session, user: User, code: str, now: datetime) -> bool:
    """Accept an unused recovery code of the account, once."""
    found = session.scalar(select(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.code_sha256 == _code_digest(code),
        RecoveryCode.used_at.is_(None)))
    # Conditional, so that a code sent twice at once is accepted once.
    if found is None or session.execute(
            update(RecoveryCode).where(RecoveryCode.id == found.id,
                                       RecoveryCode.used_at.is_(None))
            .values(used_at=now)).rowcount != 1:
        return False
    set_committed_value(found, "used_at", now)
    audit.record(session, user, "use_recovery_code", "account", user.id, now,
                 left=unused_recovery_codes(session, user))
    return True


def unused_recovery_codes(session: Session, user: User) -> int:
    """Count the account's recovery codes not yet used (ten at most)."""
    return len(session.scalars(select(RecoveryCode.id).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))).all())


def _new_recovery_codes(session: Session, user: User, now: datetime) -> list[str]:
    """Replace the account's recovery codes with new ones; return them (shown once)."""
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(12))
        codes.append(f"{raw[:4]}-{raw[4:8]}-{raw[8:]}")
        session.add(RecoveryCode(user_id=user.id, code_sha256=_code_digest(raw),
                                 created_at=now))
    session.flush()
    return codes


def enroll(session: Session, user: User, secret: str, code: str,
           now: datetime) -> list[str] | None:
    """Set up the second factor once a code from the new secret proves the app has it.

    Returns the new recovery codes, or None if the code is not right.
    """
    step = matching_step(secret, code, now)
    if step is None:
        return None
    user.totp_secret_sealed = seal(secret)
    user.totp_last_step = step
    codes = _new_recovery_codes(session, user, now)
    audit.record(session, user, "set_up_second_factor", "account", user.id, now)
    return codes


def remove(session: Session, admin: User, user: User, now: datetime) -> None:
    """Remove an account's second factor (a lost phone); it is set up again at sign-in."""
    user.totp_secret_sealed = None
    user.totp_last_step = None
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    user.session_token = new_session_token()
    session.flush()
    audit.record(session, admin, "remove_second_factor", "account", user.id, now)
