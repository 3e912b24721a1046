"""What an installed package carries: the demo area and every data file, never the generator.

``sufficiency run`` with no ``--area`` reads the demo area from the installed package, so a
non-editable install (``pip install .``, a wheel) must ship every file of
``sufficiency/data/demo``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from sufficiency.assess import DEMO_AREA

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "sufficiency"


def _demo_files() -> list[str]:
    return sorted(p.name for p in DEMO_AREA.iterdir() if p.is_file())


def test_the_demo_area_is_package_data():
    assert DEMO_AREA == PACKAGE / "data" / "demo"
    assert {"wards.geojson", "births.csv", "area.toml", "README.md"} <= set(_demo_files())
    assert "returns-2026-autumn.xlsx" in _demo_files()


def test_package_data_globs_cover_every_data_file():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    globs = pyproject["tool"]["setuptools"]["package-data"]["sufficiency"]
    shipped = {p for g in globs for p in PACKAGE.glob(g) if p.is_file()}
    for folder in ("data", "_assets", "outputs/templates", "returns/migrations"):
        files = {p for p in (PACKAGE / folder).rglob("*") if p.is_file()}
        assert sorted(str(p.relative_to(PACKAGE)) for p in files - shipped) == []


@pytest.mark.slow
def test_the_wheel_carries_the_demo_area_and_not_the_generator(tmp_path):
    # Built without build isolation and without an index, so nothing is downloaded: that needs
    # a setuptools that reads pyproject's licence expression, in this environment.
    pytest.importorskip(
        "setuptools", minversion="77", reason="building offline needs setuptools>=77 here"
    )
    source = tmp_path / "source"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.sqlite")
    shutil.copytree(PACKAGE, source / "sufficiency", ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"]
    command += ["--no-index", "--quiet", "--wheel-dir", str(tmp_path / "dist"), str(source)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    [wheel] = (tmp_path / "dist").glob("sufficiency-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert [f for f in _demo_files() if f"sufficiency/data/demo/{f}" not in names] == []
    assert {
        "sufficiency/data/ratios.toml",
        "sufficiency/_assets/MANIFEST.toml",
        "sufficiency/outputs/templates/report.html.j2",
        "sufficiency/returns/migrations/0001_providers_returns_imports.sql",
    } <= names
    assert not [n for n in names if n.startswith("demo/") or n.endswith("generate.py")]
