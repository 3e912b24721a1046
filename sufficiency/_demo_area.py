"""Where the bundled demo area, Demotown, is: package data in ``sufficiency/data/demo``.

Found with :mod:`importlib.resources`, so that it is there in an installed wheel as well as in
a checkout. The files are written by ``demo/generate.py``, which stays in the repository and is
not installed.
"""

from __future__ import annotations

import atexit
from contextlib import ExitStack
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path


def _on_disk(folder: Traversable) -> Path:
    """``folder`` as a directory on disk: itself for a package installed as files (the usual
    case), else a copy made once and removed at exit (a zipped package; Python 3.12 and later)."""
    if isinstance(folder, Path):
        return folder
    stack = ExitStack()
    atexit.register(stack.close)
    return stack.enter_context(resources.as_file(folder))


DEMO_AREA: Path = _on_disk(resources.files("sufficiency") / "data" / "demo")
