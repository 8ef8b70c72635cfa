"""The record is hard to damage: TRUNCATE refused, a least-privilege app role, frozen guards.

Several tests need PostgreSQL (roles, TRUNCATE, advisory locks): they run in the suite's
PostgreSQL pass (TEST_DATABASE_URL set) and are skipped in the SQLite pass.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, ProgrammingError

from reviewapp import create_app
from reviewapp.cli.setup import app_privileges, unclassified_tables, upgrade_database
from reviewapp.db import get_session
from reviewapp.demo import seed
from reviewapp.models import Base
from reviewapp.models.append_only import APPEND_ONLY_TABLES, TRUNCATE_GUARDED_TABLES
from tests.test_migrations import empty_database_url

PG_URL = os.environ.get("TEST_DATABASE_URL")
ROOT = Path(__file__).resolve().parent.parent
KEY = "guards-test-" + "k" * 32
needs_postgresql = pytest.mark.skipif(
    not PG_URL, reason="needs PostgreSQL: runs in the suite's PostgreSQL pass")


def installed_triggers(url: str) -> set[tuple[str, str]]:
    """Return (trigger name, table) for every user trigger of the database at `url`."""
    engine = create_engine(url)
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            rows = conn.execute(text(
                "SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'"))
        else:
            rows = conn.execute(text(
                "SELECT t.tgname, c.relname FROM pg_trigger t JOIN pg_class c "
                "ON c.oid = t.tgrelid WHERE NOT t.tgisinternal "
                "AND c.relnamespace = current_schema()::regnamespace"))
        found = {(name, table) for name, table in rows}
    engine.dispose()
    return found


def test_migrations_install_exactly_the_guards_of_the_models(tmp_path, database_template):
    url, cleanup = empty_database_url(tmp_path)
    try:
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": KEY},
                         instance_path=str(tmp_path / "instance"))
        upgrade_database(app)
        app.extensions["db_engine"].dispose()
        migrated = installed_triggers(url)
    finally:
        cleanup()
    template = database_template if PG_URL else f"sqlite:///{database_template}"
    assert migrated == installed_triggers(template)
    guarded = {table for _name, table in migrated}
    assert set(APPEND_ONLY_TABLES) <= guarded


def test_every_table_has_its_privileges_decided():
    assert unclassified_tables() == []
    for table in APPEND_ONLY_TABLES:
        assert app_privileges()[table] == "SELECT, INSERT", table


@needs_postgresql
def test_truncate_is_refused_on_every_record_table(db):
    for table in TRUNCATE_GUARDED_TABLES:
        with pytest.raises(DBAPIError, match="append-only: TRUNCATE is refused"):
            db.execute(text(f"TRUNCATE {table} CASCADE"))
        db.rollback()


@pytest.fixture
def own_schema(tmp_path):
    """A PostgreSQL schema of this test's own, and a login role for the app, both dropped."""
    suffix = f"{os.getpid()}_{tmp_path.name[-12:].replace('-', '_')}".lower()
    schema, role = f"guards_{suffix}", f"reviewapp_app_{suffix}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
        conn.execute(text(f"DROP ROLE IF EXISTS {role}"))
        conn.execute(text(f"CREATE ROLE {role} LOGIN"))
    owner = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    runner = owner.set(username=role)
    yield owner.render_as_string(hide_password=False), runner.render_as_string(
        hide_password=False), role
    with admin.connect() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"DROP ROLE IF EXISTS {role}"))
    admin.dispose()


@needs_postgresql
def test_the_app_role_reads_and_appends_but_cannot_damage_the_record(own_schema, tmp_path):
    owner_url, app_url, role = own_schema
    app = create_app({"DATABASE_URL": app_url, "MIGRATION_DATABASE_URL": owner_url,
                      "SECRET_KEY": KEY, "RATELIMIT_ENABLED": False},
                     instance_path=str(tmp_path / "instance"))
    try:
        assert upgrade_database(app) == role
        with app.app_context():
            # The whole demo, as the app's role: every kind of record is written.
            assert seed(get_session()) is True
            get_session().commit()
        client = app.test_client()
        assert client.get("/").status_code == 200
        assert client.get("/registry/").status_code == 200
        engine = create_engine(app_url)
        refused = {
            "UPDATE comment SET body = 'x'": "permission denied",
            "DELETE FROM audit_event": "permission denied",
            "DELETE FROM determination_file": "permission denied",
            "TRUNCATE vote": "permission denied",
            "ALTER TABLE vote DISABLE TRIGGER ALL": "must be owner",
            "DROP TRIGGER vote_append_only ON vote": "must be owner",
            "CREATE TABLE intruder (id int)": "permission denied",
        }
        for statement, reason in refused.items():
            with engine.connect() as conn, pytest.raises(ProgrammingError, match=reason):
                conn.execute(text(statement))
        with engine.connect() as conn:
            count = conn.execute(text("SELECT count(*) FROM comment")).scalar_one()
            assert count > 0
        engine.dispose()
    finally:
        app.extensions["db_engine"].dispose()


@needs_postgresql
def test_two_hosts_running_setup_db_together_do_not_race(own_schema, tmp_path):
    owner_url, _app_url, _role = own_schema
    env = {**os.environ, "REVIEWAPP_DATABASE_URL": owner_url, "REVIEWAPP_SECRET_KEY": KEY,
           "FLASK_APP": "wsgi"}
    flask = str(Path(sys.executable).parent / "flask")
    starts = [subprocess.Popen([flask, "setup-db"], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
              for _ in range(2)]
    outputs = [process.communicate(timeout=120)[0] for process in starts]
    assert [process.returncode for process in starts] == [0, 0], outputs
    engine = create_engine(owner_url)
    with engine.connect() as conn:
        versions = conn.execute(text("SELECT version_num FROM alembic_version")).all()
        tables = set(conn.dialect.get_table_names(conn))
    engine.dispose()
    assert len(versions) == 1
    assert set(Base.metadata.tables) <= tables
