-- school-age places: breakfast, after-school and holiday places and holiday weeks
--
-- Migration 3 of the returns store, frozen (see 0001): the optional return columns of
-- school-age childcare (sufficiency/school_age.py). Stores made before it gain the columns,
-- empty for the terms they already hold.

ALTER TABLE returns ADD COLUMN places_breakfast REAL;

ALTER TABLE returns ADD COLUMN places_after_school REAL;

ALTER TABLE returns ADD COLUMN places_holiday REAL;

ALTER TABLE returns ADD COLUMN holiday_weeks REAL;
