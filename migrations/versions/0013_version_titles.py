"""version titles: a proposal's title is filed with each version

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-08

A returned proposal's department could change the title, and the public pages showed the
new title at once, before anything was resubmitted. The title now belongs to the version
and reaches the public pages when that version is submitted. Versions filed before hold
no title of their own (NULL): the proposal's title is theirs.
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("proposal_version", sa.Column("title", sa.String(300), nullable=True))


def downgrade() -> None:
    op.drop_column("proposal_version", "title")
