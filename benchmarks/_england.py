"""A synthetic England for the national benchmark: real geography, made-up people and places.

Geography is real where ../shared/realdata/england holds it (7,681 wards of 2013 and 32,844
LSOAs of 2011, EPSG:4326, each with ``LAD_FILE``, the district code); otherwise a 600 km square
is cut into generated square wards of about 17 km², grouped in blocks of 24 as districts, each
ward holding four generated small areas. Everything else is random, from one seed:

- **Births**: about 600,000 a year over England (ONS: 605,479 live births in England in 2022),
  shared between wards in proportion to how many small areas they hold (LSOAs hold about the
  same number of people), times a random factor of 0.6 to 1.4; yearly rows 2016 to 2025.
- **Providers**: about 60,000 (Ofsted's early years register holds about 25,000 childminders,
  17,000 day nurseries, 7,000 pre-schools, 9,000 school nurseries and 400 nursery schools),
  each near a random small area, weighted by its births (within 300 m, as latitude and
  longitude), in one national return for autumn 2026 (``RETURN_TERMS``): 2% of providers
  announce a closure, 1% are new settings and 3% plan a change of places, each dated in the
  next two years.
- **Small areas**: the LSOAs (or generated squares) with a ``population`` column of children.
- **Flows**: every home ward keeps 80% of its children and sends 20% to its three nearest
  wards, in proportion 10%, 6%, 4%.

:func:`write_area` writes the area folder of any set of districts in the conventional names of
../shared/DATA.md, so the benchmark reads a quarter, a half or all of England the way a user's
run would. Nothing is written inside the repository.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata" / "england"
WARD_FILE = REALDATA / "wards.gpkg"
LSOA_FILE = REALDATA / "lsoa.gpkg"

BIRTHS_A_YEAR = 600_000
BIRTH_YEARS = range(2016, 2026)
RETURN_TERMS = ("2026-autumn",)
"""Terms of the returns written: the latest only, a national snapshot (each earlier term adds
a return file of every provider, 1% of them missing, to read)."""
N_PROVIDERS = 60_000
PROVIDER_TYPES = {  # type: (share of providers, places (under2, 2, 3_4), hours a day, weeks)
    "childminder": (0.42, (1.5, 1.5, 1.5), 10.0, 48),
    "day_nursery": (0.29, (12.0, 10.0, 18.0), 10.5, 51),
    "pre_school": (0.12, (0.0, 6.0, 12.0), 6.0, 38),
    "school_nursery": (0.16, (0.0, 2.0, 16.0), 6.5, 38),
    "nursery_school": (0.01, (6.0, 10.0, 40.0), 8.0, 38),
}
GENERATED_SIDE = 600_000.0
GENERATED_WARD = 4_125.0  # metres: 600 km / 4.125 km = 145 squares a side, 21,025 > 7,681
ENGLAND_WARDS = 7_681


@dataclass
class England:
    """The synthetic country: real or generated polygons, and the tables written from them."""

    wards: gpd.GeoDataFrame  # ward_code, ward_name, lad_code, geometry (EPSG:4326)
    small_areas: gpd.GeoDataFrame  # area_code, lad_code, ward_code, population, geometry (4326)
    births: pd.DataFrame  # ward_code, year, births
    returns: dict[str, pd.DataFrame]  # by term: the return's columns, with lad_code
    flows: pd.DataFrame  # home_ward_code, setting_ward_code, share
    real: bool

    def districts(self) -> np.ndarray:
        """District codes in a fixed random order, so that any prefix is a spread of England."""
        codes = np.sort(self.wards["lad_code"].unique())
        return np.random.default_rng(7).permutation(codes)


def make_england(seed: int = 2026) -> England:
    """Build the synthetic country (a few seconds; real geography when the files exist)."""
    rng = np.random.default_rng(seed)
    if WARD_FILE.exists() and LSOA_FILE.exists():
        wards, small_areas, real = _real_geography(), _real_small_areas(), True
    else:
        wards, small_areas, real = (*_generated_geography(), False)
    wards_bng = wards.to_crs(27700)
    points = small_areas.to_crs(27700).representative_point()
    small_areas["ward_code"] = _ward_of(points, wards_bng)
    inside = small_areas["ward_code"].notna().to_numpy()
    small_areas = small_areas[inside].reset_index(drop=True)
    points = points[inside].reset_index(drop=True)
    lad_of_ward = pd.Series(wards["lad_code"].to_numpy(), index=wards["ward_code"].to_numpy())
    small_areas["lad_code"] = lad_of_ward.reindex(small_areas["ward_code"]).to_numpy()
    births_share = _births_share(wards, small_areas, rng)
    area_births = _small_area_births(small_areas, wards, births_share)
    small_areas["population"] = np.round(area_births * 4.6, 1)  # children 0-4
    births = _births(wards, births_share, rng)
    area_xy = np.column_stack([points.x.to_numpy(), points.y.to_numpy()])
    returns = _in_wards(_returns(small_areas, area_xy, area_births, rng), wards_bng, lad_of_ward)
    return England(
        wards=wards,
        small_areas=small_areas,
        births=births,
        returns=returns,
        flows=_flows(wards_bng),
        real=real,
    )


def _real_geography() -> gpd.GeoDataFrame:
    raw = gpd.read_file(WARD_FILE, engine="pyogrio")
    return gpd.GeoDataFrame(
        {"ward_code": raw["WD13CD"], "ward_name": raw["WD13NM"], "lad_code": raw["LAD_FILE"]},
        geometry=raw.geometry.values,
        crs=raw.crs,
    )


def _real_small_areas() -> gpd.GeoDataFrame:
    raw = gpd.read_file(LSOA_FILE, engine="pyogrio")
    return gpd.GeoDataFrame(
        {"area_code": raw["LSOA11CD"], "lad_code": raw["LAD_FILE"]},
        geometry=raw.geometry.values,
        crs=raw.crs,
    )


def _generated_geography() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """7,681 square wards on a grid in BNG, 24 to a district, four small areas each."""
    side = int(np.ceil(np.sqrt(ENGLAND_WARDS)))
    i = np.arange(ENGLAND_WARDS)
    x0 = 100_000 + (i % side) * GENERATED_WARD
    y0 = 50_000 + (i // side) * GENERATED_WARD
    codes = np.array([f"E05{n:06d}" for n in i + 1])
    wards = gpd.GeoDataFrame(
        {
            "ward_code": codes,
            "ward_name": [f"Ward {n}" for n in i + 1],
            "lad_code": [f"E07{n // 24:06d}" for n in i],
        },
        geometry=shapely.box(x0, y0, x0 + GENERATED_WARD, y0 + GENERATED_WARD),
        crs=27700,
    )
    half = GENERATED_WARD / 2
    quarter = np.repeat(i, 4)
    dx = np.tile([0, half, 0, half], ENGLAND_WARDS)
    dy = np.tile([0, 0, half, half], ENGLAND_WARDS)
    small = gpd.GeoDataFrame(
        {
            "area_code": [f"E01{n:06d}" for n in range(len(quarter))],
            "lad_code": wards["lad_code"].to_numpy()[quarter],
        },
        geometry=shapely.box(
            x0[quarter] + dx, y0[quarter] + dy, x0[quarter] + dx + half, y0[quarter] + dy + half
        ),
        crs=27700,
    )
    return wards.to_crs(4326), small.to_crs(4326)


def _ward_of(points: gpd.GeoSeries, wards_bng: gpd.GeoDataFrame) -> np.ndarray:
    """The ward code holding each point (None outside every ward; first ward on an edge)."""
    point_index, ward_index = wards_bng.sindex.query(points.values, predicate="intersects")
    out = np.full(len(points), None, dtype=object)
    first = np.unique(point_index, return_index=True)[1]
    out[point_index[first]] = wards_bng["ward_code"].to_numpy()[ward_index[first]]
    return out


def _in_wards(
    returns: dict[str, pd.DataFrame], wards_bng: gpd.GeoDataFrame, lad_of_ward: pd.Series
) -> dict[str, pd.DataFrame]:
    """Each provider in the district of the ward its point falls in; one whose point falls in
    no ward (the sea off a coastal small area) is left out, as no council's register holds it
    (a run refuses a return row outside every ward: rule R151)."""
    out = {}
    for term, frame in returns.items():
        points = gpd.GeoSeries(
            gpd.points_from_xy(frame["longitude"], frame["latitude"]), crs=4326
        ).to_crs(27700)
        ward = _ward_of(points, wards_bng)
        keep = pd.notna(ward)
        kept = frame[keep].copy()
        kept["lad_code"] = lad_of_ward.reindex(ward[keep]).to_numpy()
        out[term] = kept.reset_index(drop=True)
    return out


def _births_share(
    wards: gpd.GeoDataFrame, small_areas: gpd.GeoDataFrame, rng: np.random.Generator
) -> np.ndarray:
    """Each ward's share of England's births: its small areas, times 0.6 to 1.4."""
    count = small_areas.groupby("ward_code").size().reindex(wards["ward_code"]).fillna(0).to_numpy()
    weight = np.maximum(count, 0.5) * rng.uniform(0.6, 1.4, len(wards))
    return weight / weight.sum()


def _small_area_births(
    small_areas: gpd.GeoDataFrame, wards: gpd.GeoDataFrame, share: np.ndarray
) -> np.ndarray:
    """Births a year at each small area: its ward's, shared evenly among the ward's areas."""
    ward_births = pd.Series(share * BIRTHS_A_YEAR, index=wards["ward_code"].to_numpy())
    per_ward = small_areas.groupby("ward_code")["area_code"].transform("size").to_numpy()
    return ward_births.reindex(small_areas["ward_code"]).to_numpy() / per_ward


def _births(wards: gpd.GeoDataFrame, share: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    years = np.array(list(BIRTH_YEARS))
    trend = 1.0 + 0.01 * (years[-1] - years)  # births fell about 1% a year, to 600,000
    counts = np.round(
        share[:, None] * BIRTHS_A_YEAR * trend[None, :] * rng.normal(1, 0.05, (len(share), 10)),
        0,
    ).clip(0)
    return pd.DataFrame(
        {
            "ward_code": np.repeat(wards["ward_code"].to_numpy(), len(years)),
            "year": np.tile(years, len(wards)),
            "births": counts.reshape(-1).astype(int),
        }
    )


def _returns(
    small_areas: gpd.GeoDataFrame,
    area_xy: np.ndarray,
    area_births: np.ndarray,
    rng: np.random.Generator,
) -> dict[str, pd.DataFrame]:
    """Three termly returns of the same providers, the last with closures, openings, changes."""
    from pyproj import Transformer

    from sufficiency.geography import BNG, WGS84

    n = N_PROVIDERS
    kinds = list(PROVIDER_TYPES)
    kind = rng.choice(kinds, n, p=[PROVIDER_TYPES[k][0] for k in kinds])
    near = rng.choice(len(area_xy), n, p=area_births / area_births.sum())
    angle, radius = rng.uniform(0, 2 * np.pi, n), 300 * np.sqrt(rng.uniform(0, 1, n))
    x = area_xy[near, 0] + radius * np.cos(angle)
    y = area_xy[near, 1] + radius * np.sin(angle)
    lon, lat = Transformer.from_crs(BNG, WGS84, always_xy=True).transform(x, y)
    mean = np.array([PROVIDER_TYPES[k][1] for k in kind])
    places = np.round(mean * rng.uniform(0.5, 1.5, (n, 1)))
    hours = np.array([PROVIDER_TYPES[k][2] for k in kind])
    weeks = np.array([PROVIDER_TYPES[k][3] for k in kind])
    on_roll = np.round(places * rng.uniform(0.7, 1.1, (n, 3)))
    is_group = kind != "childminder"
    need = places[:, 0] / 3 + places[:, 1] / 5 + places[:, 2] / 8
    staff = np.where(is_group, np.ceil(need * rng.uniform(0.85, 1.2, n)), 1)
    level6 = np.where(is_group, rng.binomial(1, 0.3, n), 0)
    base = pd.DataFrame(
        {
            "urn": [f"EY{100000 + i:06d}" for i in range(n)],
            "provider_name": [f"Setting {i + 1}" for i in range(n)],
            "provider_type": kind,
            "latitude": np.round(lat, 6),
            "longitude": np.round(lon, 6),
            "registered_places": places.sum(axis=1),
            "places_under2": places[:, 0],
            "places_2": places[:, 1],
            "places_3_4": places[:, 2],
            "hours_per_day": hours,
            "days_per_week": 5,
            "weeks_per_year": weeks,
            "children_under2": on_roll[:, 0],
            "children_2": on_roll[:, 1],
            "children_3_4": on_roll[:, 2],
            "funded_under2_working": np.round(on_roll[:, 0] * 0.5),
            "funded_2_working": np.round(on_roll[:, 1] * 0.4),
            "funded_2_disadvantaged": np.round(on_roll[:, 1] * 0.2),
            "funded_3_4_universal": np.round(on_roll[:, 2] * 0.9),
            "funded_3_4_extended": np.round(on_roll[:, 2] * 0.5),
            "vacancies_under2": np.maximum(places[:, 0] - on_roll[:, 0], 0),
            "vacancies_2": np.maximum(places[:, 1] - on_roll[:, 1], 0),
            "vacancies_3_4": np.maximum(places[:, 2] - on_roll[:, 2], 0),
            "staff_total": staff,
            "staff_level3": np.maximum(staff - level6, 0),
            "staff_level6": level6,
            "staff_vacancies": rng.binomial(1, 0.2, n),
            "status": "open",
            "status_date": "",
            "planned_places_change": np.nan,
            "planned_change_date": "",
            "lad_code": small_areas["lad_code"].to_numpy()[near],
        }
    )
    returns = {}
    for t, term in enumerate(RETURN_TERMS):
        frame = base.copy()
        if t == len(RETURN_TERMS) - 1:
            _events(frame, rng)
        else:
            frame = frame.iloc[rng.permutation(n)[: int(n * 0.99)]].sort_index()  # 1% missing
        returns[term] = frame
    return returns


def _events(frame: pd.DataFrame, rng: np.random.Generator) -> None:
    """Closures (2%), new settings (1%) and planned changes of places (3%), dated ahead."""
    n = len(frame)
    pick = rng.permutation(n)
    days = pd.Timestamp("2026-09-01") + pd.to_timedelta(rng.integers(30, 730, n), unit="D")
    when = days.strftime("%Y-%m-%d").to_numpy()
    closing, new, change = np.split(pick[: int(0.06 * n)], [int(0.02 * n), int(0.03 * n)])
    frame.loc[frame.index[closing], "status"] = "closing"
    frame.loc[frame.index[closing], "status_date"] = when[closing]
    frame.loc[frame.index[new], "status"] = "new"
    frame.loc[frame.index[new], "status_date"] = when[new]
    frame.loc[frame.index[new], ["staff_total", "staff_level3", "staff_level6"]] = np.nan
    frame.loc[frame.index[change], "planned_places_change"] = rng.integers(-10, 25, len(change))
    frame.loc[frame.index[change], "planned_change_date"] = when[change]


def _flows(wards_bng: gpd.GeoDataFrame) -> pd.DataFrame:
    """80% of a ward's children stay; 10%, 6% and 4% go to its three nearest wards."""
    points = wards_bng.representative_point()
    xy = np.column_stack([points.x.to_numpy(), points.y.to_numpy()])
    _, nearest = cKDTree(xy).query(xy, k=4)
    codes = wards_bng["ward_code"].to_numpy()
    return pd.DataFrame(
        {
            "home_ward_code": np.repeat(codes, 4),
            "setting_ward_code": codes[nearest].reshape(-1),
            "share": np.tile([0.8, 0.1, 0.06, 0.04], len(codes)),
        }
    )


def write_area(england: England, districts: np.ndarray, folder: Path) -> dict[str, int]:
    """Write the area folder of these districts; return its counts of wards, providers, LSOAs.

    Flows to a ward outside the districts stay at home (their share is added to the home
    ward's own), as an LA would keep only flows within its area.
    """
    folder.mkdir(parents=True, exist_ok=True)
    wards = england.wards[england.wards["lad_code"].isin(districts)]
    codes = set(wards["ward_code"])
    wards.rename(columns={"ward_code": "WD13CD", "ward_name": "WD13NM"}).to_file(
        folder / "wards.gpkg", driver="GPKG", engine="pyogrio"
    )
    england.births[england.births["ward_code"].isin(codes)].to_csv(
        folder / "births.csv", index=False
    )
    providers = 0
    for term, frame in england.returns.items():
        part = frame[frame["lad_code"].isin(districts)].drop(columns="lad_code")
        part.to_csv(folder / f"returns-{term}.csv", index=False)
        providers = max(providers, len(part))
    small = england.small_areas[england.small_areas["ward_code"].isin(codes)]
    small[["area_code", "population", "geometry"]].to_file(
        folder / "small_areas.gpkg", driver="GPKG", engine="pyogrio"
    )
    flows = england.flows[england.flows["home_ward_code"].isin(codes)].copy()
    away = ~flows["setting_ward_code"].isin(codes)
    flows.loc[away, "setting_ward_code"] = flows.loc[away, "home_ward_code"]
    flows = flows.groupby(["home_ward_code", "setting_ward_code"], as_index=False)["share"].sum()
    flows.to_csv(folder / "flows.csv", index=False)
    return {"wards": len(wards), "providers": providers, "small_areas": len(small)}
