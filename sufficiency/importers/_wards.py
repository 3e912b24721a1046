"""Putting published small-area or ward figures onto the area's wards.

A figure by ward must use the codes of the area's wards file: ward codes change with boundary
reviews (a ward of 2023 may be ``E05012345`` and its successor of 2024 ``E05015678``), and a
code of another year is never dropped quietly: :func:`refuse_other_year` lists the codes that do
not match and says how to fix it. A figure by LSOA is added up into wards by a best-fit lookup:
the ONS "LSOA to Electoral Ward Best Fit Lookup" (``LSOAyyCD, WDyyCD``) given with ``--lookup``,
else the ward holding each LSOA's representative point in the area's ``small_areas`` file
(``geography.read_small_areas``), the same best fit ONS uses (population-weighted centroids)
without the weights. Either way each LSOA goes whole to one ward; the summary says which.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .._io import find_column, raise_first, read_table, row_number
from ..errors import InputError

LSOA_CODE = [r"lsoa\d\dcd", r"lsoa[ _]\d{4}[ _]code", r"lsoa[ _]code", r"lsoa"]
MSOA_CODE = [r"msoa\d\dcd", r"msoa[ _]\d{4}[ _]code", r"msoa[ _]code", r"msoa"]
WARD_CODE = [
    "ward_code",
    r"wd\d\dcd",
    r"ward[ _]\d{4}[ _]code",
    r"ward[ _]code([ _]1)?",
    r"osward",
    r"ward",
]
SHOWN = 5
"""How many unmatched codes an error lists."""


@dataclass(frozen=True)
class Target:
    """Where imported figures go: the area's wards and what places rows in them.

    ``known`` holds the wards file's codes and ``field`` its code field (``WD24CD``);
    ``lookup`` is an LSOA to ward best-fit lookup (:func:`read_lookup`) named ``lookup_name``;
    ``small_areas`` the area's small areas (``geography.read_small_areas``); ``postcodes`` its
    postcode lookup (``geography.read_postcodes``).
    """

    known: frozenset[str]
    field: str | None = None
    lookup: pd.Series | None = None
    lookup_name: str | None = None
    small_areas: pd.DataFrame | None = None
    postcodes: pd.DataFrame | None = None


def refuse_empty(codes: pd.Series, table: pd.DataFrame, *, file: str | Path, column: str) -> None:
    """An empty ward or LSOA code: an error at its row (its figures would be lost)."""
    raise_first(
        codes.isna().to_numpy(bool),
        table,
        "empty cell",
        file=file,
        column=column,
        hint="Every row needs its ward or LSOA code (a total row? delete it)",
    )


def refuse_other_year(
    codes: pd.Series,
    known: set[str],
    table: pd.DataFrame,
    *,
    file: str | Path,
    column: str,
    lookup_hint: str,
    wards_field: str | None = None,
) -> None:
    """Raise naming every ward code (the first :data:`SHOWN`) that the wards file lacks.

    Nothing is dropped: one code of another year is an error, with the first row it is on.
    Where the file's column and the wards file's field name their years (``WD23CD`` against
    ``WD24CD``), the error says so and names ONS's ward-to-ward lookup between them.
    """
    bad = ~codes.isin(known).to_numpy(bool) & codes.notna().to_numpy(bool)
    if not bad.any():
        return
    unmatched = sorted(set(codes[bad]))
    i = int(np.flatnonzero(bad)[0])
    shown = ", ".join(unmatched[:SHOWN]) + (
        f", ... ({len(unmatched)} in all)" if len(unmatched) > SHOWN else ""
    )
    example = sorted(known)[0] if known else "none"
    theirs, ours = ward_year(column), ward_year(wards_field)
    years = ""
    if theirs and ours and theirs != ours:
        years = f" (the file's are {theirs} wards, the wards file's {ours} wards)"
        lookup_hint = (
            f"Map the codes with ONS's 'Ward ({theirs}) to Ward ({ours}) Lookup', or "
            + lookup_hint[0].lower()
            + lookup_hint[1:]
        )
    raise InputError(
        f"{len(unmatched)} ward code(s) are not in the area's wards file: {shown} (the wards "
        f"file has {len(known)} wards, e.g. {example}); they look like wards of another "
        "boundary year" + years,
        file=file,
        row=row_number(table, i),
        column=column,
        hint=lookup_hint + "; nothing was written",
    )


def ward_year(field: str | None) -> int | None:
    """The boundary year a ward code field names: ``WD23CD`` -> 2023, ``Ward 2024 Code`` ->
    2024; ``None`` when it names none.

    >>> ward_year("WD23CD"), ward_year("ward 2024 code"), ward_year("ward_code")
    (2023, 2024, None)
    """
    if not field:
        return None
    short = re.fullmatch(r"wd(\d\d)cd", field.strip(), flags=re.IGNORECASE)
    if short:
        return 2000 + int(short.group(1))
    long = re.fullmatch(r"ward[ _](\d{4})[ _]code", field.strip(), flags=re.IGNORECASE)
    return int(long.group(1)) if long else None


def read_lookup(path: str | Path, known: set[str], wards_field: str | None = None) -> pd.Series:
    """An ONS best-fit lookup as a Series: LSOA code -> ward code (ward codes checked).

    A lookup to wards of another year than the wards file's (``WD23CD`` against ``WD24CD``) is
    refused even where most codes match: wards a boundary review left alone keep their codes,
    and the LSOAs of the changed ones would be lost.
    """
    path = Path(path)
    table, lsoa, ward = _lookup_rows(
        path,
        known,
        wards_field,
        LSOA_CODE,
        what="an LSOA to ward lookup",
        title="LSOA to ward lookup",
        ons="LSOA (2021) to Electoral Ward ({year}) Best Fit Lookup",
        needs="an LSOA code (LSOA21CD) and a ward code (WD24CD), as in ONS's 'LSOA (2021) to "
        "Electoral Ward (2024) Best Fit Lookup'",
    )
    mapping = pd.Series(table[ward].to_numpy(), index=table[lsoa].astype("string"))
    repeated = mapping.index.duplicated()
    if repeated.any():
        raise InputError(
            f"LSOA {mapping.index[repeated][0]} is given two wards",
            file=path,
            column=lsoa,
            hint="A best-fit lookup gives each LSOA one ward (the ONS 'Best Fit' file)",
        )
    return mapping


def read_msoa_lookup(
    path: str | Path, known: set[str], wards_field: str | None = None
) -> pd.DataFrame:
    """An MSOA to ward lookup as rows ``msoa_code, ward_code``, one per row of the file.

    The file has one row per LSOA (or output area) with its MSOA and its ward, as ONS's
    "LSOA (2021) to Electoral Ward Best Fit Lookup" joined to the LSOA to MSOA lookup, or
    ONS's "Output Area to LSOA to MSOA to Electoral Ward" file: an MSOA that spans wards gives
    each of them its figure once per LSOA (output area) there. LSOAs (and output areas) are
    drawn to hold about the same number of people, so counting them is a best fit by
    population. Rows of wards outside the area are left out (an England-wide lookup serves);
    ward codes of another year are refused as in :func:`read_lookup`.
    """
    table, msoa, ward = _lookup_rows(
        Path(path),
        known,
        wards_field,
        MSOA_CODE,
        what="an MSOA to ward lookup",
        title="MSOA to ward lookup",
        ons="Output Area (2021) to LSOA to MSOA to Electoral Ward ({year}) Lookup",
        needs="an MSOA code (MSOA21CD) and a ward code (WD24CD), one row per LSOA or output "
        "area, as in ONS's 'Output Area (2021) to LSOA to MSOA to Electoral Ward (2024)' lookup",
    )
    return pd.DataFrame(
        {
            "msoa_code": table[msoa].astype("string").str.strip().to_numpy(dtype=object),
            "ward_code": table[ward].to_numpy(dtype=object),
        }
    )


def _lookup_rows(
    path: Path,
    known: set[str],
    wards_field: str | None,
    patterns: list[str],
    *,
    what: str,
    needs: str,
    title: str,
    ons: str,
) -> tuple[pd.DataFrame, str, str]:
    """A small-area to ward lookup's rows in the area's wards, its small-area column and its
    (cleaned) ward column: refused where it names no such columns, wards of another year than
    the wards file's, or none of the area's wards."""
    table = read_table(path)
    small = find_column(table.columns, *patterns)
    ward = find_column(table.columns, *WARD_CODE)
    if small is None or ward is None:
        raise InputError(
            f"not recognised as {what}",
            file=path,
            row=1,
            hint=f"It needs {needs}; its header has " + ", ".join(table.columns[:12]),
        )
    theirs, wanted = ward_year(ward), ward_year(wards_field)
    if theirs and wanted and theirs != wanted:
        raise InputError(
            f"the lookup is to {theirs} wards ({ward}) and the wards file has {wanted} wards "
            f"({wards_field})",
            file=path,
            row=1,
            column=ward,
            hint=f"Give the {title} of {wanted} (ONS: '{ons.format(year=wanted)}'), or the "
            f"{theirs} wards file; nothing was written",
        )
    codes = table[ward].astype("string").str.strip()
    ours = codes.isin(known).to_numpy(bool)
    if not ours.any():
        refuse_other_year(
            codes,
            known,
            table,
            file=path,
            column=ward,
            wards_field=wards_field,
            lookup_hint="Give the lookup to the wards of the area's wards file (the same year: "
            "WD24CD for 2024 wards), from the ONS Open Geography Portal",
        )
    rows = table.loc[ours].assign(**{ward: codes[ours]})
    return rows, small, ward


def lsoa_wards(
    codes: pd.Series, table: pd.DataFrame, *, file: str | Path, column: str, target: Target
) -> tuple[pd.Series, str]:
    """The ward of each LSOA code, and the sentence that says how it was found.

    An LSOA that neither the lookup nor the small areas place is outside the area and is
    dropped by the caller (counted); with neither, an error says what to give.
    """
    if target.lookup is not None:
        how = f"LSOAs added up into wards by the best-fit lookup {target.lookup_name}"
        return codes.map(target.lookup), how
    if target.small_areas is not None:
        small = target.small_areas
        mapping = pd.Series(small["ward_code"].to_numpy(), index=small["area_code"].to_numpy())
        mapping = mapping[~mapping.index.duplicated()]
        how = (
            "LSOAs added up into wards by best fit: the ward holding each LSOA's "
            "representative point in the area's small_areas file"
        )
        return codes.map(mapping), how
    raise InputError(
        "the figures are by LSOA and there is no way to put LSOAs into wards",
        file=file,
        column=column,
        hint="Give --lookup with ONS's 'LSOA (2021) to Electoral Ward Best Fit Lookup' for "
        "the wards' year, or add small_areas.geojson (LSOA polygons) to the area",
    )
