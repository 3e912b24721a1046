"""Where a returns store lives and how the store talks to it: SQLAlchemy Core, two dialects.

A store is the area's SQLite file (``sufficiency.sqlite`` in the area folder, the default) or a
PostgreSQL database given by URL (``--store postgresql://user@host/db``, or the
``SUFFICIENCY_STORE`` environment variable), for a team with a database server. This module
turns either into a :class:`Location`, opens connections through one cached SQLAlchemy engine
per store and runs the store's SQL in the store's own dialect. ``returns/store.py`` is the one
store on top of it; nothing else opens a database.

The store's SQL is written once with ``?`` placeholders (portable SQL: ``ON CONFLICT``,
``RETURNING``, ``coalesce``, ``CASE``), run with :meth:`Connection.execute` through
SQLAlchemy's ``exec_driver_sql`` (``?`` becomes psycopg's ``%s`` on PostgreSQL). Transactions
are explicit (:func:`transaction`): SQLite's ``BEGIN IMMEDIATE`` takes the write lock at once
and waits :data:`BUSY_TIMEOUT` seconds for another writer; on PostgreSQL a write transaction
is begun once its connection holds one advisory lock (waiting as long), so writers take turns
exactly as on SQLite (two ingests of one term cannot both see it empty) while readers never
wait.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from ..errors import SufficiencyError

if TYPE_CHECKING:
    import sqlalchemy as sa
    from sqlalchemy.engine import CursorResult, Engine

# SQLAlchemy (about 0.25 s to import) is imported by the first use of a store, not by every
# command that imports this module (``sufficiency --help``, a run from return files).


def errors() -> ModuleType:
    """``sqlalchemy.exc``, the store's database errors (``except database.errors().X``: an
    except clause's class is looked up only when an exception reaches it)."""
    from sqlalchemy import exc

    return exc


#: The environment variable that names a store for every command (as ``--store`` does).
ENV = "SUFFICIENCY_STORE"
#: Seconds a connection waits for another writer to finish before giving up.
BUSY_TIMEOUT = 30.0
#: The advisory lock key every write transaction on PostgreSQL takes (any fixed number).
_WRITE_LOCK = 7_301_017
_URL = (
    "postgresql://USER@HOST/DATABASE (a database that exists; the password in ~/.pgpass or "
    "PGPASSWORD)"
)
_HOW = f"give --store {_URL}, or leave --store out for the area's SQLite file"


class DatabaseError(SufficiencyError):
    """A store that cannot be reached or named (a bad URL, a server that does not answer)."""


def mask(url: str) -> str:
    """A URL as it may be shown: its password, if any, as ``***``."""
    return re.sub(r"(://[^:/@]*:)[^@/]*@", r"\1***@", url)


@dataclass(frozen=True)
class Location:
    """A store: its SQLAlchemy URL, and the file when it is SQLite."""

    url: str
    path: Path | None = None
    _shown: str = field(default="", compare=False)

    @property
    def dialect(self) -> str:
        return "sqlite" if self.path is not None else "postgresql"

    @property
    def name(self) -> str:
        """The store's short name for notes: the file's name, or the masked URL."""
        return self.path.name if self.path is not None else str(self)

    def __str__(self) -> str:
        return str(self.path) if self.path is not None else self._shown

    def exists(self) -> bool:
        """Whether the store has been made: the SQLite file, or the schema on the server."""
        if self.path is not None:
            return self.path.is_file()
        with connect(self) as conn:
            return has_table(conn, "schema_version")


def locate(target: str | os.PathLike[str] | Location) -> Location:
    """A store named by a file path, a ``sqlite:///`` or ``postgresql://`` URL, or a Location."""
    if isinstance(target, Location):
        return target
    text = os.fspath(target)
    if "://" not in text:
        return Location(f"sqlite+pysqlite:///{Path(text)}", Path(text))
    import sqlalchemy as sa

    try:
        url = sa.make_url(text)
    except (errors().ArgumentError, ValueError):
        raise DatabaseError(f"--store {mask(text)}: not a database URL; {_HOW}") from None
    backend = url.get_backend_name()
    if backend == "sqlite" and url.database:
        return Location(f"sqlite+pysqlite:///{url.database}", Path(url.database))
    if backend != "postgresql" or url.get_driver_name() not in {"psycopg", "psycopg2"}:
        raise DatabaseError(
            f"--store {mask(text)}: not a store this version can use ({url.drivername}); {_HOW}"
        )
    url = url.set(drivername="postgresql+psycopg")
    if not url.database:
        raise DatabaseError(f"--store {mask(text)}: the URL names no database; {_HOW}")
    return Location(url.render_as_string(hide_password=False), None, mask(text))


_ENGINES: dict[str, Engine] = {}


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


def _sqlite_timeout(_dialect: Any, _record: Any, _args: Any, params: dict[str, Any]) -> None:
    params["timeout"] = BUSY_TIMEOUT  # read at each connection (a test shortens it)


def engine(location: Location) -> Engine:
    """The store's engine (one per URL, kept for the process: the web app's pool)."""
    found = _ENGINES.get(location.url)
    if found is not None:
        return found
    import sqlalchemy as sa
    from sqlalchemy import event
    from sqlalchemy.pool import NullPool

    if location.path is not None:
        # No pool: a connection per use, as sqlite3 had it (a file may be made or removed
        # between uses). ``timeout``: a writer waits this long for another.
        made = sa.create_engine(location.url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
        event.listen(made, "do_connect", _sqlite_timeout)
        event.listen(made, "connect", _sqlite_pragmas)
        files = [url for url in _ENGINES if url.startswith("sqlite")]
        for url in files[: max(0, len(files) - 64)]:  # a test run opens thousands of files
            _ENGINES.pop(url).dispose()
    else:
        made = sa.create_engine(
            location.url,
            isolation_level="AUTOCOMMIT",
            pool_pre_ping=True,
            connect_args={"connect_timeout": 10},
        )
    _ENGINES[location.url] = made
    return made


def dispose(location: Location) -> None:
    """Close the store's pooled connections (a test's database is about to be dropped)."""
    found = _ENGINES.pop(location.url, None)
    if found is not None:
        found.dispose()


class Connection:
    """A store connection: the store's SQL (``?`` placeholders) run in its dialect."""

    def __init__(self, conn: sa.Connection, location: Location) -> None:
        self.sa = conn
        self.location = location
        self.dialect = location.dialect

    def _sql(self, sql: str) -> str:
        if self.dialect == "sqlite":
            return sql
        return sql.replace("%", "%%").replace("?", "%s")

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """The statement's result (a ``CursorResult``: ``fetchone()`` and ``fetchall()`` as
        sqlite3's cursor has them, typed ``Any`` like those)."""
        result: CursorResult[Any] = self.sa.exec_driver_sql(self._sql(sql), tuple(params))
        return result

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            self.sa.exec_driver_sql(self._sql(sql), [tuple(r) for r in rows])


def _reason(error: Any) -> str:
    return str(error.orig).strip().splitlines()[0] if error.orig else str(error)


@contextmanager
def connect(location: Location) -> Iterator[Connection]:
    """A connection to the store (autocommit: transactions are :func:`transaction`'s)."""
    try:
        conn = engine(location).connect()
    except errors().DBAPIError as error:
        if location.path is not None:
            raise
        raise DatabaseError(
            f"{location}: cannot connect to the PostgreSQL server ({_reason(error)}); "
            "check the server is running and the URL's host, port, user and database"
        ) from None
    try:
        yield Connection(conn, location)
    finally:
        conn.close()


def has_table(conn: Connection, name: str) -> bool:
    """Whether the store has the table ``name`` (on PostgreSQL: in the search path)."""
    if conn.dialect == "sqlite":
        sql = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
    else:
        sql = "SELECT 1 WHERE to_regclass(?) IS NOT NULL"
    return conn.execute(sql, (name,)).fetchone() is not None


def insertion_order(conn: Connection) -> str:
    """The column that orders an append-only table's rows as they were inserted."""
    return "rowid" if conn.dialect == "sqlite" else "ctid"


def joined(conn: Connection, expression: str, separator: str, table: str) -> str:
    """An aggregate joining ``expression`` over a group with ``separator`` (a literal), in the
    order ``table``'s rows were inserted."""
    if conn.dialect == "sqlite":
        return f"group_concat({expression}, '{separator}')"
    return f"string_agg({expression}, '{separator}' ORDER BY {table}.ctid)"


@contextmanager
def transaction(conn: Connection, busy: Callable[[str], Exception]) -> Iterator[None]:
    """One write transaction: committed at the end, rolled back on any exception.

    ``busy(reason)`` is the error raised when another writer holds the store longer than
    :data:`BUSY_TIMEOUT`. On PostgreSQL the writers' lock is taken before ``BEGIN`` and let go
    after ``COMMIT`` (a session advisory lock): the transaction then starts after the previous
    writer's commit and sees its tables and rows, as a SQLite writer does after ``BEGIN
    IMMEDIATE`` (a lock taken inside a transaction would leave it a stale catalog cache).
    """
    postgres = conn.dialect != "sqlite"
    try:
        if postgres:
            conn.execute(f"SET lock_timeout = '{max(1, int(BUSY_TIMEOUT * 1000))}ms'")
            try:
                conn.execute(f"SELECT pg_advisory_lock({_WRITE_LOCK})")
            finally:
                conn.execute("RESET lock_timeout")
        else:
            conn.execute("BEGIN IMMEDIATE")
    except errors().OperationalError as error:
        raise busy(_reason(error)) from None
    try:
        if postgres:
            conn.execute("BEGIN")
        try:
            yield
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
    finally:
        if postgres:
            conn.execute(f"SELECT pg_advisory_unlock({_WRITE_LOCK})")
