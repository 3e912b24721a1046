-- returns: the optional Ofsted grade, fees and charges
--
-- Migration 4 of the returns store, frozen: the optional return columns ofsted_grade (text,
-- as returns/reader.py normalises it), fee_hourly_under2, fee_hourly_2, fee_hourly_3_4
-- (pounds an hour) and charges_weekly (pounds a week). Rows stored before it have them empty.

ALTER TABLE returns ADD COLUMN ofsted_grade TEXT;

ALTER TABLE returns ADD COLUMN fee_hourly_under2 REAL;

ALTER TABLE returns ADD COLUMN fee_hourly_2 REAL;

ALTER TABLE returns ADD COLUMN fee_hourly_3_4 REAL;

ALTER TABLE returns ADD COLUMN charges_weekly REAL;
