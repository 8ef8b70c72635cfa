"""report schedule: each technology's due dates under the profile, indexed

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01

Derived, like the rest of report_schedule: the next report's due date, report 2's, and the
rule (report month, day and cadence) they were worked out under, so that the dashboard's
overdue and due-next lists are index ranges. Filled here when the app's profile is known
(`flask setup-db`); rows left without a rule are read by the formula until
`flask rebuild-derived`.
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

INDEXES = {"ix_report_schedule_next_due": ["next_due", "proposal_id"],
           "ix_report_schedule_review_date": ["review_date", "proposal_id"],
           "ix_report_schedule_second_due": ["second_due", "proposal_id"],
           "ix_report_schedule_cycle": ["cycle", "proposal_id"],
           "ix_report_schedule_rule": ["rule"]}


def upgrade() -> None:
    with op.batch_alter_table("report_schedule") as table:
        table.add_column(sa.Column("rule", sa.String(length=20), nullable=True))
        table.add_column(sa.Column("next_due", sa.Date(), nullable=True))
        table.add_column(sa.Column("second_due", sa.Date(), nullable=True))
        table.add_column(sa.Column("cycle", sa.Integer(), nullable=True))
    for name, columns in INDEXES.items():
        op.create_index(name, "report_schedule", columns)
    _fill()


def _fill() -> None:
    """Work the due dates out under the app's profile, when there is an app."""
    from flask import has_app_context
    from sqlalchemy.orm import Session

    from reviewapp import schedule_store

    if has_app_context():
        session = Session(bind=op.get_bind())
        schedule_store.rebuild(session)
        session.flush()


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="report_schedule")
    with op.batch_alter_table("report_schedule") as table:
        for column in ("cycle", "second_due", "next_due", "rule"):
            table.drop_column(column)
