"""Disadvantaged 2-year-olds: take-up of the 15 hours by ward against a target.

With ``eligible_2s.csv`` (the DWP list of families eligible for the disadvantaged 2s offer,
counted by ward and term), per ward and term::

    funded   = funded_2_disadvantaged summed over the returns made in that term, by ward
    take_up  = funded / eligible          (empty where no eligible child, or no figure returned)
    below    = take_up < disadvantaged_2_target

Only returns made in the term count (a carried-forward return's children are old), as in the
calibration. Left out: the returns count children in the ward of their setting and the DWP list
in the ward of their home, so a ward whose settings draw children from its neighbours can show
take-up above 1 and the neighbours below; the city-wide rate has no such edge. The list names
families the DWP found eligible; children eligible on other grounds (looked after, EHC plan,
disability living allowance) are on no list, so take-up can exceed 100% in a small ward.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .terms import Term

COLUMNS = [
    "term",
    "ward_code",
    "ward_name",
    "eligible",
    "funded",
    "take_up",
    "target",
    "below_target",
]


def take_up(
    eligible: pd.DataFrame, returns: pd.DataFrame, wards: pd.DataFrame, target: float
) -> pd.DataFrame:
    """Take-up by ward and term, in :data:`COLUMNS`, sorted by term then ward code.

    ``eligible`` has ``ward_code, term, eligible`` (``area.read_eligible_2s``); ``returns`` the
    area's returns (``ward_code``, ``term_index``, ``funded_2_disadvantaged``). A ward with no
    return made in the term giving the figure has ``funded`` empty, not 0.

    >>> eligible = pd.DataFrame({"ward_code": ["A", "B"], "term": ["2026-autumn"] * 2,
    ...                          "eligible": [20.0, 10.0]})
    >>> returns = pd.DataFrame({"ward_code": ["A", "A", "B"], "funded_2_disadvantaged":
    ...     [9.0, 8.0, np.nan], "term_index": [Term.parse("2026-autumn").index] * 3})
    >>> wards = pd.DataFrame({"ward_code": ["A", "B"], "ward_name": ["Ay", "Bee"]})
    >>> table = take_up(eligible, returns, wards, 0.8)
    >>> table[["funded", "take_up", "below_target"]].values.tolist()
    [[17.0, 0.85, False], [nan, nan, False]]
    """
    table = eligible.copy()
    index = np.array([Term.parse(t).index for t in table["term"]], dtype=np.int64)
    made = returns[returns["ward_code"].notna()]
    given = made[made["funded_2_disadvantaged"].notna()]
    funded = given.groupby(["ward_code", "term_index"])["funded_2_disadvantaged"].sum()
    key = pd.MultiIndex.from_arrays([table["ward_code"].to_numpy(dtype=object), index])
    table["funded"] = funded.reindex(key).to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(table["eligible"] > 0, table["funded"] / table["eligible"], np.nan)
    table["take_up"] = rate
    table["target"] = target
    table["below_target"] = np.isfinite(rate) & (rate < target)
    names = dict(zip(wards["ward_code"], wards["ward_name"], strict=True))
    table["ward_name"] = table["ward_code"].map(names)
    table["_term"] = index
    table = table.sort_values(["_term", "ward_code"], kind="stable")
    return table[COLUMNS].reset_index(drop=True)


def city_take_up(table: pd.DataFrame) -> pd.DataFrame:
    """Per term, city-wide: eligible and funded over the wards that gave both, and take-up.

    >>> table = pd.DataFrame({"term": ["2026-autumn"] * 2, "eligible": [20.0, 10.0],
    ...                       "funded": [17.0, np.nan], "target": [0.8, 0.8]})
    >>> city_take_up(table).values.tolist()
    [['2026-autumn', 20.0, 17.0, 0.85, 0.8]]
    """
    both = table[table["funded"].notna()]
    out = both.groupby("term", sort=False)[["eligible", "funded"]].sum().reset_index()
    out["take_up"] = out["funded"] / out["eligible"].where(out["eligible"] > 0)
    out["target"] = float(table["target"].iloc[0]) if len(table) else np.nan
    return out


def funded_by_provider(returns: pd.DataFrame, terms: Sequence[str]) -> pd.DataFrame:
    """Each provider's ``funded_2_disadvantaged`` in each of ``terms``: one row per urn
    (sorted), one column per term in the order given, 0 where it made no return in the term.

    >>> returns = pd.DataFrame({"urn": ["B", "A", "A"], "funded_2_disadvantaged": [4, 5, 6.0],
    ...                         "term": ["2026-spring", "2026-spring", "2026-summer"]})
    >>> funded_by_provider(returns, ["2026-spring", "2026-summer"]).values.tolist()
    [[5.0, 6.0], [4.0, 0.0]]
    """
    terms = list(terms)
    given = returns[returns["term"].astype(str).isin(terms) & returns["urn"].notna()]
    table: pd.DataFrame = (
        given.assign(term=given["term"].astype(str), urn=given["urn"].astype(str))
        .pivot_table(index="urn", columns="term", values="funded_2_disadvantaged", aggfunc="sum")
        .reindex(columns=terms)
        .fillna(0.0)
    )
    return table


def latest_by_ward(table: pd.DataFrame, ward_codes: pd.Index) -> tuple[str | None, np.ndarray]:
    """The latest term with any take-up figure, and per ward (``ward_codes``' order) its
    ``eligible`` and ``take_up`` as (wards, 2); NaN where a ward has none.

    >>> table = pd.DataFrame({"term": ["2026-summer", "2026-autumn"], "ward_code": ["A", "A"],
    ...                       "eligible": [40.0, 50.0], "take_up": [0.65, 0.84]})
    >>> latest_by_ward(table, pd.Index(["A", "B"]))[0]
    '2026-autumn'
    """
    given = table[np.isfinite(table["take_up"].to_numpy(float))]
    out = np.full((len(ward_codes), 2), np.nan)
    if given.empty:
        return None, out
    term = max(given["term"].unique(), key=lambda t: Term.parse(t).index)
    rows = given[given["term"] == term].set_index("ward_code")
    out[:, 0] = rows["eligible"].reindex(ward_codes).to_numpy(float)
    out[:, 1] = rows["take_up"].reindex(ward_codes).to_numpy(float)
    return str(term), out
