"""sealed audit events: each event's hash is also sealed with a key the database lacks

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-08

Whoever could write the database could rewrite an event, recompute every hash after it
and still pass `verify-audit`. Each new event now carries an HMAC of its hash under a key
held only by the app hosts (reviewapp/audit_keys.py), and the key's fingerprint. Events
written before hold NULL; `flask setup-db` appends a sealed event after them, so the chain
is sealed from that point on.
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("audit_event", sa.Column("seal", sa.String(64), nullable=True))
    op.add_column("audit_event", sa.Column("seal_key", sa.String(16), nullable=True))


def downgrade() -> None:
    op.drop_column("audit_event", "seal_key")
    op.drop_column("audit_event", "seal")
