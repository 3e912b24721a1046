"""Issue 12: a run leaves no output of an earlier run beside its own (an old scenario's map
read as current); it removes only the tool's own output names, never a user's file."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from conftest import write_area

from sufficiency.cli.main import cli


def _scenario(folder: Path, name: str, utilisation: float) -> Path:
    path = folder / f"{name}.toml"
    path.write_text(
        f'name = "{name}"\ndescription = "utilisation {utilisation}"\n'
        f"[parameters]\nutilisation = {utilisation}\n"
    )
    return path


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def test_a_run_removes_what_an_earlier_run_wrote_and_it_did_not(tmp_path: Path) -> None:
    area = write_area(tmp_path / "a")
    out = tmp_path / "out"
    low, high = _scenario(tmp_path, "low", 0.8), _scenario(tmp_path, "high", 0.95)
    first = CliRunner().invoke(
        cli,
        [
            *["run", "--area", str(area), "--out", str(out), "--parquet"],
            *["--scenario", str(low), "--scenario", str(high)],
        ],
    )
    assert first.exit_code == 0, first.output
    maps = [
        "maps/change-low-high.html",
        "maps/compare-low-high.html",
        "maps/gap-map-high.html",
        "maps/gap-map-low.html",  # two scenarios, neither the baseline: each named
    ]
    assert _files(out) == ["gap.csv", "gap.gpkg", "gap.parquet", *maps, "sufficiency.xlsx"]
    # A user's own files beside the outputs, one with a map's name pattern but not a map.
    (out / "maps" / "compare-my-notes.html").write_text("<p>my notes</p>")
    (out / "notes.txt").write_text("mine")
    # Now one scenario, no Parquet: the second scenario's maps and gap.parquet are stale.
    second = CliRunner().invoke(
        cli, ["run", "--area", str(area), "--out", str(out), "--scenario", str(low)]
    )
    assert second.exit_code == 0, second.output
    assert _files(out) == [
        "gap.csv",
        "gap.gpkg",
        "maps/compare-my-notes.html",
        "maps/gap-map.html",
        "notes.txt",
        "sufficiency.xlsx",
    ]
    assert second.output.splitlines()[-1] == (
        f"Removed (left by an earlier run, not written by this one): {out / 'gap.parquet'}, "
        f"{out / 'maps/gap-map-high.html'}, {out / 'maps/gap-map-low.html'}, "
        f"{out / 'maps/compare-low-high.html'}, {out / 'maps/change-low-high.html'}"
    )
    # Without maps, the earlier run's map would be read as this run's: removed too.
    third = CliRunner().invoke(cli, ["run", "--area", str(area), "--out", str(out), "--no-maps"])
    assert third.exit_code == 0, third.output
    assert _files(out) == [
        "gap.csv",
        "gap.gpkg",
        "maps/compare-my-notes.html",
        "notes.txt",
        "sufficiency.xlsx",
    ]
    # Nothing staged is left behind (each file was written to a temporary name and renamed).
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "high.toml", "low.toml", "out"]


def test_the_map_command_removes_only_its_own_stale_maps(tmp_path: Path) -> None:
    area = write_area(tmp_path / "a")
    out = tmp_path / "maps"
    low, high = _scenario(tmp_path, "low", 0.8), _scenario(tmp_path, "high", 0.95)
    args = ["map", "--area", str(area), "--out", str(out)]
    assert CliRunner().invoke(cli, [*args, "--scenario", str(low), "--scenario", str(high)])
    assert sorted(p.name for p in out.iterdir()) == [
        "change-baseline-high.html",
        "change-baseline-low.html",
        "compare-baseline-high.html",
        "compare-baseline-low.html",
        "gap-map-high.html",
        "gap-map-low.html",
        "gap-map.html",
    ]
    result = CliRunner().invoke(cli, [*args, "--scenario", str(low)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "change-baseline-low.html",
        "compare-baseline-low.html",
        "gap-map-low.html",
        "gap-map.html",
    ]
    assert f"  removed {out / 'gap-map-high.html'} (left by an earlier run" in result.output
