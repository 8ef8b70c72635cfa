"""Rate limits: per resident behind a proxy, per account, in Redis without addresses."""

import logging
import os

import pytest
import redis

from reviewapp.models import Comment, Stage
from reviewapp.ratelimit import DailySecret
from tests.factories import PASSWORD, complete_data, form_nonce

REDIS_URL = os.environ.get("REVIEWAPP_TEST_REDIS_URL", "redis://127.0.0.1:6379/9")
DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def comment(nonce: str) -> dict:
    return {"submitter_type": "anonymous", "position": "oppose",
            "body": "Please do not buy this.", "nonce": form_nonce(nonce)}


def from_address(address: str) -> dict:
    """Headers a reverse proxy adds for a client at `address`."""
    return {"X-Forwarded-For": address, "X-Forwarded-Proto": "https"}


def three_comments(client, proposal, address: str, label: str) -> list[int]:
    """Post three comments from one address; return the answers' status codes."""
    url = f"/proposals/{proposal.id}/comment"
    return [client.post(url, data=comment(f"{label}-{n}"),
                        headers=from_address(address)).status_code for n in range(3)]


@pytest.fixture
def shared_redis():
    """The tests' own Redis database, emptied first (never another database)."""
    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


@pytest.fixture
def open_proposal(world, db):
    item = world.proposal(Stage.PUBLIC_COMMENT)
    db.commit()
    return item


class TestBehindOneProxy:
    @pytest.fixture
    def app_config(self):
        return {"RATELIMIT_ENABLED": True, "TRUSTED_PROXIES": 1,
                "COMMENT_RATE_LIMIT": "2 per minute"}

    def test_residents_behind_the_proxy_each_have_their_own_limit(self, client, open_proposal):
        url = f"/proposals/{open_proposal.id}/comment"
        for number in range(25):
            response = client.post(url, data=comment(f"n-{number}"),
                                   headers=from_address(f"198.51.100.{number + 1}"))
            assert response.status_code == 302, f"resident {number + 1} was refused"

    def test_one_resident_is_still_limited(self, client, open_proposal, db):
        assert three_comments(client, open_proposal, "198.51.100.7", "same") == [302, 302, 429]
        assert db.query(Comment).count() == 2


class TestTooManyKeepsWhatWasTyped:
    @pytest.fixture
    def app_config(self):
        return {"RATELIMIT_ENABLED": True, "COMMENT_RATE_LIMIT": "1 per minute",
                "LOGIN_RATE_LIMIT": "1 per minute"}

    def test_a_refused_comment_comes_back_with_its_text(self, client, open_proposal, db):
        url = f"/proposals/{open_proposal.id}/comment"
        assert client.post(url, data=comment("first")).status_code == 302
        text = "Cameras at the plaza would record everyone going to the clinic."
        refused = client.post(url, data={**comment("second"), "body": text})
        page = refused.get_data(as_text=True)
        assert refused.status_code == 429
        assert "Too many comments at once" in page and 'role="alert"' in page
        assert text in page
        # The same nonce: sending again stores it once.
        assert f'value="{form_nonce("second")}"' in page
        assert db.query(Comment).count() == 1

    def test_a_refused_sign_in_keeps_the_email(self, client, world):
        client.post("/auth/login", data={"email": world.clerk.email, "password": "wrong"})
        refused = client.post("/auth/login", data={"email": world.clerk.email,
                                                   "password": PASSWORD})
        page = refused.get_data(as_text=True)
        assert refused.status_code == 429
        assert "Too many sign-in attempts" in page
        assert f'value="{world.clerk.email}"' in page


class TestWithoutTrustedProxies:
    @pytest.fixture
    def app_config(self):
        return {"RATELIMIT_ENABLED": True, "COMMENT_RATE_LIMIT": "2 per minute"}

    def test_a_forged_forwarded_for_header_does_not_buy_a_new_limit(self, client,
                                                                   open_proposal):
        url = f"/proposals/{open_proposal.id}/comment"
        answers = [client.post(url, data=comment(f"f-{n}"),
                               headers=from_address(f"203.0.113.{n + 1}")).status_code
                   for n in range(3)]
        assert answers == [302, 302, 429]


class TestTrustedHosts:
    @pytest.fixture
    def app_config(self):
        return {"TRUSTED_PROXIES": 1, "TRUSTED_HOSTS": ["reviews.example.gov"]}

    def test_a_foreign_host_header_is_refused(self, client):
        refused = client.get("/", headers={"Host": "evil.example"})
        assert refused.status_code == 400
        assert b"evil" not in refused.data and b"href" not in refused.data
        assert client.get("/", headers={"Host": "reviews.example.gov"}).status_code == 200

    def test_a_forwarded_host_outside_the_list_is_refused(self, client):
        response = client.get("/", headers={"Host": "reviews.example.gov",
                                            "X-Forwarded-Host": "evil.example"})
        assert response.status_code == 400

    def test_exported_links_use_only_the_configured_host(self, client, world, db):
        world.proposal(Stage.PUBLIC_COMMENT, data=complete_data(recipients=[
            {"name": "County Sheriff", "recipient_type": "county", "purpose": "Hot lists"}]))
        db.commit()
        response = client.get("/registry/export.csv", headers={
            "Host": "reviews.example.gov", "X-Forwarded-Proto": "https"})
        assert response.status_code == 200
        text = response.get_data(as_text=True)
        assert "https://reviews.example.gov/proposals/" in text
        assert "localhost" not in text and "evil" not in text


class TestInRedis:
    @pytest.fixture
    def app_config(self):
        return {"RATELIMIT_ENABLED": True, "TRUSTED_PROXIES": 1,
                "RATELIMIT_STORAGE_URI": REDIS_URL, "COMMENT_RATE_LIMIT": "2 per minute"}

    def test_no_key_or_value_holds_an_address_or_an_email(self, client, open_proposal, world,
                                                          shared_redis):
        address = "198.51.100.201"
        url = f"/proposals/{open_proposal.id}/comment"
        assert client.post(url, data=comment("r-1"),
                           headers=from_address(address)).status_code == 302
        client.post("/auth/login", data={"email": world.clerk.email, "password": "wrong"},
                    headers=from_address(address))
        keys = [key.decode() for key in shared_redis.scan_iter()]
        assert any("client:" in key for key in keys), keys
        everything = " ".join(keys)
        for key in keys:
            if shared_redis.type(key) == b"string":
                everything += " " + shared_redis.get(key).decode("latin-1")
        for secret in (address, "198.51.100", world.clerk.email, "127.0.0.1", "localhost"):
            assert secret not in everything

    def test_the_limit_holds_in_redis(self, client, open_proposal, shared_redis):
        assert three_comments(client, open_proposal, "198.51.100.9", "q") == [302, 302, 429]


class TestRedisDown:
    @pytest.fixture
    def app_config(self):
        return {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": DEAD_REDIS,
                "COMMENT_RATE_LIMIT": "2 per minute"}

    def test_comments_are_accepted_and_the_outage_is_logged(self, client, open_proposal, db,
                                                           caplog):
        caplog.set_level(logging.INFO)
        url = f"/proposals/{open_proposal.id}/comment"
        answers = [client.post(url, data=comment(f"d-{n}")).status_code for n in range(3)]
        # Accepted while Redis is down, and still limited, in this process's memory.
        assert answers == [302, 302, 429]
        assert db.query(Comment).count() == 2
        messages = " ".join(record.getMessage() for record in caplog.records)
        assert "Rate limit storage unreachable" in messages
        assert "Redis unreachable" in messages


def test_the_daily_secret_is_shared_through_redis(shared_redis):
    first, second = DailySecret(REDIS_URL), DailySecret(REDIS_URL)
    assert first.current() == second.current()
    assert len(first.current()) == 32
    stored = [key for key in shared_redis.scan_iter("reviewapp:ratelimit-secret:*")]
    assert len(stored) == 1
    assert 0 < shared_redis.ttl(stored[0]) <= 2 * 24 * 3600


def test_without_redis_each_process_has_its_own_secret():
    assert DailySecret(None).current() != DailySecret(None).current()


def test_with_redis_down_the_secret_is_local_and_the_outage_logged(caplog):
    secret = DailySecret(DEAD_REDIS)
    with caplog.at_level(logging.WARNING, logger="reviewapp.ratelimit"):
        value = secret.current()
    assert len(value) == 32
    assert secret.current() == value  # stable until Redis answers again
    assert "Redis unreachable" in caplog.text
