"""sufficiency: childcare sufficiency for English local authorities, ward by ward, term by term.

The library API a notebook user calls::

    import sufficiency
    result = sufficiency.assess()             # the bundled demo area; or an area folder
    result.gap.head()
"""

from __future__ import annotations

__version__ = "0.1.0"

from .area import Area, load_area
from .assess import Assessment, assess
from .closures import Resilience, resilience
from .errors import InputError, ParameterError, SufficiencyError
from .parameters import Parameters
from .planning import Plan, plan
from .terms import Term

__all__ = [
    "Area",
    "Assessment",
    "InputError",
    "ParameterError",
    "Parameters",
    "Plan",
    "Resilience",
    "SufficiencyError",
    "Term",
    "assess",
    "load_area",
    "plan",
    "resilience",
]
