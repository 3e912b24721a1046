"""Scenarios and uncertainty: scenario files and their events, Monte Carlo draws, comparison.

``schema.py`` reads and checks a scenario file into typed events, ``events.py`` applies them to
an area, ``uncertainty.py`` draws the uncertain parameters and ``compare.py`` runs scenarios side
by side. The names most callers need are here::

    from sufficiency.scenarios import apply, read_scenario
"""

from .events import SCENARIO_SOURCE, Applied, apply
from .schema import BASELINE, Scenario, parse_scenario, read_scenario

__all__ = [
    "BASELINE",
    "SCENARIO_SOURCE",
    "Applied",
    "Scenario",
    "apply",
    "parse_scenario",
    "read_scenario",
]
