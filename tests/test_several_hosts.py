"""Two app hosts, one PostgreSQL database, one Redis: what a city running several hosts needs.

Each host is a real gunicorn with its own instance folder; people are Browsers whose
requests land on either host, as behind a load balancer. PostgreSQL pass only.
"""

import hashlib
import io
import os
import re
import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader

from reviewapp.models import RequiredFinding
from tests.http_client import Browser
from tests.scratch_db import PG_URL, scratch_postgresql
from tests.servers import AppHost, start_hosts

pytestmark = pytest.mark.skipif(
    not PG_URL, reason="runs in the PostgreSQL pass (TEST_DATABASE_URL): several hosts "
                       "need one shared PostgreSQL database")

REDIS_URL = os.environ.get("REVIEWAPP_TEST_REDIS_URL", "redis://127.0.0.1:6379/9")
SITE = "reviews.city.example"  # the only name the hosts answer to
CLIENT_ADDRESS = "127.0.0.1"  # where every request of this test comes from
PASSWORD = "demo-password-2026"
CLERK = "clerk@city.example.org"
CAMERAS = "Add fixed cameras to the downtown transit plaza"
DRONES = "Drone program for search and rescue"
COMMENT_LIMIT = 5  # per client per hour, counted across hosts


@dataclass
class City:
    """Two running hosts on one database and one Redis, after a secret-key rotation."""

    a: AppHost
    b: AppHost
    redis: object
    before_rotation: Browser  # the clerk, signed in while the hosts used the old key


@pytest.fixture(scope="module")
def redis_db():
    """The test's own Redis database, emptied before and after (never FLUSHALL)."""
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.skip(f"Redis does not answer at {REDIS_URL} (set REVIEWAPP_TEST_REDIS_URL)")
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


def migrate_from_both(a: AppHost, b: AppHost) -> None:
    """Run `flask setup-db` on both hosts at once, as two hosts deploying together would."""
    results = {}
    runs = [threading.Thread(target=lambda h=h: results.update(
        {h.name: h.flask("setup-db", check=False)})) for h in (a, b)]
    for run in runs:
        run.start()
    for run in runs:
        run.join()
    for name, result in results.items():
        assert result.returncode == 0, f"setup-db on {name}: {result.stdout}{result.stderr}"


@pytest.fixture(scope="module")
def city(tmp_path_factory, redis_db):
    """Seed the city, sign the clerk in under the old key, rotate the keys, run A and B."""
    workdir = tmp_path_factory.mktemp("city")
    old_key, new_key = secrets.token_hex(32), secrets.token_hex(32)
    with scratch_postgresql("hosts") as url:
        shared = {"REVIEWAPP_DATABASE_URL": url, "REVIEWAPP_TRUSTED_HOSTS": SITE,
                  "REVIEWAPP_RATELIMIT_STORAGE_URI": REDIS_URL,
                  "REVIEWAPP_COMMENT_RATE_LIMIT": f"{COMMENT_LIMIT} per hour"}
        a = AppHost("host-a", workdir / "a" / "instance",
                    {**shared, "REVIEWAPP_SECRET_KEY": old_key}, site_name=SITE)
        b = AppHost("host-b", workdir / "b" / "instance",
                    {**shared, "REVIEWAPP_SECRET_KEY": new_key,
                     "REVIEWAPP_SECRET_KEY_FALLBACKS": old_key}, site_name=SITE)
        try:
            migrate_from_both(a, b)
            a.flask("seed-demo")
            # Host A still runs with the old key when the clerk signs in there; B already
            # has the new key, with the old one as a fallback.
            start_hosts(a, b)
            before = Browser(SITE)
            before.sign_in(a.url, CLERK, PASSWORD)
            # Second-factor secrets are re-encrypted under the new key by B, which holds
            # both (README: rotate SECRET_KEY); then A's turn: the new key only.
            b.flask("reseal-second-factors")
            a.stop()
            a.settings["REVIEWAPP_SECRET_KEY"] = new_key
            a.start()
            yield City(a, b, redis_db, before)
        finally:
            a.stop()
            b.stop()


def proposal_id(host: AppHost, title: str) -> int:
    """Find a proposal's id on the public list."""
    page = Browser(SITE).get(host.url + "/")
    found = re.search(r'href="/proposals/(\d+)">' + re.escape(title), page.text)
    assert found, f"{title!r} is not on the public list"
    return int(found.group(1))


def expect_redirect(answer, what: str) -> None:
    assert answer.status == 302, f"{what}: {answer.status} {answer.text[:800]}"


def test_determination_issued_on_a_downloads_from_b_with_the_same_sha256(city):
    a, b = city.a, city.b
    number = proposal_id(a, CAMERAS)
    bench = f"/clerk/proposals/{number}"

    clerk = Browser(SITE)
    expect_redirect(clerk.sign_in(a.url, CLERK, PASSWORD), "clerk signs in on A")
    # The clerk, signed in on A, continues on B: the page loads there, and a form loaded
    # from A is accepted when it is posted to B.
    on_b = clerk.get(b.url + bench)
    assert on_b.status == 200 and "Sign out" in on_b.text, on_b.text[:500]
    hearing_day = clerk.get(a.url + bench).fields()["hearing_date"]
    expect_redirect(clerk.submit(a.url + bench, b.url + bench + "/schedule",
                                 {"hearing_date": hearing_day,
                                  "location": "Council Chamber, City Hall"}),
                    "hearing scheduled on B")
    expect_redirect(clerk.submit(b.url + bench, a.url + bench + "/motion", {
        "motion_type": "approve_with_conditions",
        "findings": [finding.value for finding in RequiredFinding],
        "conditions": "Post signs telling people the plaza is recorded.",
        "moved_by": "Council Member 1"}), "motion recorded on A")

    for seat, host in ((1, a), (2, b), (3, a)):
        member = Browser(SITE)
        member.sign_in(host.url, f"council{seat}@city.example.org", PASSWORD)
        vote = f"/council/proposals/{number}"
        other = b if host is a else a
        expect_redirect(member.submit(host.url + vote, other.url + vote, {"choice": "aye"}),
                        f"council member {seat} votes")

    expect_redirect(clerk.submit(a.url + bench, b.url + bench + "/close-roll-call", {}),
                    "roll call closed on B")
    expect_redirect(clerk.submit(b.url + bench, a.url + bench + "/issue", {}),
                    "determination issued on A")

    public = Browser(SITE)
    page = public.get(a.url + f"/proposals/{number}").text
    links = set(re.findall(r'href="(/determinations/[^"]+\.pdf)"', page))
    published = re.findall(r"data-sha256>([0-9a-f]{64})<", page)
    assert len(links) == len(published) == 1, (links, published)
    link = links.pop()
    from_b = public.get(b.url + link)
    from_a = public.get(a.url + link)
    assert from_b.status == 200, from_b.text[:500]
    assert from_b.headers["Content-Type"] == "application/pdf"
    assert hashlib.sha256(from_b.body).hexdigest() == published[0]
    assert from_b.headers["X-Content-SHA256"] == published[0]
    assert from_b.body == from_a.body
    assert from_b.headers["ETag"] == from_a.headers["ETag"]
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(from_b.body)).pages
                             ).split())
    assert CAMERAS in text, text[:1000]
    assert "Post signs telling people the plaza is recorded." in text, text[:3000]


def test_comment_limit_counts_across_both_hosts(city):
    a, b = city.a, city.b
    form = f"/proposals/{proposal_id(a, DRONES)}/comment"
    resident = Browser(SITE)

    def post_comment(host: AppHost, load_from: AppHost, n: int):
        fields = resident.get(load_from.url + form).fields()
        return resident.post(host.url + form, {
            "csrf_token": fields["csrf_token"], "nonce": fields["nonce"],
            "submitter_type": "anonymous", "position": "oppose",
            "body": f"Comment {n} on the drones, from one resident through both hosts."})

    for n in range(COMMENT_LIMIT):
        host = (a, b)[n % 2]
        expect_redirect(post_comment(host, host, n), f"comment {n} on {host.name}")
    # A has counted three and B two: only a count shared through Redis reaches the limit.
    for host in (a, b):
        refused = post_comment(host, host, COMMENT_LIMIT)
        assert refused.status == 429, f"{host.name}: {refused.status} {refused.text[:300]}"


def test_no_redis_key_holds_an_address_or_an_email(city):
    # Make sure every kind of limit has a counter: a failed sign-in on each host counts
    # against the client (the account's failures are counted in the database).
    for host in (city.a, city.b):
        failed = Browser(SITE).submit(host.url + "/auth/login", host.url + "/auth/login",
                                      {"email": CLERK, "password": "not-the-password"})
        assert failed.status == 400, failed.status
    keys = [key.decode() for key in city.redis.scan_iter(count=1000)]
    limiter_keys = [key for key in keys if "reviewapp/" in key or key.startswith("reviewapp")]
    today = datetime.now(UTC).date().isoformat()
    assert f"reviewapp:ratelimit-secret:{today}" in keys, keys
    assert any("client:" in key for key in limiter_keys), keys
    for key in keys:
        assert CLIENT_ADDRESS not in key, key
        assert "@" not in key and "city.example" not in key, key
        if city.redis.type(key) == b"string" and not key.startswith("reviewapp:ratelimit"):
            value = city.redis.get(key) or b""
            assert CLIENT_ADDRESS.encode() not in value, (key, value)


def test_session_signed_with_the_old_key_is_accepted_on_b_only(city):
    # A copy of the cookie goes to A first: B answers with a cookie signed with the new key.
    on_a = city.before_rotation.clone().get(city.a.url + "/clerk/")
    assert on_a.status == 302 and on_a.location == "/auth/login", (on_a.status, on_a.location)
    on_b = city.before_rotation.get(city.b.url + "/clerk/")
    assert on_b.status == 200 and "Clerk queue" in on_b.text, (on_b.status, on_b.text[:500])


def test_a_host_header_outside_trusted_hosts_gets_400(city):
    for host in (city.a, city.b):
        assert Browser(SITE).get(host.url + "/").status == 200
        assert Browser("evil.example").get(host.url + "/").status == 400
        assert Browser(SITE).get(host.url + "/", host=f"{SITE}.evil.example").status == 400


def test_host_logs_hold_no_client_address(city):
    for host in (city.a, city.b):
        lines = [line for line in host.log_text().splitlines()
                 if CLIENT_ADDRESS in line and "Listening at: http://" not in line]
        assert lines == [], f"{host.name} logged the client address:\n" + "\n".join(lines)
