"""What each column of the outputs is called for a reader, and what it means.

The workbook shows these headings in place of the field names (which stay in ``gap.csv``,
``gap.parquet`` and ``gap.gpkg``, the contract of ../shared/DATA.md) and lists both, with the
meaning, on its data dictionary sheet, so an officer reads "Gap (full-time places)" and an
analyst still finds ``gap_places``. A column not listed here gets its field name in words
(``terms_in_deficit`` -> "Terms in deficit") and no meaning; a comparison's per-scenario columns
(``gap_<scenario>``, ``change_<scenario>``, ``status_<scenario>``, ``p_deficit_<scenario>``) are
named from their scenario.
"""

from __future__ import annotations

import re

# Each group with the ages it covers at a term's start, as every map, chart, card and sheet
# labels it. Under 2s: places and demand cover babies from birth (paid hours under 9 months,
# demand.py); the children counted and funded are 9 to 23 months old (terms.py: born 10 to 24
# months before the term's first month).
AGE_LABELS = {
    "under2": "Under 2s (birth to 23 months)",
    "2": "2-year-olds (24 to 35 months)",
    "3_4": "3- and 4-year-olds (3 years to school)",
}

# Field name -> (heading, meaning). Headings are unique within any one sheet.
FIELDS: dict[str, tuple[str, str]] = {
    "scenario": ("Scenario", "The scenario's name; 'baseline' when none is given."),
    "term": ("Funding term", "The funding term, as year-season (2027-spring starts 1 January)."),
    "ward_code": ("Ward code", "The ward's ONS code (E05...)."),
    "ward_name": ("Ward", "The ward's name."),
    "age_group": (
        "Age group",
        "Under 2s (birth to 23 months; code under2), 2-year-olds (24 to 35 months; code 2), "
        "3- and 4-year-olds (3 years to school; code 3_4), at the term's start. The under-2s' "
        "children and funded children count the 9-to-23-month window; their demand and "
        "supply cover babies from birth.",
    ),
    "children": ("Children", "Children in the age group's window at the term's start."),
    "provision": (
        "Provision",
        "School-age childcare: breakfast (clubs before school), after_school (clubs after "
        "school) or holiday (care in the school holidays).",
    ),
    "primary_children": (
        "Primary children",
        "Children in reception to year 6 living in the ward at the term's start.",
    ),
    "school_demand_places": (
        "Demand (places a session)",
        "Primary children x the share in working families x the share who use the provision "
        "x sessions a week / 5: one place is one child's session on every school day.",
    ),
    "school_supply_places": (
        "Supply (places a session)",
        "The places a session that providers' returns and schools.csv give.",
    ),
    "school_gap_places": (
        "Gap (places a session)",
        "Supply minus demand (school-age places are booked by the session: no utilisation). "
        "Negative: short of places.",
    ),
    "funded_children": (
        "Funded children",
        "Children expected to take a funded place, all entitlements in force.",
    ),
    "demand_hours": ("Demand (hours a week)", "Funded plus paid hours a term-time week."),
    "demand_places": (
        "Demand (full-time places)",
        "Demand hours / the hours one full-time place gives a week (50).",
    ),
    "supply_places": (
        "Supply (full-time places)",
        "Place-hours a week the providers offer the age group (after staffing) / 50.",
    ),
    "gap_places": (
        "Gap (full-time places)",
        "Supply x utilisation (0.9 by default) minus demand. Negative: short of places.",
    ),
    "places_per_100": (
        "Places per 100 children",
        "100 x supply / children (empty where there are no children).",
    ),
    "projected_vacancies": (
        "Projected vacancies (places)",
        "The vacancies providers reported in the latest return, moved by the modelled change "
        "in supply and demand since. Not a second gap: negative means demand has grown by more "
        "than the places then free, not that the ward is short (the gap says that). Internal.",
    ),
    "status": (
        "Status",
        "deficit: gap below minus the deficit tolerance (0.5 places by default); tight: gap "
        "below the tight margin (5% of demand), or a shortfall within the tolerance; else "
        "sufficient.",
    ),
    "accessible_places_per_100": (
        "Places within reach per 100 children",
        "Places within reach across ward lines (enhanced two-step floating catchment) per 100 "
        "children.",
    ),
    "accessibility_from": (
        "Reach measured from",
        "small_area (small-area centroids) or ward_centroid.",
    ),
    "demand_points": ("Demand points", "How many points the ward's children were placed at."),
    "demand_places_flows": (
        "Demand where children attend (places)",
        "Demand moved to the wards where children attend, by flows.csv.",
    ),
    "gap_places_flows": (
        "Gap where children attend (places)",
        "Supply x utilisation minus the demand where children attend.",
    ),
    "status_flows": ("Status where children attend", "The status of that gap."),
    "waiting_list": (
        "Children on waiting lists",
        "Children on open providers' waiting lists in their latest return (a child may be on "
        "several). Internal.",
    ),
    "send_expected": (
        "Children with SEND expected",
        "Funded children x the share with SEN support or an EHC plan (send.share_* "
        "parameters, by age group; ward overrides allowed).",
    ),
    "send_on_roll": (
        "Children with SEND on roll",
        "Children with SEND the latest returns report on roll, split over age groups by each "
        "provider's children on roll.",
    ),
    "good_or_outstanding_share": (
        "Share of places judged good or outstanding",
        "The ward's supply places in settings whose latest Ofsted grade is good or "
        "outstanding, as a share of its supply (empty where no grade is known).",
    ),
    "eligible_2s": (
        "Eligible disadvantaged 2-year-olds",
        "Families eligible for the disadvantaged 2s' place (the DWP list, eligible_2s.csv), by "
        "home ward and term.",
    ),
    "disadvantaged_2_take_up": (
        "Take-up, disadvantaged 2s",
        "Children funded as disadvantaged 2s in the term's returns / eligible (children in "
        "their setting's ward against the list's home ward).",
    ),
    "gap_median": ("Gap, median of draws", "The median gap over the Monte Carlo draws."),
    "gap_p05": ("Gap, 5th percentile", "5% of draws give a gap below this."),
    "gap_p95": ("Gap, 95th percentile", "95% of draws give a gap below this."),
    "p_deficit": ("Chance of a deficit", "The share of draws in deficit."),
    "first_term": ("First term", "The first term of the run."),
    "gap_first_term": ("Gap in the first term (places)", "The gap in the run's first term."),
    "gap_last_term": ("Gap in the last term (places)", "The gap in the run's last term."),
    "worst_gap": ("Worst gap (places)", "The lowest gap over the run's terms."),
    "worst_term": ("Term of the worst gap", "The term of the lowest gap."),
    "first_deficit_term": (
        "First term in deficit",
        "The first term whose status is deficit (empty: none).",
    ),
    "terms_in_deficit": ("Terms in deficit", "How many of the run's terms are in deficit."),
    "places_per_100_first_term": (
        "Places per 100 children, first term",
        "Places per 100 children in the run's first term.",
    ),
    "entitlement": ("Entitlement", "The funded entitlement."),
    "funded_model": ("Funded children, model", "The model's funded children, area-wide."),
    "funded_returns": (
        "Funded children, returns",
        "Funded children the providers' returns of the latest term report.",
    ),
    "ratio": ("Returns / model", "Funded children in the returns / the model's."),
    "take_up": ("Take-up used", "The take-up rate the run used."),
    "take_up_calibrated": (
        "Take-up if calibrated",
        "The take-up that would make the model match the returns (capped at 1).",
    ),
    "parameter": ("Parameter", "The parameter's key, as a parameters.toml or scenario sets it."),
    "value": ("Value", "The value in force."),
    "unit": ("Unit", "Its unit."),
    "source": ("Source", "Where the value comes from."),
    "note": ("Note", "What the run noted."),
    "description": ("Description", "What the scenario does."),
    "file": ("File", "The scenario file."),
}

_SCENARIO_COLUMN = re.compile(r"^(gap|change|status|p_deficit)_(.+)$")
_BY_AGE = re.compile(r"^(.+)_(under2|2|3_4)$")
SHORT_AGES = {"under2": "under 2s", "2": "2-year-olds", "3_4": "3-4s"}


def heading(name: str) -> str:
    """The heading a reader sees for field ``name``.

    >>> heading("gap_places"), heading("terms_in_deficit"), heading("change_closures")
    ('Gap (full-time places)', 'Terms in deficit', 'Change in gap, closures (places)')
    >>> heading("gap_p05"), heading("status_low_take_up"), heading("single_setting_urn")
    ('Gap, 5th percentile', 'Status, low_take_up', 'Single setting urn')
    >>> heading("places_3_4"), heading("vacancies_under2")
    ('Places, 3-4s', 'Vacancies, under 2s')
    """
    if name in FIELDS:
        return FIELDS[name][0]
    match = _SCENARIO_COLUMN.match(name)
    if match:
        kind, scenario = match.groups()
        return {
            "gap": f"Gap, {scenario} (places)",
            "change": f"Change in gap, {scenario} (places)",
            "status": f"Status, {scenario}",
            "p_deficit": f"Chance of a deficit, {scenario}",
        }[kind]
    by_age = _BY_AGE.match(name)
    if by_age:
        return f"{heading(by_age.group(1))}, {SHORT_AGES[by_age.group(2)]}"
    return name.replace("_", " ").strip().capitalize() or name


def meaning(name: str) -> str:
    """What field ``name`` means ("" when not listed).

    >>> meaning("change_closures")
    'The gap under closures minus the baseline gap.'
    """
    if name in FIELDS:
        return FIELDS[name][1]
    match = _SCENARIO_COLUMN.match(name)
    if match:
        kind, scenario = match.groups()
        return {
            "gap": f"The gap under {scenario}.",
            "change": f"The gap under {scenario} minus the baseline gap.",
            "status": f"The status under {scenario}.",
            "p_deficit": f"The chance of a deficit under {scenario}.",
        }[kind]
    return ""
