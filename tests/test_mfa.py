"""The second factor: required for the clerk, administrators and council, end to end."""

import base64
import re
import zlib
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from reviewapp import mfa
from reviewapp.models import AuditEvent, RecoveryCode, Stage, User, Vote
from reviewapp.services import council
from reviewapp.throttle import FAILURES_ALLOWED
from tests.factories import PASSWORD

KEY = re.compile(r'id="totp-key">([A-Z2-7 ]+)<')
CODES = re.compile(r"<li>([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})</li>")


@pytest.fixture
def app_config():
    return {"MFA_ROLES": ["clerk", "admin", "council"]}


def code(secret: str, clock, seconds: int = 0) -> str:
    return pyotp.TOTP(secret).at(clock() + timedelta(seconds=seconds))


def password_step(client, user) -> str:
    client.post("/auth/logout")
    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    return response.headers.get("Location", "")


def set_up(client, user, clock) -> tuple[str, list[str]]:
    """Sign in with the password, set up the app; return the secret and recovery codes."""
    password_step(client, user)
    page = client.get("/auth/second-factor/set-up").get_data(as_text=True)
    secret = KEY.search(page).group(1).replace(" ", "")
    done = client.post("/auth/second-factor/set-up", data={"code": code(secret, clock)})
    assert done.status_code == 200, done.get_data(as_text=True)[:800]
    return secret, CODES.findall(done.get_data(as_text=True))


def test_a_clerk_must_set_up_the_second_factor_before_anything_else(client, world, clock, db):
    assert password_step(client, world.clerk) == "/clerk/"
    blocked = client.get("/clerk/")
    assert blocked.status_code == 302
    assert blocked.headers["Location"] == "/auth/second-factor/set-up"
    page = client.get("/auth/second-factor/set-up").get_data(as_text=True)
    assert 'src="data:image/svg+xml' in page and KEY.search(page)
    wrong = client.post("/auth/second-factor/set-up", data={"code": "000000"})
    assert wrong.status_code == 400 and "does not match" in wrong.get_data(as_text=True)
    secret = KEY.search(page).group(1).replace(" ", "")
    done = client.post("/auth/second-factor/set-up", data={"code": code(secret, clock)})
    codes = CODES.findall(done.get_data(as_text=True))
    assert len(set(codes)) == 10
    assert done.headers["Cache-Control"] == "no-store"
    assert client.get("/clerk/").status_code == 200
    db.expire_all()
    stored = db.get(User, world.clerk.id)
    assert secret not in stored.totp_secret_sealed  # encrypted, not the key itself
    hashes = db.scalars(select(RecoveryCode.code_sha256)).all()
    assert len(hashes) == 10 and not any(c.replace("-", "") in h for c in codes for h in hashes)
    assert "set_up_second_factor" in db.scalars(select(AuditEvent.action)).all()


def test_signing_in_takes_the_password_then_a_code_used_once(client, world, clock):
    secret, _ = set_up(client, world.clerk, clock)
    clock.advance(seconds=60)
    assert password_step(client, world.clerk) == "/auth/second-factor"
    assert client.get("/clerk/").status_code == 302  # not signed in between the steps
    wrong = client.post("/auth/second-factor", data={"code": "123456"})
    assert wrong.status_code == 400 and "not right" in wrong.get_data(as_text=True)
    current = code(secret, clock)
    assert client.post("/auth/second-factor", data={"code": current}).status_code == 302
    assert client.get("/clerk/").status_code == 200
    # The same code, replayed at once by someone who saw it, is refused.
    password_step(client, world.clerk)
    assert client.post("/auth/second-factor", data={"code": current}).status_code == 400
    # Thirty seconds on, the used code is still in the accepted window (the step before),
    # and still refused; the new step's code is accepted.
    clock.advance(seconds=30)
    assert client.post("/auth/second-factor",
                       data={"code": code(secret, clock, -30)}).status_code == 400
    assert client.post("/auth/second-factor",
                       data={"code": code(secret, clock)}).status_code == 302


def test_a_recovery_code_works_once(client, world, clock, db):
    _, codes = set_up(client, world.council[0], clock)
    password_step(client, world.council[0])
    used = client.post("/auth/second-factor", data={"code": codes[3].upper()})
    assert used.status_code == 302
    password_step(client, world.council[0])
    assert client.post("/auth/second-factor", data={"code": codes[3]}).status_code == 400
    assert "use_recovery_code" in db.scalars(select(AuditEvent.action)).all()


def test_wrong_codes_lock_the_account_like_wrong_passwords(client, world, clock):
    secret, _ = set_up(client, world.clerk, clock)
    password_step(client, world.clerk)
    for _ in range(FAILURES_ALLOWED):
        assert client.post("/auth/second-factor", data={"code": "999999"}).status_code == 400
    clock.advance(seconds=31)
    assert client.post("/auth/second-factor",
                       data={"code": code(secret, clock)}).status_code == 429


def test_the_code_step_must_follow_the_password_within_five_minutes(client, world, clock):
    secret, _ = set_up(client, world.clerk, clock)
    password_step(client, world.clerk)
    clock.advance(minutes=5, seconds=1)
    late = client.post("/auth/second-factor", data={"code": code(secret, clock)})
    assert late.status_code == 302 and late.headers["Location"] == "/auth/login"


def test_a_secret_opens_only_with_this_sites_key(app, world, clock, db):
    sealed = mfa.seal("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    assert mfa.unseal(sealed) == "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    old_key = app.config["SECRET_KEY"]
    app.config["SECRET_KEY"] = "a-different-secret-key-" + "z" * 20
    try:
        assert mfa.unseal(sealed) is None
        app.config["SECRET_KEY_FALLBACKS"] = [old_key]  # while rotating, it still opens
        assert mfa.unseal(sealed) == "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    finally:
        app.config["SECRET_KEY"] = old_key
        app.config["SECRET_KEY_FALLBACKS"] = None


def test_a_vote_after_fifteen_minutes_asks_for_the_password_and_a_code(client, world, clock,
                                                                       db):
    member = world.council[0]
    item = world.proposal(Stage.HEARING_SCHEDULED)
    council.record_motion(db, item, world.clerk, clock(), world.profile, "deny", [], [],
                          "Member A")
    db.commit()
    secret, _ = set_up(client, member, clock)
    clock.advance(minutes=16)
    client.get("/council/")  # activity keeps the session; freshness is a separate clock
    refused = client.post(f"/council/proposals/{item.id}", data={"choice": "aye"})
    assert refused.status_code == 302 and "/auth/confirm" in refused.headers["Location"]
    confirm = refused.headers["Location"]
    no_code = client.post(confirm, data={"password": PASSWORD})
    assert no_code.status_code == 400 and "not right" in no_code.get_data(as_text=True)
    confirmed = client.post(confirm, data={"password": PASSWORD, "code": code(secret, clock)})
    assert confirmed.status_code == 302
    assert client.post(f"/council/proposals/{item.id}",
                       data={"choice": "aye"}).status_code == 302
    assert db.scalars(select(Vote)).one().member_id == member.id


def test_an_administrator_removes_a_lost_second_factor(app, client, world, clock, db):
    set_up(client, world.clerk, clock)
    set_up(client, world.user("admin"), clock)
    clock.advance(seconds=31)
    response = client.post(f"/admin/accounts/{world.clerk.id}/second-factor")
    assert response.status_code == 302
    db.expire_all()
    assert db.get(User, world.clerk.id).totp_secret_sealed is None
    assert db.scalars(select(RecoveryCode).where(RecoveryCode.user_id == world.clerk.id)) \
        .all() == []
    assert password_step(client, world.clerk) == "/clerk/"  # then set up again
    assert client.get("/clerk/").headers["Location"] == "/auth/second-factor/set-up"


def test_a_department_analyst_may_sign_in_without_one_and_set_one_up(client, world, clock):
    assert password_step(client, world.submitter) == "/department/"
    assert client.get("/department/").status_code == 200
    page = client.get("/auth/second-factor/set-up").get_data(as_text=True)
    assert "Not now" in page


def test_demo_code_prints_the_code_of_a_demo_account_only(app, db, clock):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    printed = runner.invoke(args=["demo-code", "clerk@city.example.org"])
    assert printed.exit_code == 0
    from reviewapp.demo import DEMO_TOTP_SECRET

    assert printed.output.strip() == pyotp.TOTP(DEMO_TOTP_SECRET).at(clock())
    refused = runner.invoke(args=["demo-code", "analyst@police.example.org"])
    assert refused.exit_code != 0 and "not a demo account" in refused.output


def test_after_a_secret_key_rotation_secrets_are_resealed_under_the_new_key(app, world, db,
                                                                           clock):
    world.clerk.totp_secret_sealed = mfa.seal("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    db.commit()
    old_key = app.config["SECRET_KEY"]
    app.config["SECRET_KEY"] = "the-new-secret-key-" + "n" * 30
    app.config["SECRET_KEY_FALLBACKS"] = [old_key]
    try:
        result = app.test_cli_runner().invoke(args=["reseal-second-factors"])
        assert result.exit_code == 0 and "Re-encrypted 1" in result.output
        app.config["SECRET_KEY_FALLBACKS"] = None  # the old key is gone
        db.expire_all()
        assert mfa.unseal(db.get(User, world.clerk.id).totp_secret_sealed) == \
            "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    finally:
        app.config["SECRET_KEY"] = old_key
        app.config["SECRET_KEY_FALLBACKS"] = None


def test_the_secret_being_set_up_is_never_in_the_cookie_in_clear(client, world, clock):
    password_step(client, world.clerk)
    page = client.get("/auth/second-factor/set-up").get_data(as_text=True)
    secret = KEY.search(page).group(1).replace(" ", "")
    cookie = client.get_cookie("session").value
    payload = cookie.split(".")[0 if not cookie.startswith(".") else 1]
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    decoded = zlib.decompress(raw) if cookie.startswith(".") else raw
    assert b"setup_secret" in decoded and secret.encode() not in decoded
    # The same secret is offered again on reload (the app may already have scanned it).
    again = client.get("/auth/second-factor/set-up").get_data(as_text=True)
    assert KEY.search(again).group(1).replace(" ", "") == secret
