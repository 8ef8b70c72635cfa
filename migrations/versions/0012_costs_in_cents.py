"""costs in cents: a version's acquisition and annual costs, and a report's period cost

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08

Costs are typed with cents ("$1,250,000.50") and kept as whole cents in new BIGINT columns
(a billion dollars in cents is beyond a 32-bit integer). Rows filed before keep their
whole dollars in the old columns, which are read as dollars: a filed record is never
rewritten, so nothing is copied.
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

COLUMNS = (("proposal_version", "acquisition_cost_cents"),
           ("proposal_version", "annual_cost_cents"),
           ("annual_report", "annual_cost_cents"))


def upgrade() -> None:
    for table, column in COLUMNS:
        op.add_column(table, sa.Column(column, sa.BigInteger(), nullable=True))


def downgrade() -> None:
    for table, column in reversed(COLUMNS):
        op.drop_column(table, column)
