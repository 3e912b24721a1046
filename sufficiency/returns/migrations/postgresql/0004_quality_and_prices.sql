-- returns: the optional Ofsted grade, fees and charges
--
-- Migration 4 of the returns store on PostgreSQL, frozen like the SQLite file of the same
-- name one folder up (never edit either once shipped): the same tables and columns in
-- PostgreSQL's dialect. INTEGER PRIMARY KEY (SQLite's row id) is an identity column here,
-- REAL (SQLite's 8-byte float) is DOUBLE PRECISION.


ALTER TABLE returns ADD COLUMN ofsted_grade TEXT;

ALTER TABLE returns ADD COLUMN fee_hourly_under2 DOUBLE PRECISION;

ALTER TABLE returns ADD COLUMN fee_hourly_2 DOUBLE PRECISION;

ALTER TABLE returns ADD COLUMN fee_hourly_3_4 DOUBLE PRECISION;

ALTER TABLE returns ADD COLUMN charges_weekly DOUBLE PRECISION;
