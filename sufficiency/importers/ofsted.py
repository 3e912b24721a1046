"""``sufficiency import ofsted``: Ofsted's provider-level childcare data to the area's
``ofsted.csv``.

Reads the official statistics "Childcare providers and inspections" provider-level file (CSV
or XLSX, the header on row 1 or below a title and a note row, as published) and the monthly
management information of the same layout. Recognised by its URN column (``Provider URN`` or
``URN``); the other columns by every edition's names we have found documented:

=====================  ==================================================================
kept as                published as
=====================  ==================================================================
``urn``                Provider URN, URN
``provider_name``      Provider name (withheld, ``REDACTED``, for childminders: left empty)
``ofsted_provider_type`` Provider type (Childminder, Childcare on non-domestic premises, ...)
``provider_type``      from Provider type and Provider subtype (Full day care -> day_nursery,
                       Sessional day care -> pre_school, Childminder -> childminder, else other)
``registered_places``  Places, Registered places (else Places including estimates)
``postcode``           Provider postcode, Postcode (withheld for childminders: left empty)
``local_authority``    Local authority
``registration_status`` Provider status, Registration status
``inspection_date``    Most recent full: inspection date, Inspection date (as YYYY-MM-DD)
``ofsted_grade``       Most recent full: overall effectiveness, Overall effectiveness: Ofsted's
                       code, 1 outstanding, 2 good, 3 requires improvement (or satisfactory),
                       4 inadequate; empty when not yet inspected or judged met / not met
=====================  ==================================================================

A provider is the area's when its postcode is in the area's ``postcodes.csv`` (placed in a ward
by ``import postcodes``) or its local authority is the area's (``--local-authority``, by
default the area's name in ``area.toml``): childminders' postcodes are withheld from the public
file, so they are kept by local authority with no ward. Providers not on the Early Years
Register, and those whose registration has ended (resigned, cancelled),
are dropped and counted. Whether a provider is on the Early Years Register is read from
``Provider Early Years Register Flag`` (Y or N) or ``Individual register combinations`` (``EYR
only``, ``EYR and Both Parts of the CR``, ... are on it; ``CR only``, ``Both Parts of the CR``,
``CCR only``, ``VCR only``, as a holiday club or an after-school club, are not): a provider
either says is not on it is dropped; one with neither given is kept. Nothing here needs a
childminder's name or address.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

import numpy as np
import pandas as pd

from .._io import check_magnitude, dates, find_column, normalise_postcode, parse_numbers
from ..errors import InputError
from ._published import read_published

URN = ["provider urn", "urn"]
COLUMNS = {
    "provider_name": ["provider name", "setting name", "name"],
    "ofsted_provider_type": ["provider type"],
    "subtype": ["provider subtype"],
    "places": ["places", "registered places"],
    "places_estimated": ["places including estimates", "registered places including estimates"],
    "postcode": ["provider postcode", "postcode"],
    "local_authority": ["local authority", "provider local authority"],
    "registration_status": ["provider status", "registration status"],
    "inspection_date": [
        "most recent full: inspection date",
        "inspection date",
        "latest inspection date",
    ],
    "grade": [
        "most recent full: overall effectiveness",
        "overall effectiveness",
        "latest overall effectiveness",
    ],
    "early_years_register": ["provider early years register flag", "early years register"],
    "register_combinations": ["individual register combinations", "register combinations"],
}
EXPECTED = (
    "Ofsted's provider-level childcare columns: Provider URN (or URN), Provider type, Places "
    "(or Registered places), Provider postcode, Local authority and, optionally, Provider "
    "status and Most recent full: Overall effectiveness"
)
GRADES = {
    "1": 1,
    "outstanding": 1,
    "2": 2,
    "good": 2,
    "3": 3,
    "requires improvement": 3,
    "satisfactory": 3,
    "4": 4,
    "inadequate": 4,
}
"""Ofsted's overall effectiveness, coded as Ofsted codes it (1 best)."""
ENDED = {"resigned", "cancelled", "inactive", "closed", "refused"}
"""Registration statuses of a provider no longer registered."""
WITHHELD = {"redacted", "withheld"}
OUTPUT = [
    "urn",
    "provider_name",
    "provider_type",
    "ofsted_provider_type",
    "registered_places",
    "postcode",
    "ward_code",
    "local_authority",
    "registration_status",
    "inspection_date",
    "ofsted_grade",
]


@dataclass
class ImportedProviders:
    """The area's providers from the Ofsted file, and what was dropped."""

    providers: pd.DataFrame
    rows: int
    where: str | None
    dropped: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def lines(self, source: Path, target: Path) -> list[str]:
        """The screen summary: what was read, kept and dropped, and why."""
        kept = self.providers
        no_ward = int(kept["ward_code"].isna().sum())
        graded = int(kept["ofsted_grade"].notna().sum())
        out = [
            f"Read {self.rows:,} provider(s) from {source.name}"
            + (f" (header found on {self.where})" if self.where else ""),
            f"Kept {len(kept):,} of the area's: {len(kept) - no_ward:,} placed in a ward by "
            f"postcode, {no_ward:,} by local authority with no postcode to place (childminders' "
            f"are withheld); {graded:,} with an inspection grade",
        ]
        dropped = ", ".join(f"{n:,} {why}" for why, n in self.dropped.items() if n)
        out.append(f"Dropped {dropped}" if dropped else "Dropped none")
        out.extend(self.notes)
        out.append(f"Written: {target}")
        return out


def _provider_type(ofsted_type: pd.Series, subtype: pd.Series) -> pd.Series:
    kind = ofsted_type.astype("string").str.strip().str.lower()
    sub = subtype.astype("string").str.strip().str.lower()
    out = pd.Series("other", index=kind.index, dtype="string")
    out[kind.str.contains("childminder", na=False)] = "childminder"
    non_domestic = kind.str.contains("non-domestic|non domestic", na=False)
    out[non_domestic & sub.str.contains("full day", na=False)] = "day_nursery"
    out[non_domestic & sub.str.contains("sessional", na=False)] = "pre_school"
    return out


def _where(mask: np.ndarray, values: np.ndarray) -> np.ndarray:
    out = np.asarray(values, dtype=object).copy()
    out[~mask] = None
    return out


def _pcds(postcode: pd.Series) -> pd.Series:
    """Postcodes in the ``pcds`` form (``SO14 1AA``); missing stays missing."""
    from .postcodes import format_postcode

    out = postcode.copy()
    given = postcode.notna()
    out[given] = format_postcode(postcode[given])
    return out


def on_early_years_register(flag: pd.Series, combinations: pd.Series) -> np.ndarray:
    """True where a provider is on the Early Years Register or the file does not say.

    ``flag`` is the EYR flag (Y, N); ``combinations`` Ofsted's individual register
    combinations, on the register when it names the EYR (``EYR only``, ``EYR and Compulsory
    CR``), off it when it names only the Childcare Register (``CR only``, ``Both Parts of the
    CR``).

    >>> flag = pd.Series(["Y", "N", pd.NA, pd.NA, pd.NA], dtype="string")
    >>> combos = pd.Series([pd.NA, pd.NA, "EYR and Both Parts of the CR", "CR only", pd.NA],
    ...                    dtype="string")
    >>> on_early_years_register(flag, combos).tolist()
    [True, False, True, False, True]
    """
    said = flag.str.upper()
    flag_off = (said.notna() & ~said.isin(["Y", "YES", "TRUE", "1"])).fillna(False)
    combo = combinations.str.lower()
    names_eyr = combo.str.contains(r"\beyr\b|early years", regex=True)
    combo_off = (combo.notna() & ~names_eyr).fillna(False)
    return ~(flag_off | combo_off).to_numpy(bool)


def import_ofsted(
    path: str | Path,
    postcodes: pd.DataFrame,
    local_authority: str | None = None,
) -> ImportedProviders:
    """Read an Ofsted provider-level file and keep the area's providers.

    Parameters
    ----------
    path
        The file as published (CSV or XLSX).
    postcodes
        The area's postcode lookup (``geography.read_postcodes``): normalised postcode to
        ``ward_code``.
    local_authority
        The area's local authority as the file writes it (``Southampton``); case-insensitive.

    Returns :class:`ImportedProviders` with ``providers`` in the columns of :data:`OUTPUT`,
    one row per URN, sorted by URN.
    """
    path = Path(path)
    published = read_published(path, URN, EXPECTED)
    table = published.table
    urn_column = find_column(table.columns, *[n.replace(" ", "[ _]") for n in URN])
    if urn_column is None:  # pragma: no cover - read_published found it
        raise InputError("no URN column", file=path, hint=f"It needs {EXPECTED}")
    found = {
        key: find_column(table.columns, *[n.replace(" ", "[ _]") for n in names])
        for key, names in COLUMNS.items()
    }
    for key in ("ofsted_provider_type", "postcode"):
        if found[key] is None:
            raise InputError(
                "missing column",
                file=path,
                column=COLUMNS[key][0],
                hint=f"It needs {EXPECTED}; its header has {', '.join(table.columns[:15])}",
            )
    if found["places"] is None and found["places_estimated"] is None:
        raise InputError(
            "missing column",
            file=path,
            column="places",
            hint=f"It needs {EXPECTED}",
        )
    rows = len(table)

    def text(key: str) -> pd.Series:
        column = found[key]
        if column is None:
            return pd.Series(pd.NA, index=table.index, dtype="string")
        values = table[column].astype("string").str.strip()
        return values.mask(values.str.lower().isin(WITHHELD))

    urn = table[urn_column].astype("string").str.upper().str.replace(" ", "", regex=False)
    dropped: dict[str, int] = {}
    notes: list[str] = []
    keep = urn.notna().to_numpy(bool).copy()
    dropped["with no URN"] = int((~keep).sum())

    on_eyr = on_early_years_register(text("early_years_register"), text("register_combinations"))
    dropped["not on the Early Years Register"] = int((keep & ~on_eyr).sum())
    keep &= on_eyr

    status = text("registration_status")
    ended = status.str.lower().isin(ENDED).fillna(False).to_numpy(bool)
    dropped["whose registration has ended"] = int((keep & ended).sum())
    keep &= ~ended

    postcode = text("postcode")
    compact = normalise_postcode(postcode.fillna(""))
    ward = postcodes["ward_code"].reindex(compact.to_numpy()).astype(object).to_numpy()
    placed = pd.notna(ward) & postcode.notna().to_numpy()
    la = text("local_authority")
    in_la = (
        (la.str.lower() == local_authority.strip().lower()).fillna(False).to_numpy(bool)
        if local_authority
        else np.zeros(rows, dtype=bool)
    )
    withheld = keep & ~placed & postcode.isna().to_numpy(bool)
    if withheld.any() and not in_la.any():
        authorities = sorted(set(la.dropna()))
        notes.append(
            f"{int(withheld.sum())} provider(s) with a withheld postcode (childminders) were "
            "dropped: "
            + (
                f"no provider's local authority is {local_authority!r}"
                if local_authority
                else "no local authority was given"
            )
            + (f" (the file has {', '.join(authorities[:5])}, ...)" if authorities else "")
            + "; give --local-authority as the file writes it, or name the area in area.toml"
        )
    ours = placed | in_la
    dropped["outside the area"] = int((keep & ~ours).sum())
    keep &= ours
    if not keep.any():
        authorities = sorted(set(la.dropna()))[:8]
        raise InputError(
            "none of its providers is in the area",
            file=path,
            hint="Import the area's postcode directory first (sufficiency import postcodes), "
            "or give --local-authority as the file writes it"
            + (f" (it has {', '.join(authorities)}, ...)" if authorities else "")
            + "; nothing was written",
        )

    places_text = table[found["places"] or found["places_estimated"]]
    places = pd.Series(parse_numbers(places_text.astype("string")), index=table.index)
    if found["places"] and found["places_estimated"]:
        estimated = pd.Series(
            parse_numbers(table[found["places_estimated"]].astype("string")), index=table.index
        )
        filled = places.isna() & estimated.notna() & pd.Series(keep, index=table.index)
        if filled.any():
            notes.append(
                f"{int(filled.sum())} provider(s) with no registered places took Ofsted's "
                f"estimate ({found['places_estimated']})"
            )
        places = places.fillna(estimated)
    bad = (places_text.notna() & places.isna()) | (places % 1 != 0).fillna(False)
    if (bad & keep).any():
        i = int(np.flatnonzero((bad & keep).to_numpy())[0])
        raise InputError(
            "not a number",
            file=path,
            row=int(table.index[i]) + 2,
            column=found["places"] or found["places_estimated"],
            value=places_text.iloc[i],
            hint="Registered places must be a whole number",
        )
    check_magnitude(
        places[keep],
        table[keep],
        "setting",
        file=path,
        column=str(found["places"] or found["places_estimated"]),
        notes=notes,
    )
    grade_text = text("grade").str.lower()
    grade = grade_text.map(GRADES)
    inspected = (
        dates(table, found["inspection_date"], file=path)
        if found["inspection_date"]
        else pd.Series(pd.NaT, index=table.index)
    )
    out = pd.DataFrame(
        {
            "urn": urn,
            "provider_name": text("provider_name"),
            "provider_type": _provider_type(text("ofsted_provider_type"), text("subtype")),
            "ofsted_provider_type": text("ofsted_provider_type"),
            "registered_places": places.astype("Int64"),
            "postcode": _pcds(postcode),
            "ward_code": pd.array(_where(placed, ward), dtype="string"),
            "local_authority": la,
            "registration_status": status,
            "inspection_date": inspected.dt.strftime("%Y-%m-%d"),
            "ofsted_grade": grade.astype("Int64"),
        }
    )[keep]
    repeated = out["urn"].duplicated()
    if repeated.any():
        i = int(np.flatnonzero(repeated.to_numpy())[0])
        raise InputError(
            "this URN is given twice",
            file=path,
            row=int(out.index[i]) + 2,
            column=urn_column,
            value=out["urn"].iloc[i],
            hint="Give one row per provider (the latest file as published has one)",
        )
    out = out.sort_values("urn", kind="stable").reset_index(drop=True)
    return ImportedProviders(
        providers=out[OUTPUT], rows=rows, where=published.where, dropped=dropped, notes=notes
    )


def write_providers(imported: ImportedProviders, path: Path) -> None:
    """Write ``ofsted.csv`` (the columns of :data:`OUTPUT`), text guarded for spreadsheets."""
    from ..outputs._escape import frame_for_spreadsheet

    buffer = BytesIO()
    frame_for_spreadsheet(imported.providers).to_csv(buffer, index=False, lineterminator="\n")
    path.write_bytes(buffer.getvalue())
