"""derived tables: the registry's recipients and uses, and each technology's report schedule

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01

Not part of the record: worked out from submitted versions, stages and determinations, so
that the registry's pages read a page of rows instead of matching every recipient name on
every request. Filled here from the record as it stands; kept current by
reviewapp/registry_store.py from then on (and `flask registry rebuild` does it again).
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

RECIPIENT_TYPES = ("city", "county", "ca_state", "other_state", "federal", "private",
                   "vendor_pool")
DECISIONS = ("approved", "approved_with_conditions", "denied")


def upgrade() -> None:
    op.create_table(
        "registry_recipient",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=400), nullable=False),
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("recipient_type", sa.Enum(*RECIPIENT_TYPES, name="registry_recipient_type",
                                            native_enum=False, create_constraint=True,
                                            length=32), nullable=False),
        sa.Column("sort_key", sa.String(length=420).with_variant(
            sa.String(length=420, collation="C"), "postgresql"), nullable=False),
        sa.Column("types", sa.JSON(), nullable=False),
        sa.Column("spellings", sa.JSON(), nullable=False),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("immigration", sa.Boolean(), nullable=False),
        sa.Column("other_state", sa.Boolean(), nullable=False),
        sa.Column("private", sa.Boolean(), nullable=False),
        sa.Column("vendor_pool", sa.Boolean(), nullable=False),
        sa.Column("technologies", sa.Integer(), nullable=False),
        sa.Column("shown", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_recipient")),
        sa.UniqueConstraint("key", name=op.f("uq_registry_recipient_key")),
        sa.UniqueConstraint("slug", name=op.f("uq_registry_recipient_slug")),
        sa.UniqueConstraint("sort_key", name=op.f("uq_registry_recipient_sort_key")),
    )
    op.create_table(
        "registry_use",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("decision", sa.Enum(*DECISIONS, name="registry_decision", native_enum=False,
                                      create_constraint=True, length=32), nullable=True),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("types", sa.JSON(), nullable=False),
        sa.Column("spellings", sa.JSON(), nullable=False),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("immigration", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["recipient_id"], ["registry_recipient.id"],
                                name=op.f("fk_registry_use_recipient_id_registry_recipient")),
        sa.ForeignKeyConstraint(["proposal_id"], ["proposal.id"],
                                name=op.f("fk_registry_use_proposal_id_proposal")),
        sa.ForeignKeyConstraint(["version_id"], ["proposal_version.id"],
                                name=op.f("fk_registry_use_version_id_proposal_version")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_use")),
        sa.UniqueConstraint("recipient_id", "proposal_id",
                            name=op.f("uq_registry_use_recipient_id")),
    )
    op.create_index(op.f("ix_registry_use_proposal_id"), "registry_use", ["proposal_id"])
    op.create_table(
        "report_schedule",
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("determination_id", sa.Integer(), nullable=False),
        sa.Column("review_date", sa.Date(), nullable=False),
        sa.Column("next_number", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["proposal_id"], ["proposal.id"],
                                name=op.f("fk_report_schedule_proposal_id_proposal")),
        sa.ForeignKeyConstraint(["determination_id"], ["determination.id"],
                                name=op.f("fk_report_schedule_determination_id_determination")),
        sa.PrimaryKeyConstraint("proposal_id", name=op.f("pk_report_schedule")),
    )
    _fill()


def _fill() -> None:
    """Work the registry out from the record as it stands."""
    from sqlalchemy.orm import Session

    from reviewapp import registry_store, schedule_store

    session = Session(bind=op.get_bind())
    registry_store.rebuild(session, counts=False)  # the counters' table comes in 0008
    schedule_store.rebuild(session, None)  # the due dates' columns come in 0009
    session.flush()


def downgrade() -> None:
    op.drop_table("report_schedule")
    op.drop_index(op.f("ix_registry_use_proposal_id"), table_name="registry_use")
    op.drop_table("registry_use")
    op.drop_table("registry_recipient")
