"""How much each default moves the gap: the figures behind docs/assumptions.md.

For every parameter with a plausible range in ``data/defaults.toml`` the area is run with the
parameter at the low and at the high end of its range, all else at its value, and the change in
**deficit places** is reported: the places short, summed over wards and age groups where the gap
is negative, averaged over the run's terms. (A surplus in one ward does not offset a deficit in
another: families cannot use places in a ward they cannot reach, which is the strict within-ward
view; see the accessibility measure for the other.)

Run ``python -m sufficiency.sensitivity [AREA] [--markdown]``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from .area import Area, load_area
from .assess import DEMO_AREA, assess
from .parameters import Parameters, default_table


def deficit_places(gap: pd.DataFrame) -> float:
    """Places short, summed over wards and age groups, averaged over terms.

    >>> gap = pd.DataFrame({"term": ["t1", "t1", "t2"], "gap_places": [-10.0, 5.0, -4.0]})
    >>> deficit_places(gap)
    7.0
    """
    short = (-gap["gap_places"]).clip(lower=0.0)
    return float(short.groupby(gap["term"]).sum().mean())


def _with(params: Parameters, key: str, value: float) -> Parameters:
    if "." in key:
        section, name = key.split(".", 1)
        return params.override({section: {name: value}}, source=f"{key}={value}")
    return params.override({key: value}, source=f"{key}={value}")


def sensitivity(area: Area | str | Path | None = None) -> pd.DataFrame:
    """One row per parameter with a range: its value, range and the deficit places at each end."""
    area = area if isinstance(area, Area) else load_area(DEMO_AREA if area is None else area)
    base_params = Parameters.load(area.parameters_file)
    base = deficit_places(assess(area, base_params, accessibility=False).gap)
    rows = []
    for key, entry in default_table().items():
        if "range" not in entry:
            continue
        low, high = (float(v) for v in entry["range"])
        at_low = deficit_places(assess(area, _with(base_params, key, low), accessibility=False).gap)
        at_high = deficit_places(
            assess(area, _with(base_params, key, high), accessibility=False).gap
        )
        rows.append(
            {
                "parameter": key,
                "value": base_params[key],
                "low": low,
                "high": high,
                "deficit_places": base,
                "change_at_low": at_low - base,
                "change_at_high": at_high - base,
                "quality": entry.get("quality", ""),
                "source": entry.get("source", ""),
            }
        )
    return pd.DataFrame(rows)


def as_markdown(table: pd.DataFrame) -> str:
    """The table as a Markdown table for docs/assumptions.md."""
    lines = [
        "| parameter | value | range | quality | deficit places at low / high (base "
        f"{table['deficit_places'].iloc[0]:,.0f}) | source |",
        "|---|---|---|---|---|---|",
    ]
    for r in table.itertuples():
        lines.append(
            f"| `{r.parameter}` | {r.value:g} | {r.low:g} to {r.high:g} | {r.quality} | "
            f"{r.change_at_low:+,.0f} / {r.change_at_high:+,.0f} | {r.source} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("area", nargs="?", default=None)
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    table = sensitivity(args.area)
    if args.markdown:
        print(as_markdown(table))
    else:
        print(table.drop(columns=["source"]).to_string(index=False))


if __name__ == "__main__":
    main()
