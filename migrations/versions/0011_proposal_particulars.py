"""proposal particulars: retention exceptions and practice, efficacy, procurement, sharing

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-08

The structured answers beyond the two documents (forms/particulars.py) are stored
together, by question key, in one JSON column of the version; earlier versions hold an
empty mapping, which the rules read as "not answered".
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("proposal_version", sa.Column("particulars", sa.JSON(), nullable=False,
                                                server_default=sa.text("'{}'")))


def downgrade() -> None:
    op.drop_column("proposal_version", "particulars")
