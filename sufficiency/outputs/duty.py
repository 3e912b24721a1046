"""The report's section on the wider duty: SEND, quality, affordability, disadvantaged 2s.

It takes the assessment's tables (``Assessment.send``, ``.affordability``,
``.disadvantaged_2s`` and the gap table's columns after the contract's) and turns them into
plain texts for ``templates/duty.html.j2``; it computes no model step. Published, counts are
rounded to 5 with small ones shown as ``<5`` (``disclosure.count_text``); a ward's children with
SEND on roll, and its flag, only where at least ``disclosure.MIN_PROVIDERS`` providers give the
figure; a ward's median fee or package cost only where at least
``affordability.MIN_PROVIDERS`` providers give a fee; take-up only where the eligible and the
funded are not small. Waiting lists, never published, appear only internally.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .. import affordability, disadvantaged
from ..terms import AGE_GROUPS
from ..terms import term_label as _term_label
from . import disclosure

if TYPE_CHECKING:
    from ..assess import Assessment

GROUP_LABELS = {"under2": "Under 2s", "2": "2-year-olds", "3_4": "3-4s"}
SCOPE_NOTE = (
    "This assessment covers places for children from birth to school age: the funded early "
    "years entitlements and the paid hours around them. The duty to secure sufficient "
    "childcare for working parents (Childcare Act 2006, s.6) reaches children to 14, and "
    "disabled children to 18: disabled young people aged 15 to 18 are out of this "
    "assessment's scope for places, and their childcare is to be judged with the council's "
    "SEND and short-breaks services."
)
NATIONAL_TAKE_UP = (
    "72% nationally in January 2026 (DfE, Funded early education and childcare 2026: "
    "85,629 of 119,598 eligible)"
)


def _count(value: Any, publish: bool, threshold: float) -> str:
    if publish:
        return disclosure.count_text(value, threshold)
    return "" if pd.isna(value) else f"{value:,.0f}"


def _share(value: Any) -> str:
    return "" if pd.isna(value) else f"{value:.0%}"


def _pounds(value: Any) -> str:
    return "" if pd.isna(value) else f"£{value:,.2f}"


def send_context(result: Assessment, *, publish: bool, threshold: float) -> dict[str, Any]:
    """The SEND table: per ward, children with SEND expected and on roll, and the flag."""
    table = result.send
    params = result.parameters
    rows = []
    for row in table.to_dict("records"):
        shown = not publish or row["send_providers"] >= disclosure.MIN_PROVIDERS
        on_roll = _count(row["send_on_roll"], publish, threshold)
        share = _share(row["on_roll_share"])
        if publish:  # the share of the published counts, none where on roll is small
            expected = float(disclosure.published_counts(row["send_expected"], threshold))
            counted = float(disclosure.published_counts(row["send_on_roll"], threshold))
            share = _share(counted / expected) if expected > 0 else ""
            share = "not shown" if np.isnan(counted) else share
        rows.append(
            {
                "ward": row["ward_name"],
                "providers": str(row["send_providers"]),
                "expected": _count(row["send_expected"], publish, threshold),
                "on_roll": on_roll if shown else "not shown",
                "share": share if shown else "not shown",
                "flagged": ("yes" if row["flagged"] else "") if shown else "not shown",
            }
        )
    flagged = table[table["flagged"]]
    if publish:
        flagged = flagged[flagged["send_providers"] >= disclosure.MIN_PROVIDERS]
    shares = ", ".join(
        f"{params.number(f'send.share_{g}'):.1%} of funded {GROUP_LABELS[g].lower()}"
        for g in AGE_GROUPS
    )
    return {
        "rows": rows,
        "flagged": [str(n) for n in flagged["ward_name"]],
        "shares": shares,
        "flag_ratio": f"{params.number('send.flag_ratio'):.0%}",
        "expected_total": _count(float(table["send_expected"].sum()), publish, threshold),
        "on_roll_total": _count(float(np.nansum(table["send_on_roll"])), publish, threshold),
        "first_label": _term_label(str(result.terms[0])),
        "latest_label": _term_label(str(result.latest_return)),
    }


def quality_context(
    result: Assessment, term: str, *, publish: bool = False, threshold: float = 5
) -> dict[str, Any] | None:
    """Per ward at ``term``: the share of supply places in good or outstanding settings, by age
    group and over all (weighted by places); ``None`` where no return gives a grade.

    Published, a share is not shown where the ward's supply for the age group is not
    (``disclosure.supply_hidden``: under 5, or held back between terms and scenarios), and the
    share over all where any of its age groups' is not: share x supply would give the places
    judged good, which differencing could tie to one provider."""
    gap = result.gap
    if "good_or_outstanding_share" not in gap.columns:
        return None
    part = gap[gap["term"].astype(str) == term].reset_index(drop=True)
    hidden = np.zeros(len(part), dtype=bool)
    if publish:
        texts = disclosure.figure_texts(part, publish=True, threshold=threshold)
        hidden = disclosure.supply_hidden(texts["supply_places"])
    part = part.assign(_hidden=hidden)
    rows = []
    for (_, name), ward in part.groupby(["ward_code", "ward_name"], sort=True):
        share = ward["good_or_outstanding_share"].to_numpy(float)
        places = ward["supply_places"].to_numpy(float)
        held = ward["_hidden"].to_numpy(bool)
        every = float(places.sum())
        overall = float(np.nansum(share * places) / every) if every > 0 else np.nan
        by_group = dict(zip(ward["age_group"].astype(str), share, strict=True))
        held_group = dict(zip(ward["age_group"].astype(str), held, strict=True))
        rows.append(
            {
                "ward": name,
                "overall": disclosure.NOT_SHOWN
                if held.any()
                else _share(overall)
                if every > 0
                else "no places",
                **{
                    g: disclosure.NOT_SHOWN
                    if held_group.get(g, False)
                    else _share(by_group.get(g, np.nan))
                    for g in AGE_GROUPS
                },
            }
        )
    min_quality = str(result.parameters["min_quality"])
    return {"rows": rows, "min_quality": min_quality}


def affordability_context(result: Assessment, *, publish: bool) -> dict[str, Any] | None:
    """Per ward: median fees by age group, the typical package's weekly cost and its share of
    income; ``None`` where no return gives a fee."""
    table = result.affordability
    if table is None:
        return None
    least = affordability.MIN_PROVIDERS

    def median(value: float, count: int, text: Any = _pounds) -> str:
        if count == 0:
            return ""
        if publish and count < least:
            return f"fewer than {least} providers"
        return str(text(value))

    rows = []
    for row in table.to_dict("records"):
        rows.append(
            {
                "ward": row["ward_name"],
                **{
                    g: median(row[f"fee_median_{g}"], row[f"fee_providers_{g}"]) for g in AGE_GROUPS
                },
                "package": median(row["package_weekly_cost"], row["package_providers"]),
                "share": median(row["cost_share_of_income"], row["package_providers"], _share),
                "providers": str(row["package_providers"]),
            }
        )
    first = table.iloc[0] if len(table) else None
    rates = {
        g: _pounds(first[f"funding_rate_{g}"]) if first is not None else "" for g in AGE_GROUPS
    }
    params = result.parameters
    hours, funded = params.number("package.hours"), params.number("package.funded_hours")
    return {
        "rows": rows,
        "rates": rates,
        "has_income": bool(table["income_annual"].notna().any()),
        "rule": f"({hours:g} - {funded:g}) x the hourly fee for 2-year-olds + weekly charges",
        "hours": f"{hours:g}",
        "funded": f"{funded:g}",
        "least": least,
    }


def take_up_context(
    result: Assessment, *, publish: bool, threshold: float
) -> dict[str, Any] | None:
    """Per ward, the latest term of ``eligible_2s.csv``: eligible, funded, take-up against the
    target; the city-wide rate of every term; ``None`` without the list."""
    table = result.disadvantaged_2s
    if table is None:
        return None
    target = float(result.parameters.number("disadvantaged_2_target"))
    term, _ = disadvantaged.latest_by_ward(table, result.place.ward_codes)
    latest = table[table["term"] == term] if term is not None else table.iloc[:0]

    def hidden(eligible: float, funded: float) -> bool:
        return publish and bool(
            disclosure.is_small(eligible, threshold) or disclosure.is_small(funded, threshold)
        )

    rows = []
    below = []
    for row in latest.to_dict("records"):
        held = hidden(row["eligible"], row["funded"])
        rows.append(
            {
                "ward": row["ward_name"],
                "eligible": _count(row["eligible"], publish, threshold),
                "funded": _count(row["funded"], publish, threshold),
                "take_up": "not shown" if held else _share(row["take_up"]),
                "below": "" if held or not row["below_target"] else "below target",
            }
        )
        if row["below_target"] and not held:
            below.append(str(row["ward_name"]))
    city = disadvantaged.city_take_up(table)
    # Published, the terms are releases: a term whose funded children differ from a term
    # shown by one or two providers' is held back (their difference would be theirs).
    held_terms = (
        disclosure.held_take_up_terms(
            result.disadvantaged_2s_by_provider.reindex(
                columns=[str(t) for t in city["term"]], fill_value=0.0
            ),
            disclosure.MIN_PROVIDERS,
        )
        if publish and result.disadvantaged_2s_by_provider is not None
        else {}
    )

    def city_figure(term: str, text: str) -> str:
        return disclosure.NOT_SHOWN if held_terms.get(term, False) else text

    return {
        "term_label": _term_label(term) if term else "",
        "rows": rows,
        "below": below,
        "city": [
            {
                "term": _term_label(str(r["term"])),
                "eligible": _count(r["eligible"], publish, threshold),
                "funded": city_figure(str(r["term"]), _count(r["funded"], publish, threshold)),
                "take_up": city_figure(str(r["term"]), _share(r["take_up"])),
            }
            for r in city.to_dict("records")
        ],
        "target": f"{target:.0%}",
        "national": NATIONAL_TAKE_UP,
    }


def waiting_context(result: Assessment, term: str) -> list[dict[str, str]]:
    """Internal only: ward and age groups at ``term`` where waiting lists and the gap disagree
    (children waiting where there is no deficit, or a deficit where no one waits)."""
    gap = result.gap
    if "waiting_list" not in gap.columns:
        return []
    part = gap[gap["term"].astype(str) == term]
    waiting = part["waiting_list"].to_numpy(float)
    deficit = part["status"].astype(str).to_numpy() == "deficit"
    rows = []
    for row, w, d in zip(part.to_dict("records"), waiting, deficit, strict=True):
        if (w > 0 and not d) or (w == 0 and d):
            group = str(row["age_group"])
            rows.append(
                {
                    "ward": str(row["ward_name"]),
                    "age_group": GROUP_LABELS.get(group, group),
                    "waiting": f"{w:,.0f}",
                    "gap": f"{row['gap_places']:,.0f}",
                    "reading": "children waiting, no deficit"
                    if w > 0
                    else "deficit, no one waiting",
                }
            )
    return rows


def duty_context(
    result: Assessment, *, term: str, publish: bool, threshold: float
) -> dict[str, Any]:
    """Everything ``templates/duty.html.j2`` needs, under the key ``duty``."""
    return {
        "duty": {
            "scope_note": SCOPE_NOTE,
            "term_label": _term_label(term),
            "send": send_context(result, publish=publish, threshold=threshold),
            "quality": quality_context(result, term, publish=publish, threshold=threshold),
            "affordability": affordability_context(result, publish=publish),
            "take_up": take_up_context(result, publish=publish, threshold=threshold),
            "waiting": [] if publish else waiting_context(result, term),
        }
    }
