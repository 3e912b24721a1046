"""A location that puts the provider in a ward of the area (``geography.locate``).

A provider is located by a ``ward_code`` the wards file knows, else its coordinates
(``easting, northing`` in EPSG:27700 or ``latitude, longitude`` in EPSG:4326) by point in
polygon, else its postcode through the area's postcode lookup. A provider that gives none of
these is R150; one whose location lands in no ward is R151, reported on the field that was tried
(coordinates, then postcode, then ward code).

A ``ward_code`` the wards file knows that is not the ward the provider's coordinates (else its
postcode) fall in is R209, naming both wards. It is a warning, not an error: the two cannot both
be right, but either may be the wrong one (a geocoded point or a postcode's centre can land just
across a boundary; a code can be from old boundaries), so the figures are still usable. The
provider is counted in the ``ward_code``'s ward, as ``geography.locate`` places it.
"""

from __future__ import annotations

import pandas as pd

from ..._io import isin
from ._base import COORDINATES, Context
from ._registry import rule


def _has_coordinates(ctx: Context) -> tuple[pd.Series, pd.Series]:
    bng = ctx.number("easting").notna() & ctx.number("northing").notna()
    wgs = ctx.number("latitude").notna() & ctx.number("longitude").notna()
    return bng, wgs


@rule("R150", "no location: give a postcode, coordinates or a ward_code", columns=["postcode"])
def no_location(ctx: Context) -> pd.Series:
    """Neither a postcode, nor a pair of coordinates, nor a ward code."""
    bng, wgs = _has_coordinates(ctx)
    return ctx.text("postcode").isna() & ctx.text("ward_code").isna() & ~bng & ~wgs


@rule(
    "R151",
    "{column} does not place the provider in any ward of the area",
    columns=["easting", "latitude", "postcode", "ward_code"],
    needs=("wards",),
)
def in_a_ward(ctx: Context) -> dict[str, pd.Series]:
    """The location given is outside every ward (or the postcode is not in the lookup)."""
    assert ctx.wards is not None  # the rule needs wards
    # A ward code the wards file knows places the provider (as geography.locate does first);
    # otherwise its coordinates, else its postcode.
    known = isin(ctx.text("ward_code"), ctx.wards["ward_code"])
    unplaced = ctx.where_points_fall()["located_by"] == "unlocated"
    # A coordinate that is not a number is R101's to report, not this rule's.
    garbled = pd.concat(
        [ctx.text(c).notna() & ctx.number(c).isna() for c in COORDINATES], axis=1
    ).any(axis=1)
    lost = unplaced & ~known & ~no_location(ctx) & ~garbled
    bng, wgs = _has_coordinates(ctx)
    postcode = ctx.text("postcode").notna()
    return {
        "easting": lost & bng,
        "latitude": lost & ~bng & wgs,
        "postcode": lost & ~bng & ~wgs & postcode,
        "ward_code": lost & ~bng & ~wgs & ~postcode,
    }


@rule(
    "R209",
    "ward_code is not the ward the provider's {detail}: the provider is counted in the "
    "ward_code's ward; correct whichever is wrong",
    columns=["ward_code"],
    severity="warning",
    needs=("wards",),
)
def ward_code_agrees(ctx: Context) -> pd.Series:
    """A known ward code that differs from the ward the coordinates (else postcode) fall in."""
    assert ctx.wards is not None  # the rule needs wards
    located = ctx.where_points_fall()
    names = ctx.wards.set_index("ward_code")["ward_name"]
    given = ctx.text("ward_code").str.strip()
    found = located["ward_code"]
    known = pd.Series(isin(given, names.index), index=given.index)
    differ = known & found.notna() & (given != found)
    bng, wgs = _has_coordinates(ctx)
    by = pd.Series("postcode falls", index=ctx.table.index).mask(bng | wgs, "coordinates fall")
    detail = pd.Series(pd.NA, index=ctx.table.index, dtype="string")
    for i in differ[differ.fillna(False)].index:
        detail[i] = (
            f"{by[i]} in ({found[i]} {names[found[i]]}; the code given is "
            f"{given[i]} {names[given[i]]})"
        )
    return detail
