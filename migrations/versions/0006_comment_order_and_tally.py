"""comment order index; per-proposal comment tally

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-08

Comment pages walk the index (proposal_id, created_at, id) from either end instead of
sorting every comment of the proposal; it also serves every lookup by proposal alone, so
the old index on proposal_id goes. The counts by position and hidden are read from
comment_tally, kept by the services in the same transaction as each comment and each hide;
this migration fills it from the comments already stored.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# Frozen here: the exact SQL that fills the tally from the record.
BACKFILL = [
    "INSERT INTO comment_tally (proposal_id, kind, number) "
    "SELECT proposal_id, position, COUNT(*) FROM comment GROUP BY proposal_id, position",
    "INSERT INTO comment_tally (proposal_id, kind, number) "
    "SELECT c.proposal_id, 'hidden', COUNT(*) FROM comment_moderation m "
    "JOIN comment c ON c.id = m.comment_id GROUP BY c.proposal_id",
]


def upgrade() -> None:
    op.create_table(
        "comment_tally",
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.CheckConstraint("number >= 0", name=op.f("ck_comment_tally_not_negative")),
        sa.ForeignKeyConstraint(["proposal_id"], ["proposal.id"],
                                name=op.f("fk_comment_tally_proposal_id_proposal")),
        sa.PrimaryKeyConstraint("proposal_id", "kind", name=op.f("pk_comment_tally")),
    )
    op.create_index("ix_comment_proposal_order", "comment",
                    ["proposal_id", "created_at", "id"], unique=False)
    op.drop_index("ix_comment_proposal_id", table_name="comment")
    for statement in BACKFILL:
        op.execute(statement)


def downgrade() -> None:
    op.create_index("ix_comment_proposal_id", "comment", ["proposal_id"], unique=False)
    op.drop_index("ix_comment_proposal_order", table_name="comment")
    op.drop_table("comment_tally")
