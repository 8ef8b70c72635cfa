"""append-only guards on public records

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from alembic import op


revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Frozen here: the exact SQL this migration ran when it was written. It must never follow
# later changes to reviewapp.models.append_only, or a new database would differ from an old one.
SQLITE_GUARDS = [
    "CREATE TRIGGER IF NOT EXISTS audit_event_no_update BEFORE UPDATE ON audit_event BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS audit_event_no_delete BEFORE DELETE ON audit_event BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS stage_change_no_update BEFORE UPDATE ON stage_change BEGIN SELECT RAISE(ABORT, 'stage_change is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS stage_change_no_delete BEFORE DELETE ON stage_change BEGIN SELECT RAISE(ABORT, 'stage_change is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS finding_no_update BEFORE UPDATE ON finding BEGIN SELECT RAISE(ABORT, 'finding is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS finding_no_delete BEFORE DELETE ON finding BEGIN SELECT RAISE(ABORT, 'finding is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS finding_override_no_update BEFORE UPDATE ON finding_override BEGIN SELECT RAISE(ABORT, 'finding_override is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS finding_override_no_delete BEFORE DELETE ON finding_override BEGIN SELECT RAISE(ABORT, 'finding_override is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS comment_period_no_update BEFORE UPDATE ON comment_period BEGIN SELECT RAISE(ABORT, 'comment_period is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS comment_period_no_delete BEFORE DELETE ON comment_period BEGIN SELECT RAISE(ABORT, 'comment_period is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS comment_no_update BEFORE UPDATE ON comment BEGIN SELECT RAISE(ABORT, 'comment is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS comment_no_delete BEFORE DELETE ON comment BEGIN SELECT RAISE(ABORT, 'comment is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS comment_moderation_no_update BEFORE UPDATE ON comment_moderation BEGIN SELECT RAISE(ABORT, 'comment_moderation is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS comment_moderation_no_delete BEFORE DELETE ON comment_moderation BEGIN SELECT RAISE(ABORT, 'comment_moderation is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS advisory_recommendation_no_update BEFORE UPDATE ON advisory_recommendation BEGIN SELECT RAISE(ABORT, 'advisory_recommendation is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS advisory_recommendation_no_delete BEFORE DELETE ON advisory_recommendation BEGIN SELECT RAISE(ABORT, 'advisory_recommendation is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS hearing_no_update BEFORE UPDATE ON hearing BEGIN SELECT RAISE(ABORT, 'hearing is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS hearing_no_delete BEFORE DELETE ON hearing BEGIN SELECT RAISE(ABORT, 'hearing is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS motion_no_update BEFORE UPDATE ON motion BEGIN SELECT RAISE(ABORT, 'motion is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS motion_no_delete BEFORE DELETE ON motion BEGIN SELECT RAISE(ABORT, 'motion is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS vote_no_update BEFORE UPDATE ON vote BEGIN SELECT RAISE(ABORT, 'vote is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS vote_no_delete BEFORE DELETE ON vote BEGIN SELECT RAISE(ABORT, 'vote is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS motion_result_no_update BEFORE UPDATE ON motion_result BEGIN SELECT RAISE(ABORT, 'motion_result is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS motion_result_no_delete BEFORE DELETE ON motion_result BEGIN SELECT RAISE(ABORT, 'motion_result is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS determination_no_update BEFORE UPDATE ON determination BEGIN SELECT RAISE(ABORT, 'determination is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS determination_no_delete BEFORE DELETE ON determination BEGIN SELECT RAISE(ABORT, 'determination is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS proposal_version_frozen BEFORE UPDATE ON proposal_version WHEN OLD.submitted_at IS NOT NULL BEGIN SELECT RAISE(ABORT, 'a submitted proposal version is frozen'); END",
    "CREATE TRIGGER IF NOT EXISTS proposal_version_no_delete BEFORE DELETE ON proposal_version BEGIN SELECT RAISE(ABORT, 'proposal versions are kept'); END",
    "CREATE TRIGGER IF NOT EXISTS proposal_no_delete BEFORE DELETE ON proposal BEGIN SELECT RAISE(ABORT, 'proposals are kept'); END",
    "CREATE TRIGGER IF NOT EXISTS data_recipient_frozen_update BEFORE UPDATE ON data_recipient WHEN (SELECT submitted_at FROM proposal_version WHERE id = OLD.version_id) IS NOT NULL BEGIN SELECT RAISE(ABORT, 'recipients of a submitted version are frozen'); END",
    "CREATE TRIGGER IF NOT EXISTS data_recipient_frozen_delete BEFORE DELETE ON data_recipient WHEN (SELECT submitted_at FROM proposal_version WHERE id = OLD.version_id) IS NOT NULL BEGIN SELECT RAISE(ABORT, 'recipients of a submitted version are frozen'); END",
]

POSTGRESQL_GUARDS = [
    "CREATE OR REPLACE FUNCTION reviewapp_append_only() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION USING MESSAGE = TG_TABLE_NAME || ' is append-only'; END $$ LANGUAGE plpgsql",
    "CREATE OR REPLACE FUNCTION reviewapp_frozen_version() RETURNS trigger AS $$ BEGIN IF TG_OP = 'DELETE' OR OLD.submitted_at IS NOT NULL THEN RAISE EXCEPTION 'a submitted proposal version is frozen'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql",
    "CREATE OR REPLACE FUNCTION reviewapp_frozen_recipient() RETURNS trigger AS $$ BEGIN IF (SELECT submitted_at FROM proposal_version WHERE id = OLD.version_id) IS NOT NULL THEN RAISE EXCEPTION 'recipients of a submitted version are frozen'; END IF; IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END $$ LANGUAGE plpgsql",
    'CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event FOR EACH ROW EXECUTE FUNCTION reviewapp_append_only()',
    'CREATE TRIGGER stage_change_append_only BEFORE UPDATE OR DELETE ON stage_change FOR EACH ROW EXECUTE FUNCTION reviewapp_append_only()',
    'CREATE TRIGGER finding_append_only BEFORE UPDATE OR DELETE ON finding FOR EACH ROW EXECUTE FUNCTION reviewapp_append_only()',
    'CREATE TRIGGER finding_override_append_only BEFORE UPDATE OR DELETE ON finding_override FOR EACH ROW EXECUTE FUNCTION reviewapp_append_only()',
    'CREATE TRIGGER comment_period_append_only BEFORE UPDATE OR DELETE ON comment_period FOR EACH ROW EXECUTE FUNCTION reviewapp_append_only()',
    'CREATE TRIGGER comment_append_only BEFORE UPDATE OR DELETE ON comment FOR EACH ROW EXECUTE FUNCTION reviewapp_append_only()',
    'CREATE TRIGGER comment_moderation_append_only BEFORE UPDATE OR DELETE ON comment_moderation FOR EACH ROW EXECUTE FUNCTION reviewapp_append_only()',
    'CREATE TRIGGER advisory_recommendation_append_only BEFORE UPDATE OR DELETE ON advisory_recommendation FOR EACH ROW EXECUTE FUNCTION reviewapp_append_only()',
    'CREATE TRIGGER hearing_append_only BEFORE UPDATE OR DELETE ON hearing FOR EACH ROW EXECUTE FUNCTION reviewapp_append_only()',
    'CREATE TRIGGER motion_append_only BEFORE UPDATE OR DELETE ON motion FOR EACH ROW EXECUTE FUNCTION reviewapp_append_only()',
    'CREATE TRIGGER vote_append_only BEFORE UPDATE OR DELETE ON vote FOR EACH ROW EXECUTE FUNCTION reviewapp_append_only()',
    'CREATE TRIGGER motion_result_append_only BEFORE UPDATE OR DELETE ON motion_result FOR EACH ROW EXECUTE FUNCTION reviewapp_append_only()',
    'CREATE TRIGGER determination_append_only BEFORE UPDATE OR DELETE ON determination FOR EACH ROW EXECUTE FUNCTION reviewapp_append_only()',
    'CREATE TRIGGER proposal_version_frozen BEFORE UPDATE OR DELETE ON proposal_version FOR EACH ROW EXECUTE FUNCTION reviewapp_frozen_version()',
    'CREATE TRIGGER proposal_no_delete BEFORE DELETE ON proposal FOR EACH ROW EXECUTE FUNCTION reviewapp_append_only()',
    'CREATE TRIGGER data_recipient_frozen BEFORE UPDATE OR DELETE ON data_recipient FOR EACH ROW EXECUTE FUNCTION reviewapp_frozen_recipient()',
]

GUARDS = {"sqlite": SQLITE_GUARDS, "postgresql": POSTGRESQL_GUARDS}


def upgrade() -> None:
    for statement in GUARDS[op.get_bind().dialect.name]:
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in GUARDS[dialect]:
        if dialect == "sqlite" and statement.startswith("CREATE TRIGGER"):
            name = statement.split()[5]
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        elif dialect == "postgresql" and statement.startswith("CREATE TRIGGER"):
            words = statement.split()
            op.execute(f"DROP TRIGGER IF EXISTS {words[2]} ON {words[words.index('ON') + 1]}")
