"""Identical inputs give identical files: two runs of ``run``, ``map`` and ``report`` on the
demo hash equal, maps included (folium's element ids are seeded, ``maps.seeded_ids``)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from click.testing import CliRunner

from sufficiency.cli.main import cli

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "closures.toml"


def _hashes(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def _outputs(out: Path) -> dict[str, str]:
    runner = CliRunner()
    commands = [
        ["run", "--out", str(out / "run")],
        ["map", "--publish", "--scenario", str(SCENARIO), "--out", str(out / "published")],
        ["map", "--scenario", str(SCENARIO), "--out", str(out / "internal")],
        ["report", "--publish", "--out", str(out / "report")],
    ]
    for command in commands:
        result = runner.invoke(cli, command)
        assert result.exit_code == 0, result.output
    return _hashes(out)


def test_two_runs_hash_equal(tmp_path):
    first, second = _outputs(tmp_path / "one"), _outputs(tmp_path / "two")

    assert first == second
    names = set(first)
    assert {"run/gap.csv", "run/sufficiency.xlsx", "run/maps/gap-map.html"} <= names
    assert "published/change-baseline-closures.html" in names
    assert "internal/compare-baseline-closures.html" in names
    assert "report/report.html" in names
