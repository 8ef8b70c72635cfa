"""PostgreSQL: pg_dump --format=custom of the app's schema, pg_restore into an empty one.

Both tools run as the migration role (MIGRATION_DATABASE_URL, else DATABASE_URL). The
password reaches them through PGPASSWORD, never their command line, where `ps` shows it.
The dump holds exactly the schema the app uses (its search_path, e.g. from
`options=-csearch_path=...` in the URL), and restores only into a schema of that name.
"""

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from . import BackupProblem
from .checks import Contents, contents

# URL query parameters that libpq also reads from the environment.
LIBPQ_ENVIRONMENT = {
    "host": "PGHOST", "port": "PGPORT", "options": "PGOPTIONS", "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT", "sslcert": "PGSSLCERT", "sslkey": "PGSSLKEY",
    "sslcrl": "PGSSLCRL", "channel_binding": "PGCHANNELBINDING",
    "gssencmode": "PGGSSENCMODE", "connect_timeout": "PGCONNECT_TIMEOUT",
    "application_name": "PGAPPNAME", "target_session_attrs": "PGTARGETSESSIONATTRS",
    "passfile": "PGPASSFILE", "service": "PGSERVICE",
}
# pg_restore --list lines: "<id>; <oid> <oid> <kind> <schema> <name> <owner>".
TOC_TABLE = re.compile(r"^\d+; \d+ \d+ TABLE (?!DATA )(?P<schema>\S+) ")
# The schema itself (and its comment) is not restored: it must exist, empty, already.
TOC_SCHEMA = re.compile(r"^\d+; \d+ \d+ (SCHEMA - |COMMENT - SCHEMA )")


def client_environment(url: str) -> dict[str, str]:
    """Return the environment that points libpq (pg_dump, pg_restore) at `url`."""
    parts = make_url(url)
    environment = dict(os.environ)
    for key, value in parts.query.items():
        if key not in LIBPQ_ENVIRONMENT:
            raise BackupProblem(
                f"The database URL's parameter {key!r} has no libpq equivalent, so pg_dump "
                "and pg_restore cannot be given it; remove it from the URL or set it in "
                "the PG* environment variables.")
        environment[LIBPQ_ENVIRONMENT[key]] = value if isinstance(value, str) else value[-1]
    if not parts.database:
        raise BackupProblem("The database URL names no database.")
    for variable, value in (("PGHOST", parts.host), ("PGPORT", parts.port),
                            ("PGUSER", parts.username), ("PGPASSWORD", parts.password),
                            ("PGDATABASE", parts.database)):
        if value is not None:
            environment[variable] = str(value)
    return environment


def _tool(name: str) -> str:
    """Return the path of a PostgreSQL client program, or say how to install it."""
    found = shutil.which(name)
    if found is None:
        raise BackupProblem(f"{name} is not installed. Install the PostgreSQL client tools "
                            "of the server's major version (Debian: postgresql-client-15).")
    return found


def _run(command: list[str], environment: dict[str, str], **kwargs):
    """Run a client program; our arguments only, never a password."""
    return subprocess.run(command, env=environment, stderr=subprocess.PIPE,  # noqa: S603
                          check=False, **kwargs)


def _conninfo_dbname(name: str) -> str:
    """Return 'dbname=...' quoted for libpq, so no database name is read as a URL."""
    escaped = name.replace("\\", "\\\\").replace("'", "\\'")
    return f"dbname='{escaped}'"


def _schema_pattern(schema: str) -> str:
    """Return a pg_dump --schema pattern that matches exactly this name."""
    return '"' + schema.replace('"', '""') + '"'


def back_up(url: str, descriptor: int) -> Contents:
    """Write a custom-format dump of the app's schema to `descriptor`; describe it.

    The rows are counted in a snapshot that pg_dump then dumps (--snapshot), so the
    description is exactly what the file holds, however busy the app is.
    """
    environment, pg_dump = client_environment(url), _tool("pg_dump")
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            connection = connection.execution_options(isolation_level="REPEATABLE READ",
                                                      postgresql_readonly=True)
            with connection.begin():
                schema = connection.execute(text("SELECT current_schema()")).scalar()
                if schema is None:
                    raise BackupProblem("The configured database has no schema on its "
                                        "search_path; there is nothing to back up.")
                snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar()
                found = contents(connection)
                result = _run([pg_dump, "--format=custom", f"--snapshot={snapshot}",
                               f"--schema={_schema_pattern(schema)}", "--no-password",
                               "--lock-wait-timeout=60s", _conninfo_dbname(
                                   environment["PGDATABASE"])],
                              environment, stdout=descriptor)
    finally:
        engine.dispose()
    if result.returncode != 0:
        raise BackupProblem(f"pg_dump failed (exit {result.returncode}); no backup was "
                            f"written:\n{result.stderr.decode(errors='replace').strip()}")
    return found


def table_of_contents(path: Path, environment: dict[str, str] | None = None) -> list[str]:
    """Return the lines of `pg_restore --list`: what the dump holds, or why it is unreadable."""
    result = _run([_tool("pg_restore"), "--list", str(path)], environment or dict(os.environ),
                  stdout=subprocess.PIPE)
    if result.returncode != 0:
        raise BackupProblem(f"pg_restore cannot read {path}: "
                            f"{result.stderr.decode(errors='replace').strip()}")
    return result.stdout.decode(errors="replace").splitlines()


def dumped_schema(lines: list[str]) -> str:
    """Return the one schema whose tables the dump holds."""
    schemas = {match["schema"] for line in lines if (match := TOC_TABLE.match(line))}
    if len(schemas) != 1:
        raise BackupProblem("The dump holds tables of "
                            f"{', '.join(sorted(schemas)) or 'no schema'}; a reviewapp "
                            "backup holds exactly one schema.")
    return schemas.pop()


def user_tables(url: str) -> list[str]:
    """Return the tables in the schema the URL's connections use."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            if connection.execute(text("SELECT current_schema()")).scalar() is None:
                return []
            return sorted(inspect(connection).get_table_names())
    finally:
        engine.dispose()


def restore(path: Path, url: str) -> None:
    """Restore the dump into the URL's empty schema, as one transaction, without owners."""
    environment, pg_restore = client_environment(url), _tool("pg_restore")
    lines = table_of_contents(path, environment)
    schema = dumped_schema(lines)
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            target = connection.execute(text("SELECT current_schema()")).scalar()
            search_path = connection.execute(text("SHOW search_path")).scalar()
    finally:
        engine.dispose()
    if target != schema:
        where = (f"schema {target!r}" if target else
                 f"no existing schema (search_path is {search_path})")
        raise BackupProblem(
            f"The backup holds schema {schema!r}, but the configured database uses {where}. "
            f"Restore into a database whose search_path is {schema!r}: create the schema "
            f"if needed (CREATE SCHEMA ...), and add options=-csearch_path%3D{schema} to the "
            "URL unless it is 'public'.")
    with tempfile.TemporaryDirectory() as folder:
        listing = Path(folder) / "restore.list"
        listing.write_text("\n".join(line for line in lines if not TOC_SCHEMA.match(line)))
        result = _run([pg_restore, "--no-owner", "--no-privileges", "--single-transaction",
                       "--exit-on-error", "--no-password", f"--use-list={listing}",
                       f"--dbname={_conninfo_dbname(environment['PGDATABASE'])}", str(path)],
                      environment, stdout=subprocess.PIPE)
    if result.returncode != 0:
        raise BackupProblem("pg_restore failed, so nothing was restored (it runs as one "
                            f"transaction):\n{result.stderr.decode(errors='replace').strip()}")
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))  # fresh planner statistics for the app
    finally:
        engine.dispose()
