-- school-age places: breakfast, after-school and holiday places and holiday weeks
--
-- Migration 3 of the returns store on PostgreSQL, frozen like the SQLite file of the same
-- name one folder up (never edit either once shipped): the same tables and columns in
-- PostgreSQL's dialect. INTEGER PRIMARY KEY (SQLite's row id) is an identity column here,
-- REAL (SQLite's 8-byte float) is DOUBLE PRECISION.


ALTER TABLE returns ADD COLUMN places_breakfast DOUBLE PRECISION;

ALTER TABLE returns ADD COLUMN places_after_school DOUBLE PRECISION;

ALTER TABLE returns ADD COLUMN places_holiday DOUBLE PRECISION;

ALTER TABLE returns ADD COLUMN holiday_weeks DOUBLE PRECISION;
