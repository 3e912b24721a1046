"""The package's one registry of rules; each rule module decorates its functions with ``rule``."""

from __future__ import annotations

from ._base import Registry

RULES = Registry()
rule = RULES.rule
