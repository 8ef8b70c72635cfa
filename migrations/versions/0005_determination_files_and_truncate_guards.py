"""determination PDFs in the database; TRUNCATE refused on every record table

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01

Every app host must be able to serve an issued determination, so its bytes move from the
issuing host's instance/determinations/ folder into the table determination_file. Each
existing file is checked against the SHA-256 published for it before anything changes; a
missing or altered file stops the migration with nothing done.
"""

import hashlib
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# Frozen here: the exact guard SQL this migration runs (see 0002).
SQLITE_GUARDS = [
    "CREATE TRIGGER IF NOT EXISTS determination_file_no_update BEFORE UPDATE ON determination_file BEGIN SELECT RAISE(ABORT, 'determination_file is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS determination_file_no_delete BEFORE DELETE ON determination_file BEGIN SELECT RAISE(ABORT, 'determination_file is append-only'); END",
]

POSTGRESQL_GUARDS = [
    "CREATE OR REPLACE FUNCTION reviewapp_no_truncate() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION USING MESSAGE = TG_TABLE_NAME || ' is append-only: TRUNCATE is refused'; END $$ LANGUAGE plpgsql",
    'CREATE TRIGGER determination_file_append_only BEFORE UPDATE OR DELETE ON determination_file FOR EACH ROW EXECUTE FUNCTION reviewapp_append_only()',
    'CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event FOR EACH STATEMENT EXECUTE FUNCTION reviewapp_no_truncate()',
    'CREATE TRIGGER stage_change_no_truncate BEFORE TRUNCATE ON stage_change FOR EACH STATEMENT EXECUTE FUNCTION reviewapp_no_truncate()',
    'CREATE TRIGGER finding_no_truncate BEFORE TRUNCATE ON finding FOR EACH STATEMENT EXECUTE FUNCTION reviewapp_no_truncate()',
    'CREATE TRIGGER finding_override_no_truncate BEFORE TRUNCATE ON finding_override FOR EACH STATEMENT EXECUTE FUNCTION reviewapp_no_truncate()',
    'CREATE TRIGGER comment_period_no_truncate BEFORE TRUNCATE ON comment_period FOR EACH STATEMENT EXECUTE FUNCTION reviewapp_no_truncate()',
    'CREATE TRIGGER comment_no_truncate BEFORE TRUNCATE ON comment FOR EACH STATEMENT EXECUTE FUNCTION reviewapp_no_truncate()',
    'CREATE TRIGGER comment_moderation_no_truncate BEFORE TRUNCATE ON comment_moderation FOR EACH STATEMENT EXECUTE FUNCTION reviewapp_no_truncate()',
    'CREATE TRIGGER advisory_recommendation_no_truncate BEFORE TRUNCATE ON advisory_recommendation FOR EACH STATEMENT EXECUTE FUNCTION reviewapp_no_truncate()',
    'CREATE TRIGGER hearing_no_truncate BEFORE TRUNCATE ON hearing FOR EACH STATEMENT EXECUTE FUNCTION reviewapp_no_truncate()',
    'CREATE TRIGGER motion_no_truncate BEFORE TRUNCATE ON motion FOR EACH STATEMENT EXECUTE FUNCTION reviewapp_no_truncate()',
    'CREATE TRIGGER vote_no_truncate BEFORE TRUNCATE ON vote FOR EACH STATEMENT EXECUTE FUNCTION reviewapp_no_truncate()',
    'CREATE TRIGGER motion_result_no_truncate BEFORE TRUNCATE ON motion_result FOR EACH STATEMENT EXECUTE FUNCTION reviewapp_no_truncate()',
    'CREATE TRIGGER determination_no_truncate BEFORE TRUNCATE ON determination FOR EACH STATEMENT EXECUTE FUNCTION reviewapp_no_truncate()',
    'CREATE TRIGGER obligation_no_truncate BEFORE TRUNCATE ON obligation FOR EACH STATEMENT EXECUTE FUNCTION reviewapp_no_truncate()',
    'CREATE TRIGGER annual_report_no_truncate BEFORE TRUNCATE ON annual_report FOR EACH STATEMENT EXECUTE FUNCTION reviewapp_no_truncate()',
    'CREATE TRIGGER report_sharing_no_truncate BEFORE TRUNCATE ON report_sharing FOR EACH STATEMENT EXECUTE FUNCTION reviewapp_no_truncate()',
    'CREATE TRIGGER report_finding_no_truncate BEFORE TRUNCATE ON report_finding FOR EACH STATEMENT EXECUTE FUNCTION reviewapp_no_truncate()',
    'CREATE TRIGGER report_review_no_truncate BEFORE TRUNCATE ON report_review FOR EACH STATEMENT EXECUTE FUNCTION reviewapp_no_truncate()',
    'CREATE TRIGGER emergency_notice_no_truncate BEFORE TRUNCATE ON emergency_notice FOR EACH STATEMENT EXECUTE FUNCTION reviewapp_no_truncate()',
    'CREATE TRIGGER inventory_item_no_truncate BEFORE TRUNCATE ON inventory_item FOR EACH STATEMENT EXECUTE FUNCTION reviewapp_no_truncate()',
    'CREATE TRIGGER proposal_origin_no_truncate BEFORE TRUNCATE ON proposal_origin FOR EACH STATEMENT EXECUTE FUNCTION reviewapp_no_truncate()',
    'CREATE TRIGGER determination_file_no_truncate BEFORE TRUNCATE ON determination_file FOR EACH STATEMENT EXECUTE FUNCTION reviewapp_no_truncate()',
    'CREATE TRIGGER proposal_no_truncate BEFORE TRUNCATE ON proposal FOR EACH STATEMENT EXECUTE FUNCTION reviewapp_no_truncate()',
    'CREATE TRIGGER proposal_version_no_truncate BEFORE TRUNCATE ON proposal_version FOR EACH STATEMENT EXECUTE FUNCTION reviewapp_no_truncate()',
    'CREATE TRIGGER data_recipient_no_truncate BEFORE TRUNCATE ON data_recipient FOR EACH STATEMENT EXECUTE FUNCTION reviewapp_no_truncate()',
]

GUARDS = {"sqlite": SQLITE_GUARDS, "postgresql": POSTGRESQL_GUARDS}


def _issued_files(bind) -> list[tuple[int, bytes]]:
    """Read every issued PDF from the instance folder, checked against its SHA-256."""
    rows = bind.execute(sa.text(
        "SELECT id, document_number, file_name, sha256 FROM determination ORDER BY id")).all()
    if not rows:
        return []
    attributes = op.get_context().config.attributes
    folder = Path(attributes.get("instance_path") or "instance") / "determinations"
    found, problems = [], []
    for row in rows:
        path = folder / row.file_name
        if not path.is_file():
            problems.append(f"{row.document_number}: {path} is missing")
            continue
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != row.sha256:
            problems.append(f"{row.document_number}: {path} does not match its published "
                            f"SHA-256 {row.sha256}")
            continue
        found.append((row.id, data))
    if problems:
        raise RuntimeError(
            "Cannot move the issued determination PDFs into the database; nothing was "
            "changed.\n  " + "\n  ".join(problems) + "\nCopy instance/determinations/ from "
            "the host that issued them into this host's instance folder and run setup-db "
            "again.")
    return found


def upgrade() -> None:
    bind = op.get_bind()
    # Read and check the files first, so a problem stops the migration before any change.
    files = _issued_files(bind)
    table = op.create_table(
        "determination_file",
        sa.Column("determination_id", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["determination_id"], ["determination.id"],
                                name=op.f("fk_determination_file_determination_id_determination")),
        sa.PrimaryKeyConstraint("determination_id", name=op.f("pk_determination_file")),
    )
    if files:
        op.bulk_insert(table, [{"determination_id": i, "content": data} for i, data in files])
    for statement in GUARDS[bind.dialect.name]:
        op.execute(statement)


def downgrade() -> None:
    # The files stay in the instance folder of the host that issued them; a downgrade
    # would need them there again.
    if op.get_bind().dialect.name == "postgresql":
        for statement in POSTGRESQL_GUARDS:
            if statement.startswith("CREATE TRIGGER") and "no_truncate" in statement:
                words = statement.split()
                op.execute(f"DROP TRIGGER IF EXISTS {words[2]} ON {words[words.index('ON') + 1]}")
        op.execute("DROP FUNCTION IF EXISTS reviewapp_no_truncate()")
    op.drop_table("determination_file")
