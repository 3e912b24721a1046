"""The short terminal summary of a run: which wards are in deficit, for which ages, from when."""

from __future__ import annotations

from typing import cast

import pandas as pd

from ..assess import Assessment
from .disclosure import round_to_base

GROUP_LABEL = {"under2": "under 2s", "2": "2-year-olds", "3_4": "3-4s"}


def places(value: float) -> str:
    """A gap in whole places, halves away from zero, as every figure of the summary is shown;
    a gap that rounds to 0 says so rather than printing a bare "-0" or a lone decimal.

    >>> places(-12.5), places(-0.6), places(3.2), places(-0.2), places(0.0)
    ('-13 places', '-1 place', '+3 places', 'less than 1 place short', '0 places')
    """
    whole = float(round_to_base(value, 1))
    if whole == 0 and value < 0:
        return "less than 1 place short"
    if whole == 0:
        return "0 places"
    return f"{whole:+,.0f} place" + ("" if abs(whole) == 1 else "s")


def summary_lines(result: Assessment) -> list[str]:
    """Plain lines for a terminal, for someone who has never seen the code."""
    gap = result.gap
    wards = gap[["ward_code", "ward_name"]].drop_duplicates()
    counts = result.provider_counts
    lines = [
        f"{result.place.name}: {len(wards)} wards"
        + (f", {counts.headline}" if counts is not None else ""),
        *([f"  {counts.detail}"] if counts is not None else []),
        f"Scenario {result.scenario}: {len(result.terms)} funding terms, {result.terms[0]} to "
        f"{result.terms[-1]}",
        "",
    ]
    summary = result.ward_summary()
    deficit = summary[summary["terms_in_deficit"] > 0]
    if deficit.empty:
        lines.append("No ward is in deficit in any term.")
    else:
        lines.append(
            f"In deficit (places x utilisation below demand) in {deficit['ward_code'].nunique()}"
            f" of {len(wards)} wards:"
        )
        width = max(len(str(n)) for n in deficit["ward_name"])
        n_terms = len(result.terms)
        lines.append(
            f"  {'ward':<{width}}  {'age group':<12} {'first short':<12} {'terms short':<12} "
            "worst gap (term)"
        )
        for (_, name), rows in deficit.groupby(["ward_code", "ward_name"], sort=True):
            label = str(name)
            for r in rows.itertuples():
                lines.append(
                    f"  {label:<{width}}  {GROUP_LABEL[str(r.age_group)]:<12} "
                    f"{r.first_deficit_term:<12} {f'{r.terms_in_deficit} of {n_terms}':<12} "
                    f"{places(cast(float, r.worst_gap))} ({r.worst_term})"
                )
                label = ""
    tight = gap[gap["status"] == "tight"]
    tight_wards = sorted(set(tight["ward_name"]) - set(deficit["ward_name"]))
    if tight_wards:
        lines.append(f"Tight but not in deficit: {', '.join(map(str, tight_wards))}")
    ok = sorted(set(wards["ward_name"]) - set(deficit["ward_name"]) - set(tight["ward_name"]))
    lines.append(f"Sufficient in every term: {len(ok)} ward(s)")
    lines.extend(_cross_boundary_lines(gap))
    lines.extend(school_age_lines(result.school_age))
    lines.append("")
    lines.extend(_calibration_lines(result))
    notes = [note for note in result.notes if note != result.fit_warning]  # shown above
    if notes:
        lines.append("Notes:")
        lines.extend(f"  - {note}" for note in notes)
    return lines


def _cross_boundary_lines(gap: pd.DataFrame) -> list[str]:
    """Across ward lines: deficits where children attend, and the fewest places within reach."""
    lines = []
    if "status_flows" in gap.columns:
        short = gap.loc[gap["status_flows"] == "deficit", "ward_code"].nunique()
        lines.append(
            f"Counting demand where children attend (flows.csv): {short} ward(s) in deficit "
            "in some term"
        )
    if "accessible_places_per_100" in gap.columns:
        first = gap[gap["term"] == gap["term"].iloc[0]]
        worst = first.loc[first["accessible_places_per_100"].idxmin()]
        lines.append(
            f"Fewest places within reach across ward lines in {worst['term']}: "
            f"{worst['ward_name']}, {GROUP_LABEL[worst['age_group']]}, "
            f"{worst['accessible_places_per_100']:.0f} per 100 children"
        )
    return lines


def _calibration_lines(result: Assessment) -> list[str]:
    fit = result.calibration.dropna(subset=["ratio"])
    if fit.empty:
        return [f"Take-up fit: the {result.latest_return} returns report no funded children."]
    parts = [f"{r.entitlement} {r.ratio:.2f}" for r in fit.itertuples()]
    verb = "rescaled" if result.parameters.calibrate_take_up else "not rescaled"
    lines = [
        f"Take-up fit, funded children in the {result.latest_return} returns / model "
        f"(take-up {verb}):",
        "  " + ", ".join(parts),
    ]
    if result.fit_warning is not None:
        lines.append(f"  WARNING: {result.fit_warning}")
    return lines


def deficit_table(gap: pd.DataFrame) -> pd.DataFrame:
    """Rows in deficit, for a quick look in a notebook."""
    return gap[gap["status"] == "deficit"].reset_index(drop=True)


_PROVISION_NAMES = {
    "breakfast": "breakfast clubs",
    "after_school": "after-school clubs",
    "holiday": "holiday care",
}


def school_age_lines(table: pd.DataFrame | None) -> list[str]:
    """School-age childcare in the run's first term: per provision, the wards short and the
    places they are short by (nothing when the area has no school-age places)."""
    if table is None or not len(table):
        return []
    first = table[table["term"] == table["term"].iloc[0]]
    lines = [
        f"School-age childcare (primary children of working families), {first['term'].iloc[0]}:"
    ]
    n_wards = first["ward_code"].nunique()
    for provision, name in _PROVISION_NAMES.items():
        part = first[first["provision"] == provision]
        short = part[part["status"] == "deficit"]
        lines.append(
            f"  {name}: {len(short)} of {n_wards} ward(s) short, by "
            f"{-short['gap_places'].sum():,.0f} places (demand {part['demand_places'].sum():,.0f}, "
            f"supply {part['supply_places'].sum():,.0f})"
        )
    return lines
