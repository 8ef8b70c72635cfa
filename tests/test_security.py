"""Security tests from shared/design/security.md, section (c), for what the app does now.

CSRF-1/2, REDIR-1, AUTH-1/2/4, SESS-1/2/4/5, HDR-1, ASVS 7.4.1, XSS-1, PDF-1, PRIV-1,
mass assignment (AC-4) and RACE-1 (the same form nonce posted twice).
"""

import gzip
import html
import io
import json
import logging
import re
import time
from datetime import date, datetime
from pathlib import Path
from urllib.parse import urlsplit

import argon2
import pypdf
import pytest
from flask import Config, request, url_for
from flask_wtf.csrf import CSRFError
from itsdangerous.timed import TimestampSigner
from sqlalchemy import func, select
from weasyprint import HTML

from forms.documents import IMPACT_REPORT, USE_POLICY
from reviewapp import config as settings
from reviewapp import passwords, pdf
from reviewapp.models import (
    AuditEvent,
    Base,
    Comment,
    Department,
    Determination,
    Proposal,
    Stage,
    User,
    Vote,
)
from reviewapp.passwords import hash_password, policy_problem, verify_password
from reviewapp.security import csrf
from reviewapp.services import comments, council, intake
from reviewapp.services.accounts import create_account
from reviewapp.services.determinations import stored_pdf
from tests.factories import ALL_FINDINGS, PASSWORD, complete_data, form_nonce

ROOT = Path(__file__).resolve().parent.parent
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(page: str) -> str:
    found = TOKEN.search(page)
    assert found, "the page has no CSRF token field"
    return found.group(1)


def other_client(app, db):
    """A second browser; it ends the test's read transaction before each request too."""
    second = app.test_client()
    second.test_session = db
    return second


def comment_form(**overrides) -> dict:
    data = {"submitter_type": "anonymous", "position": "oppose",
            "body": "Please do not buy this.", "nonce": "nonce-1"}
    data.update(overrides)
    data["nonce"] = form_nonce(data["nonce"])
    return data


def login_location(response) -> bool:
    return response.status_code == 302 and \
        urlsplit(response.headers["Location"]).path == "/auth/login"


def proposal_form(**overrides) -> dict:
    """A complete proposal form as the browser posts it."""
    data = {
        "title": "Plate readers on Main Street", "trigger": "acquire",
        "technology_category": "drone", "technology_name": "Drones", "vendor": "Vendor",
        "product": "Model 1", "acquisition_cost": "1000", "annual_cost": "100",
        "funding_source": "General Fund", "retention_days": "30", "save": "Save draft",
    }
    for s in IMPACT_REPORT:
        data[f"impact_report-{s.key}"] = f"Impact {s.key} text"
    for s in USE_POLICY:
        data[f"use_policy-{s.key}"] = f"Policy {s.key} text"
    data.update(overrides)
    return data


def url_args(rule, ids: dict) -> dict:
    """Real values for a rule's arguments; an argument we do not know fails the test."""
    unknown = set(rule.arguments) - set(ids)
    assert not unknown, f"{rule.endpoint}: no value for URL arguments {unknown}"
    return {name: ids[name] for name in rule.arguments}


def row_counts(db) -> dict:
    counts = {t.name: db.scalar(select(func.count()).select_from(t))
              for t in Base.metadata.sorted_tables if t.name != "audit_event"}
    db.rollback()
    return counts


# --- CSRF-1: every POST needs the token -----------------------------------------------------

class TestCSRF:
    @pytest.fixture
    def app_config(self):
        # A time limit is set so that the expired-token case can happen (CSRF-2).
        return {"WTF_CSRF_ENABLED": True, "WTF_CSRF_TIME_LIMIT": 3600}

    @pytest.fixture
    def csrf_refusals(self, monkeypatch):
        """The paths whose request the CSRF check refused."""
        refused = []
        real = csrf.protect

        def spy(*args, **kwargs):
            try:
                real(*args, **kwargs)
            except CSRFError:
                refused.append(request.path)
                raise

        monkeypatch.setattr(csrf, "protect", spy)
        return refused

    def sign_in(self, client, user):
        page = client.get("/auth/login").get_data(as_text=True)
        response = client.post("/auth/login", data={
            "email": user.email, "password": PASSWORD, "csrf_token": csrf_token(page)})
        assert response.status_code == 302

    def post_targets(self, app, world):
        """(endpoint, url) for every POST rule, with real ids."""
        item = world.proposal(Stage.PUBLIC_COMMENT)
        saved = comments.post_comment(world.db, item, world.clock(), nonce="seed",
                                      submitter_type="anonymous", position="support",
                                      body="Seed.", name=None, organization=None)
        world.db.commit()
        # Any id will do: a POST without a CSRF token is refused before the view runs.
        ids = {"proposal_id": item.id, "comment_id": saved.id, "report_id": 1,
               "notice_id": 1, "item_id": 1, "user_id": 1, "token": "any-token"}
        targets = []
        with app.test_request_context():
            for rule in app.url_map.iter_rules():
                if "POST" in rule.methods:
                    targets.append((rule.endpoint,
                                    url_for(rule.endpoint, **url_args(rule, ids))))
        return item, targets

    @pytest.mark.parametrize("who", ["anonymous", "clerk", "submitter"])
    def test_every_post_route_without_a_token_gets_400(self, who, app, client, world, db,
                                                       csrf_refusals):
        _item, targets = self.post_targets(app, world)
        assert {"public.comment", "auth.login", "clerk.accept", "council.vote"} <= \
            {endpoint for endpoint, _ in targets}
        if who != "anonymous":
            self.sign_in(client, world.user(who))
        before = row_counts(db)
        for endpoint, url in targets:
            response = client.post(url, data={**comment_form(nonce=f"x-{endpoint}"),
                                              "email": world.clerk.email,
                                              "password": PASSWORD, "choice": "aye",
                                              "reason": "r", "reasons": "r"})
            assert response.status_code == 400, f"{who} POST {url} ({endpoint})"
            assert csrf_refusals[-1:] == [urlsplit(url).path], \
                f"{endpoint}: 400 for another reason than CSRF"
        assert len(csrf_refusals) == len(targets)
        assert row_counts(db) == before
        if who != "anonymous":  # still signed in: sign-out needed a token too
            assert client.get("/department/" if who == "submitter" else "/clerk/") \
                .status_code == 200

    def test_with_a_token_the_same_posts_work(self, app, client, world, db, csrf_refusals):
        item = world.proposal(Stage.PUBLIC_COMMENT)
        page = client.get(f"/proposals/{item.id}/comment").get_data(as_text=True)
        response = client.post(f"/proposals/{item.id}/comment",
                               data=comment_form(csrf_token=csrf_token(page)))
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/receipts/")
        self.sign_in(client, world.clerk)
        assert csrf_refusals == []

    def test_the_source_exempts_nothing_from_csrf(self, app):
        switches_off = re.compile(
            r"csrf\.exempt|@exempt|WTF_CSRF_(ENABLED|CHECK_DEFAULT)[\"'\]]*\s*[=:]\s*False"
            r"|[\"']?csrf[\"']?\s*[=:]\s*False")
        found = [
            f"{path.relative_to(ROOT)}: {match.group(0)}"
            for folder in ("reviewapp", "forms")
            for path in (ROOT / folder).rglob("*.py")
            for match in switches_off.finditer(path.read_text())
        ]
        # The one switch allowed: forms do not check the token a second time, because
        # CSRFProtect checks it on every POST before any view (the tests above).
        assert found == ["forms/base.py: csrf = False"]
        assert switches_off.search("@csrf.exempt") and switches_off.search(
            'app.config["WTF_CSRF_ENABLED"] = False') and switches_off.search("csrf = False")
        protect = app.extensions["csrf"]
        assert not protect._exempt_views and not protect._exempt_blueprints
        assert app.config.get("WTF_CSRF_CHECK_DEFAULT", True) is True
        assert "POST" in app.config.get("WTF_CSRF_METHODS", ["POST"])

    # --- CSRF-2: an expired token keeps the commenter's text ----------------------------------

    def typed(self, nonce: str) -> dict:
        return comment_form(submitter_type="individual", name="Ana Lopez",
                            body="I took an hour to write this & it matters: no drones.",
                            nonce=nonce)

    def test_an_expired_token_gives_the_form_back_with_the_text(self, monkeypatch, client,
                                                                 world, db):
        item = world.proposal(Stage.PUBLIC_COMMENT)
        url = f"/proposals/{item.id}/comment"
        issued_two_hours_ago = int(time.time()) - 7200
        with monkeypatch.context() as patch:
            patch.setattr(TimestampSigner, "get_timestamp", lambda self: issued_two_hours_ago)
            old = csrf_token(client.get(url).get_data(as_text=True))

        response = client.post(url, data={**self.typed("n-expired"), "csrf_token": old})
        page = response.get_data(as_text=True)
        assert response.status_code == 400
        assert "Your form expired" in page
        assert html.escape("I took an hour to write this & it matters: no drones.",
                           quote=False) in page
        assert 'value="Ana Lopez"' in page
        assert re.search(r'value="individual"[^>]*checked|checked[^>]*value="individual"',
                         page)
        assert db.scalar(select(func.count()).select_from(Comment)) == 0
        db.rollback()

        # The re-rendered form carries a fresh token: sending it again stores the comment.
        again = client.post(url, data={**self.typed(re.search(
            r'name="nonce"[^>]*value="([^"]+)"', page).group(1)),
            "csrf_token": csrf_token(page)})
        assert again.status_code == 302
        stored = db.scalars(select(Comment)).one()
        assert stored.body == "I took an hour to write this & it matters: no drones."
        assert stored.name == "Ana Lopez"

    @pytest.mark.parametrize("token", ["missing", "another session's", "forged"])
    def test_a_bad_token_gives_the_form_back_with_the_text(self, token, app, client, world,
                                                           db):
        item = world.proposal(Stage.PUBLIC_COMMENT)
        url = f"/proposals/{item.id}/comment"
        mine = csrf_token(client.get(url).get_data(as_text=True))
        # Replace the whole signature: flipping only the last base64 character can land
        # in padding bits and leave the signature valid.
        value, signature = mine.rsplit(".", 1)
        forged = value + "." + ("A" if signature[0] != "A" else "B") * len(signature)
        sent = {"missing": None, "forged": forged,
                "another session's": csrf_token(other_client(app, db).get(url)
                                                .get_data(as_text=True))}[token]
        data = self.typed(f"n-{token}")
        if sent:
            data["csrf_token"] = sent
        response = client.post(url, data=data)
        page = response.get_data(as_text=True)
        assert response.status_code == 400
        assert "I took an hour to write this &amp; it matters: no drones." in page
        assert db.scalar(select(func.count()).select_from(Comment)) == 0


# --- REDIR-1: no open redirect after sign-in ------------------------------------------------

HOSTILE_NEXT = [
    "https://evil.example",
    "//evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "javascript:alert(1)",
    "%2F%2Fevil.example",
    "/%2F%2Fevil.example",
    "%2F%5Cevil.example",
    "/%09/evil.example",
    "/%0A/evil.example",
    "%20//evil.example",
    "https:evil.example",
    "///evil.example",
    "http:%2F%2Fevil.example",
    "data:text/html,evil.example",
]


def assert_same_host(location: str) -> None:
    parts = urlsplit(location)
    assert parts.scheme in ("", "http"), location
    assert parts.netloc in ("", "localhost"), location
    assert parts.path.startswith("/") and not parts.path.startswith("//"), location
    assert "\\" not in location and "evil" not in location, location


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_login_next_cannot_leave_the_site(target, client, world):
    response = client.post(f"/auth/login?next={target}",
                           data={"email": world.clerk.email, "password": PASSWORD})
    assert response.status_code == 302
    assert_same_host(response.headers["Location"])
    landed = client.get(response.headers["Location"])
    assert landed.status_code == 200


@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example",
                                    "/\\evil.example"])
def test_confirm_next_cannot_leave_the_site(target, client, login_as):
    login_as("clerk")
    response = client.post(f"/auth/confirm?next={target}", data={"password": PASSWORD})
    assert response.status_code == 302
    assert_same_host(response.headers["Location"])


def test_a_local_next_is_kept(client, world):
    response = client.post("/auth/login?next=/clerk/%3Fpage%3D2",
                           data={"email": world.clerk.email, "password": PASSWORD})
    assert response.headers["Location"] == "/clerk/?page=2"


# --- AUTH-1/2/4: passwords and sign-in ------------------------------------------------------

def test_stored_hash_is_argon2id_with_owasp_parameters(app, db, clock):
    user = create_account(db, email="New.Clerk@Example.org", name="New Clerk", role="clerk",
                          department=None, password="a long enough passphrase", now=clock())
    db.commit()
    stored = db.scalar(select(User.password_hash).where(User.id == user.id))
    assert stored.startswith("$argon2id$")
    params = argon2.extract_parameters(stored)
    assert params.type is argon2.Type.ID
    assert params.memory_cost >= 19456
    assert params.time_cost >= 2
    assert params.parallelism >= 1
    assert "a long enough passphrase" not in stored
    assert verify_password(stored, "a long enough passphrase")
    assert not verify_password(stored, "a long enough passphrasE")
    assert user.email == "new.clerk@example.org"


def test_the_same_password_hashes_differently():
    first, second = hash_password(PASSWORD), hash_password(PASSWORD)
    assert first != second
    assert first.split("$")[4] != second.split("$")[4]  # the salts differ
    assert verify_password(first, PASSWORD) and verify_password(second, PASSWORD)
    assert not verify_password("not a hash", PASSWORD)


@pytest.mark.parametrize(("password", "accepted"), [
    ("elevenchars", False),
    ("x" * 11, False),
    ("password1234", False),
    ("Password1234", False),
    ("123456789012", False),
    ("twelve chars", True),
    ("🔒 lock, key 🗝 and door", True),
    ("a" * 64, False),  # one character repeated
    ("harbor lantern " * 4 + "ok", True),  # 62 characters
    (("quiet river stone " * 8)[:128], True),
    (("quiet river stone " * 8)[:129], False),
    ("d" * 1000, False),
    # From the shipped list of 100,000 breached passwords, and the ways around a length rule.
    ("trustno1trustno1", False),
    ("Summer2024!!!", False),
    ("  monkey 2026 ", False),
    ("qwertyuiop123", False),
    ("abcabcabcabc", False),
    ("reviewapp-2026!", False),
    ("Lemon tram Fig 42", True),
])
def test_password_policy(password, accepted):
    assert (policy_problem(password) is None) is accepted, policy_problem(password)


def test_create_user_command_refuses_a_short_password(app):
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["create-user", "--email", "short@example.org",
                                  "--name", "Short", "--role", "clerk",
                                  "--password", "elevenchars"])
    assert refused.exit_code != 0
    assert "at least 12" in refused.output
    made = runner.invoke(args=["create-user", "--email", "long@example.org",
                               "--name", "Long", "--role", "clerk",
                               "--password", "harbor lantern quiet"])
    assert made.exit_code == 0, made.output
    assert "a" * 64 not in made.output
    with app.app_context():
        session = app.extensions["db_sessionmaker"]()
        emails = dict(session.execute(select(User.email, User.password_hash)).all())
        session.close()
    assert "short@example.org" not in emails
    assert emails["long@example.org"].startswith("$argon2id$")


def _normalized(page: str, email: str) -> str:
    """The page without its CSRF token and with the typed address replaced."""
    return TOKEN.sub('name="csrf_token" value=""', page).replace(email, "EMAIL")


def test_wrong_email_and_wrong_password_look_the_same(monkeypatch, app, client, world, db):
    import reviewapp.views.auth as auth_views

    checked = []
    real = auth_views.verify_password

    def spy(stored, password):
        checked.append(stored)
        return real(stored, password)

    monkeypatch.setattr(auth_views, "verify_password", spy)
    unknown = other_client(app, db).post(
        "/auth/login", data={"email": "nobody@example.org", "password": PASSWORD})
    wrong = other_client(app, db).post(
        "/auth/login", data={"email": world.clerk.email, "password": "wrong password!"})
    assert unknown.status_code == wrong.status_code == 400
    assert _normalized(unknown.get_data(as_text=True), "nobody@example.org") == \
        _normalized(wrong.get_data(as_text=True), world.clerk.email)
    assert "nobody@example.org" in unknown.get_data(as_text=True)  # the typed e-mail stays
    # A hash is checked either way, so the two take about as long.
    assert len(checked) == 2 and all(h.startswith("$argon2id$") for h in checked)
    events = db.execute(select(AuditEvent.action, AuditEvent.object_id, AuditEvent.actor_id,
                               AuditEvent.details)
                        .where(AuditEvent.action == "login_failed")).all()
    assert len(events) == 2 and events[0] == events[1]


# --- SESS-1/2/4: cookies, logout, timeouts --------------------------------------------------

def set_cookies(response) -> dict[str, str]:
    """Set-Cookie headers by cookie name."""
    return {h.split("=", 1)[0]: h for h in response.headers.getlist("Set-Cookie")}


def cookie_flags(header: str) -> set[str]:
    return {part.strip().split("=")[0].lower() for part in header.split(";")[1:]} | \
        {part.strip().lower() for part in header.split(";")[1:]}


def test_session_cookie_is_httponly_and_samesite_lax_and_never_remembered(client, world):
    response = client.post("/auth/login", data={
        "email": world.clerk.email, "password": PASSWORD, "remember": "y"})
    cookies = set_cookies(response)
    assert set(cookies) == {"session"}  # no remember-me cookie, whatever is posted
    for name in ("session",):
        flags = cookie_flags(cookies[name])
        assert "httponly" in flags, cookies[name]
        assert "samesite=lax" in flags, cookies[name]


def test_a_residents_session_is_written_once_not_on_every_page(client, world):
    item = world.proposal(Stage.PUBLIC_COMMENT)
    first = client.get(f"/proposals/{item.id}/comment")
    assert "session" in set_cookies(first)  # the CSRF token's session
    for path in (f"/proposals/{item.id}/comment", "/", f"/proposals/{item.id}"):
        response = client.get(path)
        assert response.status_code == 200
        assert set_cookies(response) == {}, path


def test_a_signed_in_session_taken_to_another_browser_is_ended(client, world):
    agent = {"HTTP_USER_AGENT": "first browser"}
    client.post("/auth/login", data={"email": world.clerk.email, "password": PASSWORD},
                environ_base=agent)
    assert client.get("/clerk/", environ_base=agent).status_code == 200
    moved = client.get("/clerk/", environ_base={"HTTP_USER_AGENT": "another browser"})
    assert moved.status_code == 302
    assert "/auth/login" in moved.headers["Location"]


class TestSecureCookiesFromTheEnvironment:
    @pytest.fixture
    def app_config(self, monkeypatch):
        monkeypatch.setenv("REVIEWAPP_SECURE_COOKIES", "1")
        return {}

    def test_the_environment_switch_sets_secure_cookies(self, app, world):
        assert app.config["SESSION_COOKIE_SECURE"] is True
        assert app.config["SESSION_COOKIE_NAME"] == "__Host-session"
        secure = app.test_client()
        response = secure.post("/auth/login", base_url="https://localhost", data={
            "email": world.clerk.email, "password": PASSWORD, "remember": "y"})
        assert response.status_code == 302
        for name, header in set_cookies(response).items():
            assert "secure" in cookie_flags(header), f"{name}: {header}"


def test_without_the_switch_cookies_are_not_marked_secure(app, monkeypatch):
    monkeypatch.delenv("REVIEWAPP_SECURE_COOKIES", raising=False)
    config = Config(".", {"SESSION_COOKIE_NAME": "session"})
    config.from_object(settings.Config)
    settings.load_environment(config)
    assert config["SESSION_COOKIE_SECURE"] is False
    assert config["SESSION_COOKIE_NAME"] == "session"


def test_a_cookie_saved_before_logout_is_dead_after_it(app, client, world, db):
    response = client.post("/auth/login", data={
        "email": world.clerk.email, "password": PASSWORD, "remember": "y"})
    assert response.status_code == 302
    saved = {"session": client.get_cookie("session").value}
    token_before = world.clerk.session_token
    assert client.get("/clerk/").status_code == 200
    assert client.post("/auth/logout").status_code == 302
    db.rollback()
    assert db.get(User, world.clerk.id).session_token != token_before

    for cookies in (saved,):
        replay = other_client(app, db)
        for name, value in cookies.items():
            replay.set_cookie(name, value)
        assert login_location(replay.get("/clerk/")), f"replayed {sorted(cookies)}"


def test_idle_31_minutes_sends_you_to_sign_in(client, clock, login_as):
    login_as("clerk")
    for _ in range(3):  # activity every 29 minutes keeps the session
        clock.advance(minutes=29)
        assert client.get("/clerk/").status_code == 200
    clock.advance(minutes=31)
    assert login_location(client.get("/clerk/"))
    assert login_location(client.get("/clerk/"))  # and it stays signed out


def test_idle_31_minutes_with_remember_me_also_signs_out(client, clock, world):
    client.post("/auth/login", data={"email": world.clerk.email, "password": PASSWORD,
                                     "remember": "y"})
    assert client.get("/clerk/").status_code == 200
    clock.advance(minutes=31)
    assert login_location(client.get("/clerk/"))
    assert login_location(client.get("/clerk/"))


def test_after_an_idle_timeout_the_remember_cookie_does_not_sign_you_back_in(client, clock,
                                                                             world):
    client.post("/auth/login", data={"email": world.clerk.email, "password": PASSWORD,
                                     "remember": "y"})
    assert client.get("/clerk/").status_code == 200
    clock.advance(minutes=31)
    assert client.get("/").status_code == 200  # any page: the idle session ends here
    assert login_location(client.get("/clerk/"))


def test_an_active_session_must_sign_in_again_after_12_hours(client, clock, login_as):
    login_as("clerk")
    for _ in range(13 * 3):  # 13 hours of activity every 20 minutes
        clock.advance(minutes=20)
        response = client.get("/clerk/")
        if response.status_code != 200:
            break
    assert login_location(response)


def test_voting_needs_a_fresh_sign_in_and_no_cookie_outlives_the_session(app, client,
                                                                          world, db):
    """SESS-5: a vote comes from a session signed in with the password (nothing remembered)."""
    item = world.proposal(Stage.HEARING_SCHEDULED)
    council.record_motion(db, item, world.clerk, world.clock(), world.profile, "deny", [], [],
                          "Member A")
    db.commit()
    member = world.council[0]
    client.post("/auth/login", data={"email": member.email, "password": PASSWORD,
                                     "remember": "y"})
    assert client.get_cookie("remember_token") is None
    restarted = other_client(app, db)  # the browser restarted: its session cookie is gone
    refused = restarted.post(f"/council/proposals/{item.id}", data={"choice": "aye"})
    assert login_location(refused)
    assert db.scalar(select(func.count()).select_from(Vote)) == 0
    assert client.post(f"/council/proposals/{item.id}", data={"choice": "aye"}) \
        .status_code == 302
    assert db.scalar(select(func.count()).select_from(Vote)) == 1


# --- HDR-1: headers on every kind of response -----------------------------------------------

def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


def assert_security_headers(response, where: str) -> None:
    headers = response.headers
    csp = headers.get("Content-Security-Policy")
    assert csp, f"{where}: no CSP"
    directives = csp_directives(csp)
    assert directives.get("frame-ancestors") == ["'none'"], f"{where}: {csp}"
    scripts = directives.get("script-src", directives.get("default-src"))
    assert scripts, f"{where}: no script-src or default-src"
    for bad in ("'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:"):
        assert bad not in scripts, f"{where}: script-src allows {bad}"
    assert directives.get("object-src") == ["'none'"], f"{where}: {csp}"
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    assert headers.get("Referrer-Policy") in (
        "no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"), where
    hsts = headers.get("Strict-Transport-Security", "")
    found = re.search(r"max-age=(\d+)", hsts)
    assert found and int(found.group(1)) >= 31536000, f"{where}: HSTS {hsts!r}"


def test_security_headers_on_pages_errors_pdfs_and_static_files(client, world):
    decided = world.proposal(Stage.DECIDED)
    document = world.db.scalar(select(Determination.document_number)
                               .where(Determination.proposal_id == decided.id))
    responses = {
        "home": client.get("/"),
        "proposal": client.get(f"/proposals/{decided.id}"),
        "login": client.get("/auth/login"),
        "404": client.get("/no-such-page"),
        "404 proposal": client.get("/proposals/999999"),
        "405": client.get("/auth/logout"),
        "pdf": client.get(f"/determinations/{document}.pdf"),
        "static": client.get("/static/css/site.css"),
    }
    assert responses["404"].status_code == 404
    assert responses["405"].status_code == 405
    assert responses["pdf"].mimetype == "application/pdf"
    assert responses["pdf"].data.startswith(b"%PDF")
    assert responses["static"].status_code == 200
    for where, response in responses.items():
        assert_security_headers(response, where)
    assert "attachment" in responses["pdf"].headers["Content-Disposition"]


def test_signed_in_pages_are_not_cached(client, world, login_as):
    item = world.proposal(Stage.SUBMITTED)
    login_as("clerk")
    for path in ("/clerk/", f"/clerk/proposals/{item.id}", f"/proposals/{item.id}", "/"):
        response = client.get(path)
        assert response.status_code == 200
        assert "no-store" in response.headers.get("Cache-Control", ""), path
        assert_security_headers(response, path)
    for path in ("/auth/login",):
        assert "no-store" in client.get(path).headers.get("Cache-Control", "")


def test_a_server_error_shows_a_reference_and_no_traceback(app, client, caplog):
    def broken():
        raise RuntimeError("secret-internal-detail at /srv/reviewapp/views/public.py")

    app.view_functions["public.about"] = broken
    with caplog.at_level(logging.ERROR, logger="reviewapp"):
        response = client.get("/about")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    found = re.search(r"reference ([0-9a-f]{12})", page)
    assert found, page
    for leak in ("Traceback", "RuntimeError", "secret-internal-detail", ".py",
                 "/srv/", "werkzeug", "sqlalchemy"):
        assert leak not in page, leak
    assert_security_headers(response, "500")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert found.group(1) in logged  # the reference leads to the logged traceback
    assert any(r.exc_info for r in caplog.records)


# --- XSS-1: hostile text stays text -----------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
SVG = '"><svg onload=alert(1)>'
TEMPLATE = "{{7*7}}"
JS_URL = "javascript:alert(1)"


def payload(label: str) -> str:
    return f"{label} {SCRIPT} {SVG} x{TEMPLATE}x {JS_URL}"


RAW = ("<script>alert(1)", "<svg onload", "<svg", "x49x")
JS_ATTRIBUTE = re.compile(r"""(href|src|action|formaction)\s*=\s*["']?\s*javascript:""", re.I)


def assert_inert(page: str, labels: list[str], where: str) -> None:
    for raw in RAW:
        assert raw not in page, f"{where}: raw {raw!r}"
    assert not JS_ATTRIBUTE.search(page), f"{where}: javascript: URL in an attribute"
    for label in labels:
        assert f"{label} &lt;script&gt;alert(1)&lt;/script&gt;" in page, f"{where}: {label}"
        assert "&lt;svg onload=alert(1)&gt;" in page, where
        assert f"x{TEMPLATE}x" in page, f"{where}: the template text is not literal"


def test_xss_payloads_are_inert_on_every_page(app, client, world, db, login_as):
    login_as("submitter")
    form = proposal_form(**{
        "title": payload("TITLE"),
        "impact_report-description": payload("IMPACT"),
        "recipients-0-name": payload("RECIPIENT"),
        "recipients-0-recipient_type": "city",
        "recipients-0-purpose": payload("PURPOSE"),
        "recipients-0-data_categories": "plates",
        "recipients-0-legal_basis": "MOU",
        # The structured answers in free text are published too.
        "particulars-prior_use": "yes",
        "particulars-prior_use_details": payload("PRIOR"),
        "particulars-network_sharing_detail": payload("SHARING"),
    })
    created = client.post("/department/proposals/new", data=form)
    assert created.status_code == 302
    item = db.scalars(select(Proposal)).one()
    edit_url = f"/department/proposals/{item.id}/edit"
    assert_inert(client.get(edit_url).get_data(as_text=True), ["TITLE", "IMPACT", "RECIPIENT"],
                 "edit form")
    assert_inert(client.get("/department/").get_data(as_text=True), ["TITLE"], "department")
    submitted = client.post(edit_url, data={**form, "save": "", "submit_for_review": "1"})
    assert submitted.status_code == 302, submitted.get_data(as_text=True)[:2000]

    db.rollback()
    item = db.get(Proposal, item.id)
    assert item.title == payload("TITLE")  # stored as typed, escaped only on output
    intake.accept(db, item, world.clerk, world.clock(), world.profile)
    comments.open_comment_period(db, item, world.clerk, world.clock(), world.profile,
                                 world.clock(), world.clock().replace(year=2027), "Proceed.")
    db.commit()

    anonymous = other_client(app, db)
    receipts = []
    for data in (
        comment_form(nonce="xss-1", body=payload("BODY")),
        comment_form(nonce="xss-2", submitter_type="individual", name=payload("NAME"),
                     body="plain"),
        comment_form(nonce="xss-3", submitter_type="organization",
                     organization=payload("ORG"), body="plain"),
    ):
        response = anonymous.post(f"/proposals/{item.id}/comment", data=data)
        assert response.status_code == 302
        receipts.append(response.headers["Location"])

    public = anonymous.get(f"/proposals/{item.id}").get_data(as_text=True)
    assert_inert(public, ["TITLE", "IMPACT", "RECIPIENT", "PURPOSE", "BODY", "NAME", "ORG",
                          "PRIOR", "SHARING"], "public proposal")
    assert_inert(anonymous.get("/").get_data(as_text=True), ["TITLE"], "home")
    assert_inert(anonymous.get(f"/proposals/{item.id}/comment").get_data(as_text=True),
                 ["TITLE"], "comment form")
    for receipt, label in zip(receipts, ("BODY", "NAME", "ORG"), strict=True):
        assert_inert(anonymous.get(receipt).get_data(as_text=True), ["TITLE", label],
                     receipt)
    login_as("clerk")
    assert_inert(client.get(f"/clerk/proposals/{item.id}").get_data(as_text=True),
                 ["TITLE", "BODY", "RECIPIENT"], "clerk workbench")
    assert_inert(client.get("/clerk/").get_data(as_text=True), ["TITLE"], "clerk queue")


def test_a_comment_form_error_re_renders_payloads_escaped(client, world):
    item = world.proposal(Stage.PUBLIC_COMMENT)
    response = client.post(f"/proposals/{item.id}/comment",
                           data=comment_form(submitter_type="individual", name="",
                                             body=payload("BODY")))
    assert response.status_code == 400
    assert_inert(response.get_data(as_text=True), ["BODY"], "comment form with errors")


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "".join("".join(page.extract_text().split()) for page in reader.pages)


def decided_with(world, **fields):
    data = complete_data(**fields)
    item = world.proposal(Stage.DECIDED, data=data)
    issued = world.db.scalars(select(Determination)
                              .where(Determination.proposal_id == item.id)).one()
    return item, stored_pdf(world.db, issued)


def test_the_determination_pdf_prints_payloads_as_literal_text(world):
    _item, data = decided_with(
        world, title=f"T {SCRIPT} x{TEMPLATE}x",
        technology_name=f"N {SVG}", vendor=JS_URL,
        recipients=[{"name": f"R {SCRIPT}", "recipient_type": "city",
                     "purpose": f"P x{TEMPLATE}x {SVG}"}],
        particulars={"prior_use": "yes", "prior_use_details": f"U {SCRIPT} {JS_URL}"},
    )
    text = pdf_text(data)
    for literal in (SCRIPT, SVG, f"x{TEMPLATE}x", JS_URL):
        assert "".join(literal.split()) in text, literal
    assert "".join(f"U {SCRIPT} {JS_URL}".split()) in text  # a structured answer, literal
    assert "x49x" not in text
    assert "T&lt;script" not in text and "&quot;" not in text  # not double-escaped


# --- PDF-1: the renderer fetches nothing but static files -----------------------------------

STATIC = pdf.STATIC_DIR


@pytest.mark.parametrize("url", [
    "file:///etc/passwd",
    "http://127.0.0.1:1/",
    "https://example.org/x.png",
    f"file://{STATIC}/../../../../etc/passwd",
    f"file://{STATIC}/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    f"file://evil.example{STATIC}/css/site.css",
    "data:text/html,<script>alert(1)</script>",
    "data:image/png;base64,iVBORw0KGgo=",
    "file:///dev/urandom",
    f"file://{STATIC}",
    f"file://{STATIC}/css/does-not-exist.css",
    "ftp://127.0.0.1/x",
])
def test_the_fetcher_refuses_anything_outside_static(url):
    fetcher = pdf.StaticOnlyFetcher()
    with pytest.raises(Exception, match="refused"):
        fetcher.fetch(url)
    assert fetcher.refused == [url]
    assert fetcher.served == []


def test_the_fetcher_serves_a_static_file():
    fetcher = pdf.StaticOnlyFetcher()
    url = (STATIC / "css" / "site.css").as_uri()
    response = fetcher.fetch(url)
    assert fetcher.served == [url] and fetcher.refused == []
    body = response.body if hasattr(response, "body") else response.read()
    assert body == (STATIC / "css" / "site.css").read_bytes()


def test_the_fetcher_does_not_follow_a_symlink_out_of_its_root(tmp_path):
    root = tmp_path / "static"
    root.mkdir()
    (root / "ok.css").write_text("p{}")
    (root / "passwd.css").symlink_to("/etc/passwd")
    fetcher = pdf.StaticOnlyFetcher(root)
    fetcher.fetch((root / "ok.css").as_uri())
    with pytest.raises(ValueError, match="refused"):
        fetcher.fetch((root / "passwd.css").as_uri())
    assert fetcher.refused == [(root / "passwd.css").as_uri()]


def test_hostile_markup_given_to_weasyprint_fetches_only_static_files(tmp_path):
    """The backstop, if escaping ever failed: raw hostile HTML through our fetcher."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    hostile = f"""<html><head>
      <link rel="attachment" href="file://{secret}">
      <link rel="stylesheet" href="http://127.0.0.1:1/x.css">
      <style>
        @import url(http://127.0.0.1:1/y.css);
        @font-face {{ font-family: T; src: url(fonts/DejaVuSans.ttf); }}
        body {{ font-family: T; }}
        div {{ background: url(file:///dev/urandom); }}
        p {{ background: url(file://{secret}); }}
      </style></head><body>
      <img src="file:///etc/passwd"><img src="../../../../../../etc/passwd">
      <a rel="attachment" href="file://{secret}">attached</a>
      <object data="file://{secret}"></object><embed src="file://{secret}">
      <iframe src="file://{secret}"></iframe>
      <div>hello</div><p>para</p></body></html>"""
    fetcher = pdf.StaticOnlyFetcher()
    started = time.monotonic()
    data = HTML(string=hostile, base_url=STATIC.as_uri() + "/", url_fetcher=fetcher) \
        .write_pdf()
    assert time.monotonic() - started < 10
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert dict(reader.attachments) == {}
    assert b"TOP-SECRET-CONTENT" not in data
    assert "TOP-SECRET" not in pdf_text(data) and "root:x:0" not in pdf_text(data)
    assert fetcher.served, "the static font should have been fetched"
    for url in fetcher.served:
        assert Path(urlsplit(url).path).resolve().is_relative_to(STATIC), url
    assert any("passwd" in url for url in fetcher.refused)
    assert any(str(secret) in url for url in fetcher.refused)
    assert any("127.0.0.1" in url for url in fetcher.refused)


def test_a_determination_with_hostile_title_fetches_only_static_files(monkeypatch, world):
    made = []

    class Spy(pdf.StaticOnlyFetcher):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            made.append(self)

    monkeypatch.setattr(pdf, "StaticOnlyFetcher", Spy)
    title = '<img src="file:///etc/passwd"> <link rel="attachment" href="file:///etc/hosts">'
    _item, data = decided_with(world, title=title, vendor="@import url(http://127.0.0.1:1/)")
    assert len(made) == 1
    fetcher = made[0]
    assert fetcher.served and not fetcher.refused, fetcher.refused
    for url in fetcher.served:
        assert Path(urlsplit(url).path).resolve().is_relative_to(STATIC), url
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert dict(reader.attachments) == {}
    text = pdf_text(data)
    assert '<imgsrc="file:///etc/passwd">' in text  # extracted text has no spaces
    assert "root:x:0" not in text


def test_render_pdf_in_a_request_context_uses_the_static_fetcher(app, world, monkeypatch):
    """render_pdf itself, from a request context, with a hostile title in the template."""
    item = world.proposal(Stage.HEARING_SCHEDULED,
                          data=complete_data(title='<img src="file:///etc/passwd">'))
    fetcher = pdf.StaticOnlyFetcher()
    from reviewapp import record
    from reviewapp.models import Decision

    council.record_motion(world.db, item, world.clerk, world.clock(), world.profile, "approve",
                          [], ALL_FINDINGS, "Member A")
    for member in world.council:
        council.cast_vote(world.db, item, member, world.clock(), world.profile, "aye")
    council.close_roll_call(world.db, item, world.clerk, world.clock(), world.profile)
    motion = council.latest_motion(world.db, item)
    with app.test_request_context():
        context = record.determination_context(
            world.db, item, world.profile, motion, decision=Decision.APPROVED,
            document_number="TEST-D1", effective_date=date(2026, 6, 1),
            review_date=date(2026, 11, 1), issued_at=world.clock())
        data = pdf.render_pdf("pdf/determination.html", fetcher=fetcher, **context)
    world.db.rollback()
    assert data.startswith(b"%PDF")
    assert fetcher.served and not fetcher.refused
    assert all(Path(urlsplit(u).path).resolve().is_relative_to(STATIC) for u in fetcher.served)


# --- PRIV-1: no commenter identifiers are kept ----------------------------------------------

IP = "203.0.113.77"
AGENT = "Mozilla/5.0 (PrivacyProbe; UA-7f3c1e) Gecko/20100101"


def every_text_value(db):
    """Yield (table, column, text) for every value of every table in the database."""
    for table in Base.metadata.sorted_tables:
        for row in db.execute(select(table)).mappings():
            for column, value in row.items():
                if value is None:
                    continue
                if isinstance(value, dict | list):
                    value = json.dumps(value)
                elif isinstance(value, bytes):
                    value = value.decode("latin-1")
                elif isinstance(value, datetime | date):
                    continue
                yield table.name, column, str(value)


def test_an_anonymous_comment_keeps_no_address_agent_or_name(app, world, db, caplog):
    seen = []

    @app.after_request
    def probe(response):
        seen.append((request.remote_addr, request.user_agent.string))
        return response

    item = world.proposal(Stage.PUBLIC_COMMENT)
    browser = other_client(app, db)
    browser.environ_base = {"REMOTE_ADDR": IP, "HTTP_USER_AGENT": AGENT}
    caplog.set_level(logging.DEBUG)
    response = browser.post(f"/proposals/{item.id}/comment", environ_base={
        "REMOTE_ADDR": IP, "HTTP_USER_AGENT": AGENT,
        "HTTP_X_FORWARDED_FOR": IP}, data=comment_form(
            name="Should Not Be Kept", organization="Nor This Org", body="Anonymous view."))
    assert response.status_code == 302
    assert seen == [(IP, AGENT)]  # the app really saw the address and the agent
    browser.get(response.headers["Location"])

    stored = db.scalars(select(Comment)).one()
    assert stored.body == "Anonymous view."
    assert stored.name is None and stored.organization is None
    values = list(every_text_value(db))
    assert any(text == "Anonymous view." for _t, _c, text in values)  # the scan sees rows
    assert any(t == "audit_event" for t, _c, _v in values)
    for table, column, text in values:
        for secret in (IP, AGENT, "UA-7f3c1e", "Should Not Be Kept", "Nor This Org"):
            assert secret not in text, f"{secret!r} stored in {table}.{column}"
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert IP not in logged and "UA-7f3c1e" not in logged
    receipt = browser.get(response.headers["Location"]).get_data(as_text=True)
    assert "Should Not Be Kept" not in receipt and "Anonymous" in receipt


# --- AC-4: mass assignment --------------------------------------------------------------------

def test_extra_fields_on_the_proposal_form_change_nothing_else(client, world, db, login_as):
    draft = world.proposal(Stage.DRAFT)
    before = (draft.stage, draft.department_id, draft.created_by_id, draft.file_number,
              draft.id)
    fire = db.scalar(select(Department.id).where(Department.name == "Fire"))
    login_as("submitter")
    response = client.post(f"/department/proposals/{draft.id}/edit", data=proposal_form(
        title="Only the title changes",
        stage="decided", department_id=str(fire), created_by_id=str(world.clerk.id),
        file_number="HACK-0001", id="999", proposal_id="999", status="approved",
        submitted_at="2020-01-01", impact_report_sha256="0" * 64, number="7",
        **{"impact_report-injected": "extra section", "recipients-0-name": "County",
           "recipients-0-recipient_type": "county", "recipients-0-id": "999",
           "recipients-0-version_id": "999", "recipients-0-position": "9"}))
    assert response.status_code == 302
    db.rollback()
    stored = db.get(Proposal, draft.id)
    assert stored.title == "Only the title changes"
    assert (stored.stage, stored.department_id, stored.created_by_id, stored.file_number,
            stored.id) == before
    version = stored.current_version
    assert version.number == 1 and not version.is_frozen
    assert version.impact_report_sha256 is None
    assert "injected" not in version.impact_report
    assert [(r.name, r.position, r.version_id) for r in version.recipients] == \
        [("County", 1, version.id)]
    assert db.scalar(select(func.count()).select_from(Proposal)) == 1


def test_extra_fields_on_the_comment_and_vote_forms_are_ignored(client, world, db, login_as):
    item = world.proposal(Stage.PUBLIC_COMMENT)
    other = world.proposal(Stage.SUBMITTED)
    response = client.post(f"/proposals/{item.id}/comment", data=comment_form(
        tracking_number="RA-HACK-0000", proposal_id=str(other.id), period_id="999",
        created_at="2020-01-01T00:00:00", moderation="none", id="77"))
    assert response.status_code == 302
    stored = db.scalars(select(Comment)).one()
    assert stored.tracking_number != "RA-HACK-0000"
    assert stored.proposal_id == item.id and stored.id != 77

    hearing = world.proposal(Stage.HEARING_SCHEDULED)
    council.record_motion(db, hearing, world.clerk, world.clock(), world.profile, "deny", [],
                          [], "Member A")
    db.commit()
    member = login_as("council")
    victim = world.council[1]
    response = client.post(f"/council/proposals/{hearing.id}", data={
        "choice": "aye", "member_id": str(victim.id), "recorded_by_id": str(victim.id)})
    assert response.status_code == 302
    votes = db.execute(select(Vote.member_id, Vote.recorded_by_id, Vote.choice)).all()
    assert [(m, r, c.value) for m, r, c in votes] == [(member.id, member.id, "aye")]


# --- RACE-1 (light): the same form nonce twice ------------------------------------------------

def test_the_same_comment_form_posted_twice_stores_one_comment(app, client, world, db):
    item = world.proposal(Stage.PUBLIC_COMMENT)
    form = comment_form(nonce="double-click-nonce", body="Sent twice by a double click.")
    first = client.post(f"/proposals/{item.id}/comment", data=form)
    second = other_client(app, db).post(f"/proposals/{item.id}/comment", data=form)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert db.scalar(select(func.count()).select_from(Comment)) == 1
    posted = db.scalar(select(func.count()).select_from(AuditEvent)
                       .where(AuditEvent.action == "post_comment"))
    assert posted == 1
    receipt = client.get(first.headers["Location"])
    assert receipt.status_code == 200
    assert "Sent twice by a double click." in receipt.get_data(as_text=True)


def test_the_shipped_breached_list_holds_100000_passwords_and_is_checked_offline():
    with gzip.open(passwords.BREACHED_LIST, "rt", encoding="utf-8") as listed:
        entries = [line.strip() for line in listed if line.strip()]
    assert len(set(entries)) == 100_000
    refused = [p for p in ("sunshine12345", "Dragon1234567", "liverpool2026") if policy_problem(p)]
    assert len(refused) == 3  # each is a listed password with padding added


def test_a_password_built_on_the_email_address_is_refused():
    assert policy_problem("maria.lopez-2026", "maria.lopez@city.example.org")
    assert policy_problem("harbor lantern quiet", "maria.lopez@city.example.org") is None
