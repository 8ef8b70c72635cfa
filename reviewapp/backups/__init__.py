"""Backups of the whole public record, and restores that check what they brought back.

SQLite is copied with its online backup API and PostgreSQL with `pg_dump --format=custom`;
both run while the app keeps writing. A restore goes only into an empty database and then
proves the record: integrity, migrations, rows, the audit chain, and every issued PDF.
"""


class BackupProblem(Exception):
    """A backup or restore cannot go ahead; the message says why and what to do instead."""
