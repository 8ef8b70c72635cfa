"""recipient types: "not stated" and regional intelligence (fusion) centers

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02

A recipient's type is never assumed: the department may answer "not stated", which
counts as not a California public agency. Fusion centers are a type of their own. The
three recipient_type columns' CHECK constraints gain the two values.

PostgreSQL replaces each constraint. SQLite cannot alter a constraint; rebuilding the
tables would drop their append-only triggers, so the constraint's text is edited in the
schema instead, the procedure SQLite documents for changes that leave every stored row
valid (https://www.sqlite.org/lang_altertable.html, section 7): the constraint only
widens, so no row can break it, and the integrity check runs afterwards.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

OLD = ("city", "county", "ca_state", "other_state", "federal", "private", "vendor_pool")
NEW = (*OLD, "not_stated", "fusion_center")
CONSTRAINTS = {  # table -> its recipient_type CHECK constraint
    "data_recipient": "ck_data_recipient_recipient_type",
    "report_sharing": "ck_report_sharing_report_recipient_type",
    "registry_recipient": "ck_registry_recipient_registry_recipient_type",
}


def _allowed(values: tuple[str, ...]) -> str:
    return "recipient_type IN (" + ", ".join(f"'{value}'" for value in values) + ")"


def _change(old: tuple[str, ...], new: tuple[str, ...]) -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for table, name in CONSTRAINTS.items():
            # op.f: the names are final (the naming convention must not wrap them again).
            op.drop_constraint(op.f(name), table, type_="check")
            op.create_check_constraint(op.f(name), table, sa.text(_allowed(new)))
        return
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    try:
        for table in CONSTRAINTS:
            sql = bind.execute(sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' "
                                       "AND name = :name"), {"name": table}).scalar()
            if _allowed(old) not in sql:
                raise RuntimeError(f"{table}: its recipient_type constraint is not the "
                                   "one this migration expects")
            bind.execute(sa.text("UPDATE sqlite_master SET sql = :sql WHERE type = 'table' "
                                 "AND name = :name"),
                         {"sql": sql.replace(_allowed(old), _allowed(new)), "name": table})
        bind.exec_driver_sql(f"PRAGMA schema_version = {version + 1}")
    finally:
        bind.exec_driver_sql("PRAGMA writable_schema = OFF")
    problems = bind.exec_driver_sql("PRAGMA integrity_check").scalar()
    if problems != "ok":
        raise RuntimeError(f"SQLite integrity check after the change: {problems}")


def upgrade() -> None:
    _change(OLD, NEW)


def downgrade() -> None:
    # Refused while any row holds a new value: the old constraint would not hold for it.
    _change(NEW, OLD)
