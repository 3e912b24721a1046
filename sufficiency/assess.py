"""One assessment: an area and parameters in, the gap table out (METHOD.md steps 1-7).

This is the library API the CLI is a thin layer over::

    import sufficiency
    result = sufficiency.assess()                       # the demo; or an area folder
    result.gap                                          # the DATA.md gap table, a DataFrame
    result.ward_summary()                               # one row per ward and age group
    result.calibration                                  # model against the latest returns

The run covers 12 funding terms from the term after the latest return unless told otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from . import (
    affordability,
    catchment,
    disadvantaged,
    flows,
    housing,
    population,
    quality,
    school_age,
    send,
    supply,
)
from . import demand as demand_model
from . import gap as gap_model
from ._demo_area import DEMO_AREA
from .area import Area, load_area
from .entitlements import Entitlement, default_rules
from .errors import InputError
from .parameters import SCHOOL_AGE_WARD_KEYS, Parameters, ward_values
from .school_age import SettingPlaces
from .terms import AGE_GROUPS, RUN_TERMS, Term, run_window, window

DEFAULT_TERMS = RUN_TERMS


@dataclass(frozen=True)
class RunArea:
    """The area as one run saw it (after any scenario's events): what the outputs, resilience
    and plan read of it, so that none of them reaches back into the area's inputs.

    Attributes
    ----------
    name, code, council
        From ``area.toml`` (``code`` and ``council`` may be ``None``).
    wards
        ``ward_code, ward_name, geometry`` (EPSG:27700), in the order of every array of the
        assessment (the area's, by code).
    births_years
        The first and last year of ``births.csv`` (with any projected rows), for source notes.
    wards_files
        The names of the ward boundary files, for source notes.
    housing
        The housing trajectory (``housing.csv``), or ``None``: the maps' housing sites.
    small_areas
        Small-area centroids the accessibility used, or ``None`` (``catchment.demand_points``).
    postcodes
        ``postcodes.csv``, or ``None``: candidate sites given by postcode are placed with it.
    deprivation
        ``deprivation.csv``, or ``None``: the report's deprivation chart.
    """

    name: str
    code: str | None
    council: str | None
    wards: gpd.GeoDataFrame
    births_years: tuple[int, int]
    wards_files: tuple[str, ...] = ()
    housing: pd.DataFrame | None = None
    small_areas: pd.DataFrame | None = None
    postcodes: pd.DataFrame | None = None
    deprivation: pd.DataFrame | None = None

    @property
    def ward_codes(self) -> pd.Index:
        """The ward codes in the arrays' order."""
        codes: pd.Index = pd.Index(self.wards["ward_code"].to_numpy(dtype=object), name="ward_code")
        return codes

    @classmethod
    def of(cls, area: Area) -> RunArea:
        """What a run keeps of ``area``."""
        years = area.births["year"]
        return cls(
            name=area.name,
            code=area.code,
            council=area.council,
            wards=area.wards,
            births_years=(int(years.min()), int(years.max())),
            wards_files=tuple(sorted({p.name for p in area.files.get("wards", [])})),
            housing=area.housing,
            small_areas=area.small_areas,
            postcodes=area.postcodes,
            deprivation=area.deprivation,
        )


@dataclass(frozen=True)
class DemandInputs:
    """The tables the run's children and demand came from (after any scenario's events), for
    the Monte Carlo draws (``scenarios.uncertainty``) to work them out again per draw."""

    births: pd.DataFrame
    population: pd.DataFrame | None
    ward_parameters: pd.DataFrame | None
    housing: pd.DataFrame | None


@dataclass
class Assessment:
    """The result of :func:`assess`.

    Attributes
    ----------
    gap
        The gap table, in the columns, order and sort of ../shared/DATA.md.
    calibration
        Per entitlement: funded children modelled and reported at the latest return's term,
        their ratio, and the take-up that would match.
    notes
        What the reader and the model noticed (carried-forward returns, unlocated providers...).
    supply_places
        The gap table's supply as an array (wards in the area's order, terms, age groups).
    providers
        Each provider's supply places in the gap table's terms (``supply.ProviderSupply``).
    provider_returns
        Each provider open at the latest return's term, with its latest return (for the
        internal map's provider layer).
    send
        Per ward: children with SEND expected in the run's first term and on roll in the latest
        returns, all age groups, and whether the ward is flagged (``send.ward_table``).
    affordability
        Per ward, where any return gives a fee: fee medians, funding rates and the typical
        package's weekly cost (``affordability.ward_affordability``); ``None`` otherwise.
    disadvantaged_2s
        Per term and ward, with ``eligible_2s.csv``: take-up of the disadvantaged 2s' hours
        against the target (``disadvantaged.take_up``); ``None`` otherwise.
    school_age
        School-age childcare by scenario, term, ward and provision (``school_age.COLUMNS``,
        then ``settings``); ``None`` when the area carries no school-age places.
    provider_counts
        The providers in the latest return, open at its start, closed, opening later, and open
        at the first forecast term (``supply.provider_counts``), each labelled where shown.
    school_age_settings
        Each setting's school-age places per term and provision (``school_age.SettingPlaces``,
        for disclosure control); ``None`` without school-age places.
    fit_warning
        A plain warning when the take-up fit of some entitlement is outside
        ``take_up_fit_low``-``take_up_fit_high`` (also in ``notes``); ``None`` otherwise.
    place
        The area as the run saw it (:class:`RunArea`): name, wards with their geometry in the
        arrays' order, housing sites, small areas...
    children, demand_places
        The model's children and demand places, (wards in the area's order, forecast terms,
        age groups): the arrays behind the gap table's columns of the same names.
    accessible_places
        The places within reach of each ward's children (``catchment.accessibility``: the
        2SFCA, run here only; resilience and plan read it), the same shape; ``None`` with
        accessibility off.
    demand_places_flows, gap_places_flows
        Demand where children attend and its gap (``flows.flow_gap``), the same shape;
        ``None`` without ``flows.csv`` (or with accessibility off).
    funded_reported
        Funded children the latest return's term reports, LA-wide, by entitlement key
        (``supply.funded_reported``: the take-up fit, also per draw).
    demand_inputs
        The births, population, ward parameters and housing the demand came from
        (:class:`DemandInputs`, for the draws).
    disadvantaged_2s_by_provider
        With ``eligible_2s.csv``: each provider's ``funded_2_disadvantaged`` per term of the
        take-up table (``disadvantaged.funded_by_provider``, for the published take-up's
        disclosure control); ``None`` otherwise.
    return_history
        The returns the run read (every term, scenario rows included), for the two readers
        of a provider's earlier returns: resilience's fragility flags (``closures.fragility``)
        and :meth:`workforce`. Outputs never read it.
    """

    place: RunArea
    parameters: Parameters
    terms: list[Term]
    latest_return: Term
    gap: pd.DataFrame
    calibration: pd.DataFrame
    ward_values: pd.DataFrame
    scenario: str = "baseline"
    notes: list[str] = field(default_factory=list)
    rules: tuple[Entitlement, ...] = ()
    supply_places: np.ndarray = field(default_factory=lambda: np.zeros((0, 0, 3)))
    providers: supply.ProviderSupply | None = None
    provider_returns: pd.DataFrame = field(default_factory=pd.DataFrame)
    send: pd.DataFrame = field(default_factory=pd.DataFrame)
    affordability: pd.DataFrame | None = None
    disadvantaged_2s: pd.DataFrame | None = None
    school_age: pd.DataFrame | None = None
    school_age_settings: SettingPlaces | None = None
    fit_warning: str | None = None
    provider_counts: supply.ProviderCounts | None = None
    children: np.ndarray = field(default_factory=lambda: np.zeros((0, 0, 3)))
    demand_places: np.ndarray = field(default_factory=lambda: np.zeros((0, 0, 3)))
    accessible_places: np.ndarray | None = None
    demand_places_flows: np.ndarray | None = None
    gap_places_flows: np.ndarray | None = None
    funded_reported: dict[str, float] = field(default_factory=dict)
    demand_inputs: DemandInputs | None = None
    disadvantaged_2s_by_provider: pd.DataFrame | None = None
    return_history: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    source_area: Area | None = field(default=None, repr=False, compare=False)

    @property
    def area(self) -> Area | None:
        """The :class:`Area` the run read, for notebooks and scripts written before
        :attr:`place`; read-only, and nothing in the package reads it (use :attr:`place` and
        the other fields)."""
        return self.source_area

    def ward_summary(self) -> pd.DataFrame:
        """One row per scenario, ward and age group: when a deficit starts and how deep it gets."""
        return ward_summary(self.gap)

    def workforce(self) -> pd.DataFrame | None:
        """City-wide workforce figures by stored term (``tracking.trends``: staff in post and
        vacant, leavers, recruits, qualifications), or ``None`` with fewer than two terms of
        returns; worked out when first asked for (the report's chart) and kept."""
        if "_workforce" not in self.__dict__:
            self.__dict__["_workforce"] = _workforce(self.return_history, self.place.wards)
        kept: pd.DataFrame | None = self.__dict__["_workforce"]
        return kept


def _workforce(returns: pd.DataFrame, wards: pd.DataFrame) -> pd.DataFrame | None:
    from .returns.tracking import CITY, trends

    if returns["term"].nunique() < 2:
        return None
    table = trends(returns, wards)
    return table[table["ward_code"] == CITY].reset_index(drop=True)


def ward_summary(gap: pd.DataFrame) -> pd.DataFrame:
    """Summarise a gap table by scenario, ward and age group (rows in the table's order)."""
    rows = []
    for (scenario, code, group), part in gap.groupby(
        ["scenario", "ward_code", "age_group"], sort=False
    ):
        deficit = part[part["status"] == "deficit"]
        # pandas-stubs: idxmin returns Hashable, which no .loc overload takes.
        worst = part.loc[part["gap_places"].idxmin()]  # type: ignore[call-overload]
        rows.append(
            {
                "scenario": scenario,
                "ward_code": code,
                "ward_name": part["ward_name"].iloc[0],
                "age_group": group,
                "first_term": part["term"].iloc[0],
                "gap_first_term": part["gap_places"].iloc[0],
                "gap_last_term": part["gap_places"].iloc[-1],
                "worst_gap": worst["gap_places"],
                "worst_term": worst["term"],
                "first_deficit_term": deficit["term"].iloc[0] if len(deficit) else pd.NA,
                "terms_in_deficit": len(deficit),
                "places_per_100_first_term": part["places_per_100"].iloc[0],
            }
        )
    out = pd.DataFrame(rows)
    order = {g: i for i, g in enumerate(AGE_GROUPS)}
    return out.sort_values(
        ["scenario", "ward_code", "age_group"],
        key=lambda s: s.map(order) if s.name == "age_group" else s,
        kind="stable",
    ).reset_index(drop=True)


def as_area(area: Area | str | Path | None) -> Area:
    if isinstance(area, Area):
        return area
    return load_area(DEMO_AREA if area is None else area)


def as_parameters(
    parameters: Parameters | str | Path | None, area: Area, min_quality: str | None = None
) -> Parameters:
    """The run's parameters; ``min_quality`` (``any``, ``good``, ``outstanding``: the
    ``--min-quality`` option of every command that runs the model) overrides theirs, so that
    ``supply.provider_supply`` counts only the places it says."""
    if isinstance(parameters, Parameters):
        loaded = parameters
    elif parameters is None:
        loaded = Parameters.load(area.parameters_file)
    else:
        loaded = Parameters.load(parameters)
    if min_quality is None:
        return loaded
    return loaded.override({"min_quality": min_quality}, source="--min-quality")


def _as_term(term: Term | str | None, what: str) -> Term | None:
    if term is None or isinstance(term, Term):
        return term
    try:
        return Term.parse(term)
    except InputError as exc:
        raise InputError(f"{what}: {exc.message}", value=term, hint=exc.hint) from None


def assess(
    area: Area | str | Path | None = None,
    parameters: Parameters | str | Path | None = None,
    *,
    first_term: Term | str | None = None,
    last_term: Term | str | None = None,
    scenario: str = "baseline",
    rules: tuple[Entitlement, ...] | None = None,
    accessibility: bool = True,
) -> Assessment:
    """Run the model for an area and return the gap table with everything behind it.

    Parameters
    ----------
    area
        An :class:`Area`, an area folder (or its ``area.toml``); ``None`` for the bundled demo.
    parameters
        :class:`Parameters` or a parameters TOML file; ``None`` for the area's
        ``parameters.toml`` if it has one, else the package defaults.
    first_term, last_term
        ``YYYY-season``; default: 12 terms from the term after the latest return.
    scenario
        The name written in the gap table's ``scenario`` column.
    rules
        The entitlement rule table; ``None`` for the package's.
    accessibility
        Add the cross-boundary columns after the contract's (``accessible_places_per_100``
        and, where the area has a flow matrix, the gap on the flows basis).
    """
    area = as_area(area)
    params = as_parameters(parameters, area)
    rules = default_rules() if rules is None else rules
    latest, pending = return_coverage(area.returns, params.number("complete_return_share"))
    first, last = _as_term(first_term, "--first-term"), _as_term(last_term, "--last-term")
    terms = run_window(latest, first, last, DEFAULT_TERMS)
    _check_after_first_return(area.returns, terms[0])
    model_terms = sorted({latest, *terms})
    notes = list(area.notes)
    notes.extend(_pending_notes(pending, latest))

    # Step 1-2: children.
    wards = area.ward_codes
    until = max(t.start_month for t in model_terms) - 10
    months = population.birth_months(area.births, wards, until, params.births_growth)
    notes.extend(_projected_births_notes(months.last_observed, terms, params.births_growth))
    ratios = population.cohort_change_ratios(area.population, months, params.cohort_change_default)
    children = population.children_by_group(months, ratios, model_terms)
    last_births_year = last_observed_year(area.births)
    children += housing.housing_children(
        area.housing, wards, model_terms, last_births_year, params.numbers("child_yield")
    )
    if area.housing is not None:
        early = int((area.housing["year"] <= last_births_year).sum())
        if early:
            notes.append(
                f"{early} housing row(s) completing in or before {last_births_year}, the "
                "last year of births, were left out: those children are in the births"
            )

    # Steps 3-5: eligibility, take-up, calibration, demand.
    values = ward_values(params, area.ward_parameters, wards)
    t0 = model_terms.index(latest)
    funded_t0, _ = demand_model.funded_children(children[:, [t0]], [latest], values, rules)
    reported = supply.funded_reported(area.returns, latest)
    fit = demand_model.calibration(
        {k: v[:, 0] for k, v in funded_t0.items()}, reported, params.numbers("take_up")
    )
    fit_warning = _fit_warning(fit, params, rules, latest)
    if fit_warning is not None:
        notes.append(fit_warning)
    if params.calibrate_take_up:
        values = demand_model.calibrated_ward_values(values, fit)
        notes.append("take-up calibrated to the funded children in the latest returns")
    need = demand_model.demand(children, model_terms, values, rules, params.stretched_share)

    # Steps 6-7: supply, gap.
    hours_per_place = params.hours_per_place
    min_quality = str(params["min_quality"])

    def supply_of(min_grade: str) -> supply.ProviderSupply:
        return supply.provider_supply(
            area.returns,
            model_terms,
            hours_per_place,
            params.number("recruited_share"),
            params.number("graduate_led_share"),
            min_grade,
        )

    if min_quality != "any" and not quality.has_grades(area.returns):
        raise InputError(
            f"min_quality is {min_quality}, but no return gives an ofsted_grade: every "
            "place would be left out of supply",
            hint="Add an ofsted_grade column to the returns (or import the Ofsted register), "
            "or run without --min-quality",
        )
    providers = supply_of(min_quality)
    places = providers.by_ward(wards)
    demand_places = need.demand_hours / hours_per_place
    at_latest = supply.latest_returns(area.returns, latest)
    open_now = at_latest[supply.open_at(at_latest, latest)]
    projected = gap_model.projected_vacancies(
        supply.vacancies(area.returns, wards, latest, open_now),
        places,
        demand_places,
        places[:, t0],
        demand_places[:, t0],
    )
    notes.extend(_return_notes(at_latest, open_now, latest))
    keep = [model_terms.index(t) for t in terms]
    forecast = replace(providers, places=providers.places[:, keep])
    extra, accessible = (
        _cross_boundary(
            area,
            params,
            terms,
            children[:, keep],
            forecast,
            demand_places[:, keep],
            places[:, keep],
        )
        if accessibility
        else ({}, None)
    )
    flows_arrays = {k: extra[k] for k in ("demand_places_flows", "gap_places_flows") if k in extra}
    waiting = supply.waiting(area.returns, wards, latest, open_now)
    extra["waiting_list"] = np.repeat(waiting[:, None, :], len(terms), axis=1)
    # SEND: expected in funded places against those on roll (always: send_children is a
    # column of every return, empty where not given).
    send_expected = send.expected(need.funded_children[:, keep], values[send.SHARE_KEYS].to_numpy())
    send_now = send.on_roll(open_now, wards)
    extra["send_expected"] = send_expected
    extra["send_on_roll"] = np.repeat(send_now[:, None, :], len(terms), axis=1)
    send_wards = send.ward_table(
        area.wards,
        send_expected[:, 0],
        send_now,
        values["send.flag_ratio"].to_numpy(),
        send.providers_giving(open_now, wards),
    )
    notes.extend(_send_notes(send_wards, terms[0], latest))
    # Quality: the share of places in good or outstanding settings, where grades are given.
    if quality.has_grades(area.returns):
        good = supply_of("good").by_ward(wards)[:, keep]
        every = (
            places[:, keep] if min_quality == "any" else supply_of("any").by_ward(wards)[:, keep]
        )
        extra["good_or_outstanding_share"] = quality.good_share(good, every)
    if min_quality != "any":
        notes.append(_quality_note(open_now, min_quality))
    costs = _affordability(area, params, open_now, latest, notes)
    take_up_2s = (
        disadvantaged.take_up(
            area.eligible_2s,
            area.returns,
            area.wards,
            params.number("disadvantaged_2_target"),
        )
        if area.eligible_2s is not None
        else None
    )
    if take_up_2s is not None:
        extra |= _take_up_columns(take_up_2s, wards, len(terms), notes)
    notes.extend(
        _waiting_notes(
            area.wards,
            waiting,
            places[:, keep[0]],
            demand_places[:, keep[0]],
            params.utilisation,
            terms[0],
            latest,
        )
    )
    table = gap_model.gap_table(
        scenario=scenario,
        terms=terms,
        wards=area.wards[["ward_code", "ward_name"]],
        children=children[:, keep],
        funded_children=need.funded_children[:, keep],
        demand_hours=need.demand_hours[:, keep],
        supply_places=places[:, keep],
        projected=projected[:, keep],
        hours_per_place=hours_per_place,
        utilisation=params.utilisation,
        margin=params.tight_margin,
        tolerance=params.deficit_tolerance,
        extra=extra,
    )
    school_age_table, school_age_settings = _school_age(
        area, params, months, terms, scenario, notes
    )
    return Assessment(
        place=RunArea.of(area),
        parameters=params,
        terms=terms,
        latest_return=latest,
        fit_warning=fit_warning,
        gap=table,
        calibration=fit,
        ward_values=values,
        scenario=scenario,
        notes=notes,
        rules=tuple(rules),
        supply_places=places[:, keep],
        providers=forecast,
        provider_returns=open_now,
        provider_counts=supply.provider_counts(area.returns, latest, terms[0], at_latest),
        send=send_wards,
        affordability=costs,
        disadvantaged_2s=take_up_2s,
        school_age=school_age_table,
        school_age_settings=school_age_settings,
        children=children[:, keep],
        demand_places=demand_places[:, keep],
        accessible_places=accessible,
        demand_places_flows=_array(flows_arrays.get("demand_places_flows")),
        gap_places_flows=_array(flows_arrays.get("gap_places_flows")),
        funded_reported=reported,
        demand_inputs=DemandInputs(
            area.births, area.population, area.ward_parameters, area.housing
        ),
        disadvantaged_2s_by_provider=(
            None
            if take_up_2s is None
            else disadvantaged.funded_by_provider(
                area.returns, [str(t) for t in disadvantaged.city_take_up(take_up_2s)["term"]]
            )
        ),
        return_history=area.returns,
        source_area=area,
    )


def _array(column: np.ndarray | gap_model.Coded | None) -> np.ndarray | None:
    return None if column is None or isinstance(column, gap_model.Coded) else column


def _fit_warning(
    fit: pd.DataFrame, params: Parameters, rules: tuple[Entitlement, ...], latest: Term
) -> str | None:
    """A plain warning naming the entitlements whose take-up fit is far off
    (``demand.fit_far_off``), and what to check; ``None`` when every fit is within bounds."""
    low, high = params.number("take_up_fit_low"), params.number("take_up_fit_high")
    far = demand_model.fit_far_off(fit, low, high)
    if far.empty:
        return None
    labels = {e.key: e.label for e in rules}
    named = "; ".join(
        f"{labels.get(str(key), str(key))} {ratio:.2f}"
        for key, ratio in zip(far["entitlement"], far["ratio"].to_numpy(float), strict=True)
    )
    rescaled = (
        " calibrate_take_up is on, so take-up was rescaled by these ratios."
        if params.calibrate_take_up
        else ""
    )
    return (
        f"Take-up fit far off: the funded children in the {latest} returns are far from what the "
        f"model expects (returns / model outside {low:.2f}-{high:.2f}) for {named}. Check the "
        "eligibility and take-up defaults (or the area's parameters.toml), the births, and the "
        f"returns' funded_* counts (blank, or hours rather than children) before relying on the "
        f"demand figures.{rescaled}"
    )


def _school_age(
    area: Area,
    params: Parameters,
    months: population.BirthMonths,
    terms: list[Term],
    scenario: str,
    notes: list[str],
) -> tuple[pd.DataFrame | None, SettingPlaces | None]:
    """School-age childcare (``school_age.py``) when the area carries school-age places in its
    returns or a ``schools.csv``, and each setting's places; ``None`` (and the early years
    alone, as before) otherwise."""
    if not school_age.has_places(area.returns, area.schools):
        return None, None
    ratios = population.cohort_change_ratios(
        area.population, months, params.cohort_change_default, ages=school_age.OLDEST_AGE + 1
    )
    children = school_age.primary_children(months, ratios, terms).sum(axis=2)
    values: dict[str, float | np.ndarray] = dict(params.numbers("school_age"))
    by_ward = ward_values(params, area.ward_parameters, area.ward_codes, SCHOOL_AGE_WARD_KEYS)
    for key in SCHOOL_AGE_WARD_KEYS:  # ward_parameters.csv may set these by ward
        values[key.split(".", 1)[1]] = by_ward[key].to_numpy(float)[:, None]
    offered = school_age.supply_places(
        area.returns,
        area.schools,
        area.ward_codes,
        terms,
        params.number("school_age.school_holiday_weeks"),
    )
    if offered.no_weeks:
        notes.append(
            f"{offered.no_weeks} provider(s) gave places_holiday but no holiday_weeks; their "
            "holiday places are counted as running every week of the school holidays"
        )
    notes.append(
        "School-age holiday care is one figure a year (the returns give holiday weeks a year, "
        "not which holidays), averaged over the school holiday weeks and shown on every term"
    )
    table = school_age.school_age_table(
        scenario=scenario,
        terms=terms,
        wards=area.wards[["ward_code", "ward_name"]],
        children=children,
        demand=school_age.demand_places(children, values),
        supply=offered,
        utilisation=params.number("school_age.utilisation"),
        margin=params.tight_margin,
    )
    return table, offered.by_setting


def _take_up_columns(
    table: pd.DataFrame, wards: pd.Index, n_terms: int, notes: list[str]
) -> dict[str, np.ndarray]:
    """``eligible_2s`` and ``disadvantaged_2_take_up`` on the ``2`` rows of every term: the
    latest term of eligible_2s.csv with a take-up figure (like waiting_list, a reported figure
    beside the forecast); empty on the other age groups' rows."""
    term, latest = disadvantaged.latest_by_ward(table, wards)
    columns = {}
    for i, name in enumerate(("eligible_2s", "disadvantaged_2_take_up")):
        cube = np.full((len(wards), n_terms, len(AGE_GROUPS)), np.nan)
        cube[:, :, AGE_GROUPS.index("2")] = latest[:, i, None]
        columns[name] = cube
    if term is not None:
        below = table[(table["term"] == term) & table["below_target"]]
        notes.append(
            f"Disadvantaged 2s: take-up from eligible_2s.csv and the {term} returns is below "
            f"the target ({table['target'].iloc[0]:.0%}) in {len(below)} ward(s)"
            + (f": {', '.join(below['ward_name'].astype(str).head(5))}" if len(below) else "")
            + (", ..." if len(below) > 5 else "")
        )
    return columns


def _affordability(
    area: Area, params: Parameters, open_now: pd.DataFrame, latest: Term, notes: list[str]
) -> pd.DataFrame | None:
    """The affordability table where any return gives a fee (``None`` otherwise)."""
    if not affordability.has_fees(area.returns):
        if area.income is not None:
            notes.append("income.csv was given but no return gives a fee: no affordability view")
        return None
    if not open_now["charges_weekly"].notna().any():
        notes.append(
            "no provider gives charges_weekly: the typical package's cost is its paid hours alone"
        )
    return affordability.ward_affordability(
        open_now,
        area.wards,
        package_hours=params.number("package.hours"),
        package_funded_hours=params.number("package.funded_hours"),
        rates=affordability.funding_rates(area.funding_rates_file),
        day=latest.start,
        income=area.income,
    )


def latest_return(returns: pd.DataFrame, share: float) -> Term:
    """The term the assessment is as at: the latest term whose returns are complete enough
    (:func:`return_coverage`; ``share`` is ``complete_return_share``)."""
    return return_coverage(returns, share)[0]


@dataclass(frozen=True)
class Pending:
    """A term after the assessment's term with too few returns yet: ``returned`` of the
    ``expected`` providers (open or new by their latest returns as at the assessment's term)."""

    term: Term
    returned: int
    expected: int


def return_coverage(returns: pd.DataFrame, share: float) -> tuple[Term, list[Pending]]:
    """The latest complete return term, and the later terms whose returns are not yet complete.

    The first term with returns is complete. Each later term is complete when the providers
    returning for it are at least ``share`` of those expected: the providers open on its first
    day (or ``new``) by their latest returns as at the last complete term before it. One early
    return for a new term therefore does not move the assessment (its run window, take-up fit
    and 'as at' figures); that provider's return still counts as its latest in supply
    (:func:`supply.latest_returns`), as any provider's own latest return does.

    Rows a scenario added (``source_file`` ``scenario:<name>``, scenarios.py) are not returns.
    """
    made = returns[~supply.from_scenario(returns)]
    made = made[made["urn"].notna()]
    indices = [int(i) for i in np.unique(made["term_index"].to_numpy())]
    complete = Term(indices[0])
    pending: list[Pending] = []
    for index in indices[1:]:
        term = Term(index)
        states = supply.latest_returns(made, complete)
        new = supply.text(states["status"]).str.lower().eq("new").fillna(False)
        expected = int((supply.open_at(states, term) | new.to_numpy(dtype=bool)).sum())
        returned = int(made.loc[made["term_index"] == index, "urn"].nunique())
        if returned >= share * expected:
            complete, pending = term, []
        else:
            pending.append(Pending(term, returned, expected))
    return complete, pending


def _pending_notes(pending: list[Pending], latest: Term) -> list[str]:
    """A note per later term whose returns are not yet complete enough to assess from."""
    return [
        f"{p.term}: {p.returned} of {p.expected} providers have returned; the assessment is as "
        f"at {latest} until more do (their {p.term} returns count in supply from {p.term})"
        for p in pending
    ]


def first_return(returns: pd.DataFrame) -> Term:
    """The term of the earliest return a provider made (not rows a scenario added)."""
    made = returns[~supply.from_scenario(returns)]
    return Term(int(made["term_index"].min()))


def _check_after_first_return(returns: pd.DataFrame, first: Term) -> None:
    """Refuse a run that starts before the area's first return: the model has no supply for
    such terms and would report every ward in deficit (zero places) in silence."""
    earliest = first_return(returns)
    if first < earliest:
        raise InputError(
            f"the first term {first} is before the area's first return ({earliest}): there is "
            f"no supply for terms before {earliest}",
            value=str(first),
            hint=f"Start the run at {earliest} or later with --first-term {earliest}",
        )


def last_observed_year(births: pd.DataFrame) -> int:
    """The last year of observed births (a scenario's projected births flag ``projected``)."""
    if "projected" in births.columns:
        births = births[~births["projected"].astype(bool)]
    return int(births["year"].max())


def _cross_boundary(
    area: Area,
    params: Parameters,
    terms: list[Term],
    children: np.ndarray,
    providers: supply.ProviderSupply,
    demand_places: np.ndarray,
    supply_places: np.ndarray,
) -> tuple[dict[str, np.ndarray | gap_model.Coded], np.ndarray]:
    """The accessibility (and, with a flow matrix, the flows) columns that follow the
    contract's, as (wards, terms, 3) or per-ward arrays; and the accessible places."""
    settings = catchment.CatchmentSettings.from_values(params.section("catchment"))
    reach = catchment.accessibility(
        area.wards, terms, children, providers, settings, small_areas=area.small_areas
    )
    columns: dict[str, np.ndarray | gap_model.Coded] = {c: reach[c] for c in catchment.COLUMNS}
    if area.flows is not None:
        columns |= flows.flow_gap(
            wards=area.ward_codes,
            demand_places=demand_places,
            supply_places=supply_places,
            flows=area.flows,
            utilisation=params.utilisation,
            margin=params.tight_margin,
            tolerance=params.deficit_tolerance,
        )
    return columns, reach["accessible_places"]


def _waiting_notes(
    wards: pd.DataFrame,
    waiting: np.ndarray,
    supply_first: np.ndarray,
    demand_first: np.ndarray,
    utilisation: float,
    first: Term,
    latest: Term,
) -> list[str]:
    """Where the waiting lists and the gap disagree in the run's first term: children waiting
    in a ward and age group the model calls sufficient, or a deficit where no one waits."""
    gap_first = gap_model.gap(supply_first, demand_first, utilisation)
    names = wards["ward_name"].to_numpy(dtype=object)
    notes = []
    for mask, what in (
        ((waiting > 0) & (gap_first >= 0), "children on waiting lists but no deficit"),
        ((waiting == 0) & (gap_first < 0), "a deficit but no one on a waiting list"),
    ):
        ward_i, group_i = np.nonzero(mask)
        if len(ward_i):
            shown = [
                f"{names[w]} {AGE_GROUPS[g]}" for w, g in zip(ward_i[:5], group_i[:5], strict=True)
            ]
            notes.append(
                f"{len(ward_i)} ward and age group(s) have {what} in {first} (waiting lists "
                f"from the {latest} returns): {', '.join(shown)}"
                f"{', ...' if len(ward_i) > 5 else ''}"
            )
    return notes


def _send_notes(table: pd.DataFrame, first: Term, latest: Term) -> list[str]:
    """The wards whose children with SEND on roll fall well below those expected."""
    flagged = table[table["flagged"]]
    if flagged.empty:
        return []
    names = ", ".join(flagged["ward_name"].astype(str).head(5))
    return [
        f"{len(flagged)} ward(s) have fewer children with SEND on roll (the {latest} returns) "
        f"than send.flag_ratio of those expected in {first}: unmet or unidentified need? "
        f"({names}{', ...' if len(flagged) > 5 else ''})"
    ]


def _quality_note(open_now: pd.DataFrame, min_quality: str) -> str:
    """What ``min_quality`` left out of supply, as at the latest return."""
    meets = supply.MIN_QUALITY[min_quality] or ("any",)
    grades = (
        open_now["ofsted_grade"]
        if "ofsted_grade" in open_now.columns
        else pd.Series(pd.NA, index=open_now.index, dtype="string")
    )
    counted = int(grades.isin(meets).sum())
    ungraded = int(grades.isna().sum())
    judged = " or ".join(reversed(meets)) if len(meets) > 1 else meets[0]
    return (
        f"min_quality {min_quality}: only places in settings judged {judged} count as supply "
        f"({counted} of {len(open_now)} open providers; {ungraded} with no grade left out)"
    )


_GROUP_WORDS = {"under2": "under 2s", "2": "2-year-olds", "3_4": "3-4s"}
_MONTHS = "January February March April May June July August September October November December"


def _projected_births_notes(last_observed: int, terms: list[Term], growth: float) -> list[str]:
    """Say from which term each age group's children include births after the last observed
    month (projected: ``population.birth_months``), and from which term all of them do.

    >>> from sufficiency.terms import month_index
    >>> t = [Term.parse("2027-spring"), Term.parse("2040-autumn")]
    >>> print(_projected_births_notes(month_index(2025, 12), t, 0.0)[0])
    ... # doctest: +ELLIPSIS, +NORMALIZE_WHITESPACE
    Births are observed to December 2025 (births.csv); later months are projected (each repeats
    ...: under 2s from 2027-spring, 2-year-olds from 2040-autumn, 3-4s from 2040-autumn; from
    2040-autumn every child modelled was born after December 2025, so the forecast rests wholly
    on the projection
    """
    partly = {
        g: next((t for t in terms if window(t, g)[1] > last_observed), None) for g in AGE_GROUPS
    }
    if all(t is None for t in partly.values()):
        return []
    year, month = divmod(last_observed, 12)
    observed = f"{_MONTHS.split()[month]} {year}"
    groups = ", ".join(f"{_GROUP_WORDS[g]} from {t}" for g, t in partly.items() if t is not None)
    wholly = next(
        (t for t in terms if min(window(t, g)[0] for g in AGE_GROUPS) > last_observed), None
    )
    end = (
        f"; from {wholly} every child modelled was born after {observed}, so the forecast "
        "rests wholly on the projection"
        if wholly is not None
        else ""
    )
    return [
        f"Births are observed to {observed} (births.csv); later months are projected (each "
        f"repeats the same month of the last observed year, births_growth {growth:.1%} a year) "
        f"and counted in: {groups}{end}"
    ]


def _return_notes(states: pd.DataFrame, open_now: pd.DataFrame, latest: Term) -> list[str]:
    """Notes on the providers' latest returns as at ``latest`` (``states``; ``open_now`` the
    open ones)."""
    notes = []
    # A provider whose last return says it has closed is not expected to return again.
    carried = open_now[open_now["carried_forward"]]
    if len(carried):
        notes.append(
            f"{len(carried)} provider(s) made no return for {latest}; their last return was "
            f"carried forward ({', '.join(carried['urn'].astype(str).head(5))}"
            f"{', ...' if len(carried) > 5 else ''})"
        )
    undated = states["planned_places_change"].fillna(0).ne(0) & states["planned_change_date"].isna()
    if undated.any():
        notes.append(
            f"{int(undated.sum())} planned change(s) of places have no date and were left out"
        )
    no_staff = states["staff_total"].isna() & states["status"].ne("new")
    minder = states["provider_type"].eq("childminder")
    if (no_staff & ~minder).any():
        notes.append(
            f"{int((no_staff & ~minder).sum())} provider(s) gave no staff_total; their places "
            "count in full (no workforce adjustment)"
        )
    if (no_staff & minder).any():
        notes.append(
            f"{int((no_staff & minder).sum())} childminder(s) gave no staff_total; each is "
            "counted as one adult (the childminder) at the childminder ratio"
        )
    n_places = np.isfinite(states["hours_per_day"]).sum()
    if n_places < len(states):
        notes.append(f"{len(states) - n_places} provider(s) gave no opening hours")
    return notes
