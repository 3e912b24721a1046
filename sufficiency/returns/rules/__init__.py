"""The rules an ingest checks a term's returns against, one small function each.

Rules are grouped in small modules by what they look at: ``columns`` (the file's shape and the
term), ``numbers`` (types and ranges), ``consistency`` (figures that must agree with each
other), ``identity`` (URN, provider type, status), ``dates``, ``location``, ``school_age``
(the optional school-age places), ``prices`` (the optional Ofsted grade, fees and charges)
and ``history`` (warnings against the store's earlier terms). Importing this package
registers them all in :data:`RULES`, in code order. Codes R1xx are errors, which block an
ingest; R2xx are warnings, printed and stored but not blocking.
"""

from __future__ import annotations

# Importing the modules registers their rules; the registry lists them in code order.
from . import (  # noqa: F401
    columns,
    consistency,
    dates,
    history,
    identity,
    location,
    numbers,
    prices,
    school_age,
)
from ._base import Context, Failures, Registry, Rule, Severity
from ._registry import RULES

__all__ = ["RULES", "Context", "Failures", "Registry", "Rule", "Severity"]
