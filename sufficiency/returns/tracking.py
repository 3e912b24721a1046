"""Return tracking and termly trends, as pure functions over the store's returns.

**Status.** For a term, a provider is *expected* to make a return when its last stored return
before the term (from the latest earlier term the store holds) does not say it has closed by
the term's start, or when it is on the Ofsted register given. The *return rate* is
``returned / (returned + missing)``: providers that returned (expected or not) over those plus
the expected ones that did not.

**Trends.** For every stored term, by ward and city-wide, with the choice the model makes
(``supply.latest_returns``): stocks (providers, places, vacancies, waiting lists, staff in post
and vacant posts, qualification mix, SEND children) come from each provider's latest return as
at the term, a missing return carried forward, counting only providers open on the term's first
day (``supply.open_at``). Flows (leavers, recruits, leaver reasons) come only from returns made
in the term, since a carried-forward return's leavers left in an earlier term. Openings and
closures compare the providers open at one stored term with those open at the stored term
before it (none for the first). The staff vacancy rate is ``staff_vacancies / (staff_total +
staff_vacancies)``; the qualification mix is each level's share of the staff whose level is
given. City-wide rows (``ward_code`` ``all``) include providers in no ward.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import InputError
from ..supply import open_at, open_providers
from ..terms import AGE_GROUPS, Term
from .reader import PROVIDER_TYPES, WAITING

CITY = "all"
CITY_NAME = "City-wide"
QUALIFICATIONS = ["staff_unqualified", "staff_level2", "staff_level3", "staff_level6"]
STOCKS = [
    *(f"places_{g}" for g in AGE_GROUPS),
    *(f"vacancies_{g}" for g in AGE_GROUPS),
    *WAITING,
    "staff_total",
    "staff_vacancies",
    *QUALIFICATIONS,
    "send_children",
]
FLOWS = ["staff_leavers", "staff_recruits"]
TREND_COLUMNS = [
    "term",
    "ward_code",
    "ward_name",
    "returns_made",
    "carried_forward",
    "providers",
    *(f"providers_{t}" for t in PROVIDER_TYPES),
    "openings",
    "closures",
    *(f"places_{g}" for g in AGE_GROUPS),
    *(f"vacancies_{g}" for g in AGE_GROUPS),
    *WAITING,
    "staff_total",
    "staff_vacancies",
    "staff_vacancy_rate",
    "staff_leavers",
    "staff_recruits",
    "leavers_per_recruit",
    *(f"{q}_share" for q in QUALIFICATIONS),
    "send_children",
]


def with_term_index(returns: pd.DataFrame) -> pd.DataFrame:
    """The returns with ``term_index``, sorted by it (as ``supply.latest_returns`` needs)."""
    if "term_index" in returns.columns:
        return returns
    cache = {t: Term.parse(t).index for t in returns["term"].unique()}
    out = returns.assign(term_index=returns["term"].map(cache).astype("int64"))
    return out.sort_values(["term_index", "urn"], kind="stable").reset_index(drop=True)


@dataclass
class ReturnStatus:
    """Who returned for a term and who has not.

    Attributes
    ----------
    expected_from_last
        Providers open in the latest earlier stored term (``None`` when there is none).
    missing
        One row per provider expected but not returned: ``urn, provider_name,
        provider_type, postcode, last_return, expected_from``.
    not_on_register
        URNs that returned but are not on the register given (empty without one).
    """

    term: Term
    previous: Term | None
    returned: int
    expected_from_last: int | None
    on_register: int | None
    missing: pd.DataFrame
    not_on_register: list[str]

    @property
    def rate(self) -> float:
        """Returned over returned plus missing (1.0 when nobody was expected)."""
        total = self.returned + len(self.missing)
        return self.returned / total if total else 1.0

    @property
    def percent(self) -> str:
        """The rate as a whole percentage rounded down, so that 100% means every provider.

        >>> s = ReturnStatus(Term.parse("2026-autumn"), None, 279, None, None,
        ...     pd.DataFrame({"urn": ["a", "b"]}), [])
        >>> s.percent  # 279 of 281 is 99.3%: not "100%" while two are missing
        '99%'
        """
        total = self.returned + len(self.missing)
        return f"{100 * self.returned // total if total else 100}%"


def check_status_term(term: Term, stored: list[Term]) -> None:
    """Refuse a term no return can be due for yet, or one before the store's first.

    The possible terms are the stored ones and the next term (whose collection may be under
    way: "0 of 287 returned" is then true and useful). A term after that would list every
    provider as missing, as if real.
    """
    if not stored:
        return
    first, last = min(stored, key=lambda t: t.index), max(stored, key=lambda t: t.index)
    following = Term(last.index + 1)
    if first.index <= term.index <= following.index:
        return
    when = (
        "no returns can be due for it yet"
        if term.index > last.index
        else ("it is before the first term in the store")
    )
    raise InputError(
        f"{term}: {when}",
        column="--term",
        value=None,
        hint=f"Give a term from {first} to {following} (the store holds {first} to {last}; "
        f"{following} is the next, whose returns may be being collected)",
    )


def return_status(
    returns: pd.DataFrame, term: Term, register: pd.DataFrame | None = None
) -> ReturnStatus:
    """The return rate for ``term`` and the providers that have not returned.

    Parameters
    ----------
    returns
        The store's returns (``store.load_returns``), every term.
    term
        The term to check.
    register
        Optional ``urn`` (and ``provider_name``, ``provider_type``, ``postcode``) of the
        providers registered with Ofsted in the area.
    """
    returns = with_term_index(returns)
    made = set(returns.loc[returns["term_index"] == term.index, "urn"])
    earlier = returns[returns["term_index"] < term.index]
    previous = Term(int(earlier["term_index"].max())) if len(earlier) else None
    from_last: set[str] = set()
    if previous is not None:
        last = earlier[earlier["term_index"] == previous.index]
        still = open_at(last, term) | (last["status"] == "new").to_numpy()
        from_last = set(last.loc[still, "urn"])
    registered = set(register["urn"]) if register is not None else set()
    missing_urns = sorted((from_last | registered) - made)
    latest = earlier.groupby("urn", sort=False).tail(1).set_index("urn")
    details = ["provider_name", "provider_type", "postcode"]
    known = latest.reindex(missing_urns)
    if register is not None:
        listed = register.drop_duplicates("urn").set_index("urn").reindex(missing_urns)
        for column in details:
            if column in listed.columns:
                known[column] = known[column].fillna(listed[column].astype("string"))
    source = np.select(
        [
            np.isin(missing_urns, list(from_last)) & np.isin(missing_urns, list(registered)),
            np.isin(missing_urns, list(from_last)),
        ],
        ["last term and register", "last term"],
        default="register",
    )
    missing = pd.DataFrame(
        {
            "urn": missing_urns,
            **{c: known[c].to_numpy() for c in details},
            "last_return": known["term"].to_numpy(),
            "expected_from": source,
        }
    )
    return ReturnStatus(
        term=term,
        previous=previous,
        returned=len(made),
        expected_from_last=len(from_last) if previous is not None else None,
        on_register=len(registered) if register is not None else None,
        missing=missing,
        not_on_register=sorted(made - registered) if register is not None else [],
    )


def _by_ward(frame: pd.DataFrame, columns: list[str], wards: pd.Index) -> pd.DataFrame:
    """Sums by ward (every ward, zeros where none) with the city-wide total as ``all``."""
    values = frame[columns].astype("float64")
    by_ward = values.groupby(frame["ward_code"].to_numpy(dtype=object)).sum()
    out = by_ward.reindex(wards, fill_value=0.0)
    out.loc[CITY] = values.sum()
    return out


def trends(returns: pd.DataFrame, wards: pd.DataFrame) -> pd.DataFrame:
    """Termly trends by ward and city-wide, one row per stored term and ward (see module doc).

    Parameters
    ----------
    returns
        Located returns (``store.area_returns``): ``ward_code`` and ``term_index`` included.
    wards
        ``ward_code, ward_name`` of the area.
    """
    returns = with_term_index(returns)
    codes = pd.Index(wards["ward_code"].astype(str), name="ward_code")
    names = dict(zip(codes, wards["ward_name"].astype(str), strict=True)) | {CITY: CITY_NAME}
    frames = []
    previous: pd.DataFrame | None = None
    for index in sorted(returns["term_index"].unique()):
        term = Term(int(index))
        states = open_providers(returns, term).assign(one=1.0)
        for kind in PROVIDER_TYPES:
            states[f"providers_{kind}"] = (states["provider_type"] == kind).astype(float)
        states["carried_forward"] = states["carried_forward"].astype(float)
        stocks = _by_ward(
            states,
            ["one", "carried_forward", *(f"providers_{t}" for t in PROVIDER_TYPES), *STOCKS],
            codes,
        )
        made = returns[returns["term_index"] == index].assign(one=1.0)
        flows = _by_ward(made, ["one", *FLOWS], codes)
        table = stocks.rename(columns={"one": "providers"}).join(
            flows.rename(columns={"one": "returns_made"})
        )
        if previous is None:
            table["openings"] = np.nan
            table["closures"] = np.nan
        else:
            opened = states[~states["urn"].isin(previous["urn"])].assign(n=1.0)
            closed = previous[~previous["urn"].isin(states["urn"])].assign(n=1.0)
            table["openings"] = _by_ward(opened, ["n"], codes)["n"]
            table["closures"] = _by_ward(closed, ["n"], codes)["n"]
        previous = states
        table["term"] = str(term)
        frames.append(table)
    out = pd.concat(frames).rename_axis("ward_code").reset_index()
    out["ward_name"] = out["ward_code"].map(names)
    out["staff_vacancy_rate"] = _ratio(
        out["staff_vacancies"], out["staff_total"] + out["staff_vacancies"]
    )
    out["leavers_per_recruit"] = _ratio(out["staff_leavers"], out["staff_recruits"])
    qualified = out[QUALIFICATIONS].sum(axis=1)
    for column in QUALIFICATIONS:
        out[f"{column}_share"] = _ratio(out[column], qualified)
    order = {code: i for i, code in enumerate([CITY, *codes])}
    out = out.assign(
        _term=out["term"].map(lambda t: Term.parse(t).index), _ward=out["ward_code"].map(order)
    ).sort_values(["_term", "_ward"], kind="stable")
    return out[TREND_COLUMNS].reset_index(drop=True)


def _ratio(top: pd.Series, bottom: pd.Series) -> pd.Series:
    """``top / bottom``, empty (NaN) where ``bottom`` is 0."""
    return top.div(bottom.where(bottom != 0))


def leaver_reasons(returns: pd.DataFrame, wards: pd.DataFrame) -> pd.DataFrame:
    """Leaver reasons ranked, by term and ward and city-wide: each reason a return gives counts
    once (``leaver_reasons`` is a ``;``-separated list, compared in lower case).

    Columns: ``term, ward_code, ward_name, reason, mentions, rank`` (rank 1 = most mentioned;
    ties share a rank), sorted by term, city-wide first, then rank and reason.
    """
    returns = with_term_index(returns)
    names = dict(
        zip(wards["ward_code"].astype(str), wards["ward_name"].astype(str), strict=True)
    ) | {CITY: CITY_NAME}
    given = returns[returns["leaver_reasons"].notna()]
    reasons = (
        given.assign(reason=given["leaver_reasons"].str.split(";"))
        .explode("reason")
        .assign(
            reason=lambda f: (
                f["reason"].str.strip().str.lower().str.replace(r"\s+", " ", regex=True)
            )
        )
    )
    reasons = reasons[reasons["reason"].fillna("") != ""].drop_duplicates(
        ["term_index", "urn", "reason"]
    )
    columns = ["term", "ward_code", "ward_name", "reason", "mentions", "rank"]
    if reasons.empty:
        return pd.DataFrame(columns=columns)
    city = reasons.assign(ward_code=CITY)
    both = pd.concat([city, reasons[reasons["ward_code"].notna()]], ignore_index=True)
    counted = (
        both.groupby(["term_index", "term", "ward_code", "reason"])
        .size()
        .rename("mentions")
        .reset_index()
    )
    counted["rank"] = (
        counted.groupby(["term_index", "ward_code"])["mentions"]
        .rank(method="min", ascending=False)
        .astype("int64")
    )
    counted["ward_name"] = counted["ward_code"].map(names)
    counted["_city"] = counted["ward_code"] != CITY
    counted = counted.sort_values(["term_index", "_city", "ward_code", "rank", "reason"])
    return counted[columns].reset_index(drop=True)
