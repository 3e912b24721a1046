"""sufficiency: childcare sufficiency for English local authorities, ward by ward, term by term.

The library API a notebook user calls::

    import sufficiency
    result = sufficiency.assess("data/demo")
    result.gap.head()
"""

from __future__ import annotations

__version__ = "0.1.0"
