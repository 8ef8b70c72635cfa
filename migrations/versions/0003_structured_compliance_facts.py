"""structured compliance facts on proposal versions

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (no table rebuild), so frozen versions and their guards stay as
    # they are; older versions simply have no answer (NULL / empty).
    op.add_column("proposal_version", sa.Column("vendor_nda", sa.Boolean(), nullable=True))
    op.add_column("proposal_version", sa.Column("access_log", sa.Boolean(), nullable=True))
    op.add_column("proposal_version", sa.Column("sensitive_locations", sa.JSON(),
                                                nullable=False, server_default=sa.text("'[]'")))
    op.add_column("proposal_version", sa.Column("sensitive_safeguards", sa.Text(),
                                                nullable=False, server_default=""))


def downgrade() -> None:
    for column in ("sensitive_safeguards", "sensitive_locations", "access_log", "vendor_nda"):
        op.drop_column("proposal_version", column)
