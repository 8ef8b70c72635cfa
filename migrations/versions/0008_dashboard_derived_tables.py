"""derived tables: the dashboard's counts, its open report findings, open comment periods

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01

Not part of the record: each proposal's part in the dashboard's counts (stage, latest
decision, blocking findings, open report findings), their sums, and the open report
findings keyed in the dashboard's order, so that /oversight reads counters and one page of
findings instead of grouping every proposal on each view; and each proposal's newest
comment period while it is in public comment, so the home page's "open for comment now"
is an index range, and its latest determination, so the technologies in use page by id.
The registry's summary counts join the same tally (reviewapp/tally.py). Filled here from the record as
it stands; kept current by reviewapp/dashboard_store.py (and `flask rebuild-derived`).
"""

import sqlalchemy as sa
from alembic import op

import reviewapp.models.base

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "proposal_status",
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=32), nullable=False),
        sa.Column("decided", sa.String(length=16), nullable=True),
        sa.Column("determination_id", sa.Integer(), nullable=True),
        sa.Column("blocking_findings", sa.Integer(), nullable=False),
        sa.Column("open_report_findings", sa.Integer(), nullable=False),
        sa.Column("unreviewed_reports", sa.Integer(), nullable=False),
        sa.Column("comment_period_id", sa.Integer(), nullable=True),
        sa.Column("comment_opens_at", reviewapp.models.base.UTCDateTime(), nullable=True),
        sa.Column("comment_closes_at", reviewapp.models.base.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["proposal_id"], ["proposal.id"],
                                name=op.f("fk_proposal_status_proposal_id_proposal")),
        sa.ForeignKeyConstraint(["determination_id"], ["determination.id"],
                                name=op.f("fk_proposal_status_determination_id_determination")),
        sa.ForeignKeyConstraint(["comment_period_id"], ["comment_period.id"],
                                name=op.f("fk_proposal_status_comment_period_id_comment_period")),
        sa.PrimaryKeyConstraint("proposal_id", name=op.f("pk_proposal_status")),
    )
    op.create_index("ix_proposal_status_decided", "proposal_status", ["decided", "proposal_id"])
    op.create_index("ix_proposal_status_comment", "proposal_status",
                    ["comment_closes_at", "proposal_id", "comment_opens_at"])
    op.create_table(
        "status_tally",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_status_tally")),
    )
    op.create_table(
        "open_report_finding",
        sa.Column("finding_id", sa.Integer(), nullable=False),
        sa.Column("severity_rank", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("period_number", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["finding_id"], ["report_finding.id"],
                                name=op.f("fk_open_report_finding_finding_id_report_finding")),
        sa.ForeignKeyConstraint(["proposal_id"], ["proposal.id"],
                                name=op.f("fk_open_report_finding_proposal_id_proposal")),
        sa.PrimaryKeyConstraint("finding_id", name=op.f("pk_open_report_finding")),
    )
    op.create_index("ix_open_report_finding_order", "open_report_finding",
                    ["severity_rank", "proposal_id", "period_number", "finding_id"])
    op.create_index("ix_open_report_finding_proposal_id", "open_report_finding",
                    ["proposal_id"])
    _fill()


def _fill() -> None:
    """Work the counts out from the record as it stands."""
    from sqlalchemy.orm import Session

    from reviewapp import dashboard_store, registry_store

    session = Session(bind=op.get_bind())
    dashboard_store.rebuild(session)
    registry_store.recount(session)
    session.flush()


def downgrade() -> None:
    op.drop_index("ix_open_report_finding_proposal_id", table_name="open_report_finding")
    op.drop_index("ix_open_report_finding_order", table_name="open_report_finding")
    op.drop_table("open_report_finding")
    op.drop_table("status_tally")
    op.drop_index("ix_proposal_status_comment", table_name="proposal_status")
    op.drop_index("ix_proposal_status_decided", table_name="proposal_status")
    op.drop_table("proposal_status")
