"""Alembic builds the schema from an empty database, and it matches the models."""

import os
from datetime import UTC, datetime

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, select, text

from reviewapp.cli.setup import alembic_config
from reviewapp.models import Base


def seeded_app_at_head(tmp_path, url: str):
    """Return an app on `url`, migrated to the newest revision and seeded with the demo."""
    from reviewapp import create_app
    from reviewapp.cli.setup import upgrade_database
    from reviewapp.db import get_session
    from reviewapp.demo import seed

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "migrated-test-" + "k" * 32},
                     instance_path=str(tmp_path / "instance"))
    upgrade_database(app)
    with app.app_context():
        assert seed(get_session()) is True
    return app


def empty_database_url(tmp_path) -> tuple[str, callable]:
    """Return a URL to an empty database and a function that cleans it up."""
    pg_url = os.environ.get("TEST_DATABASE_URL")
    if not pg_url:
        return f"sqlite:///{tmp_path / 'migrated.sqlite3'}", lambda: None
    schema = f"migration_{os.getpid()}"
    admin = create_engine(pg_url)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))

    def drop():
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()

    separator = "&" if "?" in pg_url else "?"
    return f"{pg_url}{separator}options=-csearch_path%3D{schema}", drop


def test_migrations_from_empty_database_match_the_models(tmp_path):
    url, cleanup = empty_database_url(tmp_path)
    try:
        command.upgrade(alembic_config(url), "head")
        engine = create_engine(url)
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            differences = compare_metadata(context, Base.metadata)
            tables = set(conn.dialect.get_table_names(conn))
        engine.dispose()
        assert differences == []
        assert set(Base.metadata.tables) <= tables
    finally:
        cleanup()


def test_the_new_recipient_types_are_stored_on_a_migrated_database(tmp_path):
    from reviewapp import clock
    from reviewapp.db import get_session
    from reviewapp.models import DataRecipient, Role, User
    from reviewapp.services import proposals
    from tests.factories import complete_data

    url, cleanup = empty_database_url(tmp_path)
    try:
        app = seeded_app_at_head(tmp_path, url)
        with app.app_context():
            db = get_session()
            analyst = db.scalars(select(User).where(User.role == Role.SUBMITTER)).first()
            rows = [{"name": name, "recipient_type": kind, "purpose": "p",
                     "data_categories": "d", "legal_basis": "l"}
                    for name, kind in (("Partners", "not_stated"),
                                       ("Regional intelligence center", "fusion_center"))]
            item = proposals.create_draft(db, analyst, clock.now(),
                                          complete_data(recipients=rows))
            db.commit()
            stored = db.scalars(select(DataRecipient.recipient_type)
                                .where(DataRecipient.version_id == item.current_version.id)
                                .order_by(DataRecipient.position)).all()
            assert [kind.value for kind in stored] == ["not_stated", "fusion_center"]
            engine = app.extensions["db_engine"]
            if engine.dialect.name == "sqlite":  # the edit left the append-only guards
                triggers = db.scalars(text(
                    "SELECT name FROM sqlite_master WHERE type = 'trigger' "
                    "AND tbl_name IN ('data_recipient', 'report_sharing')")).all()
                assert len(triggers) == 4
            engine.dispose()
    finally:
        cleanup()


def test_setup_db_seals_an_audit_chain_written_before_seals(tmp_path):
    from reviewapp import audit, create_app
    from reviewapp.db import get_session
    from reviewapp.models import AuditEvent

    url, cleanup = empty_database_url(tmp_path)
    try:
        command.upgrade(alembic_config(url), "0013")
        engine = create_engine(url)
        with engine.begin() as conn:  # an event as the app wrote it before seals existed
            conn.execute(text(
                "INSERT INTO audit_event (created_at, actor_id, actor_label, action, "
                "object_type, object_id, details, prev_hash, hash) VALUES (:at, NULL, "
                "'public', 'note', 'proposal', 'P-1', '{}', :prev, :hash)"),
                {"at": "2026-12-01 10:00:00", "prev": audit.GENESIS,
                 "hash": audit._digest(audit.GENESIS, datetime(2026, 12, 1, 10, tzinfo=UTC),
                                       None, "public", "note", "proposal", "P-1", "{}")})
        engine.dispose()
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "sealing-test-" + "k" * 32},
                         instance_path=str(tmp_path / "instance"))
        result = app.test_cli_runner().invoke(args=["setup-db"])
        assert result.exit_code == 0, result.output
        assert "every new event is sealed" in result.output
        with app.app_context():
            db = get_session()
            report = audit.verify_chain(db)
            assert report.ok and report.count == 2, report.problem
            newest = db.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))
            assert newest.action == "start_sealing"
        app.extensions["db_engine"].dispose()
    finally:
        cleanup()
