"""Statements compiled once by SQLAlchemy and run on the database driver's own cursor.

For the few statements every comment runs (its insert, its count, the audit append):
SQLAlchemy writes the SQL and types its parameters, once per dialect; each run then costs
what the driver costs, not the tens of microseconds SQLAlchemy's execution machinery adds
to every statement. They run on the Connection's DBAPI connection, inside its transaction;
SQLAlchemy's cursor events do not see them, and rows come back as the driver gives them.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.sql import Executable


@dataclass(frozen=True)
class _Compiled:
    """A statement's SQL for one dialect, and how to turn parameters into the driver's."""

    sql: str
    compiled: Any  # SQLAlchemy's Compiled, for construct_params
    processors: dict[str, Callable[[Any], Any]]  # bind name -> type's bind processor
    order: tuple[str, ...] | None  # bind names in order for a positional driver (SQLite)


class DriverStatement:
    """A core statement, run on the driver's cursor; compiled on first use per dialect."""

    def __init__(self, statement: Executable, columns: Sequence[str] = ()):
        self._statement = statement
        self._columns = list(columns) or None  # an INSERT's columns, when not in .values()
        self._by_dialect: dict[str, _Compiled] = {}

    def scalar(self, connection: Connection, params: dict[str, Any] | None = None) -> Any:
        """Run in `connection`'s transaction; the first column of the first row, or None."""
        compiled = self._for(connection.dialect)
        values = compiled.compiled.construct_params(params or {})
        for name, process in compiled.processors.items():
            values[name] = process(values[name])
        arguments = (tuple(values[name] for name in compiled.order)
                     if compiled.order is not None else values)
        cursor = connection.connection.cursor()
        try:
            cursor.execute(compiled.sql, arguments)
            row = cursor.fetchone() if cursor.description else None
        finally:
            cursor.close()
        return None if row is None else row[0]

    def _for(self, dialect: Dialect) -> _Compiled:
        """Return the statement compiled for `dialect`, compiling it the first time."""
        found = self._by_dialect.get(dialect.name)
        if found is None:
            compiled = self._statement.compile(dialect=dialect, column_keys=self._columns)
            names = set(compiled.construct_params(_check=False))
            processors = {}
            for name, bind in compiled.binds.items():
                # The dialect's own form of the type (SQLite's DATETIME writes the text
                # SQLAlchemy reads back), as SQLAlchemy's execution would use.
                process = (bind.type.dialect_impl(dialect).bind_processor(dialect)
                           if name in names else None)
                if process is not None:
                    processors[name] = process
            order = tuple(compiled.positiontup) if compiled.positional else None
            found = _Compiled(compiled.string, compiled, processors, order)
            self._by_dialect[dialect.name] = found
        return found
