"""The store: round trip, refusals, history, one transaction per ingest, migrations."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import inside, postgres_dump, provider, ward_polygons, write_area

from sufficiency.errors import InputError
from sufficiency.returns import database, reader, store
from sufficiency.returns.reader import read_return
from sufficiency.returns.validation import check_files
from sufficiency.terms import Term

WARDS = ward_polygons(["E05000001", "E05000002"])
X, Y = inside(0)


def row(**changes) -> dict:
    return provider(**{"easting": X, "northing": Y, **changes})


def checked(folder: Path, term: str, rows: list[dict], **options):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"returns-{term}.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    result = check_files([path], Term.parse(term), wards=WARDS, **options)
    assert result.ok, result.problems
    return result


def migrated(path: Path) -> sqlite3.Connection:
    """A new SQLite store made by the store's migrations, opened with sqlite3."""
    with store.connection(path, create=True):
        pass
    return sqlite3.connect(path, isolation_level=None)


def dump(path: Path | str) -> str:
    """Every table's schema and content, as SQL (PostgreSQL: every table's rows, in order)."""
    if isinstance(path, str):
        return postgres_dump(path)
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return "\n".join(conn.iterdump())
    finally:
        conn.close()


@pytest.fixture
def stored(tmp_path, store_at) -> Path | str:
    """A store (SQLite, then PostgreSQL) holding 2026-summer (two providers)."""
    return _stored(tmp_path, store_at)


@pytest.fixture
def stored_sqlite(tmp_path) -> Path:
    """A SQLite store holding 2026-summer (two providers)."""
    return _stored(tmp_path, tmp_path / "sufficiency.sqlite")


def _stored(tmp_path: Path, path: Path | str) -> Path | str:
    rows = [
        row(),
        row(
            urn="123456",
            provider_type="childminder",
            registered_places=6,
            places_3_4=6,
            children_3_4=4,
            vacancies_3_4=2,
            staff_total=1,
            staff_level2=0,
            staff_level3=1,
        ),
    ]
    store.ingest(path, checked(tmp_path / "in", "2026-summer", rows), now="2026-05-01T09:00:00")
    return path


def test_load_returns_is_shaped_exactly_like_read_return(tmp_path, store_at):
    rows = [
        row(
            latitude="",
            longitude="",
            leaver_reasons="pay; hours",
            staff_leavers=1,
            status="closing",
            status_date="01/12/2026",
            planned_places_change=-4,
            planned_change_date="2027-01-01",
            ward_code="",
        ),
        row(
            urn="ey 100002",
            latitude="",
            longitude="",
            postcode="=cmd",
            ward_code="E05000002",
            funded_3_4_universal=12,
            send_children=3,
        ),
    ]
    result = checked(tmp_path, "2026-autumn", rows)
    store.ingest(store_at, result)
    loaded = store.load_returns(store_at)
    expected = read_return(tmp_path / "returns-2026-autumn.csv")
    pd.testing.assert_frame_equal(loaded, expected.sort_values("urn").reset_index(drop=True))


def test_a_term_already_stored_is_refused_and_nothing_changes(stored, tmp_path):
    before = dump(stored)
    again = checked(tmp_path / "again", "2026-summer", [row(vacancies_3_4=5)])
    with pytest.raises(store.StoreError) as refused:
        store.ingest(stored, again)
    assert str(refused.value) == (
        "2026-summer is already in the store (2 returns, import 1 on 2026-05-01); nothing was "
        "changed. Give --replace to replace it (the replaced rows stay in the history), or "
        "--add to add late returns from providers it does not have"
    )
    assert dump(stored) == before


def test_replace_keeps_the_replaced_rows_in_the_history(stored, tmp_path):
    again = checked(tmp_path / "again", "2026-summer", [row(vacancies_3_4=5)])
    result = store.ingest(stored, again, mode="replace", now="2026-05-02T09:00:00")
    assert (result.import_id, result.rows, result.replaced_rows) == (2, 1, 2)
    assert result.replaced_imports == (1,)
    current = store.load_returns(stored)
    assert list(current["urn"]) == ["EY100001"] and list(current["vacancies_3_4"]) == [5.0]
    everything = store.load_returns(stored, include_replaced=True)
    history = everything[["urn", "vacancies_3_4", "import_id", "active", "replaced_by_import"]]
    assert history.astype(object).where(history.notna(), None).values.tolist() == [
        ["123456", 2.0, 1, 0, 2],
        ["EY100001", 2.0, 1, 0, 2],
        ["EY100001", 5.0, 2, 1, None],
    ]
    log = store.load_imports(stored)
    assert list(log["mode"]) == ["new", "replace"]
    assert list(log["replaced_rows"]) == [0, 2]
    assert log["replaced_imports"].iloc[1] == "1"
    assert log["files"].iloc[1].startswith("returns-2026-summer.csv ")
    assert len(log["files"].iloc[1].split(" ")[1]) == 64  # the file's SHA-256
    # The provider that only the replaced rows had is still known.
    assert list(store.load_providers(stored)["urn"]) == ["123456", "EY100001"]


def test_add_takes_late_returns_but_not_a_provider_twice(stored, tmp_path):
    late = checked(tmp_path / "late", "2026-summer", [row(urn="EY100009")])
    store.ingest(stored, late, mode="add")
    assert sorted(store.load_returns(stored)["urn"]) == ["123456", "EY100001", "EY100009"]
    before = dump(stored)
    twice = checked(tmp_path / "twice", "2026-summer", [row(urn="123456", provider_type="other")])
    with pytest.raises(
        store.StoreError,
        match=r"already has returns for 1 of these providers "
        r"\(123456\); nothing was changed",
    ):
        store.ingest(stored, twice, mode="add")
    assert dump(stored) == before


def _fail_after_inserting(monkeypatch):
    """Make an ingest raise after it has inserted its returns (before it commits)."""
    insert = store._insert_returns

    def insert_then_fail(conn, *args):
        insert(conn, *args)
        assert conn.execute("SELECT count(*) FROM returns").fetchone()[0] > 0
        raise RuntimeError("power cut")

    monkeypatch.setattr(store, "_insert_returns", insert_then_fail)


@pytest.mark.parametrize("mode", ["new", "replace"])
def test_an_ingest_interrupted_half_way_changes_nothing(stored, tmp_path, monkeypatch, mode):
    term = "2026-autumn" if mode == "new" else "2026-summer"
    later = checked(tmp_path / "later", term, [row(vacancies_3_4=7), row(urn="EY100003")])
    before = dump(stored)
    raw = stored.read_bytes() if isinstance(stored, Path) else None
    _fail_after_inserting(monkeypatch)
    with pytest.raises(RuntimeError, match="power cut"):
        store.ingest(stored, later, mode=mode)
    assert dump(stored) == before
    if isinstance(stored, Path):
        assert stored.read_bytes() == raw
        assert not Path(f"{stored}-journal").exists()
    monkeypatch.undo()
    store.ingest(stored, later, mode=mode)  # and the store still takes the ingest
    assert "EY100003" in set(store.load_returns(stored)["urn"])


def test_a_first_ingest_interrupted_leaves_no_store(tmp_path, monkeypatch):
    first = checked(tmp_path, "2026-summer", [row()])
    _fail_after_inserting(monkeypatch)
    with pytest.raises(RuntimeError):
        store.ingest(tmp_path / "sufficiency.sqlite", first)
    assert not (tmp_path / "sufficiency.sqlite").exists()


KILL = """
import os, sys
from pathlib import Path
import pandas as pd
sys.path.insert(0, {tests!r})
from conftest import inside, provider, ward_polygons
from sufficiency.returns import reader, store
from sufficiency.terms import Term
from sufficiency.returns.validation import check_files
x, y = inside(0)
path = Path({folder!r}) / "returns-2026-autumn.csv"
pd.DataFrame([provider(easting=x, northing=y, urn=f"EY{{i:06d}}") for i in range(1, 500)]
             ).to_csv(path, index=False)
result = check_files([path], Term.parse("2026-autumn"))
from contextlib import contextmanager
connect, insert = store._connect, store._insert_returns
@contextmanager
def small_cache(path):
    with connect(path) as conn:
        conn.execute("PRAGMA cache_size = 1")  # spill changed pages into the file before COMMIT
        yield conn
def insert_and_die(conn, *args):
    insert(conn, *args)
    os._exit(9)  # the process dies: no rollback, no close
store._connect, store._insert_returns = small_cache, insert_and_die
store.ingest({store!r}, result)
"""


def test_a_process_killed_mid_ingest_leaves_the_store_as_it_was(stored_sqlite, tmp_path):
    stored = stored_sqlite
    before, raw = dump(stored), stored.read_bytes()
    script = KILL.format(tests=str(Path(__file__).parent), folder=str(tmp_path), store=str(stored))
    died = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert died.returncode == 9, died.stderr
    assert Path(f"{stored}-journal").exists()  # a hot journal: the file was half written
    assert stored.read_bytes() != raw
    assert dump(stored) == before  # SQLite rolls the hot journal back on the next open
    assert store.stored_terms(stored) == [Term.parse("2026-summer")]


def test_migrations_from_an_empty_database_to_the_current_schema(tmp_path, store_at):
    path = store_at
    if isinstance(path, Path):
        sqlite3.connect(path).close()
    with database.connect(database.locate(path)) as conn:
        _migrations_from_empty(conn, path)


def _migrations_from_empty(conn, path) -> None:
    assert store.schema_version(conn) == 0
    assert store.migrate(conn) == 0
    assert store.schema_version(conn) == store.SCHEMA_VERSION == 4
    if conn.dialect == "sqlite":
        listed = "SELECT name FROM sqlite_master WHERE type='table'"
    else:
        listed = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
    tables = {r[0] for r in conn.execute(listed)}
    assert tables == {
        "schema_version",
        "providers",
        "imports",
        "import_files",
        "returns",
        "warnings",
        # migration 2: the web app's
        "accounts",
        "web_returns",
        "import_accounts",
        "web_log",
        "web_settings",
    }
    assert store.migrate(conn) == 4  # a second time does nothing
    versions = conn.execute("SELECT version, description FROM schema_version").fetchall()
    assert [tuple(v) for v in versions] == [
        (n, description) for n, (description, _) in enumerate(store.MIGRATIONS, start=1)
    ]
    assert store.load_returns(path).empty


#: ``sqlite_master`` (type, name, table, SQL) of a new store as the code before the frozen
#: migrations made it, migration 1 built from the column lists: copied from such a store once.
#: Every store made since the first release has exactly this schema text.
TODAYS_SCHEMA = [
    (
        "table",
        "schema_version",
        "schema_version",
        "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, "
        "description TEXT NOT NULL, applied_at TEXT NOT NULL)",
    ),
    (
        "table",
        "providers",
        "providers",
        """CREATE TABLE providers (
                urn TEXT PRIMARY KEY,
                provider_name TEXT,
                provider_type TEXT,
                postcode TEXT,
                first_term TEXT NOT NULL,
                first_term_index INTEGER NOT NULL,
                last_term TEXT NOT NULL,
                last_term_index INTEGER NOT NULL
            )""",
    ),
    ("index", "sqlite_autoindex_providers_1", "providers", None),
    (
        "table",
        "imports",
        "imports",
        """CREATE TABLE imports (
                import_id INTEGER PRIMARY KEY,
                term TEXT NOT NULL,
                term_index INTEGER NOT NULL,
                imported_at TEXT NOT NULL,
                mode TEXT NOT NULL,
                rows INTEGER NOT NULL,
                replaced_rows INTEGER NOT NULL DEFAULT 0,
                replaced_imports TEXT,
                warnings INTEGER NOT NULL DEFAULT 0
            )""",
    ),
    (
        "table",
        "import_files",
        "import_files",
        """CREATE TABLE import_files (
                import_id INTEGER NOT NULL REFERENCES imports(import_id),
                file_name TEXT NOT NULL,
                sha256 TEXT NOT NULL,
                rows INTEGER NOT NULL
            )""",
    ),
    (
        "table",
        "returns",
        "returns",
        """CREATE TABLE returns (
    return_id INTEGER PRIMARY KEY,
    import_id INTEGER NOT NULL REFERENCES imports(import_id),
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    replaced_by_import INTEGER REFERENCES imports(import_id),
    term TEXT NOT NULL,
    term_index INTEGER NOT NULL,
    urn TEXT NOT NULL,
    provider_name TEXT,
    postcode TEXT,
    ward_code TEXT,
    leaver_reasons TEXT,
    provider_type TEXT,
    status TEXT,
    easting TEXT,
    northing TEXT,
    latitude TEXT,
    longitude TEXT,
    registered_places REAL,
    places_under2 REAL,
    places_2 REAL,
    places_3_4 REAL,
    children_under2 REAL,
    children_2 REAL,
    children_3_4 REAL,
    funded_under2_working REAL,
    funded_2_working REAL,
    funded_2_disadvantaged REAL,
    funded_3_4_universal REAL,
    funded_3_4_extended REAL,
    vacancies_under2 REAL,
    vacancies_2 REAL,
    vacancies_3_4 REAL,
    waiting_under2 REAL,
    waiting_2 REAL,
    waiting_3_4 REAL,
    staff_total REAL,
    staff_unqualified REAL,
    staff_level2 REAL,
    staff_level3 REAL,
    staff_level6 REAL,
    staff_vacancies REAL,
    staff_leavers REAL,
    staff_recruits REAL,
    send_children REAL,
    hours_per_day REAL,
    days_per_week REAL,
    weeks_per_year REAL,
    planned_places_change REAL,
    status_date TEXT,
    planned_change_date TEXT,
    source_file TEXT,
    source_row INTEGER
)""",
    ),
    (
        "index",
        "returns_current",
        "returns",
        "CREATE UNIQUE INDEX returns_current ON returns(term_index, urn) WHERE active = 1",
    ),
    (
        "index",
        "returns_by_import",
        "returns",
        "CREATE INDEX returns_by_import ON returns(import_id)",
    ),
    (
        "table",
        "warnings",
        "warnings",
        """CREATE TABLE warnings (
                import_id INTEGER NOT NULL REFERENCES imports(import_id),
                file TEXT,
                row INTEGER,
                column_name TEXT,
                value TEXT,
                code TEXT NOT NULL,
                message TEXT NOT NULL
            )""",
    ),
]


def _schema(conn: sqlite3.Connection) -> list[tuple]:
    return conn.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY rowid"
    ).fetchall()


def test_the_frozen_migrations_make_exactly_the_schema_the_first_release_made(
    tmp_path, monkeypatch
):
    # Migrations 1 and 2 (3 alters the returns table): the first release's schema, text for
    # text, then migration 2's tables.
    monkeypatch.setattr(store, "MIGRATIONS", store.MIGRATIONS[:2])
    monkeypatch.setattr(store, "SCHEMA_VERSION", 2)
    conn = migrated(tmp_path / "sufficiency.sqlite")
    # Migration 2 only adds tables: the first release's come first, their text unchanged.
    assert _schema(conn)[: len(TODAYS_SCHEMA)] == TODAYS_SCHEMA
    added = {name for kind, name, _, _ in _schema(conn)[len(TODAYS_SCHEMA) :] if kind == "table"}
    assert added == {"accounts", "web_returns", "import_accounts", "web_log", "web_settings"}
    assert conn.execute("SELECT version, description FROM schema_version").fetchall() == [
        (1, "providers, returns with their history, imports with files and warnings"),
        (2, store.MIGRATIONS[1][0]),
    ]
    conn.close()


def test_migration_4_adds_the_grade_fees_and_charges_to_returns(tmp_path):
    conn = migrated(tmp_path / "sufficiency.sqlite")
    columns = [r[1] for r in conn.execute("PRAGMA table_info(returns)")]
    assert columns[-5:] == [
        "ofsted_grade",
        "fee_hourly_under2",
        "fee_hourly_2",
        "fee_hourly_3_4",
        "charges_weekly",
    ]
    assert conn.execute("SELECT version, description FROM schema_version").fetchall()[3] == (
        4,
        "returns: the optional Ofsted grade, fees and charges",
    )
    conn.close()


def test_migration_3_adds_the_school_age_columns_to_returns(tmp_path):
    conn = migrated(tmp_path / "sufficiency.sqlite")
    columns = [r[1] for r in conn.execute("PRAGMA table_info(returns)")]
    assert columns[-9:-5] == [  # then migration 4's five
        "places_breakfast",
        "places_after_school",
        "places_holiday",
        "holiday_weeks",
    ]
    assert conn.execute("SELECT version, description FROM schema_version").fetchall()[2] == (
        3,
        "school-age places: breakfast, after-school and holiday places and holiday weeks",
    )
    conn.close()


def test_a_store_made_before_the_frozen_migrations_opens_and_takes_a_term(tmp_path):
    # Made as the first release made it: its schema text, and migration 1 recorded.
    old, new = tmp_path / "old.sqlite", tmp_path / "new.sqlite"
    conn = sqlite3.connect(old, isolation_level=None)
    for _, _, _, sql in TODAYS_SCHEMA:
        if sql is not None:
            conn.execute(sql)
    conn.execute(
        "INSERT INTO schema_version VALUES (1, ?, '2026-01-01T00:00:00+00:00')",
        (store.MIGRATIONS[0][0],),
    )
    conn.close()
    term = checked(tmp_path / "in", "2026-summer", [row(), row(urn="123456")])
    for path in (old, new):
        store.ingest(path, term, now="2026-05-01T09:00:00")
    pd.testing.assert_frame_equal(store.load_returns(old), store.load_returns(new))
    assert len(store.load_returns(old)) == 2
    assert _rows(old) == _rows(new)  # the same store, row for row
    conn, fresh = sqlite3.connect(old), sqlite3.connect(new)
    assert _schema(conn) == _schema(fresh)  # migrations 2 to 4 applied on opening
    assert conn.execute("SELECT count(*) FROM schema_version").fetchone()[0] == 4
    conn.close()
    fresh.close()


def _rows(path: Path) -> dict[str, list[tuple]]:
    """Every row of the store's tables but ``schema_version`` (it holds a time)."""
    conn = sqlite3.connect(path)
    tables = ["providers", "imports", "import_files", "returns", "warnings"]
    rows = {t: conn.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall() for t in tables}
    conn.close()
    return rows


def test_changing_the_column_lists_does_not_change_migration_1(monkeypatch):
    frozen = store.read_migrations()
    added = "places_under1"
    monkeypatch.setattr(reader, "RETURN_COLUMNS", [*reader.RETURN_COLUMNS, added])
    monkeypatch.setattr(reader, "COUNTS", [*reader.COUNTS, added])
    monkeypatch.setattr(store, "REAL", [*store.REAL, added])
    monkeypatch.setattr(store, "_DATA_COLUMNS", [*store._DATA_COLUMNS, added])
    assert store.read_migrations() == frozen == store.MIGRATIONS
    _, statements = frozen[0]
    assert not [s for s in statements if added in s]
    returns_table = next(s for s in statements if s.startswith("CREATE TABLE returns"))
    assert returns_table == next(sql for _, name, _, sql in TODAYS_SCHEMA if name == "returns")


def test_the_returns_table_has_every_column_the_store_writes_and_reads(tmp_path):
    # A column added to a list in reader.py (or TEXT, REAL, DATES) needs a new migration.
    conn = migrated(tmp_path / "sufficiency.sqlite")
    columns = [r[1] for r in conn.execute("PRAGMA table_info(returns)")]
    conn.close()
    assert [c for c in store.FRAME_COLUMNS if c not in columns] == []
    assert [c for c in reader.RETURN_COLUMNS if c not in columns] == []


def test_migration_files_are_numbered_in_order_and_described(tmp_path):
    statement = "CREATE TABLE a (x TEXT);"
    (tmp_path / "0001_a.sql").write_text(f"-- a table\n{statement}\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a migration", encoding="utf-8")
    assert store.read_migrations(tmp_path) == [("a table", ["CREATE TABLE a (x TEXT)"])]
    (tmp_path / "0003_c.sql").write_text(f"-- c\n{statement}\n", encoding="utf-8")
    with pytest.raises(store.StoreError, match=r"0003_c\.sql: expected 0002_<name>\.sql next"):
        store.read_migrations(tmp_path)
    (tmp_path / "0003_c.sql").unlink()
    (tmp_path / "0002_b.sql").write_text(f"{statement}\n", encoding="utf-8")
    with pytest.raises(store.StoreError, match="first line must be -- <description>"):
        store.read_migrations(tmp_path)
    (tmp_path / "0002_b.sql").write_text("-- b\nCREATE TABLE b (x TEXT)\n", encoding="utf-8")
    with pytest.raises(store.StoreError, match="the last statement has no closing ;"):
        store.read_migrations(tmp_path)


def test_a_later_migration_is_applied_to_a_store_with_data(stored_sqlite, monkeypatch):
    stored = stored_sqlite
    added = ("a note on each provider", ["ALTER TABLE providers ADD COLUMN note TEXT"])
    monkeypatch.setattr(store, "MIGRATIONS", [*store.MIGRATIONS, added])
    monkeypatch.setattr(store, "SCHEMA_VERSION", len(store.MIGRATIONS))
    assert len(store.load_returns(stored)) == 2  # opening migrates
    conn = sqlite3.connect(stored)
    versions = conn.execute("SELECT version, description FROM schema_version").fetchall()
    assert versions[-1] == (len(store.MIGRATIONS), "a note on each provider")
    assert conn.execute("SELECT count(*) FROM providers WHERE note IS NULL").fetchone()[0] == 2
    conn.close()


def test_a_store_from_a_newer_version_or_not_a_store_is_refused(stored, tmp_path):
    with database.connect(database.locate(stored)) as conn:
        conn.execute("INSERT INTO schema_version VALUES (99, 'future', '2030-01-01')")
    with pytest.raises(store.StoreError, match="schema version 99, made by a newer version"):
        store.load_returns(stored)
    junk = tmp_path / "junk.sqlite"
    junk.write_text("this is not a database, just text " * 100)
    with pytest.raises(store.StoreError, match="not a sufficiency store"):
        store.load_returns(junk)


def test_area_returns_reads_the_store_located_or_says_there_is_none(tmp_path, store_at):
    folder = write_area(tmp_path / "area")
    notes: list[str] = []
    given = store_at if isinstance(store_at, str) else None  # --store; default the area's file
    if given is None:  # the area's own file, not there yet: the return files are read
        assert store.area_returns(folder, WARDS, None, notes) is None and notes == []
    else:  # a store asked for by name is never replaced by the return files
        with pytest.raises(store.StoreError, match=r"no store here|holds no returns"):
            store.area_returns(folder, WARDS, None, notes, given)
    store.ingest(
        given or store.store_path(folder),
        checked(tmp_path / "in", "2026-summer", [row(), row(urn="EY100002", easting=X + 1000)]),
    )
    returns, source = store.area_returns(folder, WARDS, None, notes, given)
    name = "sufficiency.sqlite" if given is None else database.mask(given)
    assert source == f"the store {name} (1 term(s), 2026-summer to 2026-summer)"
    assert list(returns["ward_code"]) == ["E05000001", "E05000002"]
    assert list(returns["term_index"]) == [Term.parse("2026-summer").index] * 2
    assert list(returns["located_by"]) == ["coordinates"] * 2
    assert notes == [
        f"Supply read from {source}",
        "return file(s) not in the store, so not used: returns-2026-autumn.csv (load them with "
        "sufficiency ingest)",
    ]


def test_a_store_busy_with_another_ingest_is_one_clear_error(stored, tmp_path, monkeypatch):
    # Another ingest holds the write lock; this one gives up at once, not after 30 seconds.
    monkeypatch.setattr(database, "BUSY_TIMEOUT", 0.001)
    later = checked(tmp_path / "later", "2026-autumn", [row()])
    with (
        database.connect(database.locate(stored)) as other,
        store.transaction(other),
        pytest.raises(store.StoreError, match="is another ingest running"),
    ):
        store.ingest(stored, later)
    assert store.stored_terms(stored) == [Term.parse("2026-summer")]
    store.ingest(stored, later)  # the lock let go: it goes in
    assert store.stored_terms(stored) == [Term.parse("2026-summer"), Term.parse("2026-autumn")]


def test_grades_fees_and_charges_are_stored_and_read_back(tmp_path, store_at):
    rows = [
        row(ofsted_grade="Requires improvement", fee_hourly_2=6.55, charges_weekly=12.5),
        row(urn="123456", ofsted_grade="1", fee_hourly_3_4=5.2),
    ]
    path = store_at
    store.ingest(path, checked(tmp_path / "in", "2026-summer", rows), now="2026-05-01T09:00:00")
    stored = store.load_returns(path).set_index("urn")
    assert stored.loc["EY100001", "ofsted_grade"] == "requires_improvement"
    assert stored.loc["123456", "ofsted_grade"] == "outstanding"
    assert stored.loc["EY100001", "fee_hourly_2"] == 6.55
    assert stored.loc["EY100001", "charges_weekly"] == 12.5
    assert stored.loc["123456", "fee_hourly_3_4"] == 5.2
    assert np.isnan(stored.loc["123456", "charges_weekly"])


def test_a_store_whose_providers_are_all_outside_the_area_is_refused(tmp_path, store_at):
    # Another area's store (SUFFICIENCY_STORE left set, say): every provider of its term is
    # outside these wards, so a run would count no places at all: an error, not a run.
    folder = write_area(tmp_path / "area")
    given = store_at if isinstance(store_at, str) else None
    other = tmp_path / "other"
    other.mkdir()
    far = row(urn="EY100009", easting=X + 200_000, northing=Y + 200_000)
    pd.DataFrame([far]).to_csv(other / "returns-2026-summer.csv", index=False)
    elsewhere = check_files([other / "returns-2026-summer.csv"], Term.parse("2026-summer"))
    assert elsewhere.ok, elsewhere.problems
    store.ingest(given or store.store_path(folder), elsewhere)
    with pytest.raises(InputError, match="none of the providers of 2026-summer in the store"):
        store.area_returns(folder, WARDS, None, [], given)
