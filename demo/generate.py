"""Build the bundled demo area, Demotown: a fictional town made up from random numbers.

Nothing in it describes a real place, provider or child. Demotown has 16 wards (a Voronoi
tessellation of seeded points clipped to a town outline around easting 440000, northing 110000
in British National Grid), monthly births for 2013-2025, mid-year population estimates, a
housing trajectory, a postcode lookup (postcode area ``ZT``, which does not exist), deprivation
scores, ward-level parameters and three termly provider returns for 2026 (two CSV, one .xlsx),
all in the columns of DATA.md, and school-age childcare places (in the returns and a
``schools.csv``). The same seed always gives the same bytes.

The modelling choice: places are laid out against a rough estimate of each ward's demand in
autumn 2026 (children in each age group's window times typical hours a week, over 50), so that
dense inner wards are short of places, suburbs have a surplus and the town as a whole is a
little above need. That estimate is only used here; the files carry no trace of it.

Rebuild with ``python demo/generate.py --out sufficiency/data/demo --seed 2026`` (or ``python -m
demo.generate`` from the checkout) or ``make demo-data``. This file is not installed with the
package; the files it writes are, as package data in ``sufficiency/data/demo``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from pyproj import Transformer

from sufficiency.demand import STRETCHED_WEEKS, TERM_WEEKS
from sufficiency.outputs._xlsx import FIXED_TIME, fixed_zip
from sufficiency.parameters import Parameters
from sufficiency.returns.reader import (
    CHARGES,
    CHILDREN,
    FEES,
    FUNDED,
    PLACES,
    PRICES,
    VACANCIES,
    WAITING,
)
from sufficiency.returns.reader import RETURN_COLUMNS as CONTRACT_COLUMNS
from sufficiency.returns.rules.consistency import QUALIFICATIONS
from sufficiency.terms import AGE_GROUPS, Term, window
from sufficiency.workforce import staff_needed

# Where the demo area ships: package data beside the parameters, in this checkout.
DEMO_FOLDER = Path(__file__).resolve().parents[1] / "sufficiency" / "data" / "demo"
AREA_NAME = "Demotown (synthetic)"
AREA_CODE = "E06099999"
TOWN_CENTRE = (440_000.0, 110_000.0)
TERMS: tuple[str, ...] = ("2026-spring", "2026-summer", "2026-autumn")
RETURN_FILES: tuple[str, ...] = (
    "returns-2026-spring.csv",
    "returns-2026-summer.csv",
    "returns-2026-autumn.xlsx",
)
# The return columns of DATA.md, less those the demo leaves out: providers are placed by
# postcode or easting and northing, never by latitude, longitude or a ward code.
RETURN_COLUMNS: tuple[str, ...] = tuple(
    c
    for c in CONTRACT_COLUMNS
    if c not in ("latitude", "longitude", "ward_code", "ofsted_grade", *PRICES)
)
LEAVER_REASONS: tuple[str, ...] = (
    "pay", "left sector", "retirement", "moved away", "career change", "workload",
)  # fmt: skip

# OSGB36 to WGS 84 by the seven-parameter Helmert (EPSG:1314, "OSGB36 to WGS 84 (6)"): fixed
# here because PROJ would pick the OSTN15 grid where it is installed, and the bytes would differ.
_BNG_TO_WGS84 = (
    "+proj=pipeline +step +inv +proj=tmerc +lat_0=49 +lon_0=-2 +k=0.9996012717 +x_0=400000 "
    "+y_0=-100000 +ellps=airy +step +proj=push +v_3 +step +proj=cart +ellps=airy "
    "+step +proj=helmert +x=446.448 +y=-125.157 +z=542.06 +rx=0.15 +ry=0.247 +rz=0.842 "
    "+s=-20.489 +convention=position_vector +step +inv +proj=cart +ellps=WGS84 "
    "+step +proj=pop +v_3 +step +proj=unitconvert +xy_in=rad +xy_out=deg"
)

# The wards, as designed. ring: 0 the centre, 1 the inner ring, 2 the middle ring, 3 the
# suburbs; angle of the seed point (degrees from east); births a year around 2021; ratio of
# 4-year-olds to their births (inner wards lose young families, suburbs gain them); IMD score;
# and the target of 0.9 x supply / demand in autumn 2026.
_WARD_DESIGN: tuple[tuple[str, int, float, float, float, float, float], ...] = (
    ("Old Town", 0, 0.0, 250, 0.92, 36.2, 0.82),
    ("Northam Vale", 1, 60.0, 275, 0.90, 44.3, 0.72),
    ("Castle Quay", 1, 150.0, 230, 0.94, 34.6, 0.80),
    ("St Mary's & Docks", 1, 240.0, 290, 0.86, 48.5, 0.69),
    ("Harbourside", 1, 330.0, 265, 0.88, 41.8, 0.74),
    ("Eastmoor", 2, 10.0, 200, 0.98, 30.9, 1.02),
    ("Kingsmead", 2, 80.0, 175, 1.02, 21.7, 1.16),
    ("Westerley", 2, 170.0, 185, 0.99, 24.6, 1.07),
    ("Bridgefield", 2, 240.0, 195, 1.00, 27.4, 1.10),
    ("Ashcombe", 2, 310.0, 170, 1.03, 18.9, 1.18),
    ("Hollin Green", 3, 30.0, 140, 1.10, 8.2, 1.38),
    ("Thornbury Heath", 3, 90.0, 150, 1.13, 10.4, 1.40),
    ("Redlynch Common", 3, 150.0, 145, 1.12, 9.6, 1.45),
    ("Beacon Ridge", 3, 210.0, 140, 1.07, 13.3, 1.26),
    ("Sandpit Hill", 3, 270.0, 135, 1.06, 14.1, 1.30),
    ("Farley Down", 3, 330.0, 130, 1.08, 12.7, 1.21),
)
_RING_RADIUS = (0.0, 1500.0, 2900.0, 4600.0)
_BIRTHS_GROWTH = (1.004, 1.004, 0.995, 0.988)  # a year, by ring: a gentle fall town-wide
# Births by calendar month relative to an average day: more in July to September.
_SEASON = np.array([0.96, 0.97, 0.99, 0.98, 1.0, 1.0, 1.05, 1.05, 1.07, 1.02, 0.98, 0.95])
_DAYS_IN_MONTH = np.array([31, 28.25, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
_FIRST_BIRTH_YEAR = 2012  # births are made from here: 2018's 4-year-olds were born in 2013-14
# Written to births.csv: from 2013, so that a run from the first return's term (spring 2026)
# finds the births of its year 6 (September 2014 - August 2015) for school-age childcare.
_BIRTH_YEARS = (2013, 2025)
_POPULATION_YEARS = (2018, 2025)

# Ward-level parameters (ward, key, value), as a council might set them from local evidence.
_WARD_PARAMETERS: tuple[tuple[str, str, str], ...] = (
    ("St Mary's & Docks", "eligibility.disadvantaged_2", "0.40"),
    ("St Mary's & Docks", "eligibility.working_2", "0.35"),
    ("Northam Vale", "take_up.disadvantaged_2", "0.65"),
    ("Harbourside", "take_up.disadvantaged_2", "0.65"),
    ("Hollin Green", "eligibility.working_under2", "0.60"),
)

# Housing sites: id, name, ward, dwelling type, dwellings, first and last year of completions.
# The trajectory gives a few sites by coordinates rather than by ward.
_SITES: tuple[tuple[str, str, str, str, int, int, int], ...] = (
    ("HS01", "Farley Down Garden Village (houses)", "Farley Down", "house", 1010, 2026, 2031),
    ("HS02", "Farley Down Garden Village (apartments)", "Farley Down", "flat", 190, 2028, 2031),
    ("HS03", "Docks Quarter phase 2", "St Mary's & Docks", "flat", 240, 2026, 2028),
    ("HS04", "Gasworks Wharf", "Harbourside", "flat", 180, 2027, 2029),
    ("HS05", "Station Quarter", "Old Town", "flat", 120, 2026, 2027),
    ("HS06", "Former Bus Depot, Northam Road", "Northam Vale", "flat", 85, 2027, 2028),
    ("HS07", "Castle Quay Waterfront", "Castle Quay", "flat", 150, 2028, 2030),
    ("HS08", "Old Brewery Yard", "Old Town", "flat", 45, 2029, 2029),
    ("HS09", "Mill Lane", "Bridgefield", "house", 60, 2026, 2027),
    ("HS10", "Land off Moor Road", "Eastmoor", "house", 95, 2027, 2029),
    ("HS11", "Kingsmead Farm", "Kingsmead", "house", 140, 2028, 2031),
    ("HS12", "Former Ashcombe Depot", "Ashcombe", "flat", 35, 2026, 2026),
    ("HS13", "Westerley Park Road", "Westerley", "house", 48, 2030, 2031),
    ("HS14", "Land at Heath Lane, Thornbury Heath", "Thornbury Heath", "house", 120, 2027, 2030),
    ("HS15", "Hollin Green phase 3", "Hollin Green", "house", 75, 2026, 2028),
    ("HS16", "Redlynch Common Road", "Redlynch Common", "house", 30, 2029, 2030),
    ("HS17", "Sandpit Hill Quarry", "Sandpit Hill", "house", 210, 2028, 2031),
    ("HS18", "Beacon Ridge phase 2", "Beacon Ridge", "house", 90, 2026, 2028),
    ("HS19", "Harbour Approach", "Harbourside", "flat", 60, 2030, 2031),
    ("HS20", "St Mary's Street infill", "St Mary's & Docks", "flat", 24, 2027, 2027),
)  # fmt: skip
_SITES_BY_POINT = frozenset({"HS04", "HS07", "HS11", "HS16"})

# The demand the layout is built around (not the model's parameters): per entitlement, its age
# group, eligibility share, take-up and hours a term-time week in autumn 2026; paid hours a week
# per child in each window. Ward overrides come from ``_WARD_PARAMETERS``.
_LAYOUT_TERM = "2026-autumn"
_ENTITLEMENTS: dict[str, tuple[int, float, float, float]] = {
    "working_under2": (0, 0.49, 0.85, 30.0),
    "working_2": (1, 0.45, 0.85, 30.0),
    "disadvantaged_2": (1, 0.25, 0.72, 15.0),
    "universal_3_4": (2, 1.0, 0.90, 15.0),
    "extended_3_4": (2, 0.49, 0.91, 15.0),
}
_PAID_HOURS = np.array([4.0, 3.0, 2.0])
_HOURS_PER_PLACE = 50.0
_UTILISATION = 0.9
# Per age group, on top of the ward ratio. 3-4 places are laid out for the spring window (16
# birth months against autumn's 12), as settings plan for the year's fuller terms.
_GROUP_TILT = np.array([1.01, 1.02, 1.33])

# How many of each provider type the balanced layout holds (before closures and openings).
_COUNTS = {"childminder": 148, "day_nursery": 63, "pre_school": 34, "school_nursery": 30}
# Where childminders and pre-schools cluster, by ring (relative weight per birth).
_CHILDMINDER_PULL = (0.55, 0.55, 1.0, 1.3)
_PRE_SCHOOL_PULL = (0.6, 0.6, 1.1, 1.2)
# Opening patterns: hours a day, days a week, weeks a year (each drawn from the choices).
# Day nurseries open all year (the 51 weeks a stretched offer spreads over), sessional and
# school settings in term time only (the 38 weeks of the funded offer).
_ALL_YEAR, _TERM_TIME = int(STRETCHED_WEEKS), int(TERM_WEEKS)
_OPENING = {
    "childminder": ((9.5, 10.0, 10.0, 10.5, 11.0), (4, 5, 5, 5), (48, 49, 50, 51)),
    "day_nursery": ((10.0, 10.5, 10.5, 11.0), (5,), (_ALL_YEAR,)),
    "pre_school": ((6.0, 6.5, 7.0), (5,), (_TERM_TIME,)),
    "school_nursery": ((6.5,), (5,), (_TERM_TIME,)),
    "nursery_school": ((6.5,), (5,), (_TERM_TIME,)),
}
# Typical hours a week a child on roll attends (under2, 2, 3_4): turns occupied place-hours
# into children on roll.
_HOURS_PER_CHILD = {
    "childminder": (30.0, 28.0, 26.0),
    "day_nursery": (30.0, 25.0, 24.0),
    "pre_school": (20.0, 18.0, 19.0),
    "school_nursery": (20.0, 17.0, 17.0),
    "nursery_school": (20.0, 17.0, 18.0),
    "other": (26.0, 22.0, 20.0),
}
# Vacancies by term relative to the provider's usual rate (under2, 2, 3_4): autumn has the
# most, when 4-year-olds have left for school; summer the fewest.
_VACANCY_SEASON = {
    "2026-spring": (0.95, 0.9, 0.7),
    "2026-summer": (0.85, 0.85, 0.45),
    "2026-autumn": (1.1, 1.1, 1.35),
}
_STAFF_VACANCY_RATE = {"2026-spring": 0.25, "2026-summer": 0.235, "2026-autumn": 0.22}
# Qualification of staff (unqualified, level 2, level 3) below level 6, by provider type.
_QUALIFICATION_MIX = {
    "childminder": (0.07, 0.18, 0.75),
    "day_nursery": (0.14, 0.18, 0.68),
    "pre_school": (0.15, 0.25, 0.60),
    "school_nursery": (0.10, 0.30, 0.60),
    "nursery_school": (0.10, 0.20, 0.70),
    "other": (0.20, 0.20, 0.60),
}
_LEVEL6_SHARE = {"childminder": 0.1, "day_nursery": 0.08, "pre_school": 0.08, "other": 0.1}
_RECRUIT_MIX = (0.30, 0.22, 0.42, 0.06)  # unqualified, level 2, level 3, level 6
_LEAVER_WEIGHTS = np.array([0.30, 0.15, 0.08, 0.12, 0.15, 0.20])  # as LEAVER_REASONS

# Changes built into the returns: kind, provider type, ward, the term (0 spring, 1 summer,
# 2 autumn) of the first return that shows it, the date, and places added or removed.
# Closures dated before autumn are extra providers; the autumn one is a balanced provider.
_EVENTS: tuple[tuple[str, str, str, int, str, int], ...] = (
    ("closure", "childminder", "Kingsmead", 1, "2026-07-31", 0),
    ("closure", "day_nursery", "Eastmoor", 1, "2026-08-28", 0),
    ("closure", "pre_school", "Westerley", 1, "2026-07-17", 0),
    ("closure", "childminder", "Bridgefield", 2, "2026-12-18", 0),
    ("new", "day_nursery", "Northam Vale", 1, "2027-01-05", 0),
    ("new", "day_nursery", "Castle Quay", 1, "2027-04-01", 0),
    ("new", "childminder", "Harbourside", 2, "2026-11-02", 0),
    ("new", "school_nursery", "St Mary's & Docks", 2, "2027-09-01", 0),
    ("change", "day_nursery", "Harbourside", 1, "2027-01-04", 16),
    ("change", "day_nursery", "St Mary's & Docks", 2, "2027-09-01", 24),
    ("change", "school_nursery", "Farley Down", 2, "2027-09-01", 26),
    ("change", "pre_school", "Castle Quay", 2, "2027-04-01", 8),
    ("change", "day_nursery", "Redlynch Common", 1, "2027-01-04", -8),
)
_UNDERSTAFFED = {"day_nursery": 5, "pre_school": 1}

# Settings of type `other`: name, ward, places (under2, 2, 3_4), hours, days, weeks, registered.
_OTHER_SETTINGS: tuple[tuple[str, str, tuple[int, int, int], float, int, int, int], ...] = (
    ("Demotown College Crèche", "Old Town", (6, 6, 6), 9.0, 5, 38, 24),
    ("Wild Wood Forest School", "Thornbury Heath", (0, 6, 16), 6.0, 4, 38, 26),
    ("Eastmoor Hospital Staff Nursery", "Eastmoor", (9, 10, 12), 11.5, 5, 51, 48),
    ("Heathfield House School Nursery", "Redlynch Common", (0, 0, 24), 8.0, 5, 36, 32),
)
_NURSERY_SCHOOL = ("Marlowe Street Nursery School", "St Mary's & Docks", (0, 16, 48), 100)

_FIRST_NAMES = (
    "Agnieszka", "Aisha", "Amira", "Ben", "Bethany", "Chloe", "Claire", "Danielle", "David",
    "Eleanor", "Ewa", "Fatima", "Gemma", "Hannah", "Imogen", "Jasmine", "Joanne", "Karen",
    "Katie", "Laura", "Lucy", "Maria", "Mark", "Megan", "Nadia", "Nicola", "Olivia", "Paula",
    "Priya", "Rachel", "Ruth", "Sarah", "Sophie", "Tanya", "Tom", "Tracey", "Victoria",
    "Wendy", "Yasmin", "Zoe",
)  # fmt: skip
_SURNAMES = (
    "Abbott", "Ahmed", "Baker", "Barnes", "Bennett", "Brooks", "Carter", "Chowdhury", "Clarke",
    "Cole", "Davies", "Dawson", "Edwards", "Ellis", "Fisher", "Foster", "Green", "Hall",
    "Harris", "Hughes", "Hussain", "Jenkins", "Kaur", "Khan", "Kowalski", "Lewis", "Marsh",
    "Mills", "Nowak", "O'Brien", "Osei", "Patel", "Price", "Reid", "Shaw", "Singh", "Taylor",
    "Turner", "Walsh", "Ward", "Webb", "Wright", "Young",
)  # fmt: skip
_NURSERY_STEMS = (
    "Acorn Tree", "Apple Blossom", "Blue Heron", "Bumblebees", "Buttercups", "Caterpillars",
    "Clover Field", "Daisy Chain", "Dandelions", "Dragonflies", "Ferry Lane", "Fir Tree",
    "Foxgloves", "Giggles", "Harbour Lights", "Hedgehogs", "Honeypot", "Jack in the Box",
    "Jigsaw", "Kingfisher", "Kite Hill", "Ladybird Lodge", "Lighthouse", "Little Acorns",
    "Little Oaks", "Little Owls", "Little Pebbles", "Meadow View", "Mill House", "Moonbeams",
    "Mulberry Bush", "Nutkins", "Orchard House", "Otters", "Peapod", "Pebble Bay", "Pinecone",
    "Poppies", "Puffins", "Rainbow Corner", "Robins", "Rocking Horse", "Sail Loft",
    "Seahorses", "Snowdrops", "Squirrels", "Starfish", "Stepping Stones", "Sunbeams",
    "Sunflowers", "Swallows", "Teddy Bears", "Tiny Steps", "Treehouse", "Waterside",
    "Wellies", "Willow Bank", "Windmill", "Woodpeckers", "Wren's Nest", "Bluebell Wood",
    "Cherry Tree", "Conker Tree", "Owl Cottage", "Riverbank", "Saplings", "Tadpoles",
    "Whirligig", "Ash Grove", "Chestnut Lodge",
)  # fmt: skip
_NURSERY_SUFFIXES = (
    "Day Nursery", "Day Nursery", "Nursery", "Children's Nursery", "Montessori Nursery",
    "Day Nursery & Pre-School",
)  # fmt: skip
_PRE_SCHOOL_STEMS = (
    "St Barnabas", "Holy Trinity", "St Luke's", "Methodist Church", "Scout Hut",
    "Jack and Jill", "Toad Hall", "Little Fishes", "Sandcastles", "Busy Fingers",
    "Humpty Dumpty", "Bluebells", "Cygnets", "Wise Owls", "Small World", "Play Days",
    "Friendship", "Little Explorers", "Tiny Tots", "Village Hall", "Brambles", "Chatterbox",
    "Crocodiles", "Kaleidoscope", "Lollipops", "Magic Roundabout", "Puddleducks", "Rosebuds",
    "Sparrows", "Sunshine", "Tree Tops", "Butterflies", "Goslings", "Hazel Hall",
    "Little Learners", "Acorns Community", "Harbour Church",
)  # fmt: skip
_SCHOOL_STEMS = (
    "Abbey", "Beechwood", "Brookside", "Chapel Road", "Church Lane", "Cliff Road", "Elmhurst",
    "Fernhill", "Glebe", "Greenacres", "Heathside", "Highfield", "Hillcrest", "Kingsway",
    "Lakeside", "Larkspur", "Manor", "Mayfield", "Moorlands", "Oakwood", "Parkside",
    "Priory", "Queen's Park", "Riverside", "Rowan", "Valley", "Whitegates", "Woodlands",
    "St Anne's", "St Joseph's", "St Peter's", "St Mary's",
)  # fmt: skip
_SCHOOL_SUFFIXES = ("Primary School", "Primary School", "Infant School", "Primary Academy")
_POSTCODE_UNIT_LETTERS = np.array(list("ABDEFGHJLNPQRSTUWXYZ"))


# --------------------------------------------------------------------------------------------
# Geography


def _town_outline(rng: np.random.Generator) -> shapely.Polygon:
    """An irregular, roughly round town boundary about 11 km across, vertices on whole metres."""
    theta = np.linspace(0.0, 2 * np.pi, 240, endpoint=False)
    phase = rng.uniform(0, 2 * np.pi, 3)
    radius = 5600.0 * (
        1
        + 0.07 * np.sin(2 * theta + phase[0])
        + 0.05 * np.cos(3 * theta + phase[1])
        + 0.025 * np.sin(5 * theta + phase[2])
    )
    x = np.round(TOWN_CENTRE[0] + radius * np.cos(theta))
    y = np.round(TOWN_CENTRE[1] + radius * np.sin(theta))
    return shapely.Polygon(np.column_stack([x, y]))


def make_wards(rng: np.random.Generator) -> pd.DataFrame:
    """The 16 wards: design figures, ONS-style codes and polygons (EPSG:27700, whole metres).

    Codes ``E05099001`` to ``E05099016`` are given in alphabetical order of name, as ONS does.
    """
    design = pd.DataFrame(
        list(_WARD_DESIGN),
        columns=["ward_name", "ring", "angle", "births", "ratio_age4", "imd", "supply_ratio"],
    )
    outline = _town_outline(rng)
    angle = np.radians(design["angle"].to_numpy() + rng.uniform(-8, 8, len(design)))
    radius = np.array(_RING_RADIUS)[design["ring"]] + rng.uniform(-150, 150, len(design))
    radius[design["ring"].to_numpy() == 0] = rng.uniform(0, 200)
    seeds = shapely.points(
        TOWN_CENTRE[0] + radius * np.cos(angle), TOWN_CENTRE[1] + radius * np.sin(angle)
    )
    cells = shapely.get_parts(
        shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=outline.buffer(2000))
    )
    seed_index, cell_index = shapely.STRtree(cells).query(seeds, predicate="within")
    cells = cells[cell_index[np.argsort(seed_index)]]  # the cell of each seed, in seed order
    wards = shapely.set_precision(shapely.intersection(cells, outline), grid_size=1.0)
    if not all(w.geom_type == "Polygon" and w.is_valid for w in wards):  # pragma: no cover
        raise RuntimeError("the ward layout did not give one valid polygon per ward")
    design["geometry"] = wards
    design = design.sort_values("ward_name", kind="stable").reset_index(drop=True)
    design.insert(0, "ward_code", [f"E05099{i:03d}" for i in range(1, len(design) + 1)])
    return design


def make_small_areas(wards: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Six to ten LSOA-like small areas in each ward, tiling it, with children aged 0-4.

    Codes ``E01099001``... follow the wards' order; ``population`` (children 0-4) is larger in
    the inner wards, which have the most births.
    """
    rows = []
    for ward_code, births, polygon in zip(
        wards["ward_code"], wards["births"], wards["geometry"], strict=True
    ):
        n = int(rng.integers(6, 11))
        seeds = _sample_points(polygon, n, rng, inset=20.0)
        cells = shapely.get_parts(
            shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=polygon.buffer(500))
        )
        cells = shapely.set_precision(shapely.intersection(cells, polygon), grid_size=1.0)
        cells = [c for c in cells if c.geom_type == "Polygon" and c.area > 0]
        cells.sort(key=lambda c: (-c.centroid.y, c.centroid.x))  # north to south
        weight = rng.uniform(0.6, 1.4, len(cells))
        children = np.round(float(births) * 5 * 0.97 * weight / weight.sum())
        for cell, count in zip(cells, children, strict=True):
            rows.append({"ward_code": ward_code, "population": int(count), "geometry": cell})
    out = pd.DataFrame(rows)
    out.insert(0, "area_code", [f"E01099{i:03d}" for i in range(1, len(out) + 1)])
    return out


def make_flows(wards: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Home ward -> setting ward shares, as an LA builds them from its early years census.

    Most children (75-90%) attend in their own ward; the rest in the wards next door, more of
    them towards the centre where the places are. Shares have three decimals and add up to 1.
    """
    polygons = list(wards["geometry"])
    codes = list(wards["ward_code"])
    ring = wards["ring"].to_numpy()
    rows = []
    for i, home in enumerate(polygons):
        near = [j for j, other in enumerate(polygons) if j != i and home.touches(other)]
        pull = np.array([1.5 if ring[j] < ring[i] else 1.0 for j in near]) * rng.uniform(
            0.5, 1.5, len(near)
        )
        away = 1.0 - float(rng.uniform(0.75, 0.9))
        shares = np.round(away * pull / pull.sum(), 3)
        rows.append((codes[i], codes[i], round(1.0 - float(shares.sum()), 3)))
        rows += [(codes[i], codes[j], float(v)) for j, v in zip(near, shares, strict=True)]
    table = pd.DataFrame(rows, columns=["home_ward_code", "setting_ward_code", "share"])
    return table.sort_values(["home_ward_code", "setting_ward_code"], kind="stable")


def _sample_points(
    polygon: shapely.Polygon, n: int, rng: np.random.Generator, inset: float = 60.0
) -> np.ndarray:
    """``n`` random points (whole metres) inside ``polygon``, at least ``inset`` m from its edge."""
    inner = polygon.buffer(-inset)
    xmin, ymin, xmax, ymax = inner.bounds
    found = np.empty((0, 2))
    while len(found) < n:
        xy = np.round(rng.uniform([xmin, ymin], [xmax, ymax], size=(4 * n + 8, 2)))
        found = np.vstack([found, xy[shapely.contains_xy(inner, xy[:, 0], xy[:, 1])]])
    return found[:n]


def _to_latlon(xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 latitude and longitude of BNG points, rounded to 6 decimals (about 0.1 m)."""
    lon, lat = Transformer.from_pipeline(_BNG_TO_WGS84).transform(xy[:, 0], xy[:, 1])
    return np.round(np.asarray(lat), 6), np.round(np.asarray(lon), 6)


def make_postcodes(wards: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """A postcode lookup: about 45 unit postcodes per ward, area ``ZT`` (not a real area).

    Districts follow the map: ``ZT1`` the centre, ``ZT2``-``ZT9`` around it by compass
    sector; the sector digit follows a 1.2 km grid. Columns: ``postcode, easting, northing,
    ward`` (ward is the row position in ``wards``).
    """
    per_ward = np.round(30 + 0.08 * wards["births"].to_numpy()).astype(int)
    xy = np.vstack(
        [_sample_points(g, n, rng) for g, n in zip(wards["geometry"], per_ward, strict=True)]
    )
    ward = np.repeat(np.arange(len(wards)), per_ward)
    dx, dy = xy[:, 0] - TOWN_CENTRE[0], xy[:, 1] - TOWN_CENTRE[1]
    octant = (np.floor(np.degrees(np.arctan2(dy, dx)) % 360 / 45)).astype(int)
    district = np.where(np.hypot(dx, dy) < 2200, 1, 2 + octant)
    sector = 1 + (np.floor(dx / 1200).astype(int) * 3 + np.floor(dy / 1200).astype(int)) % 9
    codes = np.full(len(xy), "", dtype=object)
    todo = np.ones(len(xy), dtype=bool)
    while todo.any():
        letters = rng.choice(_POSTCODE_UNIT_LETTERS, size=(int(todo.sum()), 2))
        codes[todo] = [
            f"ZT{d} {s}{a}{b}"
            for d, s, (a, b) in zip(district[todo], sector[todo], letters, strict=True)
        ]
        todo = pd.Series(codes).duplicated(keep="first").to_numpy()
    return pd.DataFrame(
        {"postcode": codes, "easting": xy[:, 0], "northing": xy[:, 1], "ward": ward}
    )


# --------------------------------------------------------------------------------------------
# Births, population, housing


def _cohort_ratio(wards: pd.DataFrame, ages: np.ndarray) -> np.ndarray:
    """Children of an age per birth (wards x ages): linear from 1 at birth to the age-4 ratio."""
    ratio4 = wards["ratio_age4"].to_numpy()[:, None]
    return 1 + (ratio4 - 1) * (np.asarray(ages)[None, :] + 0.5) / 4.5


def make_births(wards: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    """Births by ward and month (wards x months from January of ``_FIRST_BIRTH_YEAR``)."""
    n_years = _BIRTH_YEARS[1] - _FIRST_BIRTH_YEAR + 1
    years = _FIRST_BIRTH_YEAR + np.arange(n_years * 12) // 12
    month = np.arange(n_years * 12) % 12
    season = _SEASON * _DAYS_IN_MONTH
    season = season / season.sum()
    growth = np.array(_BIRTHS_GROWTH)[wards["ring"].to_numpy()]
    t = years + month / 12 - 2021
    mean = wards["births"].to_numpy()[:, None] * growth[:, None] ** t * season[month]
    return rng.poisson(mean)


def births_table(wards: pd.DataFrame, births: np.ndarray) -> pd.DataFrame:
    """``births.csv``: ``ward_code, year, month, births`` for the published years."""
    months = np.arange(births.shape[1])
    frame = pd.DataFrame(
        {
            "ward_code": np.repeat(wards["ward_code"].to_numpy(), births.shape[1]),
            "year": np.tile(_FIRST_BIRTH_YEAR + months // 12, len(wards)),
            "month": np.tile(months % 12 + 1, len(wards)),
            "births": births.ravel(),
        }
    )
    return frame[frame["year"] >= _BIRTH_YEARS[0]].reset_index(drop=True)


def make_population(
    wards: pd.DataFrame, births: np.ndarray, rng: np.random.Generator
) -> pd.DataFrame:
    """``population.csv``: mid-year estimates of ages 0-4, each cohort's births times its ratio.

    Age ``a`` at 30 June of year ``Y`` was born July ``Y-a-1`` to June ``Y-a``.
    """
    years = np.arange(_POPULATION_YEARS[0], _POPULATION_YEARS[1] + 1)
    ages = np.arange(5)
    cumulative = np.concatenate([np.zeros((len(wards), 1)), births.cumsum(axis=1)], axis=1)
    # Cohort of age a in year Y: months [July Y-a-1, June Y-a], as offsets from the first month.
    end = ((years[:, None] - ages[None, :] - _FIRST_BIRTH_YEAR) * 12 + 6).ravel()
    cohort = cumulative[:, end] - cumulative[:, end - 12]  # wards x (years * ages)
    ratio = np.tile(_cohort_ratio(wards, ages), len(years))
    noise = np.exp(rng.normal(0.0, 0.02, cohort.shape))
    population = np.round(cohort * ratio * noise).astype(int)
    return pd.DataFrame(
        {
            "ward_code": np.repeat(wards["ward_code"].to_numpy(), len(years) * len(ages)),
            "year": np.tile(np.repeat(years, len(ages)), len(wards)),
            "age": np.tile(ages, len(wards) * len(years)),
            "population": population.ravel(),
        }
    )


def make_housing(wards: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """``housing.csv``: one row per site and year of completions, 2026-2031.

    A few sites are placed by ``easting, northing`` with ``ward_code`` left empty.
    """
    code_of = dict(zip(wards["ward_name"], wards["ward_code"], strict=True))
    shape_of = dict(zip(wards["ward_name"], wards["geometry"], strict=True))
    rows = []
    for site_id, name, ward, kind, total, first, last in _SITES:
        by_point = site_id in _SITES_BY_POINT
        years = np.arange(first, last + 1)
        ramp = np.minimum(1.0, 0.5 * np.arange(1, len(years) + 1))  # a slow first year
        dwellings = rng.multinomial(total, ramp / ramp.sum())
        point = _sample_points(shape_of[ward], 1, rng, inset=150.0)[0] if by_point else None
        for year, count in zip(years, dwellings, strict=True):
            rows.append(
                {
                    "site_id": site_id,
                    "site_name": name,
                    "year": int(year),
                    "dwellings": int(count),
                    "dwelling_type": kind,
                    "ward_code": None if by_point else code_of[ward],
                    "easting": int(point[0]) if by_point else None,
                    "northing": int(point[1]) if by_point else None,
                }
            )
    frame = pd.DataFrame(rows)
    frame["easting"] = frame["easting"].astype("Int64")
    frame["northing"] = frame["northing"].astype("Int64")
    return frame


# --------------------------------------------------------------------------------------------
# Providers: where they are and what they offer


def funded_shares(wards: pd.DataFrame, *, model: bool = False) -> dict[str, np.ndarray]:
    """Funded children per child in the window, by entitlement and ward (eligibility x take-up).

    From the layout's figures in ``_ENTITLEMENTS``, or with ``model`` from the package's
    defaults (defaults.toml), which the returns' funded counts follow so that the demo's
    take-up fit is about 1. Ward values of ``_WARD_PARAMETERS`` replace either.
    """
    defaults = Parameters.defaults()
    index = {name: i for i, name in enumerate(wards["ward_name"])}
    shares = {}
    for name, (_, eligibility, take_up, _) in _ENTITLEMENTS.items():
        if model:
            eligibility = 1.0 if name == "universal_3_4" else defaults.number(f"eligibility.{name}")
            take_up = defaults.number(f"take_up.{name}")
        values = {
            "eligibility": np.full(len(wards), eligibility),
            "take_up": np.full(len(wards), take_up),
        }
        for ward, key, value in _WARD_PARAMETERS:
            section, entitlement = key.split(".")
            if entitlement == name:
                values[section][index[ward]] = float(value)
        shares[name] = values["eligibility"] * values["take_up"]
    return shares


def layout_demand(wards: pd.DataFrame, births: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Children in each window and rough demand places (wards x age groups), autumn 2026.

    ``demand = children x (sum of funded share x hours + paid hours) / 50``.
    """
    term = Term.parse(_LAYOUT_TERM)
    first_month = _FIRST_BIRTH_YEAR * 12
    children = np.zeros((len(wards), len(AGE_GROUPS)))
    for g, group in enumerate(AGE_GROUPS):
        first, last = window(term, group)
        months = np.arange(first, last + 1)
        ages = (term.start_month - months - 1) // 12
        weights = _cohort_ratio(wards, ages)
        children[:, g] = (births[:, months - first_month] * weights).sum(axis=1)
    hours = np.tile(_PAID_HOURS, (len(wards), 1))
    for name, share in funded_shares(wards).items():
        group, _, _, weekly = _ENTITLEMENTS[name]
        hours[:, group] += share * weekly
    return children, children * hours / _HOURS_PER_PLACE


def _apportion(total: int, weights: np.ndarray, minimum: int = 0) -> np.ndarray:
    """Whole numbers summing to ``total`` in proportion to ``weights`` (largest remainder)."""
    weights = np.asarray(weights, dtype=float)
    counts = np.full(len(weights), minimum)
    share = weights / weights.sum() * (total - counts.sum())
    counts = counts + np.floor(share).astype(int)
    remainder = share - np.floor(share)
    extra = np.argsort(-remainder, kind="stable")[: total - counts.sum()]
    counts[extra] += 1
    return counts


def _opening(kind: str, n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    hours, days, weeks = _OPENING[kind]
    return {
        "hours_per_day": rng.choice(np.array(hours), n),
        "days_per_week": rng.choice(np.array(days), n),
        "weeks_per_year": rng.choice(np.array(weeks), n),
    }


def _childminders(ward: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    """Sole childminders offer 3 under-5 places; one in four has an assistant and offers 5-6."""
    n = len(ward)
    assistant = rng.random(n) < 0.25
    sole = np.array([(1, 1, 1), (1, 2, 0), (0, 1, 2), (1, 0, 2), (0, 2, 1)])
    pair = np.array([(1, 2, 2), (2, 2, 2), (1, 2, 3), (2, 1, 2)])
    places = np.where(
        assistant[:, None],
        pair[rng.choice(len(pair), n, p=[0.4, 0.3, 0.15, 0.15])],
        sole[rng.choice(len(sole), n, p=[0.6, 0.1, 0.15, 0.1, 0.05])],
    )
    registered = np.where(
        assistant, rng.choice([8, 10], n), rng.choice([6, 6, 6, 6, 6, 6, 6, 6, 5, 4], n)
    )
    frame = pd.DataFrame(places, columns=PLACES)
    frame.insert(0, "ward", ward)
    frame.insert(0, "provider_type", "childminder")
    frame["registered_places"] = registered
    frame["assistant"] = assistant
    return frame.assign(**_opening("childminder", n, rng))


def _pre_schools(ward: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    """20-30 registered places; about 70% offered, a third of them to 2-year-olds."""
    n = len(ward)
    registered = rng.integers(20, 31, n)
    offered = np.round(registered * rng.uniform(0.62, 0.78, n)).astype(int)
    twos = np.round(offered * rng.uniform(0.3, 0.45, n)).astype(int)
    frame = pd.DataFrame(
        {
            "provider_type": "pre_school",
            "ward": ward,
            "places_under2": 0,
            "places_2": twos,
            "places_3_4": offered - twos,
            "registered_places": registered,
        }
    )
    return frame.assign(**_opening("pre_school", n, rng))


def _school_nurseries(ward: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    """Mostly one nursery class of 26, some larger; a few smaller ones also take 2-year-olds."""
    n = len(ward)
    three_four = rng.choice([26, 26, 26, 26, 26, 26, 26, 30, 39, 52], n)
    twos = np.where((rng.random(n) < 0.3) & (three_four < 39), rng.choice([6, 8, 10], n), 0)
    frame = pd.DataFrame(
        {
            "provider_type": "school_nursery",
            "ward": ward,
            "places_under2": 0,
            "places_2": twos,
            "places_3_4": three_four,
            "registered_places": 0,  # set from the children on roll
        }
    )
    return frame.assign(**_opening("school_nursery", n, rng))


def _fixed_settings(ward_index: dict[str, int]) -> pd.DataFrame:
    """The nursery school and the settings of type ``other``, as designed."""
    rows = [
        {
            "provider_type": "other",
            "provider_name": name,
            "ward": ward_index[ward],
            **dict(zip(PLACES, places, strict=True)),
            "hours_per_day": hours,
            "days_per_week": days,
            "weeks_per_year": weeks,
            "registered_places": registered,
        }
        for name, ward, places, hours, days, weeks, registered in _OTHER_SETTINGS
    ]
    name, ward, places, registered = _NURSERY_SCHOOL
    hours, days, weeks = (choices[0] for choices in _OPENING["nursery_school"])
    rows.append(
        {
            "provider_type": "nursery_school",
            "provider_name": name,
            "ward": ward_index[ward],
            **dict(zip(PLACES, places, strict=True)),
            "hours_per_day": hours,
            "days_per_week": days,
            "weeks_per_year": weeks,
            "registered_places": registered,
        }
    )
    return pd.DataFrame(rows)


def _full_time(frame: pd.DataFrame) -> np.ndarray:
    """Full-time places (providers x age groups): places x weekly hours / 50."""
    weekly = frame["hours_per_day"].to_numpy() * frame["days_per_week"].to_numpy()
    return frame[PLACES].to_numpy(float) * weekly[:, None] / _HOURS_PER_PLACE


def _day_nurseries(
    wards: pd.DataFrame, residual: np.ndarray, rng: np.random.Generator
) -> pd.DataFrame:
    """Day nurseries that fill each ward's remaining full-time places, group by group.

    Each ward gets nurseries in proportion to its residual (at least one); each nursery a size
    and a mix of rooms drawn at random, then scaled (iterative proportional fitting) so that
    the ward's nurseries give its residual in every age group; places are whole numbers, and
    the largest nursery takes the rounding.
    """
    counts = _apportion(_COUNTS["day_nursery"], residual.sum(axis=1), minimum=1)
    frames = []
    for w, n in enumerate(counts):
        opening = _opening("day_nursery", n, rng)
        factor = opening["hours_per_day"] * opening["days_per_week"] / _HOURS_PER_PLACE
        target = residual[w]
        size = rng.uniform(0.6, 1.4, n)
        mix = (target / target.sum())[None, :] * rng.uniform(0.75, 1.25, (n, 3))
        full_time = size[:, None] * mix
        for _ in range(30):
            full_time *= (target / np.maximum(full_time.sum(axis=0), 1e-9))[None, :]
            full_time *= (size * target.sum() / size.sum() / full_time.sum(axis=1))[:, None]
        places = np.round(full_time / factor[:, None]).astype(int)
        largest = int(np.argmax(size))
        short = (target - (places * factor[:, None]).sum(axis=0)) / factor[largest]
        places[largest] = np.maximum(0, places[largest] + np.round(short).astype(int))
        frame = pd.DataFrame(places, columns=PLACES)
        frame.insert(0, "ward", w)
        frame.insert(0, "provider_type", "day_nursery")
        frame["registered_places"] = 0  # set from the children on roll
        frames.append(frame.assign(**opening))
    return pd.concat(frames, ignore_index=True)


def _extra_day_nurseries(ward: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    """Day nurseries outside the balanced layout: 30-50 places with rooms for every age group."""
    n = len(ward)
    total = rng.integers(30, 51, n)
    places = np.round(total[:, None] * rng.dirichlet([4.0, 3.0, 3.0], n)).astype(int)
    frame = pd.DataFrame(places, columns=PLACES)
    frame.insert(0, "ward", ward)
    frame.insert(0, "provider_type", "day_nursery")
    frame["registered_places"] = 0
    return frame.assign(**_opening("day_nursery", n, rng))


_MAKERS = {
    "childminder": _childminders,
    "pre_school": _pre_schools,
    "school_nursery": _school_nurseries,
    "day_nursery": _extra_day_nurseries,
}


def _balanced_layout(
    wards: pd.DataFrame, births: np.ndarray, rng: np.random.Generator
) -> pd.DataFrame:
    """Providers open in autumn 2026, laid out so each ward meets its target supply ratio.

    Childminders, pre-schools, school nurseries and the fixed settings are placed first; day
    nurseries then fill what each ward still needs, age group by age group.
    """
    ring = wards["ring"].to_numpy()
    births_level = wards["births"].to_numpy(float)
    counts = {
        "childminder": _apportion(
            _COUNTS["childminder"], births_level * np.take(_CHILDMINDER_PULL, ring)
        ),
        "pre_school": _apportion(
            _COUNTS["pre_school"], births_level * np.take(_PRE_SCHOOL_PULL, ring), minimum=1
        ),
        "school_nursery": _apportion(
            _COUNTS["school_nursery"],
            births_level * np.where(wards["ward_name"] == _NURSERY_SCHOOL[1], 0.4, 1.0),
            minimum=1,
        ),
    }
    ward_ids = np.arange(len(wards))
    frames = [_MAKERS[kind](np.repeat(ward_ids, n), rng) for kind, n in counts.items()]
    frames.append(_fixed_settings({name: i for i, name in enumerate(wards["ward_name"])}))
    placed = pd.concat(frames, ignore_index=True)
    _, demand = layout_demand(wards, births)
    target = demand * wards["supply_ratio"].to_numpy()[:, None] * _GROUP_TILT / _UTILISATION
    supplied = np.zeros_like(target)
    np.add.at(supplied, placed["ward"].to_numpy(), _full_time(placed))
    nurseries = _day_nurseries(wards, np.maximum(target - supplied, 0.0), rng)
    return pd.concat([placed, nurseries], ignore_index=True)


def _add_events(
    providers: pd.DataFrame, wards: pd.DataFrame, rng: np.random.Generator
) -> pd.DataFrame:
    """Closures, new settings and planned changes (``_EVENTS``), and the understaffed few.

    Adds ``first_term`` (the first return a provider is in), ``event``, ``event_term``,
    ``event_date``, ``event_change`` and ``understaffed``.
    """
    ward_index = {name: i for i, name in enumerate(wards["ward_name"])}
    providers = providers.assign(
        first_term=0, event="", event_term=9, event_date="", event_change=0, understaffed=False
    )
    extras = []
    for kind, provider_type, ward, term, date, change in _EVENTS:
        info = {"event": kind, "event_term": term, "event_date": date, "event_change": change}
        if kind == "new" or (kind == "closure" and date < Term.parse(TERMS[-1]).start.isoformat()):
            made = _MAKERS[provider_type](np.array([ward_index[ward]]), rng)
            extras.append(made.assign(first_term=term if kind == "new" else 0, **info))
            continue
        candidates = providers.index[
            (providers["provider_type"] == provider_type)
            & (providers["ward"] == ward_index[ward])
            & (providers["event"] == "")
        ]
        chosen = candidates[int(rng.integers(len(candidates)))]
        for column, value in info.items():
            providers.loc[chosen, column] = value
    for provider_type, n in _UNDERSTAFFED.items():
        candidates = providers.index[
            (providers["provider_type"] == provider_type)
            & (providers["event"] == "")
            & (wards["ring"].to_numpy()[providers["ward"]] <= 2)
        ]
        providers.loc[rng.choice(candidates, n, replace=False), "understaffed"] = True
    extras_frame = pd.concat(extras, ignore_index=True).assign(understaffed=False)
    return pd.concat([providers, extras_frame], ignore_index=True)


def _names(providers: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    """Invented names: people for childminders, made-up settings and schools for the rest.

    One nursery name has a comma and an ampersand, and apostrophes are common, so that
    quoting and escaping get exercised.
    """
    kind = providers["provider_type"].to_numpy(dtype=object)
    names = providers["provider_name"].to_numpy(dtype=object).copy()
    n_cm = int((kind == "childminder").sum())
    pairs = rng.choice(len(_FIRST_NAMES) * len(_SURNAMES), n_cm, replace=False)
    names[kind == "childminder"] = [
        f"{_FIRST_NAMES[i // len(_SURNAMES)]} {_SURNAMES[i % len(_SURNAMES)]}" for i in pairs
    ]
    n_dn = int((kind == "day_nursery").sum())
    stems = ["Tiddlers, Toddlers & Tots", *rng.choice(_NURSERY_STEMS, n_dn - 1, replace=False)]
    suffixes = rng.choice(_NURSERY_SUFFIXES, n_dn)
    names[kind == "day_nursery"] = [f"{s} {x}" for s, x in zip(stems, suffixes, strict=True)]
    n_ps = int((kind == "pre_school").sum())
    stems = ["Noah's Ark", *rng.choice(_PRE_SCHOOL_STEMS, n_ps - 1, replace=False)]
    names[kind == "pre_school"] = [
        f"{s} {'Playgroup' if rng.random() < 0.2 else 'Pre-School'}" for s in stems
    ]
    n_sn = int((kind == "school_nursery").sum())
    stems = rng.choice(_SCHOOL_STEMS, n_sn, replace=False)
    names[kind == "school_nursery"] = [
        f"{s} {'C of E Primary School' if s.startswith('St ') else rng.choice(_SCHOOL_SUFFIXES)}"
        for s in stems
    ]
    return names


def _urns(kind: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """``EY`` + 6 digits for early years registrations; 6 digits for schools. All unique."""
    school = np.isin(kind, ["school_nursery", "nursery_school"])
    urns = np.empty(len(kind), dtype=object)
    urns[~school] = [f"EY{n:06d}" for n in 300_000 + rng.choice(300_000, (~school).sum(), False)]
    urns[school] = [f"{n:06d}" for n in 110_000 + rng.choice(40_000, school.sum(), False)]
    return urns


def _locate(
    providers: pd.DataFrame, postcodes: pd.DataFrame, rng: np.random.Generator
) -> pd.DataFrame:
    """A postcode in each provider's ward; about half also give their easting and northing."""
    order = np.argsort(postcodes["ward"].to_numpy(), kind="stable")
    start = np.searchsorted(postcodes["ward"].to_numpy()[order], np.arange(order.max() + 1))
    count = np.bincount(postcodes["ward"].to_numpy())
    ward = providers["ward"].to_numpy()
    pick = order[start[ward] + (rng.random(len(ward)) * count[ward]).astype(int)]
    xy = postcodes[["easting", "northing"]].to_numpy()[pick] + rng.integers(-40, 41, (len(ward), 2))
    given = rng.random(len(ward)) < 0.5
    return providers.assign(
        postcode=postcodes["postcode"].to_numpy()[pick],
        easting=pd.Series(xy[:, 0], dtype="Int64").where(given),
        northing=pd.Series(xy[:, 1], dtype="Int64").where(given),
    )


def make_providers(
    wards: pd.DataFrame, births: np.ndarray, postcodes: pd.DataFrame, rng: np.random.Generator
) -> pd.DataFrame:
    """Every provider that is in any of the three returns, with its places as of autumn 2026."""
    providers = _add_events(_balanced_layout(wards, births, rng), wards, rng)
    providers["provider_name"] = _names(providers, rng)
    providers["urn"] = _urns(providers["provider_type"].to_numpy(dtype=object), rng)
    providers["assistant"] = providers["assistant"].fillna(False).astype(bool)
    return _locate(providers, postcodes, rng)


# --------------------------------------------------------------------------------------------
# The termly returns

_ROLL_SEASON = {  # children on roll per occupied place, relative to autumn (under2, 2, 3_4)
    "2026-spring": (1.0, 1.0, 1.08),
    "2026-summer": (1.0, 1.0, 1.15),
    "2026-autumn": (1.0, 1.0, 1.0),
}
_REGISTERED_RANGE = {"day_nursery": (40, 100), "school_nursery": (26, 52)}
_MIN_STAFF = {"day_nursery": 10, "pre_school": 3, "school_nursery": 2, "nursery_school": 8}
_WAITING_BASE = {  # children waiting (under2, 2, 3_4) in a ward in balance; more where short
    "childminder": (0.8, 0.7, 0.4),
    "day_nursery": (5.0, 3.5, 2.0),
    "pre_school": (0.0, 3.0, 2.0),
    "school_nursery": (0.0, 2.0, 3.0),
    "nursery_school": (0.0, 8.0, 6.0),
    "other": (2.0, 1.5, 1.0),
}
# Relative chance that a child on roll is funded, by provider type: under2 working, 2 working,
# 2 disadvantaged, 3_4 universal; and the share of universal children also taking extended.
_FUNDED_WEIGHT = {
    "childminder": (0.8, 0.9, 0.5, 0.7, 0.75),
    "day_nursery": (1.0, 1.0, 0.6, 0.85, 0.8),
    "pre_school": (1.0, 0.7, 1.0, 0.95, 0.35),
    "school_nursery": (1.0, 0.6, 1.0, 1.0, 0.35),
    "nursery_school": (1.0, 0.5, 1.3, 1.0, 0.45),
    "other": (0.9, 0.8, 0.6, 0.8, 0.5),
}


def _statuses(providers: pd.DataFrame) -> list[np.ndarray]:
    """Status in each term's return (``None`` where the provider is not in it yet)."""
    out = []
    event = providers["event"].to_numpy(dtype=object)
    reached = providers["event_term"].to_numpy()
    date = providers["event_date"].to_numpy(dtype=object)
    for t, term in enumerate(TERMS):
        start = Term.parse(term).start.isoformat()
        status = np.full(len(providers), "open", dtype=object)
        closure = (event == "closure") & (reached <= t)
        status[closure] = np.where(date[closure] < start, "closed", "closing")
        status[event == "new"] = "new"
        status[providers["first_term"].to_numpy() > t] = None
        out.append(status)
    return out


def _places_by_term(providers: pd.DataFrame, rng: np.random.Generator) -> list[np.ndarray]:
    """Places offered in each term (providers x 3 age groups, a list in ``TERMS`` order).

    Autumn is as laid out; in each earlier term a few day nurseries and pre-schools offered a
    place or two more or fewer in one room.
    """
    autumn = providers[PLACES].to_numpy()
    flexible = providers["provider_type"].isin(["day_nursery", "pre_school"]).to_numpy()
    terms = [autumn]
    for _ in TERMS[1:]:
        earlier = terms[-1].copy()
        rows = np.flatnonzero(flexible & (rng.random(len(earlier)) < 0.08))
        room = np.argmax(rng.random((len(rows), 3)) * (earlier[rows] > 0), axis=1)
        step = rng.choice([-2, -1, 1, 2], len(rows))
        earlier[rows, room] = np.maximum(1, earlier[rows, room] + step)
        terms.append(earlier)
    return terms[::-1]


def _rolls(
    providers: pd.DataFrame,
    wards: pd.DataFrame,
    places: list[np.ndarray],
    rng: np.random.Generator,
) -> tuple[list[np.ndarray], list[np.ndarray], np.ndarray]:
    """Vacancies and children on roll per term, and registered places.

    Vacancies are places times the provider's usual vacancy rate (low in inner wards) and the
    season's; children on roll are occupied place-hours over typical hours a child attends,
    never more in all than the registered places.
    """
    kind = providers["provider_type"].to_numpy(dtype=object)
    ratio = wards["supply_ratio"].to_numpy()[providers["ward"].to_numpy()]
    usual = (0.02 + 0.18 * np.clip((ratio - 0.65) / 0.8, 0, 1)) * np.exp(
        rng.normal(0, 0.35, len(kind))
    )
    weekly = (providers["hours_per_day"] * providers["days_per_week"]).to_numpy()
    per_child = np.array([_HOURS_PER_CHILD[k] for k in kind])
    vacancies, children = [], []
    for t, term in enumerate(TERMS):
        rate = np.clip(usual[:, None] * np.array(_VACANCY_SEASON[term]), 0, 0.8)
        free = rng.binomial(places[t], rate)
        busy = np.array(_ROLL_SEASON[term]) * np.exp(rng.normal(0, 0.05, (len(kind), 3)))
        vacancies.append(free)
        children.append(np.round((places[t] - free) * weekly[:, None] / per_child * busy))
    most = np.max([c.sum(axis=1) for c in children], axis=0)
    most_places = np.max([p.sum(axis=1) for p in places], axis=0)
    registered = providers["registered_places"].to_numpy().copy()
    for provider_type, (low, high) in _REGISTERED_RANGE.items():
        rows = kind == provider_type
        wanted = np.ceil(most[rows] * rng.uniform(1.02, 1.15, rows.sum()))
        registered[rows] = np.clip(wanted, low, np.maximum(high, most_places[rows]))
    registered = np.maximum(registered, most_places)
    for c in children:
        over = c.sum(axis=1) > registered
        c[over] = np.floor(c[over] * (registered[over] / c[over].sum(axis=1))[:, None])
    return vacancies, [c.astype(int) for c in children], registered.astype(int)


def _funded(
    providers: pd.DataFrame,
    wards: pd.DataFrame,
    children: list[np.ndarray],
    targets: dict[str, float],
    rng: np.random.Generator,
) -> list[np.ndarray]:
    """Funded children by entitlement (providers x 5, in the order of the return's columns).

    Each provider type has a relative chance that a child on roll is funded; the scale is set
    so that, in the autumn return, the town's totals match ``targets``. Disadvantaged
    2-year-olds are more common in deprived wards, working families' 2-year-olds less.
    """
    kind = providers["provider_type"].to_numpy(dtype=object)
    weight = np.array([_FUNDED_WEIGHT[k] for k in kind])
    imd = wards["imd"].to_numpy()[providers["ward"].to_numpy()]
    weight[:, 1] *= (60 - imd) / (60 - imd).mean()
    weight[:, 2] *= imd / imd.mean()
    on_roll = children[-1][:, [0, 1, 1, 2]].astype(float)
    keys = ["under2_working", "2_working", "2_disadvantaged", "3_4_universal"]
    share = np.zeros((len(kind), 4))
    for j, key in enumerate(keys):
        scale = targets[key] / max((on_roll[:, j] * weight[:, j]).sum(), 1.0)
        for _ in range(10):
            share[:, j] = np.minimum(0.97, scale * weight[:, j])
            scale *= targets[key] / max((on_roll[:, j] * share[:, j]).sum(), 1.0)
    share[:, 1] = np.minimum(share[:, 1], 0.97 - share[:, 2])
    universal = on_roll[:, 3] * share[:, 3]
    extended = np.minimum(
        0.97, weight[:, 4] * targets["3_4_extended"] / (universal * weight[:, 4]).sum()
    )
    out = []
    for c in children:
        disadvantaged = rng.binomial(c[:, 1], share[:, 2])
        working = rng.binomial(c[:, 1] - disadvantaged, share[:, 1] / (1 - share[:, 2]))
        three_four = rng.binomial(c[:, 2], share[:, 3])
        out.append(
            np.column_stack(
                [
                    rng.binomial(c[:, 0], share[:, 0]),
                    working,
                    disadvantaged,
                    three_four,
                    rng.binomial(three_four, extended),
                ]
            )
        )
    return out


def funded_targets(wards: pd.DataFrame, children: np.ndarray) -> dict[str, float]:
    """Town-wide funded children the autumn return should show (children x the model's
    funded share)."""
    shares = funded_shares(wards, model=True)
    return {
        "under2_working": float((children[:, 0] * shares["working_under2"]).sum()),
        "2_working": float((children[:, 1] * shares["working_2"]).sum()),
        "2_disadvantaged": float((children[:, 1] * shares["disadvantaged_2"]).sum()),
        "3_4_universal": float((children[:, 2] * shares["universal_3_4"]).sum()),
        "3_4_extended": float((children[:, 2] * shares["extended_3_4"]).sum()),
    }


def _initial_staff(
    providers: pd.DataFrame, places: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Staff in post by qualification (providers x 4: unqualified, level 2, 3, 6).

    Most group settings have 15-45% more staff than the ratios need (at least a type's
    minimum); the understaffed few 70-85% of it and no graduate. Schools have a teacher
    (two for larger nurseries), the nursery school three.
    """
    kind = providers["provider_type"].to_numpy(dtype=object)
    short = providers["understaffed"].to_numpy(bool)
    school = np.isin(kind, ["school_nursery", "nursery_school"])
    need = np.ceil(staff_needed(places, kind, school) - 1e-9)
    minimum = np.array([_MIN_STAFF.get(k, 3) for k in kind])
    staff = np.maximum(minimum, np.ceil(need * rng.uniform(1.15, 1.45, len(kind))))
    staff = np.where(kind == "day_nursery", np.clip(staff, need, np.maximum(25, need)), staff)
    staff = np.where(
        short, np.maximum(1, np.floor(need * rng.uniform(0.7, 0.85, len(kind)))), staff
    )
    staff = np.where(kind == "childminder", 1 + providers["assistant"].to_numpy(int), staff)
    staff = staff.astype(int)
    level6 = rng.binomial(staff, np.array([_LEVEL6_SHARE.get(k, 0.0) for k in kind]))
    level6 = np.where(kind == "school_nursery", 1 + (places[:, 2] >= 39), level6)
    level6 = np.where(kind == "nursery_school", 3, level6)
    level6 = np.where(short, 0, np.minimum(level6, staff))
    mix = np.array([_QUALIFICATION_MIX[k] for k in kind])
    below = rng.multinomial(staff - level6, mix)
    return np.column_stack([below, level6])


def _remove_leavers(
    quals: np.ndarray, leavers: np.ndarray, protect_level6: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Take ``leavers`` out of the qualification counts at random (level 6 kept if protected)."""
    pool = quals.copy()
    pool[protect_level6, 3] = 0
    left = np.zeros_like(quals)
    remaining = leavers.copy()
    for q in range(4):
        others = pool[:, q + 1 :].sum(axis=1)
        left[:, q] = rng.hypergeometric(pool[:, q], others, remaining)
        remaining = remaining - left[:, q]
    return quals - left


def _leaver_reasons(leavers: np.ndarray, rng: np.random.Generator) -> list[str]:
    """One to three reasons for each provider with leavers, from ``LEAVER_REASONS``."""
    count = np.minimum(leavers, 1 + rng.binomial(2, 0.35, len(leavers)))
    keys = np.log(_LEAVER_WEIGHTS) + rng.gumbel(size=(len(leavers), len(LEAVER_REASONS)))
    rank = np.argsort(np.argsort(-keys, axis=1, kind="stable"), axis=1, kind="stable")
    chosen = rank < count[:, None]
    return [
        ";".join(r for r, keep in zip(LEAVER_REASONS, row, strict=True) if keep) for row in chosen
    ]


def _staffing(
    providers: pd.DataFrame,
    places: list[np.ndarray],
    statuses: list[np.ndarray],
    rng: np.random.Generator,
) -> list[dict[str, np.ndarray]]:
    """Staff by qualification, vacancies, leavers, recruits and leavers' reasons per term.

    A provider's staff carry over from term to term: leavers go (schools keep their teacher),
    recruits fill some of last term's vacancies, and a compliant setting that falls below the
    ratios recruits up to them. The understaffed few recruit too little to reach the ratios.
    New settings are not yet staffed (their posts are vacancies); closed ones report nothing.
    """
    kind = providers["provider_type"].to_numpy(dtype=object)
    n = len(kind)
    minder = kind == "childminder"
    school = np.isin(kind, ["school_nursery", "nursery_school"])
    short = providers["understaffed"].to_numpy(bool)
    quals = np.zeros((n, 4), dtype=int)
    vacancies = np.zeros(n, dtype=int)
    was_active = np.zeros(n, dtype=bool)
    out = []
    for t, term in enumerate(TERMS):
        active = np.isin(statuses[t], ["open", "closing"])
        new = statuses[t] == "new"
        start = active & ~was_active
        fresh = _initial_staff(providers, places[t], rng)
        pool = quals.sum(axis=1) - np.where(school, quals[:, 3], 0) - minder.astype(int)
        leavers = rng.binomial(np.maximum(pool, 0), np.where(minder, 0.1, 0.08))
        quals = _remove_leavers(quals, np.where(start, 0, leavers), school, rng)
        # Recruits fill some of last term's vacancies; the understaffed stay below the ratios
        # (no graduates, at most one short of them), and get back to 80% of them at least.
        recruits = np.where(minder, 0, rng.binomial(vacancies, 0.25))
        room = np.ceil(staff_needed(places[t], kind, school) - 1e-9) - 1 - quals.sum(axis=1)
        recruits = np.where(short, np.clip(recruits, 0, np.maximum(room, 0)), recruits)
        recruits = recruits.astype(int)
        hired = rng.multinomial(recruits, _RECRUIT_MIX)
        hired[short, 2] += hired[short, 3]
        hired[short, 3] = 0
        quals = quals + hired
        need = staff_needed(places[t], kind, school | (quals[:, 3] > 0))
        least = np.where(short, np.floor(0.8 * need), np.ceil(need - 1e-9))
        top_up = np.maximum(0, least - quals.sum(axis=1)).astype(int)
        quals[:, 2] += top_up
        recruits = recruits + top_up
        quals[start] = fresh[start]
        first_staff = fresh[start].sum(axis=1)
        leavers[start] = rng.binomial(first_staff, np.where(minder[start], 0.0, 0.08))
        recruits[start] = rng.binomial(first_staff, np.where(minder[start], 0.0, 0.06))
        quals[new] = np.where(minder[new, None], fresh[new], 0)
        quals[~(active | new)] = 0
        staff = quals.sum(axis=1)
        need = staff_needed(places[t], kind, school | (quals[:, 3] > 0))
        vacancies = _staff_vacancies(staff, need, kind, active, new, short, term, rng)
        leavers = np.where(active, leavers, 0)
        recruits = np.where(active, recruits, 0)
        out.append(
            {
                "staff_total": staff,
                **{name: quals[:, q] for q, name in enumerate(QUALIFICATIONS)},
                "staff_vacancies": vacancies,
                "staff_leavers": leavers,
                "staff_recruits": recruits,
                "leaver_reasons": np.array(_leaver_reasons(leavers, rng), dtype=object),
            }
        )
        was_active = active
    return out


def _staff_vacancies(
    staff: np.ndarray,
    need: np.ndarray,
    kind: np.ndarray,
    active: np.ndarray,
    new: np.ndarray,
    short: np.ndarray,
    term: str,
    rng: np.random.Generator,
) -> np.ndarray:
    """Posts vacant: about ``_STAFF_VACANCY_RATE`` of staff in post across the town.

    Childminders rarely (an assistant's post); new settings every post they will need; the
    understaffed at least the staff they are short of, plus one.
    """
    minder = kind == "childminder"
    posts = np.where(new & ~minder, np.ceil(need - 1e-9), 0).astype(int)
    group = active & ~minder
    expected = _STAFF_VACANCY_RATE[term] * staff[active].sum() - 0.04 * (active & minder).sum()
    scale = max(expected, 0.0) / max(staff[group].sum(), 1)
    vacancies = np.where(group, rng.poisson(scale * staff), 0)
    vacancies = np.where(active & minder, rng.binomial(1, 0.04, len(kind)), vacancies)
    gap = np.ceil(need - staff - 1e-9).astype(int) + 1
    vacancies = np.where(short & active, np.maximum(vacancies, gap), vacancies)
    return np.where(new, posts, vacancies)


def make_returns(
    providers: pd.DataFrame,
    wards: pd.DataFrame,
    targets: dict[str, float],
    rng: np.random.Generator,
) -> list[pd.DataFrame]:
    """The three termly returns, in ``RETURN_COLUMNS``, sorted by URN."""
    statuses = _statuses(providers)
    places = _places_by_term(providers, rng)
    vacancies, children, registered = _rolls(providers, wards, places, rng)
    for t, status in enumerate(statuses):  # closed and not-yet-open settings have no children
        idle = ~np.isin(status, ["open", "closing"])
        vacancies[t][idle] = 0
        children[t][idle] = 0
    funded = _funded(providers, wards, children, targets, rng)
    staffing = _staffing(providers, places, statuses, rng)
    kind = providers["provider_type"].to_numpy(dtype=object)
    ratio = wards["supply_ratio"].to_numpy()[providers["ward"].to_numpy()]
    imd = wards["imd"].to_numpy()[providers["ward"].to_numpy()]
    pressure = np.minimum((0.8 / ratio) ** 2, 1.6)
    base = np.array([_WAITING_BASE[k] for k in kind])
    send_share = 0.04 + 0.05 * imd / 50 + 0.12 * (kind == "nursery_school")
    frames = []
    for t, status in enumerate(statuses):
        active = np.isin(status, ["open", "closing"])
        new = status == "new"
        waiting = rng.poisson(base * pressure[:, None] * (places[t] > 0))
        waiting = np.where(new[:, None], rng.poisson(3.0 * (places[t] > 0)), waiting)
        waiting[~(active | new)] = 0
        counts: dict[str, np.ndarray] = {}
        for names, values in (
            (CHILDREN, children[t]),
            (FUNDED, funded[t]),
            (VACANCIES, vacancies[t]),
            (WAITING, waiting),
        ):
            counts.update(zip(names, values.T, strict=True))
        send = np.where(active, rng.binomial(children[t].sum(axis=1), send_share), 0)
        frames.append(
            _return_frame(providers, t, status, places[t], registered, counts, staffing[t], send)
        )
    return frames


def _return_frame(
    providers: pd.DataFrame,
    t: int,
    status: np.ndarray,
    places: np.ndarray,
    registered: np.ndarray,
    counts: dict[str, np.ndarray],
    staffing: dict[str, np.ndarray],
    send: np.ndarray,
) -> pd.DataFrame:
    """One term's return: the providers in it, in ``RETURN_COLUMNS``, sorted by URN."""
    event = providers["event"].to_numpy(dtype=object)
    shown = providers["event_term"].to_numpy() <= t
    dated = np.isin(event, ["closure", "new"]) & (shown | (event == "new"))
    change = (event == "change") & shown
    frame = pd.DataFrame(
        {
            "urn": providers["urn"],
            "provider_name": providers["provider_name"],
            "provider_type": providers["provider_type"],
            "postcode": providers["postcode"],
            "easting": providers["easting"],
            "northing": providers["northing"],
            "registered_places": registered,
            **dict(zip(PLACES, places.T, strict=True)),
            "hours_per_day": providers["hours_per_day"].astype(float),
            "days_per_week": providers["days_per_week"].astype(int),
            "weeks_per_year": providers["weeks_per_year"].astype(int),
            **counts,
            **staffing,
            "send_children": send,
            "status": status,
            "status_date": np.where(dated, providers["event_date"], ""),
            "planned_places_change": providers["event_change"].astype("Int64").where(change),
            "planned_change_date": np.where(change, providers["event_date"], ""),
            **{c: providers[c] for c in SCHOOL_AGE_RETURN_COLUMNS},
        }
    )
    frame = frame[pd.notna(status)]
    return (
        frame.loc[:, list(RETURN_COLUMNS)].sort_values("urn", kind="stable").reset_index(drop=True)
    )


# --------------------------------------------------------------------------------------------
# School-age childcare (sufficiency/school_age.py): places in the returns, a schools.csv and
# population estimates of ages 5-11. Kept here, apart, and drawn from their own random stream.

SCHOOL_AGE_RETURN_COLUMNS = (
    "places_breakfast",
    "places_after_school",
    "places_holiday",
    "holiday_weeks",
)
# Chance that a provider of a type offers breakfast, after-school and holiday places for
# primary children, and the places (low, high) when it does.
_SCHOOL_AGE_OFFER = {
    "childminder": ((0.35, 0.6, 0.5), (1, 3)),
    "day_nursery": ((0.0, 0.2, 0.65), (10, 36)),
    "pre_school": ((0.0, 0.1, 0.3), (8, 16)),
    "school_nursery": ((0.4, 0.4, 0.0), (8, 20)),
    "nursery_school": ((0.0, 0.0, 0.0), (0, 0)),
    "other": ((0.5, 0.8, 0.8), (16, 32)),
}
_PRIMARY_AGES = np.arange(5, 12)
_SCHOOL_AGE_POPULATION_YEARS = (2023, 2025)  # the three years the model pools
# Primary-age demand per child in the package's defaults (working families 0.6 x use x
# sessions / 5): breakfast, after school. The schools' clubs are laid out against it.
_CLUB_DEMAND = (0.6 * 0.15 * 3 / 5, 0.6 * 0.35 * 3 / 5)


def add_school_age_places(providers: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """The providers with ``SCHOOL_AGE_RETURN_COLUMNS``: blank where a provider offers none.

    Childminders take a few school-age children (1-3), nurseries run holiday clubs, settings
    of type ``other`` (out-of-school clubs among them) all three. Holiday places run 6-13 of
    the 13 weeks of school holidays; a few leave the weeks blank.
    """
    kind = providers["provider_type"].to_numpy(dtype=object)
    chance = np.array([_SCHOOL_AGE_OFFER[k][0] for k in kind])
    low = np.array([_SCHOOL_AGE_OFFER[k][1][0] for k in kind])
    high = np.array([_SCHOOL_AGE_OFFER[k][1][1] for k in kind])
    offers = rng.random(chance.shape) < chance
    places = rng.integers(low[:, None], high[:, None] + 1, size=chance.shape)
    out = providers.copy()
    for i, column in enumerate(SCHOOL_AGE_RETURN_COLUMNS[:3]):
        out[column] = pd.array(np.where(offers[:, i], places[:, i], 0), dtype="Int64")
        out.loc[~offers[:, i], column] = pd.NA
    weeks = rng.integers(6, 14, len(out))
    no_weeks = rng.random(len(out)) < 0.05
    holiday = offers[:, 2]
    out["holiday_weeks"] = pd.array(np.where(holiday, weeks, 0), dtype="Int64")
    out.loc[~holiday | no_weeks, "holiday_weeks"] = pd.NA
    return out


def with_school_age_population(
    population: pd.DataFrame, wards: pd.DataFrame, births: np.ndarray, rng: np.random.Generator
) -> pd.DataFrame:
    """``population.csv`` with ages 5-11 added for the latest three years: each cohort's births
    times a ratio that carries the ward's 0-4 trend on (inner wards keep losing families)."""
    years = np.arange(_SCHOOL_AGE_POPULATION_YEARS[0], _SCHOOL_AGE_POPULATION_YEARS[1] + 1)
    cumulative = np.concatenate([np.zeros((len(wards), 1)), births.cumsum(axis=1)], axis=1)
    rows = []
    for year in years:
        ages = _PRIMARY_AGES[year - _PRIMARY_AGES - 1 >= _FIRST_BIRTH_YEAR]  # births made
        end = (year - ages - _FIRST_BIRTH_YEAR) * 12 + 6
        cohort = cumulative[:, end] - cumulative[:, end - 12]
        ratio = np.clip(_cohort_ratio(wards, ages), 0.8, 1.2)
        noise = np.exp(rng.normal(0.0, 0.02, cohort.shape))
        rows.append(
            pd.DataFrame(
                {
                    "ward_code": np.repeat(wards["ward_code"].to_numpy(), len(ages)),
                    "year": year,
                    "age": np.tile(ages, len(wards)),
                    "population": np.round(cohort * ratio * noise).astype(int).ravel(),
                }
            )
        )
    table = pd.concat([population, *rows], ignore_index=True)
    return table.sort_values(["ward_code", "year", "age"], kind="stable").reset_index(drop=True)


def make_schools(wards: pd.DataFrame, births: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    """``schools.csv``: each ward's primary schools (one per 60 births a year, at least one)
    with their own breakfast and after-school clubs, laid out against the ward's demand
    times its supply balance, so that the inner wards are short. Most schools are placed by
    ``ward_code``; every fourth by ``easting, northing`` (a point inside its ward)."""
    per_year = births[:, -12:].sum(axis=1)
    children = per_year * 7
    balance = wards["supply_ratio"].to_numpy()
    rows = []
    for w, code in enumerate(wards["ward_code"]):
        n = max(1, round(per_year[w] / 60))
        ward_rows = [{"ward": w, "ward_code": code} for _ in range(n)]
        for p, club in enumerate(("places_breakfast", "places_after_school")):
            target = children[w] * _CLUB_DEMAND[p] * balance[w] * rng.uniform(0.55, 0.85)
            weight = rng.uniform(0.6, 1.4, n)
            share = weight / weight.sum()
            runs = rng.random(n) < (0.8 if p == 0 else 0.9)
            places = np.where(runs, np.round(target * share / max(runs.mean(), 0.5)), 0)
            for row, value in zip(ward_rows, places, strict=True):
                row[club] = int(value)
        rows.extend(ward_rows)
    table = pd.DataFrame(rows)
    table["urn"] = [f"{v:06d}" for v in 110000 + rng.choice(89999, len(table), replace=False)]
    names = np.resize(rng.permutation(len(_SCHOOL_NAMES)), len(table))
    table["school_name"] = [
        f"{_SCHOOL_NAMES[n]} {'Junior' if i >= len(_SCHOOL_NAMES) else 'Primary'} School"
        for i, n in enumerate(names)
    ]
    points = [wards["geometry"].iloc[w].representative_point() for w in table["ward"]]
    by_point = np.arange(len(table)) % 4 == 3
    table["easting"] = [f"{pt.x:.0f}" if b else "" for pt, b in zip(points, by_point, strict=True)]
    table["northing"] = [f"{pt.y:.0f}" if b else "" for pt, b in zip(points, by_point, strict=True)]
    table.loc[by_point, "ward_code"] = ""
    columns = ["urn", "school_name", "ward_code", "easting", "northing"]
    table = table[[*columns, "places_breakfast", "places_after_school"]]
    return table.sort_values("urn", kind="stable").reset_index(drop=True)


_SCHOOL_NAMES = (
    "Alder", "Bramble", "Chestnut", "Dovecote", "Elmhurst", "Fernbank", "Glebe", "Hawthorn",
    "Ivy Lane", "Juniper", "Kestrel", "Larkrise", "Meadowside", "Northfield", "Oakwood",
    "Primrose", "Quarry Hill", "Rowan", "Southgate", "Townsend", "Upton", "Valley Road",
    "Willowbrook", "Yewtree", "Ashgrove", "Beechcroft", "Cedar", "Danesfield", "Eastbrook",
    "Foxhill", "Greenway", "Holly Bank", "Kingfisher", "Linden", "Maple", "Orchard",
    "Parkside", "Riverside", "Sycamore", "Woodlands",
)  # fmt: skip


# --------------------------------------------------------------------------------------------
# Writing the files

_DATE_COLUMNS = ("status_date", "planned_change_date")


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")


def _cell(worksheet: object, value: object, column: str) -> object:
    """A value as openpyxl should write it: empty for missing, real dates for dates."""
    if value is None or value is pd.NA or value == "":
        return None
    if isinstance(value, float | np.floating) and np.isnan(value):
        return None
    if column in _DATE_COLUMNS:
        cell = WriteOnlyCell(worksheet, dt.date.fromisoformat(str(value)))
        cell.number_format = "yyyy-mm-dd"
        return cell
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def _write_xlsx(frame: pd.DataFrame, path: Path, sheet: str) -> None:
    """One sheet, header row then data, byte-identical from build to build.

    Dates are Excel dates shown as YYYY-MM-DD. openpyxl stamps the save time into the document
    properties and the zip entries; both are fixed here (2026-01-01 and 1980-01-01).
    """
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet)
    columns = list(frame.columns)
    worksheet.append(columns)
    for row in frame.itertuples(index=False, name=None):
        worksheet.append([_cell(worksheet, v, c) for v, c in zip(row, columns, strict=True)])
    workbook.properties.creator = "sufficiency.demo"
    workbook.properties.created = FIXED_TIME
    buffer = io.BytesIO()
    workbook.save(buffer)
    path.write_bytes(fixed_zip(buffer.getvalue(), FIXED_TIME))


def _write_geojson(wards: pd.DataFrame, path: Path) -> None:
    """Wards in EPSG:27700 with ONS-style fields ``WD24CD, WD24NM``."""
    properties = [
        {"WD24CD": code, "WD24NM": name}
        for code, name in zip(wards["ward_code"], wards["ward_name"], strict=True)
    ]
    _write_polygons(properties, wards["geometry"], "wards", path)


def _write_small_areas(small: pd.DataFrame, path: Path) -> None:
    """Small areas in EPSG:27700 with ONS-style ``LSOA21CD``, their ward and ``population``."""
    properties = [
        {"LSOA21CD": code, "ward_code": ward, "population": population}
        for code, ward, population in zip(
            small["area_code"], small["ward_code"], small["population"], strict=True
        )
    ]
    _write_polygons(properties, small["geometry"], "small_areas", path)


def _write_polygons(properties: list[dict], polygons, name: str, path: Path) -> None:
    """GeoJSON in EPSG:27700 (named in a ``crs`` member), whole metres, one feature a line.

    Written by hand rather than through GDAL so the bytes do not depend on its version.
    """
    features = []
    for fields, polygon in zip(properties, polygons, strict=True):
        polygon = shapely.geometry.polygon.orient(polygon, sign=1.0)
        rings = [polygon.exterior, *polygon.interiors]
        coordinates = [[[int(x), int(y)] for x, y in ring.coords] for ring in rings]
        feature = {
            "type": "Feature",
            "properties": fields,
            "geometry": {"type": "Polygon", "coordinates": coordinates},
        }
        features.append(json.dumps(feature, ensure_ascii=False, separators=(",", ":")))
    crs = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}}
    head = json.dumps(
        {"type": "FeatureCollection", "name": name, "crs": crs}, separators=(",", ":")
    )
    text = head[:-1] + ',"features":[\n' + ",\n".join(features) + "\n]}\n"
    path.write_text(text, encoding="utf-8", newline="\n")


def _postcode_table(postcodes: pd.DataFrame, wards: pd.DataFrame) -> pd.DataFrame:
    latitude, longitude = _to_latlon(postcodes[["easting", "northing"]].to_numpy())
    table = pd.DataFrame(
        {
            "postcode": postcodes["postcode"],
            "latitude": [f"{v:.6f}" for v in latitude],
            "longitude": [f"{v:.6f}" for v in longitude],
            "ward_code": wards["ward_code"].to_numpy()[postcodes["ward"].to_numpy()],
        }
    )
    return table.sort_values("postcode", kind="stable").reset_index(drop=True)


def _area_toml() -> str:
    return (
        "# Demotown is fictional: made by demo/generate.py from random numbers.\n"
        "[area]\n"
        f'name = "{AREA_NAME}"\n'
        f'code = "{AREA_CODE}"\n'
    )


def _vacancy_rate(frame: pd.DataFrame) -> float:
    """Staff vacancies per member of staff in post, over open and closing providers."""
    working = frame[frame["status"].isin(["open", "closing"])]
    return working["staff_vacancies"].sum() / working["staff_total"].sum()


def _readme(
    wards: pd.DataFrame,
    births: pd.DataFrame,
    housing: pd.DataFrame,
    returns: list[pd.DataFrame],
    seed: int,
    n_schools: int = 0,
) -> str:
    """``README.md`` of the demo folder, with the counts of this build."""
    latest = returns[-1]
    by_type = latest["provider_type"].value_counts()
    mix = ", ".join(f"{by_type.get(k, 0)} {k}" for k in _MIX_ORDER)
    per_year = births.groupby("year")["births"].sum()
    births_2025 = births[births["year"] == 2025].groupby("ward_code")["births"].sum()
    big = housing[housing["site_id"].isin(["HS01", "HS02"])]["dwellings"].sum()
    files = "\n".join(
        ["| file | what | columns |", "|---|---|---|"]
        + [f"| `{name}` | {what} | {columns} |" for name, what, columns in _FILE_TABLE]
    )
    ward_rows = [
        f"| {code} | {name} | {_KIND[ring]} | {imd:.1f} | {births_2025[code]:,} | {ratio:.2f} |"
        for code, name, ring, imd, ratio in wards[
            ["ward_code", "ward_name", "ring", "imd", "supply_ratio"]
        ].itertuples(index=False)
    ]
    table = [
        "| code | name | kind | IMD score | births 2025 | balance |",
        "|---|---|---|---|---|---|",
        *ward_rows,
    ]
    return _README.format(
        wards="\n".join(table),
        files=files.format(
            n_wards=len(wards),
            births_low=f"{per_year.min():,}",
            births_high=f"{per_year.max():,}",
            n_sites=housing["site_id"].nunique(),
            dwellings=f"{housing['dwellings'].sum():,}",
            n_schools=n_schools,
        ),
        n_providers=len(latest),
        mix=mix,
        big=f"{big:,}",
        vacancy_rates=", ".join(f"{_vacancy_rate(frame):.0%}" for frame in returns),
        seed=seed,
        columns=", ".join(RETURN_COLUMNS),
        reasons="; ".join(LEAVER_REASONS),
    )


_FILE_TABLE: tuple[tuple[str, str, str], ...] = (
    ("area.toml", "the area's name and code", "`[area]` `name`, `code`"),
    ("wards.geojson", "{n_wards} ward polygons in EPSG:27700 (British National Grid), whole "
     "metres", "`WD24CD`, `WD24NM`"),
    ("births.csv", "live births by ward and calendar month, 2013-2025 ({births_low} to "
     "{births_high} a year)", "`ward_code, year, month, births`"),
    ("population.csv", "mid-year (30 June) estimates by single year of age 0-4, 2018-2025, "
     "and 5-11 (primary school ages), 2023-2025",
     "`ward_code, year, age, population`"),
    ("housing.csv", "housing trajectory 2026-2031: {n_sites} sites, {dwellings} dwellings, one "
     "row per site and year of completions", "`site_id, site_name, year, dwellings, "
     "dwelling_type, ward_code, easting, northing`"),
    ("postcodes.csv", "postcode lookup: every provider's postcode and more; latitude and "
     "longitude (WGS84) of a point inside the ward", "`postcode, latitude, longitude, ward_code`"),
    ("deprivation.csv", "Index of Multiple Deprivation score by ward (higher is more deprived)",
     "`ward_code, imd_score`"),
    ("ward_parameters.csv", "ward values of eligibility and take-up", "`ward_code, key, value`"),
    ("small_areas.geojson", "LSOA-like small areas tiling each ward (6-10 a ward), with the "
     "children aged 0-4 living in each, for the accessibility measure",
     "`LSOA21CD, ward_code, population`"),
    ("flows.csv", "share of each home ward's children who attend settings in each ward (most in "
     "their own; the rest next door), as an LA builds it from the early years census",
     "`home_ward_code, setting_ward_code, share`"),
    ("eligible_2s.csv", "the DWP list of families eligible for the disadvantaged 2s' hours, by "
     "ward and term (take-up about 62% in the most deprived ward to 92% in the least)",
     "`ward_code, term, eligible`"),
    ("income.csv", "a year's household income by ward (pounds), lower where more deprived",
     "`ward_code, income`"),
    ("schools.csv", "{n_schools} primary schools' own breakfast and after-school clubs "
     "(places a session); most placed by ward code, every fourth by easting and northing",
     "`urn, school_name, ward_code, easting, northing, places_breakfast, "
     "places_after_school`"),
    ("returns-2026-spring.csv", "termly provider return, spring 2026", "the return columns"),
    ("returns-2026-summer.csv", "termly provider return, summer 2026", "the return columns"),
    ("returns-2026-autumn.xlsx", "termly provider return, autumn 2026: one sheet `returns`, "
     "header row then data; dates are Excel dates shown as YYYY-MM-DD", "the return columns"),
)  # fmt: skip
_KIND = ("inner", "inner", "middle", "suburb")  # by ring
_MIX_ORDER = (
    "childminder", "day_nursery", "pre_school", "school_nursery", "nursery_school", "other",
)  # fmt: skip
_README = """# Demotown: the synthetic demo area

**Demotown is fictional.** Every file here was made up by `demo/generate.py` from random
numbers (seed {seed}). No ward, provider, person, postcode or figure describes a real place: the
ward codes (`E05099001`-`E05099016`), the area code (`E06099999`), the postcode area `ZT` and the
URNs are well-formed but not real. The town sits around easting 440000, northing 110000 only so
that its coordinates look like southern England's.

Rebuild it (the same seed gives byte-identical files):

    python demo/generate.py --out sufficiency/data/demo --seed {seed}

or `make demo-data`, from a checkout of the repository (the generator is not installed with the
package; these files are). Do not edit them by hand: `tests/test_demo.py` checks that they are
exactly what the generator writes.

## Files

{files}

The return columns, in this order: {columns}.

## Wards

{wards}

"Balance" is the design: 0.9 x full-time places / demand in autumn 2026, against which the
places were laid out. The files do not hold it, and the model's figures differ a little (it
adds housing, adjusts for staffing and works out its own cohort ratios).

## What is built in

- **Wards that differ the way real ones do.** Five dense inner wards (Old Town and the ring
  around it: Northam Vale, Castle Quay, St Mary's & Docks, Harbourside) have the most births,
  lose young families as children grow (population at age 4 about 0.86-0.94 of births), are
  the most deprived (IMD 35-49) and are short of places: 0.9 x supply is 0.65-0.85 of demand
  in autumn 2026. Six suburbs gain young families (1.06-1.13), are affluent (IMD 8-15) and have
  a surplus (1.2-1.5). The middle ring is at balance or a little above it, and so is the
  town as a whole (about 1.04 for under-2s and 2s in autumn; for 3-4s, of spring's demand).
- **3-4s through the year**: the 3_4 window holds 12 birth months in autumn, 16 in spring
  and 19 in summer. 3-4 places are laid out for the spring window, so autumn has spare 3-4
  places (the vacancies providers report when 4-year-olds leave for school) and summer is the
  tightest term, when the middle-ring wards run short too.
- **Births** about 3,000 a year, more in July to September, a gentle fall in the suburbs and a
  slight rise in the inner wards.
- **Housing**: a large urban extension in Farley Down ({big} dwellings over 2026-2031, mostly
  houses: sites `HS01` and `HS02`), a suburb with a surplus of places today that the new
  homes use up (a school nursery there plans 26 more places for September 2027); flatted
  regeneration in the inner wards; four sites given by `easting, northing` with `ward_code`
  empty; one site name holds a comma.
- **Providers** in the autumn return: {n_providers}, of which
  {mix}.
  URNs are `EY` + 6 digits, 6 digits for schools and the nursery school. Every return row
  has a postcode; about half also give `easting, northing`; none gives a ward.
- **Changes between terms**:
  - closures: three providers open in spring say `closing` in summer and `closed` in autumn
    (same `status_date`, before 1 September 2026, and stay in the return); a childminder
    announces in autumn that it is `closing` on 2026-12-18;
  - new settings, all in inner wards short of places: two day nurseries appear in summer, a
    childminder and a school nursery in autumn, all `new` with a future `status_date`
    (2026-11-02 to 2027-09-01) and their places as they will open; no children yet, and the
    group settings no staff yet (their posts are `staff_vacancies`);
  - planned changes: four expansions (+8 to +26 places, 2027) and one reduction (-8), in
    `planned_places_change, planned_change_date`;
  - otherwise figures move a little from term to term: children on roll, vacancies (fewest in
    summer, most in autumn when 4-year-olds have gone to school), waiting lists, staff.
- **Workforce**: staff by qualification sum to `staff_total`; leavers, recruits and vacancies
  carry over from term to term; posts vacant are {vacancy_rates} of staff in post in spring,
  summer and autumn; more leave than are recruited; five day nurseries and one pre-school
  are short of the staff the statutory ratios need for their places (and carry vacancies);
  school nurseries and the nursery school have a level-6 teacher. Leavers' reasons come from:
  {reasons}.
- **Funded children** in the autumn return are close to what eligibility x take-up would
  give for the children in each window (so take-up calibration comes out near 1).
- **Awkward text**: a ward named `St Mary's & Docks`, a nursery `Tiddlers, Toddlers & Tots`,
  apostrophes in names, and `Demotown College Crèche` (non-ASCII).
- `ward_parameters.csv` sets disadvantaged 2-year-olds' take-up to 0.65 in two deprived wards,
  the working-parent share of under-2s to 0.60 in an affluent suburb, and the disadvantaged
  (0.40) and working-parent (0.35) shares of 2-year-olds in the most deprived ward.
- **Quality and prices** (issue 16): each provider's `ofsted_grade` (about 15% outstanding,
  80% good, 4% requires improvement, 1% inadequate; new settings not yet graded), hourly
  fees by age group where it offers places (lower in deprived wards) and `charges_weekly`;
  about 1 provider in 10 gives no fees. Settings in Harbourside and Sandpit Hill report a
  third as many children with SEND as elsewhere, so the SEND view flags those wards.
- **School-age childcare**: childminders take one to three primary children (breakfast,
  after school, holidays), most day nurseries and the settings of type `other` run holiday
  clubs, and each ward's primary schools (`schools.csv`) run breakfast and after-school clubs
  sized against the ward's demand at the package's defaults times its balance, so the inner
  wards are short. Holiday places run 6-13 weeks; a few leave `holiday_weeks` blank (counted
  as every holiday week, and noted). Drawn from a random stream of their own: the early years
  figures are as they were without them.
- Not included (optional): `parameters.toml`, so the package's defaults apply.
"""


# --------------------------------------------------------------------------------------------
# The wider duty (issue 16): Ofsted grades, fees and charges in the returns; the DWP list of
# eligible disadvantaged 2-year-olds; household income. Their own random stream, so that the
# other files' bytes stay as they were.

# Shares of grades among inspected settings: England about 97% good or outstanding, 14%
# outstanding (Southampton 99% and 16%, July 2024: the council's early years report).
_GRADES = ("outstanding", "good", "requires_improvement", "inadequate")
_GRADE_SHARES = (0.15, 0.80, 0.04, 0.01)
# Hourly fees (pounds) by provider type for under 2s, 2s and 3-4s, in the least deprived
# ward; deprived wards' fees are lower (below). Weekly charges: (low, high) pounds.
_FEE_BASE = {
    "day_nursery": (8.20, 7.60, 7.00),
    "childminder": (6.50, 6.50, 6.20),
    "pre_school": (6.40, 6.00, 5.60),
    "school_nursery": (np.nan, 5.20, 5.00),
    "nursery_school": (np.nan, 5.40, 5.20),
    "other": (7.00, 6.60, 6.20),
}
_CHARGES_RANGE = {
    "day_nursery": (10.0, 30.0),
    "childminder": (0.0, 10.0),
    "pre_school": (0.0, 6.0),
    "school_nursery": (0.0, 0.0),
    "nursery_school": (0.0, 5.0),
    "other": (0.0, 15.0),
}
_FEE_RESPONSE = 0.9  # share of providers that give their fees


def grades_and_fees(
    providers: pd.DataFrame, wards: pd.DataFrame, rng: np.random.Generator
) -> pd.DataFrame:
    """Per provider (``providers``' order): ``ofsted_grade`` (empty for a new setting, not yet
    inspected), the three hourly fees and ``charges_weekly`` (empty where it gives no fees)."""
    n = len(providers)
    kind = providers["provider_type"].to_numpy(dtype=object)
    grade = rng.choice(np.array(_GRADES, dtype=object), n, p=_GRADE_SHARES)
    grade[providers["event"].to_numpy(dtype=object) == "new"] = ""
    imd = wards["imd"].to_numpy()[providers["ward"].to_numpy()]
    # Fees fall by up to a fifth from the least to the most deprived ward.
    scale = 1.0 - 0.2 * (imd - imd.min()) / max(imd.max() - imd.min(), 1e-9)
    base = np.array([_FEE_BASE[k] for k in kind])
    noise = rng.normal(1.0, 0.06, (n, 3))
    fees = np.round(base * scale[:, None] * noise * 20) / 20  # to 5p
    low, high = np.array([_CHARGES_RANGE[k] for k in kind]).T
    charges = np.round(rng.uniform(low, high))
    gives = rng.random(n) < _FEE_RESPONSE
    fees[~gives] = np.nan
    charges[~gives] = np.nan
    out = pd.DataFrame({"urn": providers["urn"], "ofsted_grade": grade})
    for g, column in enumerate(FEES):
        out[column] = fees[:, g]
    out[CHARGES] = charges
    return out


# Two wards whose settings identify few children with SEND (a third of the others' rate), so
# that the SEND view flags them: an inner-city ward and a suburb.
_SEND_UNDER_IDENTIFIED = ("Harbourside", "Sandpit Hill")


def with_grades_and_fees(
    frame: pd.DataFrame, extra: pd.DataFrame, under_identified: set[str]
) -> pd.DataFrame:
    """A term's return with the grade and price columns of ``grades_and_fees``; a fee only for
    an age group the provider offers places to. Providers whose URN is in ``under_identified``
    report a third of their children with SEND (rounded down)."""
    merged = frame.merge(extra, on="urn", how="left", validate="one_to_one")
    low = merged["urn"].isin(under_identified)
    merged.loc[low, "send_children"] = merged.loc[low, "send_children"] // 3
    for column, places in zip(FEES, PLACES, strict=True):
        merged[column] = merged[column].where(merged[places] > 0)
    return merged


# Take-up of the disadvantaged 2s' hours by ward around the local 80% target, lower in the
# more deprived wards (an assumption of the demo, not a statistic).
_TAKE_UP_2S = (0.92, 0.62)  # least and most deprived ward


def eligible_2s(
    wards: pd.DataFrame,
    providers: pd.DataFrame,
    returns: list[pd.DataFrame],
    rng: np.random.Generator,
) -> pd.DataFrame:
    """``ward_code, term, eligible``: the DWP list by ward and term, made from the funded
    disadvantaged 2s in the returns (each provider's ward) over a take-up by ward."""
    imd = wards["imd"].to_numpy()
    spread = (imd - imd.min()) / max(imd.max() - imd.min(), 1e-9)
    take_up = _TAKE_UP_2S[0] + (_TAKE_UP_2S[1] - _TAKE_UP_2S[0]) * spread
    take_up = np.clip(take_up + rng.normal(0.0, 0.04, len(wards)), 0.5, 0.98)
    rows = []
    for name, frame in zip(RETURN_FILES, returns, strict=True):
        term = name.removeprefix("returns-").split(".")[0]
        funded = _funded_by_ward(frame, providers, len(wards))
        eligible = np.round(funded / take_up).astype(int)
        rows += [(c, term, e) for c, e in zip(wards["ward_code"], eligible, strict=True)]
    return pd.DataFrame(rows, columns=["ward_code", "term", "eligible"])


def _funded_by_ward(frame: pd.DataFrame, providers: pd.DataFrame, n_wards: int) -> np.ndarray:
    """Funded disadvantaged 2s in a return, summed by each provider's ward."""
    ward_of = pd.Series(providers["ward"].to_numpy(), index=providers["urn"])
    ward = ward_of.reindex(frame["urn"]).to_numpy(int)
    funded = frame["funded_2_disadvantaged"].fillna(0).to_numpy(float)
    return np.bincount(ward, weights=funded, minlength=n_wards)


def household_income(wards: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """``ward_code, income``: a year's household income by ward, lower where more deprived
    (the scale of the ONS small-area income estimates, about 25,000 to 60,000 pounds)."""
    imd = wards["imd"].to_numpy()
    spread = (imd - imd.min()) / max(imd.max() - imd.min(), 1e-9)
    income = 56_000 - 28_000 * spread + rng.normal(0.0, 1_500.0, len(wards))
    return pd.DataFrame(
        {"ward_code": wards["ward_code"], "income": np.round(income, -2).astype(int)}
    )


def write_duty_files(
    out: Path,
    wards: pd.DataFrame,
    providers: pd.DataFrame,
    returns: list[pd.DataFrame],
    rng: np.random.Generator,
) -> None:
    """Rewrite the returns with grades and fees, and write ``eligible_2s.csv`` and
    ``income.csv``."""
    extra = grades_and_fees(providers, wards, rng)
    columns = [*RETURN_COLUMNS, "ofsted_grade", *PRICES]
    names = wards["ward_name"].to_numpy(dtype=object)[providers["ward"].to_numpy()]
    low = set(providers.loc[np.isin(names, _SEND_UNDER_IDENTIFIED), "urn"])
    for name, frame in zip(RETURN_FILES, returns, strict=True):
        full = with_grades_and_fees(frame, extra, low)[columns]
        if name.endswith(".xlsx"):
            _write_xlsx(full, out / name, sheet="returns")
        else:
            _write_csv(full, out / name)
    _write_csv(eligible_2s(wards, providers, returns, rng), out / "eligible_2s.csv")
    _write_csv(household_income(wards, rng), out / "income.csv")


def build_demo(out: str | Path, seed: int = 2026) -> None:
    """Write the synthetic demo area into the folder ``out`` (made if missing).

    Parameters
    ----------
    out
        The folder to write into; files of the same names are replaced, others left alone.
    seed
        Seed of the random numbers; the same seed gives the same bytes.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    wards = make_wards(rng)
    births = make_births(wards, rng)
    population = make_population(wards, births, rng)
    postcodes = make_postcodes(wards, rng)
    housing = make_housing(wards, rng)
    providers = make_providers(wards, births, postcodes, rng)
    children, _ = layout_demand(wards, births)
    # School-age childcare from a random stream of its own, so that adding it left every other
    # figure as it was.
    school_rng = np.random.default_rng([seed, 2])
    providers = add_school_age_places(providers, school_rng)
    population = with_school_age_population(population, wards, births, school_rng)
    schools = make_schools(wards, births, school_rng)
    returns = make_returns(providers, wards, funded_targets(wards, children), rng)

    _write_geojson(wards, out / "wards.geojson")
    _write_csv(births_table(wards, births), out / "births.csv")
    _write_csv(population, out / "population.csv")
    _write_csv(housing, out / "housing.csv")
    _write_csv(_postcode_table(postcodes, wards), out / "postcodes.csv")
    _write_csv(
        pd.DataFrame({"ward_code": wards["ward_code"], "imd_score": wards["imd"]}),
        out / "deprivation.csv",
    )
    code_of = dict(zip(wards["ward_name"], wards["ward_code"], strict=True))
    parameters = pd.DataFrame(
        [(code_of[w], k, v) for w, k, v in _WARD_PARAMETERS], columns=["ward_code", "key", "value"]
    )
    _write_csv(
        parameters.sort_values(["ward_code", "key"], kind="stable"), out / "ward_parameters.csv"
    )
    (out / "area.toml").write_text(_area_toml(), encoding="utf-8", newline="\n")
    for name, frame in zip(RETURN_FILES, returns, strict=True):
        if name.endswith(".xlsx"):
            _write_xlsx(frame, out / name, sheet="returns")
        else:
            _write_csv(frame, out / name)
    # A second random stream, so that adding these files left the others' bytes as they were.
    extra = np.random.default_rng([seed, 1])
    _write_small_areas(make_small_areas(wards, extra), out / "small_areas.geojson")
    _write_csv(make_flows(wards, extra), out / "flows.csv")
    _write_csv(schools, out / "schools.csv")
    write_duty_files(out, wards, providers, returns, np.random.default_rng([seed, 16]))
    readme = _readme(wards, births_table(wards, births), housing, returns, seed, len(schools))
    (out / "README.md").write_text(readme, encoding="utf-8", newline="\n")


def main(argv: list[str] | None = None) -> None:
    """``python demo/generate.py --out sufficiency/data/demo --seed 2026``."""
    parser = argparse.ArgumentParser(
        prog="python demo/generate.py",
        description="Write the synthetic demo area (Demotown) into a folder.",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DEMO_FOLDER,
        help="folder to write (default: sufficiency/data/demo in this checkout)",
    )
    parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
    args = parser.parse_args(argv)
    build_demo(args.out, seed=args.seed)
    print(f"wrote the demo area to {args.out}")


if __name__ == "__main__":
    main()
