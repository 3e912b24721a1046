-- accounts and roles, web returns (drafts and submissions), who made each import, the write log
--
-- Migration 2 of the returns store (sufficiency/returns/store.py), frozen like 0001: never edit
-- it once shipped. It adds tables only, so the tables of migration 1 keep their exact text.
-- accounts: one row per person who signs in to the web app (sufficiency serve); a provider
-- account names the one URN it may read and write. Passwords are argon2 hashes, never text.
-- web_returns: a provider's return for a term typed into the web form, as a draft or submitted,
-- until an officer accepts it into returns (accepted_import names the import that stored it).
-- import_accounts: the account that made an import (an officer accepting web returns or
-- uploading a workbook); imports made by sufficiency ingest on the command line have none.
-- web_log: every write the web app or the users command makes, with who and when.
-- web_settings: the app's signing key and the term being collected.

CREATE TABLE accounts (
    account_id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('officer', 'viewer', 'provider')),
    urn TEXT,
    password_hash TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at TEXT NOT NULL,
    CHECK ((role = 'provider') = (urn IS NOT NULL))
);

CREATE TABLE web_returns (
    urn TEXT NOT NULL,
    term TEXT NOT NULL,
    term_index INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('draft', 'submitted', 'accepted')),
    fields TEXT NOT NULL,
    saved_by TEXT NOT NULL,
    saved_at TEXT NOT NULL,
    submitted_at TEXT,
    accepted_import INTEGER REFERENCES imports(import_id),
    PRIMARY KEY (urn, term_index)
);

CREATE TABLE import_accounts (
    import_id INTEGER PRIMARY KEY REFERENCES imports(import_id),
    account TEXT NOT NULL
);

CREATE TABLE web_log (
    log_id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    account TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT
);

CREATE TABLE web_settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
