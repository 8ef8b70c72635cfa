"""SQLite: back up with the online backup API, restore with it into an empty file.

Never a file copy: copying a live database (and its -wal file) mid-write gives a corrupt
backup. The backup API reads one consistent snapshot while the app keeps writing.
"""

import sqlite3
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from . import BackupProblem
from .checks import Contents, contents


def database_file(url: str) -> Path:
    """Return the file of an SQLite URL (an in-memory database cannot be backed up)."""
    name = make_url(url).database
    if not name or name == ":memory:" or name.startswith("file:"):
        raise BackupProblem(f"The SQLite database {url!r} is not a plain file path.")
    return Path(name).absolute()


def user_tables(path: Path) -> list[str]:
    """Return the tables of the database at `path` (none if the file does not exist)."""
    if not path.exists():
        return []
    connection = sqlite3.connect(path, timeout=15)  # reads only
    try:
        return [row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    finally:
        connection.close()


def back_up(source: Path, destination: Path) -> Contents:
    """Copy the live database at `source` into the empty file `destination`; describe it."""
    if not source.is_file():
        raise BackupProblem(f"There is no SQLite database at {source}.")
    reader = sqlite3.connect(source, timeout=15)
    writer = sqlite3.connect(destination)
    try:
        # pages=-1 copies everything in one step, inside one read transaction: in WAL
        # mode writers carry on, and the copy is that one snapshot. (Copying in several
        # steps would restart whenever the app writes, and might never finish.)
        reader.backup(writer, pages=-1)
        # A backup is one self-contained file, with no -wal beside it.
        writer.execute("PRAGMA journal_mode=DELETE")
        problems = [row[0] for row in writer.execute("PRAGMA integrity_check")]
    except sqlite3.Error as exc:
        raise BackupProblem(f"The database at {source} could not be copied: {exc}.") from exc
    finally:
        writer.close()
        reader.close()
    if problems != ["ok"]:
        raise BackupProblem("The copy failed SQLite's integrity check, so it was not kept: "
                            + "; ".join(problems[:5]))
    engine = create_engine(f"sqlite:///{destination}")
    try:
        with engine.connect() as connection:
            return contents(connection)
    finally:
        engine.dispose()


def restore(backup: Path, target: Path) -> None:
    """Copy the backup into the empty database file `target` with the backup API."""
    if not target.parent.is_dir():
        raise BackupProblem(f"The folder {target.parent} of the configured database does "
                            "not exist.")
    reader = sqlite3.connect(f"{backup.absolute().as_uri()}?mode=ro", uri=True)
    try:
        writer = sqlite3.connect(target, timeout=15)
        try:
            # One step, one transaction on the target: a failure leaves it as it was.
            reader.backup(writer, pages=-1)
            writer.execute("PRAGMA journal_mode=WAL")  # as the app runs it
        finally:
            writer.close()
    except sqlite3.DatabaseError as exc:
        raise BackupProblem(f"{backup} could not be restored as an SQLite database: "
                            f"{exc}.") from exc
    finally:
        reader.close()
