"""Alembic environment: runs migrations against the URL the app gives it."""

from alembic import context
from sqlalchemy import create_engine, text

from reviewapp.models import Base

config = context.config
target_metadata = Base.metadata

# Any constant, the same on every host: two hosts running setup-db at once take turns.
MIGRATION_LOCK = 727002


def run_migrations_online() -> None:
    """Run the migrations in one transaction on the configured database."""
    url = config.attributes.get("database_url") or config.get_main_option("sqlalchemy.url")
    engine = create_engine(url)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=connection.dialect.name == "sqlite",
                          compare_type=True)
        with context.begin_transaction():
            if connection.dialect.name == "postgresql":
                # Held until this transaction ends; the second host then reads the version
                # the first one committed and has nothing left to do.
                connection.execute(text(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})"))
            context.run_migrations()
    engine.dispose()


run_migrations_online()
