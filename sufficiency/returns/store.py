"""The area's store of termly returns: ``sufficiency.sqlite`` in the area folder.

The choice: an embedded SQLite database, one file the team can copy, back up and open in any
SQLite browser; or, for a team with a database server, a PostgreSQL database given by URL
(``--store postgresql://...``, :func:`locate`). Both go through SQLAlchemy Core
(``returns/database.py``), with the same SQL, tables and migration numbers. It holds

* ``providers``: every URN the store has seen, with its latest name, type and postcode and the
  first and last terms it made a return for;
* ``returns``: one row per provider per term with every DATA.md column. A re-ingest of a term
  (``replace``) does not delete: it marks the rows it replaces ``active = 0`` with
  ``replaced_by_import``, so the history of every term stays;
* ``imports``: the audit log, one row per ingest (term, time in UTC, rows, mode, the rows and
  imports it replaced), with ``import_files`` (each file's name, SHA-256 and rows) and the
  ``warnings`` the checks raised;
* ``schema_version``: one row per migration applied. :data:`MIGRATIONS` is the ordered list of
  migrations; opening a store applies the ones it lacks, and a store made by a newer version of
  the package is refused rather than guessed at.

Each migration is a frozen SQL file, ``returns/migrations/0001_<name>.sql``, ``0002_...``
(package data): its first line is the description ``schema_version`` records, then the exact
DDL it runs, applied in file order inside the opening or ingest transaction. The files are the
history of the schema and are never computed from the column lists of ``returns/reader.py``
(or :data:`TEXT`, :data:`REAL`, :data:`DATES` here), which the store still uses to write and
read rows. So when a column list grows, or a column is renamed, that is a new migration file
(``ALTER TABLE returns ADD COLUMN ...``); never edit one that has shipped.

An ingest is one transaction (``BEGIN IMMEDIATE`` ... ``COMMIT``, rolled back on any exception),
in SQLite's default rollback-journal mode, or in write-ahead-log mode once the web app has
opened the store (:func:`use_wal`): interrupted at any point, even by a killed process, the
store is as it was. :func:`load_returns` gives the current rows in exactly the shape
``returns.read_return`` produces, so the model reads a store and return files alike.

Migration 2 adds the web app's tables: accounts, web returns, the account behind each import
and the write log (``returns/accounts.py``, ``returns/web_returns.py``); migration 3 the
school-age places columns of a return.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Literal, cast

import geopandas as gpd
import numpy as np
import pandas as pd

from .. import geography
from ..errors import InputError, SufficiencyError
from ..terms import Term
from . import database
from .database import BUSY_TIMEOUT, Connection, Location
from .reader import COUNTS, OPENING, PRICES, term_from_name
from .validation import Checked

STORE_NAME = "sufficiency.sqlite"
__all__ = ["BUSY_TIMEOUT", "Connection", "Location"]
#: A store as the functions here take it: the SQLite file's path, a database URL, a Location.
Target = str | Path | Location
Mode = Literal["new", "replace", "add"]

TEXT = [
    "urn",
    "provider_name",
    "postcode",
    "ward_code",
    "leaver_reasons",
    "provider_type",
    "status",
    "easting",
    "northing",
    "latitude",
    "longitude",
]
REAL = [*COUNTS, *OPENING, *PRICES, "planned_places_change"]
DATES = ["status_date", "planned_change_date"]
#: The columns of a return in the order ``returns.read_return`` gives them.
FRAME_COLUMNS = [
    "term",
    *TEXT,
    *COUNTS,
    *OPENING,
    "ofsted_grade",
    *PRICES,
    "planned_places_change",
    *DATES,
    "source_file",
    "source_row",
]
_DATA_COLUMNS = [*TEXT, "ofsted_grade", *REAL, *DATES]


class StoreError(SufficiencyError):
    """The store refuses an action (a term already stored, a store too new) or is damaged."""


def read_migrations(
    folder: Traversable | None = None, dialect: str = "sqlite"
) -> list[tuple[str, list[str]]]:
    """The frozen migrations: each ``NNNN_<name>.sql`` file's description and statements.

    SQLite's are ``returns/migrations/*.sql``; PostgreSQL's, the same numbers and tables in its
    dialect, ``returns/migrations/postgresql/*.sql``.

    A file's first line, ``-- <description>``, is what ``schema_version`` records; its
    statements each end with ``;`` at the end of a line, and comment lines between them are
    left out. The files are numbered from 0001 with no gaps, applied in that order.
    """
    folder = folder or resources.files("sufficiency.returns") / "migrations"
    if dialect != "sqlite":
        folder = folder / dialect
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".sql")), key=lambda f: f.name)
    migrations = []
    for number, file in enumerate(files, start=1):
        if not file.name.startswith(f"{number:04d}_"):
            raise StoreError(f"migration {file.name}: expected {number:04d}_<name>.sql next")
        lines = file.read_text(encoding="utf-8").splitlines()
        if not lines or not lines[0].startswith("-- "):
            raise StoreError(f"migration {file.name}: the first line must be -- <description>")
        statements: list[str] = []
        statement: list[str] = []
        for line in lines[1:]:
            if not statement and (not line.strip() or line.lstrip().startswith("--")):
                continue
            statement.append(line)
            if line.rstrip().endswith(";") and sqlite3.complete_statement("\n".join(statement)):
                statements.append("\n".join(statement).strip().removesuffix(";"))
                statement = []
        if statement:
            raise StoreError(f"migration {file.name}: the last statement has no closing ;")
        migrations.append((lines[0].removeprefix("-- ").strip(), statements))
    return migrations


#: Each migration: a description and its statements, read from the frozen files in
#: ``returns/migrations``. Version n = the first n applied.
MIGRATIONS: list[tuple[str, list[str]]] = read_migrations()
SCHEMA_VERSION = len(MIGRATIONS)
#: PostgreSQL's migrations: the same numbers, descriptions and tables in its dialect.
POSTGRESQL_MIGRATIONS = read_migrations(dialect="postgresql")


def store_path(folder: str | Path) -> Path:
    """The SQLite store of an area folder: ``FOLDER/sufficiency.sqlite``."""
    return Path(folder) / STORE_NAME


def locate(folder: str | Path, given: str | None = None) -> Location:
    """The store an area's commands use: ``given`` (``--store``), else the
    ``SUFFICIENCY_STORE`` environment variable, else the area's ``sufficiency.sqlite``."""
    chosen = given or os.environ.get(database.ENV) or None
    return database.locate(chosen if chosen else store_path(folder))


def _busy(reason: str) -> StoreError:
    return StoreError(
        f"the store cannot be written now ({reason}): is another ingest running? Try again"
    )


def _how_to_start(path: Path) -> str:
    """How to make a store: ingest a term's returns (into a copy, for the bundled demo, which
    is package data and not written to)."""
    from .._demo_area import DEMO_AREA

    if path.parent.resolve() == DEMO_AREA.resolve():
        return (
            "the bundled demo area runs from its return files and is not written to: copy it "
            f"(cp -r {DEMO_AREA} my-area), then cd my-area and load a term with sufficiency "
            "ingest returns-2026-spring.csv"
        )
    return "load a term first with sufficiency ingest"


@contextmanager
def _connect(target: Target) -> Iterator[Connection]:
    location = database.locate(target)
    with database.connect(location) as conn:
        if location.dialect == "sqlite":
            try:
                conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            except database.errors().DatabaseError as error:
                raise StoreError(f"{location}: not a sufficiency store ({error.orig})") from None
        yield conn


@contextmanager
def _open(target: Target) -> Iterator[Connection]:
    """An existing store, migrated to the current schema."""
    location = database.locate(target)
    if location.path is not None and not location.path.is_file():
        raise StoreError(f"{location}: no store here; {_how_to_start(location.path)}")
    with _connect(location) as conn:
        # Only a store behind the schema takes the write lock to migrate: readers (every page
        # of the web app) do not queue behind one another or behind an ingest.
        try:
            current = schema_version(conn)
        except database.errors().DatabaseError:
            current = -1
        if current == 0 and location.path is None:
            raise StoreError(
                f"{location}: no store in this database yet; load a term first with "
                "sufficiency ingest --store (or add an account with sufficiency users add)"
            )
        if current != SCHEMA_VERSION:
            migrate(conn, path=location)
        yield conn


@contextmanager
def connection(path: Target, *, create: bool = False) -> Iterator[Connection]:
    """A store's connection, migrated to the current schema (for ``accounts`` and ``web``).

    With ``create``, a store that does not exist yet is made (an empty one, with the schema).
    Transactions are the caller's: use :func:`transaction`.
    """
    location = database.locate(path)
    if create and not location.exists():
        with _connect(location) as conn:
            migrate(conn, path=location)
    with _open(location) as conn:
        yield conn


def exists(path: Target) -> bool:
    """Whether the store has been made (the SQLite file; the schema in the database)."""
    return database.locate(path).exists()


def use_wal(path: Target) -> str:
    """Put a SQLite store in write-ahead-log mode (it stays so); the mode it is in now.

    In WAL mode readers do not block the writer nor it them, so the web app's pages keep
    reading while ``sufficiency ingest`` writes; writers still take turns (``BUSY_TIMEOUT``).
    A transaction interrupted at any point still leaves the store as it was. A PostgreSQL
    store needs nothing: ``"postgresql"``.
    """
    location = database.locate(path)
    if location.path is None:
        return "postgresql"
    with _connect(location) as conn:
        return str(conn.execute("PRAGMA journal_mode = WAL").fetchone()[0])


def schema_version(conn: Connection) -> int:
    """The schema version of a store (0: an empty database)."""
    if not database.has_table(conn, "schema_version"):
        return 0
    return int(conn.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()[0])


def _apply_migrations(conn: Connection, path: Target = STORE_NAME) -> int:
    """Apply the migrations a store lacks (its dialect's), inside the caller's transaction."""
    try:
        version = schema_version(conn)
    except database.errors().DatabaseError as error:
        raise StoreError(f"{path}: not a sufficiency store ({error.orig})") from None
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{path}: the store has schema version {version}, made by a newer version of "
            f"sufficiency (this one knows up to {SCHEMA_VERSION}); upgrade sufficiency"
        )
    if version == 0:
        conn.execute(
            "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, "
            "description TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
    migrations = MIGRATIONS if conn.dialect == "sqlite" else POSTGRESQL_MIGRATIONS
    for number, (description, statements) in enumerate(migrations[version:], start=version + 1):
        for statement in statements:
            conn.execute(statement)
        conn.execute("INSERT INTO schema_version VALUES (?, ?, ?)", (number, description, _now()))
    return version


def migrate(conn: Connection, *, path: Target = STORE_NAME) -> int:
    """Bring a store to :data:`SCHEMA_VERSION` in one transaction; return the version it had."""
    with _transaction(conn):
        return _apply_migrations(conn, path)


@contextmanager
def _transaction(conn: Connection) -> Iterator[None]:
    """``BEGIN IMMEDIATE`` (SQLite; PostgreSQL: ``BEGIN`` and the writers' lock) ...
    ``COMMIT``; ``ROLLBACK`` on any exception, then re-raise."""
    with database.transaction(conn, _busy):
        yield


#: The public name of the one-transaction helper, for ``accounts`` and ``web``.
transaction = _transaction


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


now_utc = _now


@dataclass(frozen=True)
class ImportResult:
    """What an ingest stored: its import id, term, rows, and what it replaced."""

    import_id: int
    term: Term
    rows: int
    replaced_rows: int
    replaced_imports: tuple[int, ...]
    warnings: int


OPTIONS = {"replace": "Give --replace", "add": "--add"}
"""How a refusal names the modes to a command-line user (:func:`ingest`'s ``choices``)."""


def ingest(
    path: Target,
    checked: Checked,
    *,
    mode: Mode = "new",
    now: str | None = None,
    account: str | None = None,
    also: Callable[[Connection, ImportResult], None] | None = None,
    choices: Mapping[str, str] = OPTIONS,
) -> ImportResult:
    """Store a checked term of returns, in one transaction.

    Parameters
    ----------
    path
        The store (created, with the current schema, if it does not exist).
    checked
        ``validation.check_files`` output with no errors.
    mode
        ``new``: the term must not be stored yet. ``replace``: the term's current rows are
        replaced (and kept in the history). ``add``: late returns for providers the term does
        not have yet.
    now
        The import time (UTC ISO 8601); the current time when not given.
    account
        The web account that made the import (recorded in ``import_accounts``); ``None`` for
        the command line.
    also
        More writes to make in the same transaction (the web app marks the returns it
        accepted): called with the connection and the result before the commit.
    choices
        How a refusal names the ``replace`` and ``add`` modes to the user (the command's
        options by default; the web form's choices on the web).
    """
    if not checked.ok or checked.returns is None:
        raise StoreError("the returns have errors; nothing was stored")
    location = database.locate(path)
    file = location.path
    existed = file is None or file.exists()
    try:
        with _connect(location) as conn, _transaction(conn):
            _apply_migrations(conn, location)
            result = _write(conn, checked, mode, now or _now(), choices)
            if account is not None:
                conn.execute(
                    "INSERT INTO import_accounts VALUES (?, ?)", (result.import_id, account)
                )
            if also is not None:
                also(conn, result)
            return result
    except BaseException:
        if file is not None and not existed and file.exists() and file.stat().st_size == 0:
            file.unlink()
        raise


def _refuse(
    current: pd.DataFrame,
    term: Term,
    mode: Mode,
    urns: set[str],
    choices: Mapping[str, str] = OPTIONS,
) -> None:
    """Raise when ``mode`` may not write ``term`` over the ``current`` rows it has."""
    if len(current) and mode == "new":
        loaded = ", ".join(
            f"import {r.import_id} on {str(r.imported_at)[:10]}"
            for r in current.drop_duplicates("import_id").itertuples()
        )
        raise StoreError(
            f"{term} is already in the store ({len(current)} returns, {loaded}); nothing was "
            f"changed. {choices['replace']} to replace it (the replaced rows stay in the "
            f"history), or {choices['add']} to add late returns from providers it does not have"
        )
    both = sorted(set(current["urn"]) & urns) if mode == "add" else []
    if both:
        raise StoreError(
            f"{term} already has returns for {len(both)} of these providers "
            f"({', '.join(both[:5])}{', ...' if len(both) > 5 else ''}); nothing was "
            f"changed. {choices['replace']} to replace the whole term"
        )


def refuse_if_stored(
    path: Target, term: Term, mode: Mode, choices: Mapping[str, str] = OPTIONS
) -> None:
    """Raise :class:`StoreError` now if an ingest of ``term`` in ``mode`` would be refused.

    (``ingest`` checks again inside its transaction; this lets a caller stop before checking
    the files.)
    """
    with _open(path) as conn:
        _refuse(_current(conn, term), term, mode, set(), choices)


def _write(
    conn: Connection, checked: Checked, mode: Mode, now: str, choices: Mapping[str, str]
) -> ImportResult:
    term = checked.term
    returns = cast(pd.DataFrame, checked.returns)  # ingest refuses a check without returns
    current = _current(conn, term)
    _refuse(current, term, mode, set(returns["urn"]), choices)
    replaced = tuple(sorted(set(current["import_id"]))) if mode == "replace" else ()
    cursor = conn.execute(
        "INSERT INTO imports (term, term_index, imported_at, mode, rows, replaced_rows, "
        "replaced_imports, warnings) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING import_id",
        (
            str(term),
            term.index,
            now,
            mode,
            len(returns),
            len(current) if mode == "replace" else 0,
            ",".join(map(str, replaced)) or None,
            len(checked.warnings),
        ),
    )
    import_id = int(cursor.scalar_one())
    conn.executemany(
        "INSERT INTO import_files VALUES (?, ?, ?, ?)",
        [(import_id, f.name, f.sha256, f.rows) for f in checked.files],
    )
    if mode == "replace":
        conn.execute(
            "UPDATE returns SET active = 0, replaced_by_import = ? "
            "WHERE term_index = ? AND active = 1",
            (import_id, term.index),
        )
    _upsert_providers(conn, returns, term)
    _insert_returns(conn, import_id, returns, term)
    _insert_warnings(conn, import_id, checked.warnings)
    return ImportResult(
        import_id,
        term,
        len(returns),
        len(current) if replaced else 0,
        replaced,
        len(checked.warnings),
    )


def _current(conn: Connection, term: Term) -> pd.DataFrame:
    rows = conn.execute(
        "SELECT r.urn, r.import_id, i.imported_at FROM returns r JOIN imports i "
        "USING (import_id) WHERE r.term_index = ? AND r.active = 1 ORDER BY r.import_id",
        (term.index,),
    ).fetchall()
    return pd.DataFrame(rows, columns=["urn", "import_id", "imported_at"])


def _sql_value(value: object) -> object:
    """A pandas cell as SQLite takes it: ``None`` for missing, ISO text for dates."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, np.generic):
        return value.item()
    return value


def _records(frame: pd.DataFrame, columns: list[str]) -> list[tuple]:
    return [
        tuple(_sql_value(v) for v in row)
        for row in frame.reindex(columns=columns).itertuples(index=False, name=None)
    ]


def _upsert_providers(conn: Connection, returns: pd.DataFrame, term: Term) -> None:
    """Every URN, its details from its latest term, and the first and last terms it returned."""
    columns = ["urn", "provider_name", "provider_type", "postcode"]
    rows = [(*r, str(term), term.index, str(term), term.index) for r in _records(returns, columns)]
    conn.executemany(
        """INSERT INTO providers AS p VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (urn) DO UPDATE SET
            provider_name = CASE WHEN excluded.last_term_index >= p.last_term_index
                THEN excluded.provider_name ELSE p.provider_name END,
            provider_type = CASE WHEN excluded.last_term_index >= p.last_term_index
                THEN excluded.provider_type ELSE p.provider_type END,
            postcode = CASE WHEN excluded.last_term_index >= p.last_term_index
                THEN excluded.postcode ELSE p.postcode END,
            first_term = CASE WHEN excluded.first_term_index < p.first_term_index
                THEN excluded.first_term ELSE p.first_term END,
            first_term_index = CASE WHEN excluded.first_term_index < p.first_term_index
                THEN excluded.first_term_index ELSE p.first_term_index END,
            last_term = CASE WHEN excluded.last_term_index > p.last_term_index
                THEN excluded.last_term ELSE p.last_term END,
            last_term_index = CASE WHEN excluded.last_term_index > p.last_term_index
                THEN excluded.last_term_index ELSE p.last_term_index END""",
        rows,
    )


def _insert_returns(conn: Connection, import_id: int, returns: pd.DataFrame, term: Term) -> None:
    columns = [*_DATA_COLUMNS, "source_file", "source_row"]
    placeholders = ", ".join("?" * (len(columns) + 4))
    conn.executemany(
        f"INSERT INTO returns (import_id, active, term, term_index, {', '.join(columns)}) "
        f"VALUES ({placeholders})",
        [(import_id, 1, str(term), term.index, *r) for r in _records(returns, columns)],
    )


def _insert_warnings(conn: Connection, import_id: int, warnings: pd.DataFrame) -> None:
    columns = ["file", "row", "column", "value", "code", "message"]
    conn.executemany(
        "INSERT INTO warnings (import_id, file, row, column_name, value, code, message) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(import_id, *r) for r in _records(warnings, columns)],
    )


def _query(
    path: Target, sql: str | Callable[[Connection], str], params: tuple = ()
) -> pd.DataFrame:
    with _open(path) as conn:
        cursor = conn.execute(sql if isinstance(sql, str) else sql(conn), params)
        names = list(cursor.keys())
        return pd.DataFrame([tuple(r) for r in cursor.fetchall()], columns=names)


def load_returns(path: Target, *, include_replaced: bool = False) -> pd.DataFrame:
    """The stored returns, shaped exactly as ``returns.read_return`` gives a file's rows.

    One row per provider per term (the current rows; with ``include_replaced``, the replaced
    ones too, plus ``import_id``, ``active`` and ``replaced_by_import``), sorted by term and
    URN. Columns and dtypes are those of ``read_return`` with every coordinate column present.
    """
    extra = ", import_id, active, replaced_by_import" if include_replaced else ""
    where = "" if include_replaced else "WHERE active = 1"
    rows = _query(
        path,
        f"SELECT {', '.join(FRAME_COLUMNS)}{extra} FROM returns {where} "
        "ORDER BY term_index, urn, return_id",
    )
    return typed_returns(rows)


def typed_returns(rows: pd.DataFrame) -> pd.DataFrame:
    """Stored rows (as SQLite gives them) with ``read_return``'s dtypes."""
    out = pd.DataFrame(index=pd.RangeIndex(len(rows)))
    out["term"] = pd.Series(rows["term"].to_numpy(dtype=object), dtype="str")
    for column in [*TEXT, "ofsted_grade"]:
        out[column] = pd.Series(rows[column].to_numpy(dtype=object), dtype="string")
    for column in REAL:
        out[column] = pd.to_numeric(rows[column]).astype("float64")
    for column in DATES:
        out[column] = pd.to_datetime(rows[column], format="%Y-%m-%d").astype("datetime64[ns]")
    out["source_file"] = pd.Series(rows["source_file"].to_numpy(dtype=object), dtype="str")
    out["source_row"] = rows["source_row"].astype("int64")
    out = out[FRAME_COLUMNS]
    for column in rows.columns.difference(FRAME_COLUMNS, sort=False):
        out[column] = rows[column].to_numpy()
    return out


def load_providers(path: Target) -> pd.DataFrame:
    """Every provider the store has seen: URN, latest details, first and last term."""
    return _query(
        path,
        "SELECT urn, provider_name, provider_type, postcode, first_term, "
        "last_term FROM providers ORDER BY urn",
    )


def load_imports(path: Target) -> pd.DataFrame:
    """The audit log: one row per import, its files (``name sha256`` pairs) joined."""

    def sql(conn: Connection) -> str:
        files = database.joined(conn, "f.file_name || ' ' || f.sha256", "; ", "f")
        return (
            "SELECT i.import_id, i.term, i.imported_at, i.mode, i.rows, i.replaced_rows, "
            f"i.replaced_imports, i.warnings, {files} AS files FROM imports i "
            "LEFT JOIN import_files f USING (import_id) GROUP BY i.import_id ORDER BY i.import_id"
        )

    return _query(path, sql)


def load_warnings(path: Target) -> pd.DataFrame:
    """The warnings raised by every import."""
    return _query(
        path,
        lambda conn: (
            "SELECT import_id, file, row, column_name AS column, value, code, "
            f"message FROM warnings ORDER BY import_id, {database.insertion_order(conn)}"
        ),
    )


def stored_terms(path: Target) -> list[Term]:
    """The terms the store holds current returns for, in time order."""
    rows = _query(
        path, "SELECT DISTINCT term_index FROM returns WHERE active = 1 ORDER BY term_index"
    )
    return [Term(int(i)) for i in rows["term_index"]]


def area_returns(
    folder: str | Path,
    wards: gpd.GeoDataFrame,
    postcodes: pd.DataFrame | None,
    notes: list[str],
    store: str | None = None,
) -> tuple[pd.DataFrame, str] | None:
    """The area's returns from its store, located in wards, or ``None`` when it has no store.

    The frame is what ``area.read_returns`` gives from return files (``ward_code``,
    ``located_by``, ``easting``, ``northing``, ``term_index``; sorted by term and URN). Notes
    name the source, providers outside every ward and return files the store does not hold.
    """
    named = bool(store or os.environ.get(database.ENV))  # --store or SUFFICIENCY_STORE
    path = locate(folder, store)
    if not path.exists() or (returns := load_returns(path)).empty:
        if named:  # asked for by name: never the return files in its place
            what = "no store here" if not path.exists() else "the store holds no returns"
            raise StoreError(
                f"{path}: {what}; load a term into it with sufficiency ingest FILE --store "
                f"URL, or leave out --store (and {database.ENV}) to read the area's own files"
            )
        if path.exists():
            notes.append(f"{path.name} holds no returns; the return files were read instead")
        return None
    geography.refuse_without_lookup(returns, wards, postcodes, file=str(path))
    located = geography.locate(returns, wards, postcodes, file=str(path))
    lost = located[located["located_by"] == "unlocated"]
    per_term = located.groupby("term", sort=False).size()
    lost_per_term = lost.groupby("term", sort=False).size()
    every = lost_per_term.reindex(per_term.index, fill_value=0) == per_term
    if every.any():
        empty = str(every[every].index[0])
        raise InputError(
            f"none of the providers of {empty} in the store {path.name} is in a ward of the "
            f"area (e.g. {lost.loc[lost['term'] == empty, 'urn'].iloc[0]}); a run would count "
            "no places at all",
            file=str(path),
            hint=f"Is it another area's store? Check --store (and {database.ENV}), and that "
            "the wards file is the area's",
        )
    for term, rows in lost.groupby("term", sort=False):
        urns = ", ".join(rows["urn"].astype(str).head(5))
        notes.append(
            f"{path.name}, {term}: {len(rows)} provider(s) outside every ward or "
            f"without a location were left out ({urns})"
        )
    located["term_index"] = np.array([Term.parse(t).index for t in located["term"]], dtype="int64")
    located = located.sort_values(["term_index", "urn"], kind="stable").reset_index(drop=True)
    terms = sorted(set(located["term_index"]))
    source = f"the store {path.name} ({len(terms)} term(s), {Term(terms[0])} to {Term(terms[-1])})"
    notes.append(f"Supply read from {source}")
    stored = {str(Term(i)) for i in terms}
    loose = sorted(
        p.name
        for p in Path(folder).glob("returns-*")
        if p.suffix.lower() in {".csv", ".xlsx"}
        and (t := term_from_name(p)) is not None
        and str(t) not in stored
    )
    if loose:
        notes.append(
            f"return file(s) not in the store, so not used: {', '.join(loose)} "
            "(load them with sufficiency ingest)"
        )
    return located, source
