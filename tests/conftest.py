"""Tiny made-up areas where every figure can be counted by hand."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import sqlalchemy as sa
from shapely.geometry import box

SHARED = Path(__file__).resolve().parents[2] / "shared"
ORIGIN_X, ORIGIN_Y = 440_000.0, 110_000.0

PROVIDER = {
    "urn": "EY100001",
    "provider_name": "Little Acorns",
    "provider_type": "day_nursery",
    "postcode": "ZT1 1AA",
    "registered_places": 40,
    "places_under2": 0,
    "places_2": 0,
    "places_3_4": 40,
    "hours_per_day": 10,
    "days_per_week": 5,
    "weeks_per_year": 51,
    "children_under2": 0,
    "children_2": 0,
    "children_3_4": 40,
    "vacancies_under2": 0,
    "vacancies_2": 0,
    "vacancies_3_4": 2,
    "staff_total": 5,
    "staff_unqualified": 0,
    "staff_level2": 1,
    "staff_level3": 4,
    "staff_level6": 0,
    "status": "open",
    "status_date": "",
    "planned_places_change": "",
    "planned_change_date": "",
}


def ward_polygons(codes: list[str]) -> gpd.GeoDataFrame:
    """Wards as 1 km squares side by side, west to east, in EPSG:27700."""
    shapes = [
        box(ORIGIN_X + 1000 * i, ORIGIN_Y, ORIGIN_X + 1000 * (i + 1), ORIGIN_Y + 1000)
        for i in range(len(codes))
    ]
    return gpd.GeoDataFrame(
        {"ward_code": codes, "ward_name": [f"Ward {c}" for c in codes]},
        geometry=shapes,
        crs="EPSG:27700",
    )


def inside(ward_number: int) -> tuple[float, float]:
    """A point in the middle of the ``ward_number``-th square."""
    return ORIGIN_X + 1000 * ward_number + 500, ORIGIN_Y + 500


def monthly_births(codes: list[str], per_month: float, years=range(2016, 2026)) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"ward_code": c, "year": y, "month": m, "births": per_month}
            for c in codes
            for y in years
            for m in range(1, 13)
        ]
    )


QUALIFICATIONS = ["staff_unqualified", "staff_level2", "staff_level3", "staff_level6"]


def provider(**changes) -> dict:
    """A return row; a new ``staff_total`` without its breakdown leaves the breakdown blank,
    so the row still passes R112 (staff by qualification must add up to the total), and new
    places without ``registered_places`` raise it to the places offered (R113)."""
    row = dict(PROVIDER)
    if "staff_total" in changes and not set(QUALIFICATIONS) & set(changes):
        row.update(dict.fromkeys(QUALIFICATIONS, ""))
    row.update(changes)
    places = [row[f"places_{g}"] for g in ("under2", "2", "3_4")]
    if "registered_places" not in changes and all(isinstance(p, int | float) for p in places):
        # New places without registered places: registered for at least the places offered
        # at one time, so the row still passes R113.
        row["registered_places"] = max(PROVIDER["registered_places"], sum(places))
    return row


def write_area(
    folder: Path,
    *,
    codes: tuple[str, ...] = ("E05000001", "E05000002"),
    per_month: float = 10.0,
    returns: dict[str, list[dict]] | None = None,
    extra: dict[str, pd.DataFrame] | None = None,
) -> Path:
    """Write a tiny area folder: square wards, flat monthly births, returns by term."""
    folder.mkdir(parents=True, exist_ok=True)
    ward_polygons(list(codes)).to_file(folder / "wards.geojson", driver="GeoJSON")
    monthly_births(list(codes), per_month).to_csv(folder / "births.csv", index=False)
    if returns is None:
        x, y = inside(0)
        returns = {"2026-autumn": [provider(easting=x, northing=y)]}
    for term, rows in returns.items():
        pd.DataFrame(rows).to_csv(folder / f"returns-{term}.csv", index=False)
    for name, frame in (extra or {}).items():
        frame.to_csv(folder / name, index=False)
    return folder


@pytest.fixture
def tiny_area(tmp_path: Path) -> Path:
    return write_area(tmp_path / "area")


#: A PostgreSQL server for the store's tests (``.ci/postgres`` starts one and prints its URL):
#: each test gets a schema of its own in this database, dropped after it.
POSTGRES = os.environ.get("SUFFICIENCY_TEST_POSTGRES", "")


def _postgres_or_skip() -> str:
    if POSTGRES:
        return POSTGRES
    if os.environ.get("CI") == "true":
        pytest.fail(
            "CI=true but SUFFICIENCY_TEST_POSTGRES is not set: .ci/run starts a server with "
            ".ci/postgres and sets it; the PostgreSQL store tests never skip in CI"
        )
    pytest.skip(
        "no PostgreSQL server: set SUFFICIENCY_TEST_POSTGRES=postgresql://USER:PASSWORD@HOST/DB "
        "(as root, .ci/postgres starts one and prints it)"
    )


@pytest.fixture
def postgres_store() -> Iterator[str]:
    """A ``--store`` URL for a fresh, empty schema of its own on the test server."""
    from sufficiency.returns import database

    server = _postgres_or_skip()
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = sa.create_engine(database.locate(server).url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
        joiner = "&" if "?" in server else "?"
        url = f"{server}{joiner}options=-csearch_path%3D{schema}"
        yield url
        database.dispose(database.locate(url))
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
    finally:
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_at(request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    """A store to test on: the area's SQLite file, then a fresh PostgreSQL schema (a URL)."""
    if request.param == "sqlite":
        return tmp_path / "sufficiency.sqlite"
    return str(request.getfixturevalue("postgres_store"))


def postgres_dump(url: str) -> str:
    """Every table of a PostgreSQL store, its rows in order, as text (to compare two states)."""
    from sufficiency.returns import database

    with database.connect(database.locate(url)) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                "ORDER BY tablename"
            )
        ]
        lines = []
        for table in tables:
            lines.append(table)
            lines += [repr(tuple(r)) for r in conn.execute(f"SELECT * FROM {table} ORDER BY 1")]
        return "\n".join(lines)


@pytest.fixture(autouse=True)
def _no_store_from_outside() -> Iterator[None]:
    """Every test starts on the area's SQLite file: no ``SUFFICIENCY_STORE`` from the shell,
    nor from a ``--store`` an earlier test gave (the option sets it for the process)."""
    saved = os.environ.pop("SUFFICIENCY_STORE", None)
    yield
    os.environ.pop("SUFFICIENCY_STORE", None)
    if saved is not None:
        os.environ["SUFFICIENCY_STORE"] = saved
