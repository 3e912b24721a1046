"""Writing an assessment: ``gap.csv``, the workbook (and ``gap.parquet`` if asked), all or nothing.

Several scenarios (``write_runs``) go in one ``gap.csv``, sorted by scenario, term, ward and age
group, with any Monte Carlo columns (``gap_median, gap_p05, gap_p95, p_deficit``) after the
contract's; ``compare`` adds ``comparison.csv`` and a ``comparison`` sheet. An area with school-age
places also gets ``school_age.csv`` and a ``school_age`` sheet (``school_age.py``).

Files are written into a temporary folder beside the output folder and moved into place only
when every one is complete, so an error half way leaves the output folder as it was. Text cells
are neutralised against spreadsheet formulas (``_escape.py``); numbers in ``gap.csv`` are not
rounded, while the workbook rounds for reading.

``gap.parquet`` (``run --parquet``) holds the same rows and columns as ``gap.csv`` with their
types: text as strings, numbers as float64 or int64, missing values (an empty
``places_per_100``) as nulls. Text is stored as it is: the guard against spreadsheet formulas is
for the CSV and the workbook, which a spreadsheet opens. The same table gives the same bytes.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from .. import __version__
from ..assess import Assessment, ward_summary
from ..parameters import Parameters, default_table
from . import _csv
from ._xlsx import write_sheets

WORKBOOK = "sufficiency.xlsx"
GAP_CSV, GAP_PARQUET = "gap.csv", "gap.parquet"
SCHOOL_AGE_CSV = "school_age.csv"


def write_atomically(
    out_dir: str | Path, writers: Mapping[str, Callable[[Path], object]]
) -> list[Path]:
    """Run each ``writer(path)`` into a temporary folder, then move the files into ``out_dir``."""
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-", dir=out_dir.parent))
    try:
        for name, writer in writers.items():
            target = staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
            writer(target)
        out_dir.mkdir(parents=True, exist_ok=True)
        written = []
        for name in writers:
            final = out_dir / name
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / name, final)
            written.append(final)
        return written
    finally:
        shutil.rmtree(staging, ignore_errors=True)


RUN_FILES = (GAP_CSV, GAP_PARQUET, "gap.gpkg", "comparison.csv", SCHOOL_AGE_CSV, WORKBOOK)
"""The files :func:`write_runs` owns in an output folder (``run`` and ``compare``): one not
written this time is left from an earlier run and is removed (:func:`remove_stale`)."""


def remove_stale(
    folder: str | Path,
    names: Sequence[str],
    written: Iterable[Path],
    *,
    ours: Callable[[Path], bool] | None = None,
) -> list[Path]:
    """Remove the files in ``folder`` named ``names`` (the tool's own output names, or glob
    patterns of them) that were not ``written`` this time; return what was removed.

    An earlier run with more scenarios (or with ``--parquet``) leaves files that no longer
    match the new outputs beside them; a reader would open one as current. Only these names
    are touched, and where ``ours`` is given only the files it recognises as the tool's own;
    nothing else in the folder (a user's own files, hidden files) is.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return []
    keep = {Path(p).resolve() for p in written}
    removed = []
    for pattern in names:
        for path in sorted(folder.glob(pattern)):
            if (
                path.is_file()
                and not path.name.startswith(".")
                and path.resolve() not in keep
                and (ours is None or ours(path))
            ):
                path.unlink()
                removed.append(path)
    return removed


def write_gap_csv(gap: pd.DataFrame, path: Path) -> None:
    """The gap table as CSV: numbers unrounded, text neutralised against formulas."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        _csv.write_gap_csv(gap, handle)


def _arrow_column(values: pd.Series) -> Any:  # a pyarrow.Array
    """One gap column as Parquet stores it: the type ``pd.read_csv`` of gap.csv would give.

    Whole numbers without gaps stay int64, other numbers are float64, booleans stay booleans
    and everything else is text; missing values are nulls.
    """
    import pyarrow as pa

    if pd.api.types.is_bool_dtype(values.dtype) and not values.hasnans:
        return pa.array(values.to_numpy(bool), type=pa.bool_())
    if pd.api.types.is_integer_dtype(values.dtype) and not values.hasnans:
        return pa.array(values.to_numpy("int64"), type=pa.int64())
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values):
        numbers = values.to_numpy("float64", na_value=np.nan)
        return pa.array(numbers, type=pa.float64(), from_pandas=True)  # NaN -> null
    # Text, kept dictionary-encoded as Parquet stores it; it reads back as plain text. The
    # model's tables hold Arrow text, encoded by Arrow; other text is factorised, each distinct
    # value converted once (7,681 ward names, not a million cells).
    if isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow":
        import pyarrow.compute as pc

        text = pa.chunked_array(pa.array(values.array)).combine_chunks()  # one chunk a part
        return pc.dictionary_encode(text.cast(pa.string()))
    codes, distinct = pd.factorize(values)
    names = pa.array([str(v) for v in distinct], type=pa.string())
    indices = pa.array(codes, type=pa.int32(), mask=codes < 0)
    return pa.DictionaryArray.from_arrays(indices, names)


def arrow_gap(gap: pd.DataFrame) -> Any:  # -> pyarrow.Table
    """The gap table as the Arrow table :class:`GapParquet` writes (text dictionary-encoded)."""
    import pyarrow as pa

    return pa.table({str(name): _arrow_column(gap[name]) for name in gap.columns})


class GapParquet:
    """A ``gap.parquet`` written part by part, one row group a part (a national run writes
    scenario by scenario without holding them all)::

        with GapParquet(path) as out:
            for gap in parts:
                out.write(gap)

    No pandas or Arrow schema metadata is stored (so the file reads back the same in any pandas
    and carries no library version but pyarrow's ``created_by``), no index, and no timestamp:
    two writes of one table give the same bytes. Text is dictionary-encoded, as Parquet stores
    it, and reads back as plain text.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._writer: Any = None

    def write(self, gap: pd.DataFrame | Any) -> None:
        """Add a part: a gap table, or one already made an Arrow table by :func:`arrow_gap`."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = arrow_gap(gap) if isinstance(gap, pd.DataFrame) else gap
        if self._writer is None:
            text = [f.name for f in table.schema if pa.types.is_dictionary(f.type)]
            self._writer = pq.ParquetWriter(
                self.path,
                table.schema,
                compression="snappy",
                store_schema=False,
                use_dictionary=text,  # numbers are near-unique: plain encoding
            )
        self._writer.write_table(table)
        del table
        # Arrow's allocator keeps what a part used for the next; a national part is 60 MB.
        pa.default_memory_pool().release_unused()

    def __enter__(self) -> GapParquet:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._writer is not None:
            self._writer.close()


def write_gap_parquet(gap: pd.DataFrame, path: Path) -> None:
    """The gap table as Parquet, column for column as ``gap.csv`` reads back (a
    :class:`GapParquet` of one part)."""
    with GapParquet(path) as out:
        out.write(gap)


def _rounded(frame: pd.DataFrame, digits: int = 1) -> pd.DataFrame:
    """Numbers rounded to ``digits`` for reading; chances of a deficit to 0.001 (shown as %)."""
    numeric = frame.select_dtypes("number").columns
    return frame.assign(
        **{c: frame[c].round(3 if str(c).startswith("p_deficit") else digits) for c in numeric}
    )


def parameters_frame(parameters: Parameters) -> pd.DataFrame:
    """Every parameter in force, its unit and its source (the package default's, or the file
    that overrode it)."""
    table = default_table()
    rows = []
    for key, value in parameters.values.items():
        entry = table.get(key, {})
        changed = key in table and entry.get("value") != value
        rows.append(
            {
                "parameter": key,
                "value": value,
                "unit": entry.get("unit", ""),
                "source": "overridden: " + "; ".join(parameters.sources[1:])
                if changed
                else entry.get("source", ""),
            }
        )
    return pd.DataFrame(rows)


def _gap_writers(gap: pd.DataFrame, parquet: bool) -> dict[str, Callable[[Path], None]]:
    writers: dict[str, Callable[[Path], None]] = {GAP_CSV: lambda p: write_gap_csv(gap, p)}
    if parquet:
        writers[GAP_PARQUET] = lambda p: write_gap_parquet(gap, p)
    return writers


def write_assessment(
    result: Assessment, out_dir: str | Path, *, parquet: bool = False
) -> list[Path]:
    """Write one assessment as :func:`write_runs` writes a run of one scenario: ``gap.csv``
    (and ``gap.parquet`` if ``parquet``) and ``sufficiency.xlsx``; return their paths."""
    return write_runs([result], out_dir, gap=result.gap, parquet=parquet)


def _notes_frame(results: Sequence[Assessment]) -> pd.DataFrame:
    lines = [f"Area: {results[0].place.name}"]
    for result in results:
        lines += [
            f"Scenario: {result.scenario}",
            f"Terms: {result.terms[0]} to {result.terms[-1]}; latest return {result.latest_return}",
            "Parameters: " + "; ".join(result.parameters.sources),
            *result.notes,
        ]
    return pd.DataFrame({"note": lines})


def write_workbook(
    results: Sequence[Assessment],
    path: Path,
    *,
    gap: pd.DataFrame,
    scenarios: pd.DataFrame | None = None,
    comparison: pd.DataFrame | None = None,
    extra: Mapping[str, pd.DataFrame] | None = None,
) -> None:
    """The workbook of one or more scenarios: ``gap`` holds every scenario (and any Monte Carlo
    columns after the contract's); ``scenarios`` and ``comparison`` sheets when given, and the
    ``extra`` sheets (resilience, plan) before the notes."""
    calibration = pd.concat(
        [r.calibration.assign(scenario=r.scenario) for r in results], ignore_index=True
    )
    calibration = calibration[["scenario", *results[0].calibration.columns]]
    sheets = {"gap": _rounded(gap)}
    if comparison is not None:
        sheets["comparison"] = _rounded(comparison)
    sheets["ward_summary"] = _rounded(ward_summary(gap))
    sheets["calibration"] = _rounded(calibration, 3)
    if scenarios is not None:
        sheets["scenarios"] = scenarios
    school = school_age_rows(results)
    if school is not None:
        sheets["school_age"] = _rounded(school).rename(columns=SCHOOL_AGE_SHEET_FIELDS)
    for name, frame in (extra or {}).items():
        sheets[name] = _rounded(frame, DUTY_DIGITS.get(name, 1))
    sheets["notes"] = _notes_frame(results)
    sheets["parameters"] = parameters_frame(results[0].parameters)
    write_sheets(path, sheets, readable=True, about=about_lines(results, sheets))


SCHOOL_AGE_SHEET_FIELDS = {
    "children": "primary_children",
    "demand_places": "school_demand_places",
    "supply_places": "school_supply_places",
    "gap_places": "school_gap_places",
}
"""school_age.csv's columns whose meaning differs from gap.csv's, named apart in the workbook
so that its headings and data dictionary say what a school-age place is."""

SHEET_ABOUT = {
    "gap": "one row per scenario, term, ward and age group: children, demand, supply, the gap "
    "and its status (the rows of gap.csv)",
    "comparison": "each scenario's gap beside the baseline's, and the change",
    "ward_summary": "per ward and age group: when a deficit starts, how many terms it lasts "
    "and how deep it gets",
    "calibration": "the model's funded children beside those in the latest returns, by "
    "entitlement (the take-up fit)",
    "scenarios": "the scenarios run, with their files",
    "school_age": "breakfast, after-school and holiday childcare for primary children, by "
    "scenario, term and ward (the rows of school_age.csv; a place is a session a school day)",
    "send": "children with SEND expected in early years places against those the returns "
    "report on roll, by ward and age group, and the wards flagged",
    "affordability": "median hourly fees and the weekly cost of a typical package, by ward "
    "(and as a share of income where income.csv is given)",
    "disadvantaged_2s": "take-up of the funded place by eligible disadvantaged 2-year-olds "
    "(eligible_2s.csv), by ward and term, against the target",
    "notes": "what the run noted: files read, rows left out, carried-forward returns",
    "parameters": "every parameter in force, its unit and its source",
}


def about_lines(results: Sequence[Assessment], sheets: Mapping[str, pd.DataFrame]) -> list[str]:
    """The workbook's "About" sheet: what it holds and how to read it, in plain words."""
    from ._xlsx import DICTIONARY, sheet_name

    first = results[0]
    params = first.parameters
    names = ", ".join(r.scenario for r in results)
    lines = [
        f"{first.place.name}: will there be enough childcare places? (sufficiency {__version__})",
        f"Scenarios: {names}. Funding terms {first.terms[0]} to {first.terms[-1]}; supply from "
        f"the provider returns to {first.latest_return}"
        + (
            f": {counts.headline} ({counts.detail})."
            if (counts := first.provider_counts) is not None
            else "."
        ),
        "INTERNAL: this workbook holds unrounded ward figures, vacancy projections and waiting "
        "lists. Do not publish it; the published map and report (--publish) follow "
        "docs/disclosure.md.",
        "",
        "Sheets:",
        *(
            f"  {sheet_name(name)}: {SHEET_ABOUT.get(name, 'a table from the run')}"
            for name in sheets
        ),
        f"  {DICTIONARY}: each column's heading, its field name in gap.csv and what it means",
        "",
        "How to read the figures:",
        "  A full-time place is "
        f"{params.hours_per_place:g} hours a week in term time. Demand and supply are in "
        "full-time places.",
        f"  Gap = supply x utilisation ({params.utilisation:g}) minus demand. Negative means "
        "short of places.",
        f"  Status: 'deficit' where the gap is below -{params.deficit_tolerance:g} places (the "
        "deficit tolerance: a smaller shortfall cannot be told from none); 'tight' where it is "
        f"below {params.tight_margin:.0%} of demand, or short by no more than the tolerance; "
        "else 'sufficient'.",
        "  Age groups cover: Under 2s, birth to 23 months (their children and funded children "
        "count 9 to 23 months; demand and places include babies); 2-year-olds, 24 to 35 "
        "months; 3- and 4-year-olds, from 3 years to the September they start school.",
        "  Projected vacancies start from the vacancies providers reported in the latest return "
        "and move by the modelled change in supply and demand since. They are not a second "
        "gap: a negative figure means demand has grown by more than the places then free, not "
        "that the ward is short of places (the gap says that).",
        "  Figures here are rounded to one decimal place (chances of a deficit to a tenth of a "
        "percent); gap.csv holds them unrounded with the field names of the Data dictionary.",
    ]
    return lines


def write_gap_gpkg(gap: pd.DataFrame, wards: gpd.GeoDataFrame, path: Path) -> None:
    """The gap table with each row's ward polygon: one layer, ``gap``, in EPSG:27700.

    One row per scenario, term, ward and age group (the rows and columns of ``gap.csv``, in its
    order), so a GIS filters by ``scenario``, ``term`` and ``age_group`` to map one slice.
    """
    shapes = wards.set_index("ward_code").geometry
    table = gpd.GeoDataFrame(
        gap.reset_index(drop=True),
        geometry=shapes.reindex(gap["ward_code"].to_numpy()).to_numpy(),
        crs="EPSG:27700",
    )
    # GDAL stamps a GeoPackage with the time it was written: a fixed stamp keeps two runs'
    # files the same bytes.
    with _gdal_options(OGR_CURRENT_DATE="2000-01-01T00:00:00.000Z"):
        table.to_file(path, layer="gap", driver="GPKG", engine="pyogrio")


@contextlib.contextmanager
def _gdal_options(**options: str) -> Iterator[None]:
    """GDAL configuration options for the duration of a write, then as they were."""
    import pyogrio

    before = {key: pyogrio.get_gdal_config_option(key) for key in options}
    pyogrio.set_gdal_config_options(options)
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options(before)


def write_runs(
    results: Sequence[Assessment],
    out_dir: str | Path,
    *,
    gap: pd.DataFrame,
    scenarios: pd.DataFrame | None = None,
    comparison: pd.DataFrame | None = None,
    parquet: bool = False,
    gpkg: bool = False,
    removed: list[Path] | None = None,
) -> list[Path]:
    """Write ``gap.csv`` (every scenario, sorted as the contract says; and ``gap.parquet`` if
    ``parquet``; ``gap.gpkg`` if ``gpkg``), the workbook and, when given, ``comparison.csv``,
    all or nothing. Then the files of :data:`RUN_FILES` an earlier run left that this one did
    not write are removed, and added to ``removed`` when given."""
    writers = _gap_writers(gap, parquet)
    if gpkg:
        wards = results[0].place.wards
        writers["gap.gpkg"] = lambda p: write_gap_gpkg(gap, wards, p)
    if comparison is not None:
        writers["comparison.csv"] = lambda p: write_gap_csv(comparison, p)
    writers |= _school_age_writers(results)
    writers[WORKBOOK] = lambda p: write_workbook(
        results, p, gap=gap, scenarios=scenarios, comparison=comparison, extra=duty_sheets(results)
    )
    written = write_atomically(out_dir, writers)
    stale = remove_stale(out_dir, RUN_FILES, written)
    if removed is not None:
        removed.extend(stale)
    return written


# --- School-age childcare -------------------------------------------------------------------------


def school_age_rows(results: Sequence[Assessment]) -> pd.DataFrame | None:
    """Every scenario's school-age rows in ``school_age.csv``'s columns, sorted as gap.csv
    (scenario, then the model's term, ward and provision order); ``None`` when no run has any."""
    from ..school_age import COLUMNS

    tables = [r.school_age for r in results if r.school_age is not None]
    if not tables:
        return None
    rows = pd.concat(tables, ignore_index=True)
    order = rows["scenario"].astype(str).to_numpy()
    return rows.iloc[np.argsort(order, kind="stable")][COLUMNS].reset_index(drop=True)


def _school_age_writers(results: Sequence[Assessment]) -> dict[str, Callable[[Path], None]]:
    """``school_age.csv`` when the area carries school-age places; nothing otherwise."""
    rows = school_age_rows(results)
    if rows is None:
        return {}
    return {SCHOOL_AGE_CSV: lambda p: write_gap_csv(rows, p)}


# --- The wider duty: SEND, affordability, disadvantaged 2s (internal workbook sheets) ----------


DUTY_DIGITS = {"send": 2, "affordability": 3, "disadvantaged_2s": 3}
"""Decimal places of the duty sheets: shares and pounds need more than the gap's one."""


def duty_sheets(results: Sequence[Assessment]) -> dict[str, pd.DataFrame]:
    """The ``send``, ``affordability`` and ``disadvantaged_2s`` sheets: each scenario's table
    with a ``scenario`` column first; a sheet only where a run has the table."""
    sheets: dict[str, pd.DataFrame] = {}
    for name in ("send", "affordability", "disadvantaged_2s"):
        frames = [
            getattr(r, name).assign(scenario=r.scenario)
            for r in results
            if getattr(r, name) is not None and len(getattr(r, name))
        ]
        if frames:
            table = pd.concat(frames, ignore_index=True)
            sheets[name] = table[["scenario", *table.columns.drop("scenario")]]
    return sheets


def write_tables(
    result: Assessment, out_dir: str | Path, tables: Mapping[str, pd.DataFrame]
) -> list[Path]:
    """Write each table as ``<name>.csv`` and the workbook of ``result`` with a sheet per table,
    all or nothing (the ``resilience`` and ``plan`` commands)."""
    writers: dict[str, Callable[[Path], object]] = {}
    for name, table in tables.items():
        writers[f"{name}.csv"] = functools.partial(write_gap_csv, table)
    writers[WORKBOOK] = lambda p: write_workbook([result], p, gap=result.gap, extra=tables)
    return write_atomically(out_dir, writers)
