"""Failed sign-ins per account: counted in the database by every host, with no enumeration."""

from argon2 import PasswordHasher
from sqlalchemy import select

from reviewapp import create_app
from reviewapp.db import dispose
from reviewapp.models import SignInThrottle, User
from reviewapp.throttle import FAILURES_ALLOWED
from reviewapp.views.auth import LOCKED_MESSAGE
from tests.factories import PASSWORD

WRONG = "not the password at all"


def sign_in(client, email: str, password: str, address: str = "192.0.2.1") -> tuple[int, str]:
    response = client.post("/auth/login", data={"email": email, "password": password},
                           environ_base={"REMOTE_ADDR": address})
    return response.status_code, response.get_data(as_text=True)


def test_failures_from_many_addresses_lock_the_account_even_for_the_right_password(
        client, world):
    clerk = world.clerk.email
    answers = [sign_in(client, clerk, WRONG, f"192.0.2.{n}")[0]
               for n in range(FAILURES_ALLOWED)]
    assert answers == [400] * FAILURES_ALLOWED
    status, page = sign_in(client, clerk, PASSWORD, "198.51.100.7")
    assert status == 429 and LOCKED_MESSAGE in page
    # Another account is not affected.
    assert sign_in(client, world.advisory.email, PASSWORD)[0] == 302


def test_an_address_without_an_account_is_answered_exactly_alike(client, world, db):
    def refusals(email: str) -> list[tuple[int, str]]:
        answers = []
        for _ in range(FAILURES_ALLOWED + 1):
            status, page = sign_in(client, email, WRONG)
            answers.append((status, "not right" in page, LOCKED_MESSAGE in page))
        return answers

    assert refusals(world.clerk.email) == refusals("nobody@city.example.org")
    keys = db.scalars(select(SignInThrottle.account_key)).all()
    assert len(keys) == 2 and not any("@" in key or "example" in key for key in keys)


def test_the_lock_ends_and_a_success_forgets_the_failures(client, world, clock, db):
    clerk = world.clerk.email
    for _ in range(FAILURES_ALLOWED):
        sign_in(client, clerk, WRONG)
    assert sign_in(client, clerk, PASSWORD)[0] == 429
    clock.advance(minutes=15, seconds=1)
    assert sign_in(client, clerk, WRONG)[0] == 400
    assert sign_in(client, clerk, PASSWORD)[0] == 302
    assert db.scalars(select(SignInThrottle)).all() == []


def test_failures_spread_beyond_the_window_do_not_lock(client, world, clock):
    clerk = world.clerk.email
    for _ in range(FAILURES_ALLOWED * 2):
        assert sign_in(client, clerk, WRONG)[0] == 400
        clock.advance(minutes=4)
    assert sign_in(client, clerk, PASSWORD)[0] == 302


def test_two_hosts_on_one_database_count_together(app, world, clock, db):
    other = create_app({**{k: app.config[k] for k in ("SECRET_KEY", "DATABASE_URL",
                                                      "CLOCK", "TESTING")},
                        "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False},
                       instance_path=app.instance_path)
    db.commit()
    try:
        hosts = [app.test_client(), other.test_client()]
        for n in range(FAILURES_ALLOWED):
            assert sign_in(hosts[n % 2], world.clerk.email, WRONG)[0] == 400
        assert [sign_in(h, world.clerk.email, PASSWORD)[0] for h in hosts] == [429, 429]
    finally:
        dispose(other)


def test_a_hash_made_with_weaker_parameters_is_upgraded_at_sign_in(client, world, db):
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    world.clerk.password_hash = weak
    db.commit()
    assert sign_in(client, world.clerk.email, PASSWORD)[0] == 302
    db.expire_all()
    stored = db.get(User, world.clerk.id).password_hash
    assert stored != weak and "m=65536,t=3,p=1" in stored


def test_fewer_failures_than_allowed_never_lock(client, world):
    for _ in range(FAILURES_ALLOWED - 1):
        sign_in(client, world.clerk.email, WRONG)
    assert sign_in(client, world.clerk.email, PASSWORD)[0] == 302
