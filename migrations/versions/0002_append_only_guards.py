"""append-only guards on public records

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from alembic import op

from reviewapp.models.append_only import guard_statements

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Frozen here: the tables as they were when this migration was written.
TABLES = (
    "audit_event", "stage_change", "finding", "finding_override", "comment_period", "comment",
    "comment_moderation", "advisory_recommendation", "hearing", "motion", "vote",
    "motion_result", "determination",
)


def upgrade() -> None:
    for statement in guard_statements(op.get_bind().dialect.name, TABLES):
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in guard_statements(dialect, TABLES):
        if dialect == "sqlite" and statement.startswith("CREATE TRIGGER"):
            name = statement.split()[5]
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        elif dialect == "postgresql" and statement.startswith("CREATE TRIGGER"):
            words = statement.split()
            op.execute(f"DROP TRIGGER IF EXISTS {words[2]} ON {words[words.index('ON') + 1]}")
