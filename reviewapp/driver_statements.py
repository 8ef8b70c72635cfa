"""Statements compiled once by SQLAlchemy and run on the database driver's own cursor.

For the few statements every comment runs (the proposal's read, the comment's insert,
its count, the audit append): SQLAlchemy writes the SQL and types its parameters and
results, once per dialect; each run then costs what the driver costs, not the tens of
microseconds SQLAlchemy's execution machinery adds to every statement. They run on a
Connection's DBAPI connection inside its transaction, or on a DriverConnection (a pooled
driver connection with no SQLAlchemy Connection around it); SQLAlchemy's cursor events do
not see them.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.sql import Executable


@dataclass(frozen=True)
class DriverConnection:
    """A pooled driver connection in a transaction of its own, and its engine's dialect."""

    dialect: Dialect
    connection: Any  # the pool's proxy of the DBAPI connection


OnDriver = Connection | DriverConnection  # what a DriverStatement runs on


@dataclass(frozen=True)
class _Compiled:
    """A statement's SQL for one dialect, and how to turn parameters into the driver's."""

    sql: str
    compiled: Any  # SQLAlchemy's Compiled, for construct_params
    processors: dict[str, Callable[[Any], Any]]  # bind name -> type's bind processor
    order: tuple[str, ...] | None  # bind names in order for a positional driver (SQLite)
    results: tuple[Callable[[Any], Any] | None, ...]  # each result column's processor


class DriverStatement:
    """A core statement, run on the driver's cursor; compiled on first use per dialect."""

    def __init__(self, statement: Executable, columns: Sequence[str] = ()):
        self._statement = statement
        self._columns = list(columns) or None  # an INSERT's columns, when not in .values()
        self._by_dialect: dict[str, _Compiled] = {}

    def scalar(self, connection: OnDriver, params: dict[str, Any] | None = None) -> Any:
        """Run in `connection`'s transaction; the first column of the first row, or None.

        The value is the driver's (an id, a string): no result type is applied.
        """
        row = self._first_row(connection, params)[0]
        return None if row is None else row[0]

    def row(self, connection: OnDriver, params: dict[str, Any] | None = None) -> tuple | None:
        """Run it; the first row typed as SQLAlchemy would give it (dates, enums), or None."""
        row, compiled = self._first_row(connection, params)
        if row is None:
            return None
        return tuple(value if process is None or value is None else process(value)
                     for process, value in zip(compiled.results, row, strict=True))

    def _first_row(self, connection: OnDriver, params: dict[str, Any] | None):
        """Execute with the parameters bound as SQLAlchemy binds them; the first row, if any."""
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
        return row, compiled

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
            # No column type here needs the driver's type code, so none is passed.
            results = tuple(column.type.dialect_impl(dialect).result_processor(dialect, None)
                            for column in getattr(self._statement, "exported_columns", ()))
            found = _Compiled(compiled.string, compiled, processors, order, results)
            self._by_dialect[dialect.name] = found
        return found
