"""Operations: JSON logs with a request id, health checks, and a 503 page without the database.

Everything runs for real: apps pointed at a PostgreSQL port where nothing listens and at a
SQLite file in a directory that does not exist, lines read back from the process's stderr,
and gunicorn started as a subprocess and spoken to over TCP from 127.0.0.1.
"""

import base64
import hashlib
import http.client
import json
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import SQLAlchemyError

from reviewapp import create_app
from reviewapp.cli.setup import upgrade_database
from reviewapp.config import ConfigurationError
from reviewapp.db import dispose
from reviewapp.models import Stage
from reviewapp.outage import PAGE, is_unreachable
from reviewapp.permissions import PermissionDenied
from reviewapp.ratelimit import limiter
from tests.factories import form_nonce
from tests.test_migrations import empty_database_url

ROOT = Path(__file__).resolve().parent.parent
PG_DOWN = "postgresql+psycopg://postgres@127.0.0.1:1/test"  # nothing listens on port 1
IP = "203.0.113.77"
AGENT = "Mozilla/5.0 (OpsProbe; UA-5d1e9b) Gecko/20100101"
HEX_ID = re.compile(r"[0-9a-f]{32}")


def json_lines(output: str) -> list[dict]:
    """Parse every line of `output` as one JSON object (any other line fails the test)."""
    entries = []
    for line in output.splitlines():
        if line.strip():
            entry = json.loads(line)
            assert isinstance(entry, dict), line
            entries.append(entry)
    return entries


def sibling_app(app, tmp_path, database_url: str, **settings):
    """Build a second app like the fixture's (same key and clock) on another database."""
    instance = tmp_path / f"instance-{len(list(tmp_path.iterdir()))}"
    instance.mkdir()
    config = {"TESTING": True, "SECRET_KEY": app.config["SECRET_KEY"],
              "CLOCK": app.config["CLOCK"], "WTF_CSRF_ENABLED": False,
              "RATELIMIT_ENABLED": False, "DATABASE_URL": database_url, **settings}
    return create_app(config, instance_path=str(instance))


@pytest.fixture(params=["postgresql", "sqlite"])
def down_url(request, tmp_path):
    """A database URL that cannot be reached: a dead PostgreSQL port, or a missing folder."""
    if request.param == "postgresql":
        return PG_DOWN
    return f"sqlite:///{tmp_path / 'no-such-folder' / 'reviewapp.sqlite3'}"


@pytest.fixture
def down_app(app, tmp_path, down_url):
    """An app like the fixture's whose database cannot be reached."""
    built = sibling_app(app, tmp_path, down_url)
    yield built
    dispose(built)


def signed_in_elsewhere(client, login_as, down_app, role: str = "clerk"):
    """Sign in on the working app, then carry the session cookie to the app without a database."""
    login_as(role)
    cookie = client.get_cookie("session")
    assert cookie is not None
    browser = down_app.test_client()
    browser.set_cookie("session", cookie.value)
    return browser, cookie.value


def assert_outage_page(response):
    """The answer is the static 503 page, byte for byte, with its headers."""
    assert response.status_code == 503
    assert response.data == PAGE.read_bytes()
    assert response.mimetype == "text/html"
    assert int(response.headers["Retry-After"]) >= 60
    assert response.headers["Cache-Control"] == "no-store"
    assert HEX_ID.fullmatch(response.headers["X-Request-ID"])
    assert "Set-Cookie" not in response.headers


# --- the static page --------------------------------------------------------------------------

def test_the_static_page_is_plain_accessible_html_allowed_by_its_own_policy(down_app):
    response = down_app.test_client().get("/")
    assert_outage_page(response)
    html = response.get_data(as_text=True)
    assert re.search(r'<html lang="en">', html)
    title = re.search(r"<title>([^<]+)</title>", html)
    assert title and "unavailable" in title.group(1).lower()
    assert len(re.findall(r"<h1[ >]", html)) == 1
    assert "Nothing you saved was lost." in html
    assert "try again in a few minutes" in html
    assert "<script" not in html and "{{" not in html and "{%" not in html
    # The one style block is allowed by its hash; nothing else may load.
    policy = response.headers["Content-Security-Policy"]
    style = re.search(r"<style>(.*?)</style>", html, re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert f"style-src 'sha256-{digest}'" in policy
    assert "default-src 'none'" in policy and "unsafe-inline" not in policy
    # A reverse proxy can serve the same file when the app itself is down.
    static = down_app.test_client().get("/static/errors/503.html")
    assert static.status_code == 200 and static.data == PAGE.read_bytes()


# --- requests when the database is down -------------------------------------------------------

@pytest.mark.parametrize("method, path", [("GET", "/"), ("GET", "/about"),
                                          ("GET", "/proposals/1"), ("GET", "/registry/"),
                                          ("POST", "/proposals/1/comment")])
def test_anonymous_requests_get_the_503_page(down_app, method, path, capsys):
    response = down_app.test_client().open(path, method=method, data={
        "submitter_type": "anonymous", "position": "oppose", "body": "Kept by the browser.",
        "nonce": form_nonce("n-1")})
    assert_outage_page(response)
    lines = json_lines(capsys.readouterr().err)
    failures = [e for e in lines if e["message"] == "database unreachable"]
    assert len(failures) == 1, lines  # logged once
    assert failures[0]["request_id"] == response.headers["X-Request-ID"]
    assert failures[0]["level"] == "ERROR" and failures[0]["path"] == path
    assert failures[0]["method"] == method
    assert failures[0]["error"] in ("OperationalError", "InterfaceError")


@pytest.mark.parametrize("method, path", [("GET", "/clerk/"), ("GET", "/"),
                                          ("GET", "/no-such-page"),
                                          ("POST", "/clerk/proposals/1/accept"),
                                          ("POST", "/auth/logout")])
def test_signed_in_requests_get_the_503_page_and_stay_signed_in(client, login_as, down_app,
                                                               method, path, capsys):
    browser, cookie = signed_in_elsewhere(client, login_as, down_app)
    capsys.readouterr()
    response = browser.open(path, method=method)
    assert_outage_page(response)
    failures = [e for e in json_lines(capsys.readouterr().err)
                if e["message"] == "database unreachable"]
    assert [e["request_id"] for e in failures] == [response.headers["X-Request-ID"]]
    # The session was not touched: once the database is back the clerk is still signed in.
    assert browser.get_cookie("session").value == cookie
    client.set_cookie("session", cookie)
    assert client.get("/clerk/").status_code == 200


def test_an_expired_form_answers_503_when_its_page_needs_the_database(app, client, login_as,
                                                                     tmp_path, down_url):
    """The CSRF check runs before the user is loaded; its error page then needs the user."""
    strict = sibling_app(app, tmp_path, down_url, WTF_CSRF_ENABLED=True)
    try:
        anonymous = strict.test_client()
        # The comment form is given back with the text, which needs the proposal.
        assert_outage_page(anonymous.post("/proposals/1/comment", data={"body": "Mine."}))
        browser, _cookie = signed_in_elsewhere(client, login_as, strict)
        assert_outage_page(browser.post("/clerk/proposals/1/accept"))
        # Anonymous, the plain "form expired" page needs nothing from the database.
        expired = anonymous.post("/auth/login", data={"email": "a@example.org"})
        assert expired.status_code == 400 and b"The form expired" in expired.data
    finally:
        dispose(strict)


def test_error_pages_still_render_for_anonymous_visitors(down_app):
    def forbidden():
        raise PermissionDenied

    def broken():
        raise RuntimeError("a bug")

    down_app.view_functions["public.rules"] = forbidden
    down_app.view_functions["public.about"] = broken
    browser = down_app.test_client()

    missing = browser.get("/no-such-page")
    refused = browser.get("/rules")
    failed = browser.get("/about")
    assert (missing.status_code, refused.status_code, failed.status_code) == (404, 403, 500)
    for response in (missing, refused, failed):
        assert b"Staff sign in" in response.data  # base.html, for an anonymous visitor
    reference = failed.headers["X-Request-ID"]
    assert f"reference {reference}".encode() in failed.data


# --- telling an unreachable database from other database errors -------------------------------

def raised(url: str, statement: str = "SELECT 1", **engine_options) -> SQLAlchemyError:
    engine = create_engine(url, **engine_options)
    try:
        with engine.connect() as connection:
            connection.execute(text(statement))
    except SQLAlchemyError as exc:
        return exc
    finally:
        engine.dispose()
    pytest.fail(f"{statement} on {url} did not fail")


def test_unreachable_is_told_apart_from_a_bad_query_or_a_lock(app, tmp_path, down_url):
    assert is_unreachable(raised(down_url))
    working = app.config["DATABASE_URL"]
    bad_query = raised(working, "SELECT * FROM no_such_table")
    assert not is_unreachable(bad_query)  # on SQLite also an OperationalError

    path = tmp_path / "locked.sqlite3"
    holder = create_engine(f"sqlite:///{path}", isolation_level="AUTOCOMMIT")
    with holder.connect() as connection:
        connection.exec_driver_sql("CREATE TABLE t (x INTEGER)")
        connection.exec_driver_sql("BEGIN EXCLUSIVE")
        locked = raised(f"sqlite:///{path}", "SELECT * FROM t", connect_args={"timeout": 0})
        connection.exec_driver_sql("ROLLBACK")
    holder.dispose()
    assert "locked" in str(locked) and not is_unreachable(locked)
    assert not is_unreachable(RuntimeError("not a database error"))


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="needs PostgreSQL")
def test_a_database_that_does_not_exist_counts_as_unreachable():
    base = os.environ["TEST_DATABASE_URL"].rsplit("/", 1)[0]
    assert is_unreachable(raised(f"{base}/no_such_database_for_ops_tests"))


# --- health checks ----------------------------------------------------------------------------

def assert_probe_headers(response):
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers
    assert HEX_ID.fullmatch(response.headers["X-Request-ID"])


def test_healthz_answers_without_the_database(client, login_as, down_app):
    for browser in (down_app.test_client(), signed_in_elsewhere(client, login_as, down_app)[0]):
        response = browser.get("/healthz")
        assert response.status_code == 200 and response.json == {"status": "ok"}
        assert_probe_headers(response)


def test_readyz_says_the_database_is_unreachable(down_app):
    response = down_app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "problem": "database unreachable"}
    assert_probe_headers(response)


def test_readyz_says_migrations_are_not_applied_on_a_create_all_schema(client):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json == {"status": "unavailable", "problem": "migrations not applied"}
    assert_probe_headers(response)


def test_readyz_is_ready_after_setup_and_not_when_behind(app, tmp_path, capsys):
    url, cleanup = empty_database_url(tmp_path)
    migrated = sibling_app(app, tmp_path, url)
    try:
        with migrated.app_context():
            upgrade_database(migrated)
        probe = migrated.test_client()
        ready = probe.get("/readyz")
        assert ready.status_code == 200 and ready.json == {"status": "ready"}
        assert_probe_headers(ready)

        engine = create_engine(url)
        with engine.begin() as connection:
            head = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
            connection.execute(text("UPDATE alembic_version SET version_num = '0001'"))
        engine.dispose()
        capsys.readouterr()
        behind = probe.get("/readyz")
        assert behind.status_code == 503
        assert behind.json == {"status": "unavailable", "problem": "migrations not current"}
        assert head not in behind.get_data(as_text=True)  # no version banner in public
        logged = [e for e in json_lines(capsys.readouterr().err)
                  if e["logger"] == "reviewapp.health"]
        assert len(logged) == 1 and head in logged[0]["message"]
    finally:
        dispose(migrated)
        cleanup()


def test_health_checks_are_not_rate_limited(app, tmp_path):
    limited = sibling_app(app, tmp_path, app.config["DATABASE_URL"], RATELIMIT_ENABLED=True,
                          RATELIMIT_APPLICATION="2 per minute")
    try:
        browser = limited.test_client()
        statuses = [browser.get(path).status_code for path in ("/healthz", "/readyz") * 4]
        assert statuses == [200, 503] * 4
        pages = [browser.get("/about").status_code for _ in range(3)]
        assert pages == [200, 200, 429]  # the same client is limited elsewhere
        assert browser.get("/healthz").status_code == 200
    finally:
        dispose(limited)


# --- JSON log lines and the request id ------------------------------------------------------

def test_a_log_line_is_json_with_the_request_id_of_its_response(client, world, login_as,
                                                               capsys):
    login_as("submitter")
    capsys.readouterr()
    response = client.get("/clerk/")
    assert response.status_code == 403
    lines = json_lines(capsys.readouterr().err)
    refused = [e for e in lines if e["message"].startswith("403 GET /clerk/ account ")]
    assert len(refused) == 1, lines
    entry = refused[0]
    assert entry["request_id"] == response.headers["X-Request-ID"]
    assert HEX_ID.fullmatch(entry["request_id"])
    # A signed-in account refused is worth a warning (ASVS 7.2.2); a visitor refused is not.
    assert entry["level"] == "WARNING" and entry["logger"] == "reviewapp"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", entry["time"])


def test_request_ids_are_new_per_request_or_a_safe_one_from_the_proxy(client):
    first, second = client.get("/healthz"), client.get("/healthz")
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]
    kept = client.get("/healthz", headers={"X-Request-ID": "edge-7f3c.01_A"})
    assert kept.headers["X-Request-ID"] == "edge-7f3c.01_A"
    for unsafe in ("x" * 65, "two words", "<script>", "café", "a\nb", "a\r\nSet-Cookie: x=1",
                   ""):
        response = client.get("/healthz", environ_base={"HTTP_X_REQUEST_ID": unsafe})
        assert HEX_ID.fullmatch(response.headers["X-Request-ID"]), unsafe


def test_a_newline_in_a_logged_value_stays_on_one_line(client, login_as, down_app, capsys):
    browser, _cookie = signed_in_elsewhere(client, login_as, down_app)
    forged = '\n{"level": "CRITICAL", "message": "forged"}\r\u2028x'
    capsys.readouterr()
    browser.get("/clerk/" + forged.replace("\n", "%0A").replace("\r", "%0D"))
    with down_app.test_request_context("/"):
        logging.getLogger("reviewapp.test").warning("typed: %s", forged, extra={"note": forged})
    err = capsys.readouterr().err
    lines = json_lines(err)
    assert len(err.splitlines()) == len(lines) == 2  # one line each, however they were forged
    assert lines[0]["path"] == "/clerk/" + forged and lines[1]["note"] == forged
    assert lines[1]["message"] == "typed: " + forged
    assert all(e["message"] != "forged" for e in lines)


def test_no_address_agent_cookie_query_or_form_value_reaches_a_log_line(app, client, world,
                                                                       login_as, down_app,
                                                                       capsys):
    secret_form, secret_query = "FormValue-8c2e", "QueryValue-41ab"

    def broken():
        raise ValueError(f"invalid literal: {secret_form}")  # messages may quote input

    app.view_functions["public.rules"] = broken
    visitor = {"REMOTE_ADDR": IP, "HTTP_USER_AGENT": AGENT, "HTTP_X_FORWARDED_FOR": IP,
               "HTTP_REFERER": f"https://example.org/?{secret_query}"}
    client.environ_base.update(visitor)  # from sign-in on: the session is bound to them
    login_as("submitter")
    cookie = client.get_cookie("session").value
    capsys.readouterr()
    requests = [
        client.get(f"/clerk/?q={secret_query}"),  # 403, logged
        client.post(f"/rules?q={secret_query}", data={"body": secret_form}),  # 405
        client.get(f"/rules?q={secret_query}"),  # 500, logged
        down_app.test_client().post(f"/proposals/1/comment?q={secret_query}",
                                    environ_base=visitor, data={"body": secret_form}),  # 503
    ]
    assert [r.status_code for r in requests] == [403, 405, 500, 503]
    err = capsys.readouterr().err
    lines = json_lines(err)
    assert {e["message"].split(" ")[0] for e in lines} >= {"403", "error", "database"}
    assert any(e.get("exception") == "ValueError" and "stack" in e for e in lines)
    for secret in (IP, AGENT, "UA-5d1e9b", cookie, secret_query, secret_form):
        assert secret not in err, secret


def test_the_rate_limiter_storage_warning_reaches_the_operator(app, tmp_path, capsys,
                                                              monkeypatch):
    # The limiter is one object per process; a fallback earlier in the run would silence it.
    monkeypatch.setattr(limiter, "_storage_dead", False)
    # Redis database 2 on a port where nothing listens.
    limited = sibling_app(app, tmp_path, app.config["DATABASE_URL"], RATELIMIT_ENABLED=True,
                          RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/2")
    try:
        capsys.readouterr()
        response = limited.test_client().post("/auth/login", data={
            "email": "nobody@example.org", "password": "wrong password"})
        assert response.status_code == 400  # a wrong password, answered as usual
        lines = json_lines(capsys.readouterr().err)
        warned = [e for e in lines if e["logger"] == "flask-limiter"]
        assert warned and "Rate limit storage unreachable" in warned[0]["message"]
        assert warned[0]["level"] == "WARNING"
        assert warned[0]["request_id"] == response.headers["X-Request-ID"]
    finally:
        dispose(limited)


def test_weasyprint_warnings_are_json_lines(app, capsys):
    from weasyprint import HTML

    capsys.readouterr()
    with app.test_request_context("/"):
        HTML(string='<p style="colr: red">x</p>').write_pdf()
    lines = json_lines(capsys.readouterr().err)
    assert any(e["logger"] == "weasyprint" and e["level"] == "WARNING" and "colr" in e["message"]
               for e in lines), lines


def test_log_level_comes_from_the_setting(app, client, world, login_as, tmp_path, capsys,
                                          monkeypatch):
    monkeypatch.setenv("REVIEWAPP_LOG_LEVEL", "warning")
    quiet = sibling_app(app, tmp_path, app.config["DATABASE_URL"])
    try:
        assert quiet.config["LOG_LEVEL"] == "warning"
        login_as("submitter")  # on the fixture's app: the same database and key
        browser = quiet.test_client()
        browser.set_cookie("session", client.get_cookie("session").value)
        capsys.readouterr()
        assert browser.get("/clerk/").status_code == 403
        assert not [e for e in json_lines(capsys.readouterr().err) if e["level"] == "INFO"]
    finally:
        dispose(quiet)
    with pytest.raises(ConfigurationError, match="LOG_LEVEL 'LOUD'"):
        sibling_app(app, tmp_path, app.config["DATABASE_URL"], LOG_LEVEL="LOUD")


# --- gunicorn: a real server, spoken to from 127.0.0.1 ---------------------------------------

# gunicorn listens on 127.0.0.2, so its own "Listening at" line does not hold the address
# the requests come from (127.0.0.1), which must appear nowhere.
SERVER_HOST = "127.0.0.2"
PORTS = range(5220, 5240)


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind((SERVER_HOST, port))
            except OSError:
                continue
            return port
    pytest.fail("no free port in 5220-5239")


def fetch(port: int, method: str, path: str, headers: dict | None = None,
          body: str | None = None) -> tuple[int, str | None]:
    """Send one request from 127.0.0.1 with a recognisable user agent."""
    connection = http.client.HTTPConnection(SERVER_HOST, port, timeout=10,
                                            source_address=("127.0.0.1", 0))
    try:
        connection.request(method, path, body=body, headers={
            "User-Agent": AGENT, "Referer": "https://example.org/from-here", **(headers or {})})
        response = connection.getresponse()
        response.read()
        return response.status, response.getheader("X-Request-ID")
    finally:
        connection.close()


@pytest.fixture
def gunicorn(app, tmp_path):
    """Run gunicorn with deploy/gunicorn.conf.py on the test database; yield (port, logs)."""
    port = free_port()
    out, err = tmp_path / "gunicorn.out", tmp_path / "gunicorn.err"
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("GUNICORN_", "REVIEWAPP_"))}
    env.update(GUNICORN_BIND=f"{SERVER_HOST}:{port}", GUNICORN_WORKERS="1",
               REVIEWAPP_DATABASE_URL=app.config["DATABASE_URL"],
               REVIEWAPP_SECRET_KEY=app.config["SECRET_KEY"],
               REVIEWAPP_ENV="production")  # its start-up warnings are lines to check too
    with out.open("w") as stdout, err.open("w") as stderr:
        server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c",
                                   "deploy/gunicorn.conf.py"], cwd=ROOT, env=env,
                                  stdout=stdout, stderr=stderr, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if fetch(port, "GET", "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert server.poll() is None, err.read_text()
            assert time.monotonic() < deadline, err.read_text()
            time.sleep(0.2)
        yield port, (out, err)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(5)


def test_gunicorn_logs_are_json_without_address_agent_or_query(world, gunicorn):
    port, (out, err) = gunicorn
    item = world.proposal(Stage.PUBLIC_COMMENT)
    world.db.commit()
    sent = [
        ("GET", "/about?q=QueryValue-41ab", {"X-Request-ID": "probe-from-proxy-1"}, None),
        ("GET", f"/proposals/{item.id}", {}, None),
        ("GET", "/no-such-page", {}, None),
        ("POST", f"/proposals/{item.id}/comment?q=QueryValue-41ab",
         {"Content-Type": "application/x-www-form-urlencoded"}, "body=FormValue-8c2e"),
    ]
    answers = [fetch(port, method, path, headers, body) for method, path, headers, body in sent]
    assert [status for status, _id in answers] == [200, 200, 404, 400]  # no CSRF token
    assert answers[0][1] == "probe-from-proxy-1"
    with socket.create_connection((SERVER_HOST, port), source_address=("127.0.0.1", 0)) as raw:
        raw.sendall(b"GET /?q=QueryValue-41ab HTTP/9.9\r\nHost: x\r\n\r\n")
        raw.recv(1024)
    time.sleep(0.5)  # the worker writes the last access line after answering

    access = json_lines(out.read_text())
    errors = json_lines(err.read_text())
    by_id = {e.get("request_id"): e for e in access}
    for (method, path, _headers, _body), (status, request_id) in zip(sent, answers, strict=True):
        line = by_id[request_id]
        assert line["logger"] == "gunicorn.access"
        assert (line["method"], line["path"], line["status"]) == \
            (method, path.split("?")[0], status)
        assert isinstance(line["bytes"], int) and line["duration_ms"] >= 0
    assert any(e["logger"] == "gunicorn.error" and "Listening at" in e["message"]
               for e in errors)
    assert any(e["logger"] == "reviewapp" and "TRUSTED_HOSTS" in e["message"] for e in errors)
    assert any(e["message"].startswith("Invalid request: Invalid HTTP Version")
               for e in errors), errors
    everything = out.read_text() + err.read_text()
    for secret in ("127.0.0.1", "UA-5d1e9b", "OpsProbe", "from-here", "QueryValue-41ab",
                   "FormValue-8c2e"):
        assert secret not in everything, secret
