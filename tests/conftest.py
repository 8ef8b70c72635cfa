"""Fixtures: an app on a fresh database (SQLite by default, PostgreSQL when asked)."""

import os
import shutil
from pathlib import Path

import pytest
from flask import g, has_app_context
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from reviewapp import create_app
from reviewapp.db import dispose, make_engine
from reviewapp.jurisdiction import profile as active_profile
from reviewapp.models import Base
from tests.clock import FrozenClock
from tests.factories import PASSWORD, World

# Set TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test to run the
# whole suite on PostgreSQL; the default is a fresh SQLite file per test.
PG_URL = os.environ.get("TEST_DATABASE_URL")


@pytest.fixture(scope="session")
def database_template(tmp_path_factory):
    """Create the schema once: a template SQLite file, or PostgreSQL tables.

    On PostgreSQL each test process gets its own schema, so that several runs (or
    developers) can share one database without truncating each other's tables.
    """
    if PG_URL:
        schema = f"test_run_{os.getpid()}"
        admin = create_engine(PG_URL)
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        separator = "&" if "?" in PG_URL else "?"
        url = f"{PG_URL}{separator}options=-csearch_path%3D{schema}"
        engine = create_engine(url)
        Base.metadata.create_all(engine)
        engine.dispose()
        yield url
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()
        return
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    Base.metadata.create_all(engine)
    engine.dispose()
    yield path


def _empty_database(template, tmp_path: Path) -> str:
    """Return a URL to an empty database with the schema."""
    if PG_URL:
        engine = create_engine(template)
        tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        with engine.begin() as conn:
            # The record tables refuse TRUNCATE; only the tests empty them, as the superuser
            # with triggers switched off for this one transaction.
            conn.execute(text("SET LOCAL session_replication_role = replica"))
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        engine.dispose()
        return template
    target = tmp_path / "test.sqlite3"
    shutil.copy(template, target)
    return f"sqlite:///{target}"


@pytest.fixture
def clock():
    """A frozen clock the test can advance."""
    return FrozenClock()


@pytest.fixture
def app_config():
    """Settings a test may override before the app is built."""
    return {}


@pytest.fixture
def app(database_template, tmp_path, clock, app_config):
    """An app on an empty database, with CSRF off unless a test turns it on."""
    instance = tmp_path / "instance"
    instance.mkdir()
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-" + "x" * 32,
        "DATABASE_URL": _empty_database(database_template, tmp_path),
        "CLOCK": clock,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        # No role must set up a second factor unless a test asks (tests/test_mfa.py and
        # the browser walk do); an account that has one still signs in with it.
        "MFA_ROLES": [],
    }
    config.update(app_config)
    application = create_app(config, instance_path=str(instance))
    yield application
    dispose(application)


@pytest.fixture
def db(app):
    """The test's own database session, inside an app context (requests get theirs)."""
    with app.app_context():
        session = app.extensions["db_sessionmaker"]()
        yield session
        session.close()


@pytest.fixture
def profile(app):
    """The active jurisdiction profile."""
    with app.app_context():
        return active_profile()


@pytest.fixture
def world(app, db, profile, clock):
    """Users for every role, and a helper to walk proposals to any stage."""
    return World(db, profile, clock, app.instance_path)


class SessionAwareClient(FlaskClient):
    """A test client that commits the test's own session before every request.

    Requests then see what the test wrote, the test's transaction never holds SQLite's
    write lock while a request runs, and the test reads fresh rows afterwards.
    """

    test_session = None

    def open(self, *args, **kwargs):
        if self.test_session is not None:
            self.test_session.commit()
            self.test_session.expire_all()
        # The test's app context is reused by requests; give each request an empty `g`
        # (no cached user, no session), as a real request's own app context would have.
        if has_app_context():
            for key in list(g):
                g.pop(key)
        return super().open(*args, **kwargs)


@pytest.fixture
def client(app, db):
    """A test client that keeps the test's session in step with requests."""
    app.test_client_class = SessionAwareClient
    test_client = app.test_client()
    test_client.test_session = db
    return test_client


@pytest.fixture
def login_as(client, world):
    """Sign the client in as the world's user for a role; returns the user."""

    def login(role: str):
        user = world.user(role)
        client.post("/auth/logout")
        response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 302, response.data[:500]
        return user

    return login
