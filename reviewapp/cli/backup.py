"""`flask backup FILE` and `flask restore FILE`: copies of the record that prove themselves.

Both use the migration URL (MIGRATION_DATABASE_URL, else DATABASE_URL): on PostgreSQL the
owner role dumps and restores, and the app's own role is granted again afterwards.
"""

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from ..backups import BackupProblem, postgresql, sqlite
from ..backups.checks import Check, restored_checks
from ..backups.files import KIND_NAMES, POSTGRESQL, SQLITE, kind_of, written_whole
from ..db import dispose
from .setup import alembic_config, grant_app_role_if_separate, migration_url


def _backend(url: str) -> str:
    """Return SQLITE or POSTGRESQL for a configured URL (nothing else is supported)."""
    backend = make_url(url).get_backend_name()
    if backend not in (SQLITE, POSTGRESQL):
        raise BackupProblem(f"Backups support SQLite and PostgreSQL, not {backend}.")
    return backend


def _shown(url: str) -> str:
    """Return the URL fit for a terminal and a cron mail: never the password."""
    return make_url(url).render_as_string(hide_password=True)


def _size(size: int) -> str:
    """Return a byte count for people."""
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:,} {unit}" if unit == "bytes" else f"{size:,.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")


def _unreachable(exc: SQLAlchemyError) -> str:
    """Explain a database error without a traceback (the driver's message has no password)."""
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
    return f"The database could not be used: {reason}"


def write_backup(app: Flask, file: Path, replace: bool = False) -> str:
    """Back up the configured database into `file`; return what was written."""
    url = migration_url(app)
    backend = _backend(url)
    if backend == SQLITE:
        source = sqlite.database_file(url)
        if file.absolute() in (source, Path(f"{source}-wal"), Path(f"{source}-shm")):
            raise BackupProblem("FILE is the live database itself; write the backup "
                                "elsewhere.")
    with written_whole(file, replace) as (descriptor, partial):
        if backend == SQLITE:
            found = sqlite.back_up(source, partial)
        else:
            found = postgresql.back_up(url, descriptor)
        if not found.rows:
            raise BackupProblem(f"The configured database {_shown(url)} has no tables, so "
                                "there is nothing to back up; nothing was written.")
        if backend == POSTGRESQL:
            postgresql.dumped_schema(postgresql.table_of_contents(partial))  # it reads back
    written = file.absolute()
    mode = oct(written.stat().st_mode & 0o777)[2:]
    return (f"Backup written: {written} ({KIND_NAMES[backend]}, "
            f"{_size(written.stat().st_size)}, mode {mode}).\n"
            f"  Holds {found.describe()}.\n"
            "  Keep copies away from this host; prove them now and then with "
            "`flask --app wsgi restore` into an empty database.")


def _refuse_unless_empty(backend: str, url: str) -> None:
    """Refuse to restore over anything: the target must have no tables."""
    if backend == SQLITE:
        tables = sqlite.user_tables(sqlite.database_file(url))
    else:
        tables = postgresql.user_tables(url)
    if tables:
        shown = ", ".join(tables[:5]) + (", ..." if len(tables) > 5 else "")
        raise BackupProblem(
            f"The configured database {_shown(url)} is not empty: it has {len(tables)} "
            f"tables ({shown}). restore writes only into an empty database, so nothing is "
            "ever overwritten: create a new empty database (or move the SQLite file away) "
            "and point DATABASE_URL at it.")


def restore_backup(app: Flask, file: Path) -> tuple[list[str], list[Check]]:
    """Restore `file` into the empty configured database; return the report and checks."""
    url = migration_url(app)
    backend = _backend(url)
    kind = kind_of(file)
    if kind != backend:
        raise BackupProblem(
            f"{file} is {KIND_NAMES[kind]}, but the configured database "
            f"({_shown(url)}) is {'SQLite' if backend == SQLITE else 'PostgreSQL'}. Point "
            "DATABASE_URL at an empty database of the backup's kind.")
    _refuse_unless_empty(backend, url)
    report = []
    if backend == SQLITE:
        sqlite.restore(file, sqlite.database_file(url))
    else:
        postgresql.restore(file, url)
        report.append("pg_restore rebuilt every primary key, unique index and foreign key, "
                      "checking each against the restored rows.")
        role = grant_app_role_if_separate(app)
        if role is not None:
            report.append(f"Role {role} granted again: it may read every table and append "
                          "to the public record.")
    report.insert(0, f"Restored {file.absolute()} ({KIND_NAMES[kind]}) into {_shown(url)}.")
    dispose(app)  # no connection opened before the restore is reused
    from alembic.script import ScriptDirectory

    heads = tuple(ScriptDirectory.from_config(alembic_config(url)).get_heads())
    with app.extensions["db_read_sessionmaker"]() as session:
        checks, found = restored_checks(
            session, heads, sqlite.database_file(url) if backend == SQLITE else None)
    report.append("Checks:")
    for check in checks:
        report.append(f"  {'ok' if check.ok else 'FAILED':<6}  {check.name}: {check.summary}")
        report.extend(f"            {line}" for line in check.lines)
    if found is not None:
        report.append(f"Holds {found.describe()}.")
    return report, checks


def register_backup_commands(app: Flask) -> None:
    """Attach `flask backup` and `flask restore`."""

    @app.cli.command("backup")
    @click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
    @click.option("--replace", is_flag=True,
                  help="Replace FILE if it exists, once the new backup is complete.")
    def backup(file: Path, replace: bool):
        """Write a consistent backup of the database to FILE (mode 600), while the app runs."""
        try:
            click.echo(write_backup(current_app, file, replace))
        except BackupProblem as exc:
            raise click.ClickException(str(exc)) from exc
        except SQLAlchemyError as exc:
            raise click.ClickException(_unreachable(exc)) from exc

    @app.cli.command("restore")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    def restore(file: Path):
        """Restore FILE into the empty configured database, then check everything it holds."""
        try:
            report, checks = restore_backup(current_app, file)
        except BackupProblem as exc:
            raise click.ClickException(str(exc)) from exc
        except SQLAlchemyError as exc:
            raise click.ClickException(_unreachable(exc)) from exc
        click.echo("\n".join(report))
        failed = [check for check in checks if not check.ok]
        if not failed:
            click.echo("Restore verified: every check passed.")
            return
        click.echo("Restore FAILED: " + "; ".join(f"{c.name} ({c.summary})" for c in failed)
                   + ".", err=True)
        click.echo("The data is in the database, for inspection: do not serve it until "
                   "this is explained.", err=True)
        sys.exit(1)
