"""Who the provider is: a well-formed Ofsted URN, once per term, a known type and status.

URNs are compared as the store keeps them, in upper case without spaces (``ey 100001`` is
``EY100001``). Provider type and status are matched without regard to case; an empty status
means ``open``.
"""

from __future__ import annotations

import pandas as pd

from ..reader import PROVIDER_TYPES, STATUSES
from ._base import Context
from ._registry import rule

URN_PATTERN = r"(?:EY)?\d{6}"


@rule("R120", "urn must be six digits, or EY and six digits (e.g. EY123456)", columns=["urn"])
def urn_format(ctx: Context) -> pd.Series:
    """A URN that is not an Ofsted URN."""
    urn = ctx.urn
    return urn.notna() & ~urn.str.fullmatch(URN_PATTERN).fillna(False)


@rule(
    "R121", "urn is given more than once for this term; keep one row per provider", columns=["urn"]
)
def urn_unique(ctx: Context) -> pd.Series:
    """The same URN twice in the term's files (every row that shares it is reported)."""
    urn = ctx.urn
    return urn.notna() & urn.duplicated(keep=False)


@rule(
    "R130", "provider_type must be one of " + ", ".join(PROVIDER_TYPES), columns=["provider_type"]
)
def known_provider_type(ctx: Context) -> pd.Series:
    """A provider type outside the list (an empty one is R104)."""
    kind = ctx.choice("provider_type")
    return kind.notna() & ~kind.isin(PROVIDER_TYPES)


@rule(
    "R131",
    "status must be one of " + ", ".join(STATUSES) + " (empty means open)",
    columns=["status"],
)
def known_status(ctx: Context) -> pd.Series:
    """A status outside the list."""
    status = ctx.choice("status")
    return status.notna() & ~status.isin(STATUSES)
