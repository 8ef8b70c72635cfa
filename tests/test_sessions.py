"""Session cookies: a cookie's signature is checked once per process, and nothing else about
the check changes (tampering, age, key rotation, and changes to the session)."""

from datetime import timedelta

import pytest
from flask import session

from reviewapp.sessions import KeptSerializerSessionInterface


@pytest.fixture
def interface(app):
    return app.session_interface


def signed(app, data: dict) -> str:
    with app.test_request_context("/"):
        return app.session_interface.get_signing_serializer(app).dumps(data)


def opened(app, cookie: str):
    with app.test_request_context("/", headers={"Cookie": f"session={cookie}"}) as ctx:
        return app.session_interface.open_session(app, ctx.request)


def test_the_app_uses_the_kept_interface(interface):
    assert isinstance(interface, KeptSerializerSessionInterface)


def test_a_cookie_checked_once_opens_the_same_again(app):
    cookie = signed(app, {"csrf_token": "abc"})
    assert dict(opened(app, cookie)) == {"csrf_token": "abc"}
    assert dict(opened(app, cookie)) == {"csrf_token": "abc"}


def test_a_tampered_cookie_is_refused_even_after_the_real_one_was_checked(app):
    cookie = signed(app, {"_user_id": "1"})
    assert opened(app, cookie).get("_user_id") == "1"
    rest = cookie.partition(".")[2]  # the first cookie's timestamp and signature
    forged = signed(app, {"_user_id": "2"}).partition(".")[0] + "." + rest
    assert dict(opened(app, forged)) == {}
    assert dict(opened(app, cookie[:-2] + "xx")) == {}


def test_an_expired_cookie_is_refused_though_it_was_checked_when_fresh(app):
    cookie = signed(app, {"csrf_token": "abc"})
    assert opened(app, cookie)  # checked and kept
    app.permanent_session_lifetime = timedelta(seconds=-1)  # every cookie is now too old
    assert dict(opened(app, cookie)) == {}


def test_changing_an_opened_session_leaves_the_next_opening_untouched(app):
    cookie = signed(app, {"_flashes": [("message", "Saved.")]})
    first = opened(app, cookie)
    first["_flashes"].append(("message", "Injected"))
    first["extra"] = 1
    assert dict(opened(app, cookie)) == {"_flashes": [("message", "Saved.")]}


def test_a_new_secret_key_checks_kept_cookies_again(app):
    cookie = signed(app, {"csrf_token": "abc"})
    assert opened(app, cookie)
    app.secret_key = "another-secret-key-" + "x" * 32
    assert dict(opened(app, cookie)) == {}  # not signed with the key in force


def test_the_session_still_round_trips_through_a_request(app, client):
    @app.route("/_session_probe")
    def probe():
        session["count"] = session.get("count", 0) + 1
        return str(session["count"])

    assert [client.get("/_session_probe").get_data(as_text=True) for _ in range(3)] == \
        ["1", "2", "3"]
