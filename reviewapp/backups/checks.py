"""What a backup holds, and the checks a restored database must pass before it serves."""

import hashlib
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import inspect, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from .. import audit
from ..models import Base, Determination, DeterminationFile


@dataclass(frozen=True)
class Contents:
    """Rows per table and the audit chain's head: what to compare after a restore."""

    rows: dict[str, int]
    audit_head: str | None

    def describe(self) -> str:
        """Say it in one line, the same after a backup and after a restore."""
        total = sum(self.rows.values())
        line = f"{len(self.rows)} tables, {total:,} rows"
        if self.audit_head is not None:
            line += (f"; audit chain: {self.rows.get('audit_event', 0):,} events, "
                     f"head {self.audit_head}")
        return line


def contents(connection: Connection) -> Contents:
    """Count the rows of every table in the connection's schema and read the audit head."""
    quote = connection.dialect.identifier_preparer.quote
    rows = {}
    for name in sorted(inspect(connection).get_table_names()):
        # The names come from the database's own catalog, quoted.
        query = text(f"SELECT count(*) FROM {quote(name)}")  # noqa: S608
        rows[name] = connection.execute(query).scalar_one()
    head = None
    if "audit_event" in rows:
        with Session(bind=connection) as session:
            head = audit.head_hash(session)
    return Contents(rows, head)


@dataclass(frozen=True)
class Check:
    """One check of a restored database: its name, whether it passed, and what it saw."""

    name: str
    ok: bool
    summary: str
    lines: tuple[str, ...] = ()


def integrity(path: Path) -> Check:
    """Run SQLite's PRAGMA integrity_check over the whole file."""
    connection = sqlite3.connect(path)
    try:
        found = [row[0] for row in connection.execute("PRAGMA integrity_check")]
    finally:
        connection.close()
    if found == ["ok"]:
        return Check("integrity", True, "PRAGMA integrity_check: ok")
    return Check("integrity", False, f"PRAGMA integrity_check found {len(found)} problems",
                 tuple(found[:20]))


def migrations(session: Session, heads: tuple[str, ...]) -> Check:
    """Compare the database's Alembic revision with the code's head."""
    stored = tuple(sorted(session.scalars(text("SELECT version_num FROM alembic_version"))))
    if stored == tuple(sorted(heads)):
        return Check("migrations", True, f"at head ({', '.join(stored)})")
    return Check("migrations", False,
                 f"the database is at {', '.join(stored) or 'no revision'}, this code's head "
                 f"is {', '.join(heads)}: run `flask --app wsgi setup-db` if the backup is "
                 "older, or restore with the release that made it if it is newer")


def rows(session: Session) -> tuple[Check, Contents]:
    """Count the rows per table; every table of the models must be there."""
    found = contents(session.connection())
    missing = sorted(set(Base.metadata.tables) - set(found.rows))
    lines = tuple(f"{name}: {count:,}" for name, count in found.rows.items())
    total = f"{len(found.rows)} tables, {sum(found.rows.values()):,} rows"
    if missing:
        return Check("rows", False, f"{total}; missing tables: {', '.join(missing)}",
                     lines), found
    return Check("rows", True, total, lines), found


def audit_chain(session: Session) -> Check:
    """Walk the audit hash chain from the first event to the head."""
    report = audit.verify_chain(session)
    if report.ok:
        return Check("audit chain", True,
                     f"verified, {report.count:,} events, head {report.head}")
    return Check("audit chain", False,
                 f"broken at event {report.first_bad_id}: {report.problem}")


def determination_pdfs(session: Session) -> Check:
    """Re-hash every stored determination PDF against the SHA-256 published for it."""
    issued = session.execute(
        select(Determination.id, Determination.document_number, Determination.sha256,
               Determination.size_bytes).order_by(Determination.id)).all()
    problems = []
    for item in issued:
        # One PDF in memory at a time.
        content = session.scalar(select(DeterminationFile.content)
                                 .where(DeterminationFile.determination_id == item.id))
        if content is None:
            problems.append(f"{item.document_number}: its PDF is missing")
            continue
        actual = hashlib.sha256(content).hexdigest()
        if actual != item.sha256:
            problems.append(f"{item.document_number}: the stored PDF hashes to {actual}, "
                            f"not its published SHA-256 {item.sha256}")
        elif len(content) != item.size_bytes:
            problems.append(f"{item.document_number}: the stored PDF has {len(content)} "
                            f"bytes, not the published {item.size_bytes}")
    matched = len(issued) - len(problems)
    summary = f"{matched} of {len(issued)} match their published SHA-256"
    if problems:
        return Check("determination PDFs", False,
                     f"{summary}; altered or missing: "
                     + ", ".join(p.split(":")[0] for p in problems), tuple(problems))
    return Check("determination PDFs", True, summary)


def _reason(exc: SQLAlchemyError) -> str:
    """Return the first line of the database's own message."""
    return str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]


def guarded(name: str, session: Session, check: Callable[[], Check]) -> Check:
    """Run one check; a database error fails that check, by name, not the whole report."""
    try:
        return check()
    except SQLAlchemyError as exc:
        session.rollback()  # PostgreSQL refuses further queries in a failed transaction
        return Check(name, False, f"could not be checked: {_reason(exc)}")


def restored_checks(session: Session, heads: tuple[str, ...],
                    sqlite_file: Path | None = None) -> tuple[list[Check], Contents | None]:
    """Run every check of a freshly restored database; return them and what it holds."""
    done = []
    if sqlite_file is not None:
        done.append(integrity(sqlite_file))
    done.append(guarded("migrations", session, lambda: migrations(session, heads)))
    found = None
    try:
        row_check, found = rows(session)
    except SQLAlchemyError as exc:
        session.rollback()
        row_check = Check("rows", False, f"could not be counted: {_reason(exc)}")
    done.append(row_check)
    done.append(guarded("audit chain", session, lambda: audit_chain(session)))
    done.append(guarded("determination PDFs", session, lambda: determination_pdfs(session)))
    return done, found
