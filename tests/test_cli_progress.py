"""Issue 12: the README's --parameters example works as written; a run says what it is doing
on a terminal and nothing when piped."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
from click.testing import CliRunner
from conftest import write_area

from sufficiency.cli.main import cli

README = Path(__file__).resolve().parents[1] / "README.md"


def test_the_readme_parameters_example_runs_as_written(tmp_path: Path, monkeypatch) -> None:
    text = README.read_text()
    command = next(
        line.split("#")[0].split()
        for line in text.splitlines()
        if line.startswith("sufficiency run") and "--parameters my.toml" in line
    )
    toml = re.search(r"```toml\n(.*?)```", text, re.DOTALL)
    assert toml is not None, "the README shows the parameters file's format"
    monkeypatch.chdir(tmp_path)  # not an area folder: the bundled demo
    Path("my.toml").write_text(toml.group(1))
    result = CliRunner().invoke(cli, [*command[1:], "--out", "out", "--no-maps"])
    assert result.exit_code == 0, result.output
    assert "Scenario baseline: 6 funding terms, 2027-spring to 2028-autumn" in result.output
    sheet = openpyxl.load_workbook("out/sufficiency.xlsx")["Parameters"]
    values = {row[0]: row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    # The two keys of the README's file, the rest as the defaults.
    assert values["utilisation"] == 0.85
    assert values["take_up.universal_3_4"] == 0.95
    assert values["hours_per_place"] == 50


def test_a_missing_parameters_file_says_what_to_write(tmp_path: Path) -> None:
    area = write_area(tmp_path / "a")
    result = CliRunner().invoke(
        cli, ["run", "--area", str(area), "--parameters", str(tmp_path / "my.toml")]
    )
    assert result.exit_code == 1
    assert "my.toml: no such parameters file. Write one setting any default by its key, for " in (
        result.output
    )


def test_a_run_says_what_it_is_doing_on_a_terminal_only(tmp_path: Path, monkeypatch) -> None:
    area = write_area(tmp_path / "a")
    args = ["run", "--area", str(area), "--out", str(tmp_path / "out"), "--draws", "20"]
    piped = CliRunner().invoke(cli, args)
    assert piped.exit_code == 0 and piped.stderr == ""
    monkeypatch.setattr("sufficiency.cli._progress.on_terminal", lambda: True)
    shown = CliRunner().invoke(cli, args)
    assert shown.exit_code == 0
    # One status line, rewritten (a carriage return and, on a real terminal, an erase-line
    # code that click leaves out here) and cleared at the end.
    lines = re.split(r"\r(?:\x1b\[K)?", shown.stderr)
    assert lines[0] == "" and lines[-1] == ""
    steps = [re.sub(r" \(\d+ s\) \.\.\.$", "", s) for s in lines[1:-1]]
    assert steps == [
        "reading and checking the area's files",
        "scenario baseline (1 of 1): 2 wards with 20 draws",
        f"writing gap.csv, gap.gpkg and sufficiency.xlsx into {tmp_path / 'out'}",
        f"writing the maps into {tmp_path / 'out' / 'maps'}",
    ]
    assert shown.stdout == piped.stdout  # the summary a script reads is the same
