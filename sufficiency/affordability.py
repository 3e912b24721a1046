"""Affordability: what parents pay for paid hours, by ward, beside the funding rates.

From each open provider's latest return (``fee_hourly_under2``, ``fee_hourly_2``,
``fee_hourly_3_4``: pounds an hour for paid hours; ``charges_weekly``: pounds a week for
consumables and meals), per ward:

* the median hourly fee of each age group over the providers that give one (and how many do);
* the weekly cost of a typical package, per provider, then its median over the ward::

      cost = max(package.hours - package.funded_hours, 0) x fee_hourly_2 + charges_weekly

  by default 50 hours a week for a 2-year-old with 30 funded: 20 paid hours plus charges.
  A provider counts when it gives ``fee_hourly_2`` and, where any provider in the area gives
  ``charges_weekly``, that too (a blank is not read as no charge); where no provider gives
  charges, the cost is the fee part alone and the notes say so;
* with ``income.csv`` (annual household income, pounds; ONS small-area income estimates by
  MSOA, each MSOA given its ward, averaged over a ward's MSOAs without weights), the median cost
  as a share of a week's income (income / 52).

The funding rate of each age group's entitlement at the latest return's term (``funding_rates``,
dated steps) sits beside the fee. Published outputs show a ward's median only where at least
``MIN_PROVIDERS`` providers give the figure (``outputs/duty.py``). Left out: a setting's fee may
differ by session length or by age within a group; fees are what a return says, not sampled.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from ._lookup import positions
from .errors import InputError
from .returns.reader import CHARGES, FEES
from .terms import AGE_GROUPS

MIN_PROVIDERS = 5
"""The fewest providers giving a fee for a ward's median to be published."""
GROUP_RATE = {"under2": "working_under2", "2": "working_2", "3_4": "universal_3_4"}
"""The entitlement whose funding rate stands beside each age group's fee."""
ENTITLEMENTS = ("working_under2", "working_2", "disadvantaged_2", "universal_3_4", "extended_3_4")


def funding_rates(path: str | Path | None = None) -> pd.DataFrame:
    """The funding rates as ``entitlement, start, rate, source`` (one row per dated step).

    ``None`` reads the package's national defaults (``data/funding_rates.toml``). A key that is
    no entitlement, a date that is not ``YYYY-MM-DD`` or a rate that is not a positive number
    below 100 is an :class:`InputError` naming the file and key.
    """
    if path is None:
        text = resources.files("sufficiency").joinpath("data/funding_rates.toml").read_text("utf-8")
        where = "funding_rates.toml (package)"
    else:
        where = str(path)
        try:
            text = Path(path).read_text("utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(
                f"cannot be read ({exc})", file=where, hint="Save it as UTF-8 text"
            ) from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML ({exc})", file=where) from None
    rows = []
    for key, entry in raw.items():
        if key not in ENTITLEMENTS or not isinstance(entry, dict):
            raise InputError(
                f"unknown entitlement [{key}]",
                file=where,
                hint=f"Use the entitlement keys {', '.join(ENTITLEMENTS)}",
            )
        rates = entry.get("rates")
        if not isinstance(rates, dict) or not rates or not entry.get("source"):
            raise InputError(
                f"[{key}] needs a source and a [{key}.rates] table of dated rates",
                file=where,
                hint='Write source = "..." and, under [' + key + '.rates], "2025-04-01" = 6.12',
            )
        for start, rate in rates.items():
            try:
                day = dt.date.fromisoformat(str(start))
            except ValueError:
                raise InputError(
                    f"[{key}.rates]: {start!r} is not a date written YYYY-MM-DD", file=where
                ) from None
            if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 < rate < 100:
                raise InputError(
                    f"[{key}.rates] {start}: the rate must be pounds an hour, above 0 and below "
                    f"100 (found {rate!r})",
                    file=where,
                )
            rows.append((key, pd.Timestamp(day), float(rate), str(entry["source"])))
    table = pd.DataFrame(rows, columns=["entitlement", "start", "rate", "source"])
    return table.sort_values(["entitlement", "start"], kind="stable").reset_index(drop=True)


def rate_at(rates: pd.DataFrame, entitlement: str, day: dt.date) -> float:
    """The rate in force on ``day`` (the latest step on or before it); NaN before the first.

    >>> rate_at(funding_rates(), "universal_3_4", dt.date(2025, 9, 1))
    6.12
    """
    steps = rates[(rates["entitlement"] == entitlement) & (rates["start"] <= pd.Timestamp(day))]
    return float(steps["rate"].iloc[-1]) if len(steps) else float("nan")


def _median_by_ward(values: np.ndarray, rows: np.ndarray, n_wards: int) -> tuple[np.ndarray, ...]:
    """The median and count of the finite ``values`` by ward row (NaN median where none)."""
    frame = pd.DataFrame({"row": rows, "value": values}).dropna()
    grouped = frame.groupby("row")["value"]
    median = grouped.median().reindex(range(n_wards)).to_numpy(float)
    count = grouped.size().reindex(range(n_wards), fill_value=0).to_numpy(np.int64)
    return median, count


def ward_affordability(
    open_returns: pd.DataFrame,
    wards: pd.DataFrame,
    *,
    package_hours: float,
    package_funded_hours: float,
    rates: pd.DataFrame,
    day: dt.date,
    income: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per ward (``wards``' order): fee medians by age group and how many providers give
    them, the funding rate beside each, the typical package's median weekly cost, and its share
    of income. ``open_returns``: each open provider's latest return, with ``ward_code``.

    Columns: ``ward_code, ward_name``, for each group ``fee_providers_<g>, fee_median_<g>,
    funding_rate_<g>``, then ``package_providers, package_weekly_cost, income_annual,
    cost_share_of_income``.
    """
    codes = pd.Index(wards["ward_code"].to_numpy(dtype=object))
    rows = positions(codes, open_returns["ward_code"])
    inside = rows >= 0
    located = open_returns[inside]
    rows = rows[inside]
    out = pd.DataFrame(
        {
            "ward_code": wards["ward_code"].to_numpy(dtype=object),
            "ward_name": wards["ward_name"].to_numpy(dtype=object),
        }
    )
    for group, column in zip(AGE_GROUPS, FEES, strict=True):
        median, count = _median_by_ward(located[column].to_numpy(float), rows, len(codes))
        out[f"fee_providers_{group}"] = count
        out[f"fee_median_{group}"] = median
        out[f"funding_rate_{group}"] = rate_at(rates, GROUP_RATE[group], day)
    paid = max(package_hours - package_funded_hours, 0.0)
    charges = located[CHARGES].to_numpy(float)
    if not np.isfinite(open_returns[CHARGES].to_numpy(float)).any():
        charges = np.zeros(len(located))
    cost = paid * located["fee_hourly_2"].to_numpy(float) + charges
    median, count = _median_by_ward(cost, rows, len(codes))
    out["package_providers"] = count
    out["package_weekly_cost"] = median
    if income is not None:
        by_ward = income.groupby("ward_code")["income"].mean()
        out["income_annual"] = by_ward.reindex(codes).to_numpy(float)
        out["cost_share_of_income"] = out["package_weekly_cost"] / (out["income_annual"] / 52.0)
    else:
        out["income_annual"] = np.nan
        out["cost_share_of_income"] = np.nan
    return out


def has_fees(returns: pd.DataFrame) -> bool:
    """Whether any return gives a fee (the affordability table is made only then)."""
    return any(c in returns.columns and returns[c].notna().any() for c in FEES)
