-- providers, returns with their history, imports with files and warnings
--
-- Migration 1 of the returns store (sufficiency/returns/store.py), frozen: this text is the
-- schema, never computed from the column lists in returns/reader.py. Never edit a migration
-- that has shipped; a change to the schema (a column list that grows) is a new file,
-- 0002_<name>.sql, and so on. The first line is the description recorded in schema_version.
-- Each statement ends with a semicolon at the end of a line. The text of each statement,
-- indents included, is kept exactly as the first release wrote it, because SQLite keeps it
-- in sqlite_master.

CREATE TABLE providers (
                urn TEXT PRIMARY KEY,
                provider_name TEXT,
                provider_type TEXT,
                postcode TEXT,
                first_term TEXT NOT NULL,
                first_term_index INTEGER NOT NULL,
                last_term TEXT NOT NULL,
                last_term_index INTEGER NOT NULL
            );

CREATE TABLE imports (
                import_id INTEGER PRIMARY KEY,
                term TEXT NOT NULL,
                term_index INTEGER NOT NULL,
                imported_at TEXT NOT NULL,
                mode TEXT NOT NULL,
                rows INTEGER NOT NULL,
                replaced_rows INTEGER NOT NULL DEFAULT 0,
                replaced_imports TEXT,
                warnings INTEGER NOT NULL DEFAULT 0
            );

CREATE TABLE import_files (
                import_id INTEGER NOT NULL REFERENCES imports(import_id),
                file_name TEXT NOT NULL,
                sha256 TEXT NOT NULL,
                rows INTEGER NOT NULL
            );

CREATE TABLE returns (
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
);

CREATE UNIQUE INDEX returns_current ON returns(term_index, urn) WHERE active = 1;

CREATE INDEX returns_by_import ON returns(import_id);

CREATE TABLE warnings (
                import_id INTEGER NOT NULL REFERENCES imports(import_id),
                file TEXT,
                row INTEGER,
                column_name TEXT,
                value TEXT,
                code TEXT NOT NULL,
                message TEXT NOT NULL
            );
