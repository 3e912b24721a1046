"""An area folder (../shared/DATA.md, "An area folder"): find, read and check its files.

An area is a folder. Files are found by their conventional names (``wards.geojson``,
``births.csv``, ``returns-2026-autumn.csv``...) or named in an ``area.toml``::

    [area]
    name = "Demotown"            # on every map and report; default: the folder's name
    code = "E06099999"
    council = "Demotown Council" # the publishing council's title, under the area's name

    [files]                      # any of these; paths relative to the folder
    wards = "boundaries/wards_2024.gpkg"
    births = "births_by_ward.csv"
    returns = ["survey/returns-2026-*.xlsx"]

Only wards, births and at least one return are required. Reading checks every row against the
wards (a ward code in births that is not in the wards file is an error naming the row) and places
providers and housing sites in wards; everything the model should know but need not stop for
(providers outside every ward, housing before the last births year) is kept in ``notes``.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from . import geography
from ._io import (
    check_magnitude,
    isin,
    numbers,
    python_text,
    raise_first,
    read_table,
    require_columns,
    row_number,
)
from ._lookup import positions
from .errors import InputError
from .parameters import ward_keys
from .returns import store, validation
from .returns.reader import left_blank, normalise_grades, read_return, term_from_name
from .terms import Term

OPTIONAL = {
    "population": ["population.csv"],
    "housing": ["housing.csv"],
    "postcodes": ["postcodes.csv"],
    "deprivation": ["deprivation.csv"],
    "ward_parameters": ["ward_parameters.csv"],
    "parameters": ["parameters.toml"],
    "small_areas": ["small_areas.geojson", "small_areas.gpkg"],
    "flows": ["flows.csv"],
    "eligible_2s": ["eligible_2s.csv"],
    "income": ["income.csv"],
    "msoa_lookup": ["msoa_lookup.csv"],
    "funding_rates": ["funding_rates.toml"],
    "ofsted": ["ofsted.csv"],
    "schools": ["schools.csv"],
}
WARD_FILES = ["wards.geojson", "wards.gpkg", "wards.shp"]
PRIMARY_MAX_AGE = 11
"""The oldest single year of age kept from population.csv (year 6 children are 10 or 11)."""


@dataclass
class Area:
    """Everything read from an area folder, checked and in model-ready shape.

    Attributes
    ----------
    wards
        ``ward_code, ward_name, geometry`` in EPSG:27700, sorted by code.
    births
        ``ward_code, year, month, births`` (month 1-12; yearly rows already spread).
    returns
        Every return, one row per provider and term, with ``ward_code`` and ``located_by``.
    population, housing, deprivation, ward_parameters
        Optional tables (``None`` when the area has none).
    small_areas, flows
        Optional: small-area centroids with their ward and population (``catchment.py``) and
        home-to-setting ward shares (``flows.py``).
    eligible_2s, income, funding_rates_file
        Optional: the DWP list of eligible disadvantaged 2-year-olds by ward and term
        (``ward_code, term, eligible``), annual household income by ward (``ward_code,
        income``; one row per MSOA where ``msoa_code`` is given) and the area's own funding
        rates (``affordability.funding_rates``).
    schools
        Optional: schools' own breakfast and after-school clubs (``read_schools``).
    """

    path: Path
    name: str
    code: str | None
    wards: gpd.GeoDataFrame
    births: pd.DataFrame
    returns: pd.DataFrame
    population: pd.DataFrame | None = None
    housing: pd.DataFrame | None = None
    postcodes: pd.DataFrame | None = None
    deprivation: pd.DataFrame | None = None
    ward_parameters: pd.DataFrame | None = None
    small_areas: pd.DataFrame | None = None
    flows: pd.DataFrame | None = None
    eligible_2s: pd.DataFrame | None = None
    income: pd.DataFrame | None = None
    funding_rates_file: Path | None = None
    schools: pd.DataFrame | None = None
    parameters_file: Path | None = None
    files: dict[str, list[Path]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    council: str | None = None

    @property
    def ward_codes(self) -> pd.Index:
        codes: pd.Index = pd.Index(self.wards["ward_code"].to_numpy(dtype=object), name="ward_code")
        return codes


def resolve_files(folder: Path, config: dict) -> dict[str, list[Path]]:
    named = config.get("files", {})
    allowed = {"wards", "births", "returns", *OPTIONAL}
    for key in named:
        if key not in allowed:
            raise InputError(
                f"unknown key {key!r} under [files]",
                file=folder / "area.toml",
                hint=f"Keys are {', '.join(sorted(allowed))}",
            )
    files: dict[str, list[Path]] = {}

    def pick(key: str, candidates: list[str]) -> list[Path]:
        if key in named:
            value = named[key]
            patterns = value if isinstance(value, list) else [value]
            found: list[Path] = []
            for pattern in patterns:
                matches = sorted(folder.glob(pattern))
                if not matches and not any(ch in pattern for ch in "*?["):
                    matches = [folder / pattern]  # let the reader say it is missing
                found.extend(matches)
            return found
        for name in candidates:
            if (folder / name).exists():
                return [folder / name]
        return []

    files["wards"] = pick("wards", WARD_FILES)
    files["births"] = pick("births", ["births.csv"])
    for key, names in OPTIONAL.items():
        files[key] = pick(key, names)
    if "returns" in named:
        files["returns"] = pick("returns", [])
    else:
        files["returns"] = sorted(
            p for p in folder.glob("returns-*") if p.suffix.lower() in {".csv", ".xlsx"}
        )
    return files


def is_area_folder(folder: Path) -> bool:
    """Whether a folder looks like an area: an ``area.toml`` or a wards file in it."""
    return any((folder / name).is_file() for name in ["area.toml", *WARD_FILES])


def default_area() -> Path:
    """Every command's ``--area`` default: the current folder when it is an area folder, else
    the bundled demo area."""
    from ._demo_area import DEMO_AREA

    here = Path.cwd()
    return Path(".") if is_area_folder(here) else DEMO_AREA


def area_folder(path: str | Path) -> tuple[Path, dict]:
    """The folder and its ``area.toml`` contents (empty when there is none)."""
    path = Path(path)
    if path.is_file() and path.suffix == ".toml":
        folder, toml_path = path.parent, path
    else:
        folder, toml_path = path, path / "area.toml"
    if not folder.is_dir():
        raise InputError(
            "no such area folder",
            file=folder,
            hint="Give --area a folder holding wards, births and returns files",
        )
    config: dict = {}
    if toml_path.exists():
        try:
            config = tomllib.loads(toml_path.read_text("utf-8-sig"))
        except tomllib.TOMLDecodeError as exc:
            raise InputError(f"not valid TOML ({exc})", file=toml_path) from None
    return folder, config


def load_area(path: str | Path) -> Area:
    """Read and check an area folder (or its ``area.toml``)."""
    folder, config = area_folder(path)
    files = resolve_files(folder, config)
    for key, what in [("wards", "wards.geojson (or .gpkg, .shp)"), ("births", "births.csv")]:
        if not files[key]:
            raise InputError(
                f"the area has no {key} file",
                file=folder,
                hint=f"Add {what} or name it in area.toml under [files]",
            )
    if not files["returns"] and not store.locate(folder).exists():
        raise InputError(
            "the area has no provider return",
            file=folder,
            hint="Add a return named returns-YYYY-season.csv (or .xlsx)",
        )
    notes: list[str] = []
    # The births and return files given as CSV are parsed in threads while the wards are read
    # (Arrow's CSV reader and PROJ let go of Python's lock; openpyxl would not, so workbooks
    # are read in turn); each table's errors still come where the sequential reading would
    # raise them, since each is taken where it is read.
    tables = [files["births"][0]]
    if not store.locate(folder).exists():
        tables += files["returns"]
    tables = [path for path in tables if path.suffix.lower() == ".csv"]
    with ThreadPoolExecutor(2) as early:
        parsed = {path: early.submit(read_table, path) for path in tables}
        try:
            wards = geography.read_wards(files["wards"][0], notes, overlaps=False)
            area = _read_after_wards(folder, config, files, wards, notes, parsed)
        finally:
            for future in parsed.values():
                future.cancel()
    _release_arrow_memory()
    return area


def _release_arrow_memory() -> None:
    """Give back to the system the memory Arrow's allocator keeps from the files just read
    (about 90 MB for England's return files, held for reuse otherwise)."""
    import pyarrow as pa

    pa.default_memory_pool().release_unused()


def _read_after_wards(
    folder: Path,
    config: dict,
    files: dict[str, list[Path]],
    wards: gpd.GeoDataFrame,
    notes: list[str],
    parsed: dict[Path, Future[pd.DataFrame]],
) -> Area:
    """:func:`load_area` once the wards are read (``parsed``: files being read as tables)."""
    # Two steps that are mostly GEOS and GDAL, which let go of Python's lock, run in threads
    # while the rest is read (about 1 s and 0.5 s for England): the overlap check, whose error
    # still comes first, as when it ran before the rest, and the small areas, whose error
    # comes where they are read. The wards are prepared first, for both threads' queries.
    shapely.prepare(np.asarray(wards.geometry.values))
    with ThreadPoolExecutor(2) as pool:
        overlaps = pool.submit(geography.refuse_overlaps, wards, files["wards"][0])
        small_areas = (
            pool.submit(geography.read_small_areas, files["small_areas"][0], wards)
            if files["small_areas"]
            else None
        )
        try:
            area = _read_rest(folder, config, files, wards, notes, small_areas, parsed)
        except BaseException:
            overlaps.result()
            raise
        overlaps.result()
    return area


def _read_rest(
    folder: Path,
    config: dict,
    files: dict[str, list[Path]],
    wards: gpd.GeoDataFrame,
    notes: list[str],
    small_areas: Future[pd.DataFrame] | None,
    parsed: dict[Path, Future[pd.DataFrame]],
) -> Area:
    """:func:`load_area` after the wards: every other file of the area (the small areas as
    they are being read)."""
    known = set(wards["ward_code"])
    births_file = files["births"][0]
    births = read_births(
        births_file, known, notes, parsed[births_file].result() if births_file in parsed else None
    )
    postcodes = geography.read_postcodes(files["postcodes"][0]) if files["postcodes"] else None
    from_store = store.area_returns(folder, wards, postcodes, notes)
    if from_store is None:
        returns = read_returns(
            files["returns"],
            wards,
            postcodes,
            notes,
            lambda path: parsed[path].result() if path in parsed else read_table(path),
        )
        notes.insert(0, f"Supply read from the return files ({len(files['returns'])} file(s))")
    else:
        returns = from_store[0]
    returns = without_blank_rows(returns, notes)
    if files["ofsted"]:
        returns = with_ofsted_grade(returns, read_ofsted(files["ofsted"][0]), notes)
    returns = python_text(returns)
    info = config.get("area", {})
    area = Area(
        path=folder,
        name=str(info.get("name", folder.resolve().name)),
        code=info.get("code"),
        council=str(info["council"]) if info.get("council") else None,
        wards=wards,
        births=births,
        returns=returns,
        postcodes=postcodes,
        files=files,
        notes=notes,
    )
    if files["population"]:
        area.population = read_population(files["population"][0], known)
    if files["housing"]:
        area.housing = read_housing(files["housing"][0], wards, postcodes, notes)
    if files["deprivation"]:
        area.deprivation = read_deprivation(files["deprivation"][0], known)
    if files["ward_parameters"]:
        area.ward_parameters = read_ward_parameters(files["ward_parameters"][0], known)
    if small_areas is not None:
        area.small_areas = small_areas.result()
    if files["flows"]:
        area.flows = read_flows(files["flows"][0], area.ward_codes)
        notes.append(
            f"Demand also allocated to the wards where children attend by "
            f"{files['flows'][0].name} (the *_flows columns)"
        )
    if files["schools"]:
        area.schools = read_schools(files["schools"][0], wards, postcodes)
    if files["parameters"]:
        area.parameters_file = files["parameters"][0]
    _read_duty_files(area, files, known)
    return area


def _read_duty_files(area: Area, files: dict[str, list[Path]], known: set[str]) -> None:
    """The optional files of the wider duty: eligible 2s, income and funding rates."""
    if files["eligible_2s"]:
        area.eligible_2s = read_eligible_2s(files["eligible_2s"][0], known)
    if files["income"]:
        lookup = files["msoa_lookup"][0] if files["msoa_lookup"] else None
        field = area.wards.attrs.get("code_field")
        area.income = read_income(files["income"][0], known, lookup, field)
    if files["funding_rates"]:
        area.funding_rates_file = files["funding_rates"][0]


def _check_wards(
    table: pd.DataFrame, known: set[str], path: Path, column: str = "ward_code"
) -> None:
    bad = pd.Series(~isin(table[column], known), index=table.index)
    unmatched = sorted(set(table.loc[bad, column].dropna().astype(str)))
    listed = ", ".join(unmatched[:5]) + (
        f", ... ({len(unmatched)} in all)" if len(unmatched) > 5 else ""
    )
    raise_first(
        bad,
        table,
        "ward code not in the wards file",
        file=path,
        column=column,
        hint=f"{len(unmatched)} code(s) do not match ({listed}): wards of another boundary "
        "year? Use the codes of the wards file (the same year): import the ONS figures again "
        "with sufficiency import births/population FILE --lookup (an LSOA to ward best-fit "
        "lookup of the wards' year), or map the codes with ONS's ward-to-ward lookup",
    )


def read_births(
    path: Path, known: set[str], notes: list[str] | None = None, table: pd.DataFrame | None = None
) -> pd.DataFrame:
    """``ward_code, year, month, births``; yearly rows spread evenly over 12 months.

    Every ward needs every year from the first to the last (and, with ``month``, every month):
    a gap would be read as no births, so it is an error naming the ward and the year. Births
    beyond what a ward can have are refused (``_io.LIMITS``).
    """
    table = read_table(path) if table is None else table
    require_columns(table, ["ward_code", "year", "births"], file=path)
    _check_wards(table, known, path)
    year = numbers(table, "year", file=path, integer=True)
    births = numbers(
        table,
        "births",
        file=path,
        missing_hint="Write the number of births (0 where there were none); where it is not "
        "known, delete the row and fill the gap by a stated method: sufficiency import births "
        "FILE --project-missing",
    )
    check_magnitude(births, table, "births", file=path, column="births", notes=notes)
    out = pd.DataFrame(
        {"ward_code": table["ward_code"], "year": year.astype(int), "births": births},
        index=table.index,
    )
    key = ["ward_code", "year"]
    if "month" in table.columns:
        month = numbers(table, "month", file=path, integer=True)
        raise_first(
            (month < 1) | (month > 12), table, "month must be 1 to 12", file=path, column="month"
        )
        out.insert(2, "month", month.astype(int))
        key.append("month")
    repeated = out.duplicated(key)
    if repeated.any():
        i = int(np.flatnonzero(repeated.to_numpy())[0])
        if "month" not in table.columns:
            same = (out["ward_code"] == out["ward_code"].iloc[i]) & (
                out["year"] == out["year"].iloc[i]
            )
            raise InputError(
                f"births for ward {out['ward_code'].iloc[i]} in {out['year'].iloc[i]} given "
                f"{int(same.sum())} times, and the file has no month column",
                file=path,
                row=row_number(table, i),
                column="month",
                hint="Monthly births need a month column (1 to 12) beside ward_code and year; "
                "yearly births one row per ward and year",
            )
        raise InputError(
            f"births for ward {out['ward_code'].iloc[i]} in {out['year'].iloc[i]}, month "
            f"{out['month'].iloc[i]} given twice",
            file=path,
            row=row_number(table, i),
            hint="Give one row per ward, year and month",
        )
    try:
        refuse_birth_gaps(out, known, path, monthly="month" in table.columns)
    except InputError as exc:
        raise InputError(
            exc.message,
            file=exc.file,
            column=exc.column,
            hint=f"{exc.hint}, or fill them by a stated method: sufficiency import births FILE "
            "--project-missing",
        ) from None
    out = out.sort_values(key, kind="stable").reset_index(drop=True)
    if "month" not in table.columns:
        # Each year's row becomes its 12 months, in order: the table stays sorted.
        out = out.assign(births=out["births"] / 12.0).merge(
            pd.DataFrame({"month": range(1, 13)}), how="cross"
        )[["ward_code", "year", "month", "births"]]
    return out


def refuse_birth_gaps(births: pd.DataFrame, known: set[str], path: Path, *, monthly: bool) -> None:
    """Every ward, every year from the first to the last (every month, with ``monthly``): else
    an error naming the first ward and year with a gap (wards and years in order)."""
    first, last = int(births["year"].min()), int(births["year"].max())
    wards = sorted(known)
    ward = positions(wards, births["ward_code"])
    year = births["year"].to_numpy(int) - first
    month = births["month"].to_numpy(int) - 1 if monthly else np.zeros(len(births), int)
    seen = np.zeros((len(wards), last - first + 1, 12 if monthly else 1), dtype=bool)
    seen[ward, year, month] = True
    if seen.all():
        return
    gap = ~seen
    w, y = (int(i) for i in np.argwhere(gap)[0][:2])
    in_year = np.flatnonzero(gap[w, y]) + 1
    if not monthly or len(in_year) == 12:
        what = f"no births for ward {wards[w]} in {first + y}"
    else:
        what = f"no births for ward {wards[w]} in {first + y}, month(s) " + ", ".join(
            str(m) for m in in_year
        )
    ward_years = int(gap.any(axis=2).sum())
    wards_short = int(gap.any(axis=(1, 2)).sum())
    raise InputError(
        what + f" ({ward_years} ward-year(s) of {wards_short} ward(s) have gaps); a gap would "
        "be read as no births",
        file=path,
        column="month" if monthly and len(in_year) < 12 else "year",
        hint=f"Give every ward a row for every year from {first} to {last}"
        + (" and every month" if monthly else "")
        + " (0 where there were none)",
    )


def read_population(path: Path, known: set[str]) -> pd.DataFrame:
    """``ward_code, year, age, population`` (mid-year estimates, ages 0-11 kept: 0-4 for the
    early years, 4-11 for school-age childcare)."""
    table = read_table(path)
    require_columns(table, ["ward_code", "year", "age", "population"], file=path)
    _check_wards(table, known, path)
    out = pd.DataFrame(
        {
            "ward_code": table["ward_code"],
            "year": numbers(table, "year", file=path, integer=True).astype(int),
            "age": numbers(table, "age", file=path, integer=True).astype(int),
            "population": numbers(table, "population", file=path),
        }
    )
    check_magnitude(out["population"], table, "population", file=path, column="population")
    return out[out["age"] <= PRIMARY_MAX_AGE].reset_index(drop=True)


def _refuse_unlocated_sites(
    table: pd.DataFrame, unlocated: pd.Series, wards: gpd.GeoDataFrame, path: Path
) -> None:
    """Name the row, the column that failed to place it (its value) and the site."""
    flags = unlocated.to_numpy(bool)
    if not flags.any():
        return
    i = int(np.flatnonzero(flags)[0])
    site = table["site_id"].iloc[i]
    given = table["ward_code"].iloc[i] if "ward_code" in table.columns else None
    if isinstance(given, str) and given.strip():
        raise InputError(
            f"ward code not in the wards file (site {site})",
            file=path,
            row=row_number(table, i),
            column="ward_code",
            value=given,
            hint=f"Give one of the {len(wards)} ward codes of the wards file (such as "
            f"{wards['ward_code'].iloc[0]}), or leave ward_code empty and give "
            "easting/northing or a postcode inside the area",
        )
    given_in = [
        c for c in ("easting", "postcode") if c in table.columns and pd.notna(table[c].iloc[i])
    ]
    column = given_in[0] if given_in else "ward_code"
    raise InputError(
        f"housing site {site} is in no ward of the area"
        + ("" if given_in else " (no ward_code, easting/northing or postcode given)"),
        file=path,
        row=row_number(table, i),
        column=column,
        value=table[column].iloc[i] if given_in else None,
        hint="Give a ward_code from the wards file, or easting/northing inside the area",
    )


def read_housing(
    path: Path, wards: gpd.GeoDataFrame, postcodes: pd.DataFrame | None, notes: list[str]
) -> pd.DataFrame:
    """``site_id, site_name, year, dwellings, dwelling_type, ward_code`` located in wards."""
    table = read_table(path)
    require_columns(table, ["site_id", "year", "dwellings", "dwelling_type"], file=path)
    kind = table["dwelling_type"].astype("string").str.lower()
    raise_first(
        ~kind.isin(["house", "flat"]),
        table,
        "unknown dwelling_type",
        file=path,
        column="dwelling_type",
        hint="Use house or flat",
    )
    located = geography.locate(table, wards, postcodes, file=path)
    _refuse_unlocated_sites(table, located["located_by"] == "unlocated", wards, path)
    return pd.DataFrame(
        {
            "site_id": table["site_id"],
            "site_name": table["site_name"] if "site_name" in table.columns else table["site_id"],
            "year": numbers(table, "year", file=path, integer=True).astype(int),
            "dwellings": numbers(table, "dwellings", file=path),
            "dwelling_type": kind,
            "ward_code": located["ward_code"],
            "easting": located["easting"],
            "northing": located["northing"],
        }
    ).reset_index(drop=True)


def read_deprivation(path: Path, known: set[str]) -> pd.DataFrame:
    table = read_table(path)
    require_columns(table, ["ward_code", "imd_score"], file=path)
    _check_wards(table, known, path)
    return pd.DataFrame(
        {"ward_code": table["ward_code"], "imd_score": numbers(table, "imd_score", file=path)}
    )


def read_ward_parameters(path: Path, known: set[str]) -> pd.DataFrame:
    """``ward_code, key, value`` with keys like ``take_up.disadvantaged_2``, checked."""
    from .parameters import check_value

    table = read_table(path)
    require_columns(table, ["ward_code", "key", "value"], file=path)
    _check_wards(table, known, path)
    allowed = ward_keys()
    raise_first(
        ~table["key"].isin(allowed),
        table,
        "unknown parameter key",
        file=path,
        column="key",
        hint=f"Ward-level keys are {', '.join(allowed)}",
    )
    values = numbers(table, "value", file=path)
    for i, (key, value) in enumerate(zip(table["key"], values, strict=True)):
        try:
            check_value(key, value, source=f"{path}, row {row_number(table, i)}")
        except ValueError as exc:
            raise InputError(str(exc), column="value") from None
    return pd.DataFrame({"ward_code": table["ward_code"], "key": table["key"], "value": values})


def read_eligible_2s(path: Path, known: set[str]) -> pd.DataFrame:
    """``ward_code, term, eligible``: eligible disadvantaged 2-year-olds (the DWP list) by ward
    and funding term; one row per ward and term."""
    from .terms import Term

    table = read_table(path)
    require_columns(table, ["ward_code", "term", "eligible"], file=path)
    _check_wards(table, known, path)
    terms = []
    for i, text in enumerate(table["term"].astype("string")):
        try:
            terms.append(str(Term.parse(str(text).strip().lower())))
        except InputError:
            raise InputError(
                "not a funding term",
                file=path,
                row=row_number(table, i),
                column="term",
                value=text,
                hint="Write the term as YYYY-season, e.g. 2026-autumn",
            ) from None
    eligible = numbers(table, "eligible", file=path)
    check_magnitude(eligible, table, "population", file=path, column="eligible")
    out = pd.DataFrame({"ward_code": table["ward_code"], "term": terms, "eligible": eligible})
    raise_first(
        out.duplicated(["ward_code", "term"]),
        table,
        "this ward and term are given twice",
        file=path,
        column="term",
        hint="Give one row per ward and term",
    )
    return out.reset_index(drop=True)


INCOME_RANGE = (1_000.0, 1_000_000.0)
"""Annual household income a ward's average can have, pounds (a weekly figure is refused)."""


def read_income(
    path: Path,
    known: set[str],
    lookup: Path | None = None,
    wards_field: str | None = None,
) -> pd.DataFrame:
    """``ward_code, income`` (annual household income, pounds), and ``msoa_code`` where the
    figures are ONS MSOA estimates (a ward's rows are then averaged).

    An MSOA's ward is the file's ``ward_code`` where it gives one; else the area's
    ``msoa_lookup.csv`` (``importers._wards.read_msoa_lookup``: one row per LSOA or output
    area with its MSOA and ward) gives each ward its MSOAs once per LSOA (output area) there,
    a best fit by population, as ``sufficiency import`` puts LSOAs into wards. With neither,
    the file is refused: its figures would reach no ward.
    """
    table = read_table(path)
    if "ward_code" not in table.columns and "msoa_code" in table.columns:
        return _income_by_msoa(table, path, known, lookup, wards_field)
    require_columns(table, ["ward_code", "income"], file=path)
    _check_wards(table, known, path)
    income = _income(table, path)
    key = ["ward_code", "msoa_code"] if "msoa_code" in table.columns else ["ward_code"]
    raise_first(
        table.duplicated(key),
        table,
        "this ward is given twice" if len(key) == 1 else "this MSOA is given twice",
        file=path,
        column=key[-1],
        hint="Give one row per ward, or one per MSOA with its ward_code and msoa_code",
    )
    out = pd.DataFrame({"ward_code": table["ward_code"], "income": income})
    if "msoa_code" in table.columns:
        out["msoa_code"] = table["msoa_code"]
    return out.reset_index(drop=True)


def _income(table: pd.DataFrame, path: Path) -> pd.Series:
    income = numbers(table, "income", file=path)
    low, high = INCOME_RANGE
    raise_first(
        (income < low) | (income > high),
        table,
        f"income must be a year's household income in pounds, {low:,.0f} to {high:,.0f}",
        file=path,
        column="income",
        hint="Give the annual figure (ONS small-area income estimates are a year's income)",
    )
    return income


def _income_by_msoa(
    table: pd.DataFrame, path: Path, known: set[str], lookup: Path | None, field: str | None
) -> pd.DataFrame:
    """income.csv by ``msoa_code`` alone, put into wards by the area's MSOA to ward lookup."""
    from .importers._wards import read_msoa_lookup

    require_columns(table, ["msoa_code", "income"], file=path)
    if lookup is None:
        raise InputError(
            "income is given by msoa_code with no ward_code, and the area has no MSOA to ward "
            "lookup",
            file=path,
            row=1,
            column="msoa_code",
            hint="Add msoa_lookup.csv to the area (ONS's 'Output Area (2021) to LSOA to MSOA "
            "to Electoral Ward' lookup for the wards' year: MSOA21CD and WD24CD, one row per "
            "output area or LSOA), or give each row its ward_code",
        )
    codes = table["msoa_code"].astype("string").str.strip()
    raise_first(
        codes.isna().to_numpy(bool),
        table,
        "empty cell",
        file=path,
        column="msoa_code",
        hint="Every row needs its MSOA code (a total row? delete it)",
    )
    raise_first(
        codes.duplicated().to_numpy(bool),
        table,
        "this MSOA is given twice",
        file=path,
        column="msoa_code",
        hint="Give one row per MSOA",
    )
    income = _income(table, path)
    rows = read_msoa_lookup(lookup, known, field)
    ours = set(rows["msoa_code"])
    raise_first(
        ~isin(codes, ours),
        table,
        f"MSOA not in {lookup.name} (no ward of the area holds it)",
        file=path,
        column="msoa_code",
        hint=f"Cut income.csv to the area's MSOAs, or give {lookup.name} for the wards' year "
        "(MSOA codes of 2021: E02...)",
    )
    by_msoa = pd.Series(income.to_numpy(float), index=codes.to_numpy(dtype=object))
    rows = rows[rows["msoa_code"].isin(by_msoa.index)]
    return pd.DataFrame(
        {
            "ward_code": rows["ward_code"].to_numpy(dtype=object),
            "income": by_msoa.reindex(rows["msoa_code"]).to_numpy(float),
            "msoa_code": rows["msoa_code"].to_numpy(dtype=object),
        }
    ).reset_index(drop=True)


def read_returns(
    paths: list[Path],
    wards: gpd.GeoDataFrame,
    postcodes: pd.DataFrame | None,
    notes: list[str],
    read: Callable[[Path], pd.DataFrame] = read_table,
) -> pd.DataFrame:
    """Every return file, located in wards, as one frame sorted by term and URN.

    Each file is read (``read_return``: its own refusals first, with their own words), then
    checked by the rules ``sufficiency ingest`` runs (``validation.check_for_run``): an error
    refuses the run, naming its file, row, column and rule; a warning is a note.
    """
    frames = []
    seen: dict[str, Path] = {}
    for path in paths:
        term = term_from_name(path)
        table = read(path)  # read once: for the typed rows and for the rules
        frame = read_return(path, term, notes, table=table)
        this = frame["term"].iloc[0] if len(frame) else str(term)
        if this in seen:
            raise InputError(
                f"a second return for {this}",
                file=path,
                hint=f"{seen[this].name} is already that term's return",
            )
        seen[this] = path
        unknown = frame["ward_code"].notna() & ~isin(frame["ward_code"], wards["ward_code"])
        if unknown.any():
            notes.append(
                f"{path.name}: {int(unknown.sum())} ward code(s) not in the wards file (e.g. "
                f"{frame.loc[unknown, 'ward_code'].iloc[0]}); those providers were placed by "
                "coordinates or postcode instead"
            )
        geography.refuse_without_lookup(frame, wards, postcodes, file=str(path))
        frame = geography.locate(frame, wards, postcodes, file=path)
        lost = frame[frame["located_by"] == "unlocated"]
        if len(lost) and len(lost) == len(frame):
            raise InputError(
                f"none of its {len(frame)} provider(s) is in a ward of the area (e.g. "
                f"{lost['urn'].iloc[0]}); a run would count no places at all",
                file=path,
                hint="Check the providers' coordinates or postcodes are in the area, and that "
                f"the wards file ({wards.attrs.get('path', 'wards')}) is in the right coordinate "
                "reference system",
            )
        validation.check_for_run(
            path,
            Term.parse(this),
            wards=wards,
            postcodes=postcodes,
            notes=notes,
            table=table,
            located=frame,
        )
        # A provider outside every ward or with no location is R151 or R150 (refused above).
        frames.append(frame)
    returns = pd.concat(frames, ignore_index=True)
    returns["term_index"] = [int(t) for t in _term_indices(returns["term"])]
    return returns.sort_values(["term_index", "urn"], kind="stable").reset_index(drop=True)


def without_blank_rows(returns: pd.DataFrame, notes: list[str]) -> pd.DataFrame:
    """The returns without rows that leave every figure blank (``reader.left_blank``, rule
    R204: e.g. a pre-filled template sent back untouched): such a row is not a return, so it
    neither moves the run's latest term nor replaces the provider's last real return. Noted per
    file; refused when no row is left."""
    blank = left_blank(returns, returns["status"]).to_numpy(dtype=bool)
    if not blank.any():
        return returns
    for name, rows in returns[blank].groupby("source_file", sort=True):
        urns = ", ".join(rows["urn"].astype(str).head(5))
        notes.append(
            f"{name}: {len(rows)} row(s) leave every figure blank (vacancies, children on roll "
            f"and staff) and were not counted as returns ({urns}"
            f"{', ...' if len(rows) > 5 else ''}); fill in those returns or delete the rows"
        )
    if blank.all():
        first = returns[blank].iloc[0]
        raise InputError(
            "every return leaves every figure blank (vacancies, children on roll and staff): "
            "there is no return to assess from",
            file=str(first["source_file"]),
            row=int(first["source_row"]),
            hint="Fill in the providers' figures (a pre-filled template sent back untouched is "
            "not a return)",
        )
    return returns[~blank].reset_index(drop=True)


def read_ofsted(path: Path) -> pd.DataFrame:
    """The area's ``ofsted.csv`` (``sufficiency import ofsted``): ``urn`` and ``ofsted_grade``
    (1 outstanding to 4 inadequate, missing when not yet inspected), one row per URN."""
    table = read_table(path)
    require_columns(table, ["urn", "ofsted_grade"], file=path)
    grade = numbers(table, "ofsted_grade", file=path, required=False, integer=True)
    raise_first(
        ((grade < 1) | (grade > 4)).to_numpy(bool),
        table,
        "an Ofsted grade is 1 to 4",
        file=path,
        column="ofsted_grade",
        hint="Import the Ofsted file again: sufficiency import ofsted FILE",
    )
    urn = table["urn"].astype("string").str.upper().str.replace(" ", "", regex=False)
    out = pd.DataFrame({"urn": urn, "ofsted_grade": grade.astype("Int64")})
    return out.drop_duplicates("urn").reset_index(drop=True)


def with_ofsted_grade(
    returns: pd.DataFrame, ofsted: pd.DataFrame, notes: list[str]
) -> pd.DataFrame:
    """Each return row with its provider's ``ofsted_grade`` from ``ofsted.csv`` (by URN); a
    grade the return gives itself is kept. Grades are words, as ``returns.reader.GRADES``
    spells them (Ofsted's code 2 is ``good``), whichever source gave them: the supply step
    (``--min-quality``) reads them so."""
    grade = ofsted.set_index("urn")["ofsted_grade"]
    urn = returns["urn"].astype("string").str.upper()
    codes = pd.Series(grade.reindex(urn.to_numpy()).to_numpy(), index=returns.index)
    from_file = normalise_grades(codes.astype("Int64").astype("string"))
    out = returns.copy()
    if "ofsted_grade" in out.columns:
        out["ofsted_grade"] = normalise_grades(out["ofsted_grade"]).fillna(from_file)
    else:
        out["ofsted_grade"] = from_file
    matched = int(from_file.notna().sum())
    notes.append(
        f"Ofsted grades from ofsted.csv for {matched} of {len(out)} return row(s) (by URN)"
    )
    return out


def _term_indices(terms: pd.Series) -> list[int]:
    from .terms import Term

    index = {t: Term.parse(t).index for t in terms.unique()}
    return terms.map(index).tolist()


# --- Schools (school-age childcare) ------------------------------------------------------------

SCHOOL_PLACES = ["places_breakfast", "places_after_school"]


def read_schools(
    path: Path, wards: gpd.GeoDataFrame, postcodes: pd.DataFrame | None
) -> pd.DataFrame:
    """``schools.csv``: ``urn``, a location and the school's own clubs' places a session.

    Columns: ``urn`` (the school's six-digit URN, once each), optional ``school_name``, a
    location (``ward_code``, or ``easting, northing``, or ``latitude, longitude``, or a
    ``postcode`` with ``postcodes.csv``), and ``places_breakfast``, ``places_after_school``
    (whole numbers, 0 where the school runs no such club; a blank is an error, not a 0).
    Returns ``urn, school_name, ward_code, easting, northing`` and the two places columns.
    """
    table = read_table(path)
    require_columns(table, ["urn", *SCHOOL_PLACES], file=path)
    urn = table["urn"].astype("string").str.strip()
    raise_first(
        ~urn.str.fullmatch(r"\d{6}").fillna(False).to_numpy(bool),
        table,
        "not a school URN",
        file=path,
        column="urn",
        hint="Give the school's six-digit URN (Get Information about Schools)",
    )
    raise_first(
        urn.duplicated().to_numpy(bool),
        table,
        "school URN given twice",
        file=path,
        column="urn",
        hint="Give one row per school, its clubs' places added up",
    )
    places = {}
    for column in SCHOOL_PLACES:
        places[column] = numbers(table, column, file=path, integer=True)
        check_magnitude(places[column], table, "setting", file=path, column=column)
    if "ward_code" in table.columns:
        given = table["ward_code"].notna().to_numpy(bool)
        raise_first(
            given & ~isin(table["ward_code"], wards["ward_code"]),
            table,
            "ward code not in the wards file",
            file=path,
            column="ward_code",
            hint="Use the codes of the wards file (the same boundary year)",
        )
    located = geography.locate(table, wards, postcodes, file=path)
    raise_first(
        (located["located_by"] == "unlocated").to_numpy(bool),
        table,
        "school is in no ward of the area",
        file=path,
        column="ward_code",
        value_column="urn",
        hint="Give a ward_code from the wards file, or easting/northing (or latitude/longitude) "
        "inside the area",
    )
    name = table["school_name"] if "school_name" in table.columns else urn
    return pd.DataFrame(
        {
            "urn": urn.to_numpy(dtype=object),
            "school_name": name.astype("string").to_numpy(dtype=object),
            "ward_code": located["ward_code"].to_numpy(dtype=object),
            "easting": located["easting"].to_numpy(float),
            "northing": located["northing"].to_numpy(float),
            **{c: v.to_numpy(float) for c, v in places.items()},
        }
    )


# --- Flows --------------------------------------------------------------------------------------

FLOW_TOLERANCE = 1e-6
"""How far a home ward's shares may add up away from 1."""
FLOW_COLUMNS = ["home_ward_code", "setting_ward_code", "share"]


def read_flows(path: str | Path, wards: Sequence[str] | pd.Index) -> pd.DataFrame:
    """Read and check ``flows.csv``: ``home_ward_code, setting_ward_code, share``.

    Raises :class:`InputError` naming the file, row and column for a code that is not one of
    ``wards``, a share that is not a number in [0, 1], a pair given twice, and naming the home
    ward whose shares do not add up to 1 (within :data:`FLOW_TOLERANCE`).
    """
    return check_flows(read_table(path), wards, file=path)


def check_flows(
    table: pd.DataFrame, wards: Sequence[str] | pd.Index, *, file: str | Path = "flows.csv"
) -> pd.DataFrame:
    """Check a flow table (as read, or built in code); return ``FLOW_COLUMNS``, shares as floats.

    Examples
    --------
    >>> flows = pd.DataFrame({"home_ward_code": ["A", "A"], "setting_ward_code": ["A", "B"],
    ...                       "share": [0.75, 0.25]})
    >>> check_flows(flows, ["A", "B"])["share"].tolist()
    [0.75, 0.25]
    >>> check_flows(flows.assign(share=[0.75, 0.2]), ["A", "B"])
    Traceback (most recent call last):
    ...
    sufficiency.errors.InputError: flows.csv, column 'share': the shares of home ward A add up \
to 0.95, not 1 (found 'A'). Each home ward's shares must add up to 1
    """
    require_columns(table, FLOW_COLUMNS, file=file)
    known = set(pd.Index(wards))
    out = pd.DataFrame(
        {
            column: table[column].astype("string").str.strip()
            for column in ["home_ward_code", "setting_ward_code"]
        }
    )
    for column in ["home_ward_code", "setting_ward_code"]:
        raise_first(
            ~isin(out[column], known),
            table,
            "ward code not in the wards file",
            file=file,
            column=column,
            hint="Use the codes of the wards file (the same boundary year); fold children "
            "who attend outside the area into their home ward",
        )
    share = numbers(table, "share", file=file)
    raise_first(
        (share > 1).to_numpy(),
        table,
        "a share above 1",
        file=file,
        column="share",
        hint="Write shares as fractions of the home ward's children, 0 to 1",
    )
    raise_first(
        out.duplicated(["home_ward_code", "setting_ward_code"]).to_numpy(),
        table,
        "this home ward and setting ward are given twice",
        file=file,
        column="setting_ward_code",
        hint="Give one row per home ward and setting ward",
    )
    out["share"] = share.to_numpy(float)
    totals = out.groupby("home_ward_code", sort=True)["share"].sum()
    off = (totals - 1.0).abs() > FLOW_TOLERANCE
    if off.any():
        ward = totals.index[off.to_numpy()][0]
        raise InputError(
            f"the shares of home ward {ward} add up to {totals[ward]:.6g}, not 1",
            file=file,
            column="share",
            value=ward,
            hint="Each home ward's shares must add up to 1",
        )
    return out.reset_index(drop=True)
