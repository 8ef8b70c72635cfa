"""Database triggers that make public records append-only (ASVS 7.3.3, AUD-2).

The application never updates or deletes these rows; the triggers make the database refuse
it too, so a bug or a stray SQL session cannot quietly rewrite the record. A submitted
proposal version (and its data recipients) is frozen the same way. On PostgreSQL, TRUNCATE
(which row triggers do not see) is refused by statement triggers.

These functions describe the current schema, for create_all (tests, tools). Each migration
keeps a frozen copy of the SQL it ran, so that changing this module never changes history.
"""

from sqlalchemy import event

from .base import Base

APPEND_ONLY_TABLES = (
    "audit_event", "stage_change", "finding", "finding_override", "comment_period", "comment",
    "comment_moderation", "advisory_recommendation", "hearing", "motion", "vote",
    "motion_result", "determination",
    # After the vote (migration 0004).
    "obligation", "annual_report", "report_sharing", "report_finding", "report_review",
    "emergency_notice", "inventory_item", "proposal_origin",
    # Determination PDFs in the database (migration 0005).
    "determination_file",
)
# TRUNCATE skips row triggers, so every record table, and the proposals they belong to,
# also gets a statement trigger (PostgreSQL; SQLite has no TRUNCATE).
TRUNCATE_GUARDED_TABLES = (*APPEND_ONLY_TABLES, "proposal", "proposal_version", "data_recipient")


def _sqlite(tables) -> list[str]:
    statements = []
    for table in tables:
        for op in ("UPDATE", "DELETE"):
            statements.append(
                f"CREATE TRIGGER IF NOT EXISTS {table}_no_{op.lower()} BEFORE {op} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            )
    statements += [
        "CREATE TRIGGER IF NOT EXISTS proposal_version_frozen BEFORE UPDATE ON "
        "proposal_version WHEN OLD.submitted_at IS NOT NULL "
        "BEGIN SELECT RAISE(ABORT, 'a submitted proposal version is frozen'); END",
        "CREATE TRIGGER IF NOT EXISTS proposal_version_no_delete BEFORE DELETE ON "
        "proposal_version BEGIN SELECT RAISE(ABORT, 'proposal versions are kept'); END",
        "CREATE TRIGGER IF NOT EXISTS proposal_no_delete BEFORE DELETE ON proposal "
        "BEGIN SELECT RAISE(ABORT, 'proposals are kept'); END",
    ]
    for op in ("UPDATE", "DELETE"):
        statements.append(
            f"CREATE TRIGGER IF NOT EXISTS data_recipient_frozen_{op.lower()} BEFORE {op} ON "  # noqa: S608 (constant names)
            "data_recipient WHEN (SELECT submitted_at FROM proposal_version "
            "WHERE id = OLD.version_id) IS NOT NULL "
            "BEGIN SELECT RAISE(ABORT, 'recipients of a submitted version are frozen'); END"
        )
    return statements


def postgresql_truncate_guards(tables) -> list[str]:
    """Return the PostgreSQL SQL that refuses TRUNCATE on `tables`."""
    statements = [
        "CREATE OR REPLACE FUNCTION reviewapp_no_truncate() RETURNS trigger AS $$ BEGIN "
        "RAISE EXCEPTION USING MESSAGE = TG_TABLE_NAME || ' is append-only: TRUNCATE is "
        "refused'; END $$ LANGUAGE plpgsql",
    ]
    for table in tables:
        statements.append(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION reviewapp_no_truncate()"
        )
    return statements


def _postgresql(tables) -> list[str]:
    statements = [
        "CREATE OR REPLACE FUNCTION reviewapp_append_only() RETURNS trigger AS $$ BEGIN "
        "RAISE EXCEPTION USING MESSAGE = TG_TABLE_NAME || ' is append-only'; "
        "END $$ LANGUAGE plpgsql",
        "CREATE OR REPLACE FUNCTION reviewapp_frozen_version() RETURNS trigger AS $$ BEGIN "
        "IF TG_OP = 'DELETE' OR OLD.submitted_at IS NOT NULL THEN "
        "RAISE EXCEPTION 'a submitted proposal version is frozen'; END IF; "
        "RETURN NEW; END $$ LANGUAGE plpgsql",
        "CREATE OR REPLACE FUNCTION reviewapp_frozen_recipient() RETURNS trigger AS $$ BEGIN "
        "IF (SELECT submitted_at FROM proposal_version WHERE id = OLD.version_id) IS NOT NULL "
        "THEN RAISE EXCEPTION 'recipients of a submitted version are frozen'; END IF; "
        "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END $$ LANGUAGE plpgsql",
    ]
    for table in tables:
        statements.append(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION reviewapp_append_only()"
        )
    statements += [
        "CREATE TRIGGER proposal_version_frozen BEFORE UPDATE OR DELETE ON proposal_version "
        "FOR EACH ROW EXECUTE FUNCTION reviewapp_frozen_version()",
        "CREATE TRIGGER proposal_no_delete BEFORE DELETE ON proposal "
        "FOR EACH ROW EXECUTE FUNCTION reviewapp_append_only()",
        "CREATE TRIGGER data_recipient_frozen BEFORE UPDATE OR DELETE ON data_recipient "
        "FOR EACH ROW EXECUTE FUNCTION reviewapp_frozen_recipient()",
    ]
    return statements


def guard_statements(dialect: str) -> list[str]:
    """Return the SQL that installs every guard of the current schema on this dialect."""
    if dialect == "sqlite":
        return _sqlite(APPEND_ONLY_TABLES)
    if dialect == "postgresql":
        return (_postgresql(APPEND_ONLY_TABLES)
                + postgresql_truncate_guards(TRUNCATE_GUARDED_TABLES))
    raise ValueError(f"no append-only guards for {dialect}")


@event.listens_for(Base.metadata, "after_create")
def _install_guards(_metadata, connection, **_kw) -> None:
    """Install the guards whenever the schema is created with create_all (tests, tools)."""
    for statement in guard_statements(connection.dialect.name):
        connection.exec_driver_sql(statement)
