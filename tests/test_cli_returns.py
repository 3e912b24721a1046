"""The returns commands from a user's seat: ingest, refusals, status, trends, template."""

from __future__ import annotations

import click
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import write_area
from test_tracking import THREE_TERMS

from sufficiency.area import load_area
from sufficiency.assess import assess
from sufficiency.cli.returns import COMMANDS
from sufficiency.errors import InputError
from sufficiency.returns import store
from sufficiency.returns.template import write_template
from sufficiency.terms import Term


@click.group()
def cli() -> None:
    """The commands as the lead will add them to ``sufficiency``."""


for command in COMMANDS:
    cli.add_command(command)


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def area(tmp_path):
    """A tiny area with the three terms of test_tracking as return files."""
    return write_area(tmp_path / "area", returns=THREE_TERMS)


def _ingest_all(area):
    for term in THREE_TERMS:
        result = invoke("ingest", str(area / f"returns-{term}.csv"), "--area", str(area))
        assert result.exit_code == 0, result.output
    return area / "sufficiency.sqlite"


def test_three_terms_ingest_and_a_second_ingest_is_refused(area):
    first = invoke(
        "ingest",
        str(area / "returns-2026-spring.csv"),
        "--term",
        "2026-spring",
        "--area",
        str(area),
    )
    assert first.exit_code == 0, first.output
    assert first.output.strip() == (
        f"Stored 3 return(s) for 2026-spring in {area / 'sufficiency.sqlite'} as import 1; "
        "0 error(s) and 0 warning(s) in 3 row(s) of 1 file(s)"
    )
    summer = invoke("ingest", str(area / "returns-2026-summer.csv"), "--area", str(area))
    assert summer.exit_code == 0
    assert (
        "returns-2026-summer.csv, row 5, column 'urn': warning R203: this provider is new "
        "to the store; check the URN (found 'EY100004')"
    ) in summer.output
    path = area / "sufficiency.sqlite"
    before = path.read_bytes()
    again = invoke("ingest", str(area / "returns-2026-summer.csv"), "--area", str(area))
    assert again.exit_code == 1
    assert again.output.startswith(
        "Error: 2026-summer is already in the store (4 returns, import 2 on "
    )
    assert "Give --replace to replace it" in again.output and "Traceback" not in again.output
    assert path.read_bytes() == before
    replaced = invoke(
        "ingest", str(area / "returns-2026-summer.csv"), "--area", str(area), "--replace"
    )
    assert replaced.exit_code == 0
    assert "replacing 4 row(s) of import(s) 2 (kept in the history)" in replaced.output


def test_errors_are_all_listed_stop_the_ingest_and_go_to_a_report(area, tmp_path):
    bad = tmp_path / "bad.csv"
    rows = pd.DataFrame(THREE_TERMS["2026-spring"])
    rows.loc[0, "vacancies_3_4"] = 99
    rows.loc[2, "provider_type"] = "creche"
    rows.to_csv(bad, index=False)
    report = tmp_path / "problems.xlsx"
    result = invoke(
        "ingest", str(bad), "--term", "2026-spring", "--area", str(area), "--report", str(report)
    )
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[:2] == [
        "bad.csv, row 2, column 'vacancies_3_4': error R110: vacancies_3_4 must not be more "
        "than the places offered to that age group (found '99')",
        "bad.csv, row 4, column 'provider_type': error R130: provider_type must be one of "
        "childminder, day_nursery, pre_school, school_nursery, nursery_school, other "
        "(found 'creche')",
    ]
    assert lines[-1] == (
        "Error: 2 error(s) and 0 warning(s) in 3 row(s) of 1 file(s): nothing "
        "was stored. Correct the errors and ingest again"
    )
    assert not (area / "sufficiency.sqlite").exists()
    sheets = pd.read_excel(report, sheet_name=None)
    assert list(sheets["problems"]["code"]) == ["R110", "R130"]


def test_a_term_is_needed_when_the_file_name_has_none(area, tmp_path):
    plain = tmp_path / "export.csv"
    pd.DataFrame(THREE_TERMS["2026-spring"]).to_csv(plain, index=False)
    result = invoke("ingest", str(plain), "--area", str(area))
    assert result.exit_code == 2
    assert "give --term (the file names do not name one term)" in result.output
    result = invoke("ingest", str(plain), "--area", str(area), "--term", "2026-winter")
    assert result.exit_code == 1
    assert "option --term: not a funding term (found '2026-winter')" in result.output


def test_status_and_trends_from_the_store(area, tmp_path):
    _ingest_all(area)
    register = tmp_path / "register.csv"
    pd.DataFrame(
        {
            "Provider URN": ["EY100001", "123456", "EY100004", "EY100005", "EY100006"],
            "Provider name": ["A", "B", "D", "E", "Fresh Start"],
        }
    ).to_csv(register, index=False)
    status = invoke("returns", "status", "--area", str(area), "--register", str(register))
    assert status.exit_code == 0, status.output
    lines = status.output.splitlines()
    assert lines[:3] == [
        "2026-autumn: 3 of 5 provider(s) returned (60%); 2 not returned",
        "  expected from 2026-summer: 3 provider(s) whose last return does not close them by "
        "the start of 2026-autumn",
        "  on the register: 5; returned but not on it: 0",
    ]
    assert lines[3] == "Not returned:"
    assert "123456" in lines[5] and "last term and register" in lines[5]
    assert "EY100006" in lines[6] and "Fresh Start" in lines[6]

    out = tmp_path / "trends.csv"
    trends = invoke("returns", "trends", "--area", str(area), "--csv", str(out))
    assert trends.exit_code == 0, trends.output
    lines = trends.output.splitlines()
    assert lines[0] == "City-wide (all)"
    assert lines[1].split() == ["2026-spring", "2026-summer", "2026-autumn"]
    assert lines[2].split() == ["providers", "open", "at", "term", "start", "3", "3", "4"]
    assert "  leaver reasons (most given first):" in lines
    table = pd.read_csv(out)
    assert len(table) == 9 and table["places_3_4"].iloc[6] == 81
    book_path = tmp_path / "trends.xlsx"
    assert invoke("returns", "trends", "--area", str(area), "--xlsx", str(book_path)).exit_code == 0
    import openpyxl

    book = openpyxl.load_workbook(book_path)
    assert book.sheetnames == ["Trends", "Leaver reasons", "Data dictionary"]
    sheet = book["Trends"]
    assert sheet.freeze_panes is not None and sheet.freeze_panes.endswith("2")  # header frozen
    assert sheet.auto_filter.ref is not None
    head = [c.value for c in sheet[1]]
    places = sheet.cell(8, head.index("Places, 3-4s") + 1)  # the CSV's row 6, below the header
    assert places.value == 81 and places.data_type == "n"
    ward = invoke("returns", "trends", "--area", str(area), "--ward", "E05000002")
    assert ward.output.splitlines()[0] == "Ward E05000002 (E05000002)"
    by_name = invoke("returns", "trends", "--area", str(area), "--ward", "ward e05000002")
    assert by_name.output.splitlines()[0] == "Ward E05000002 (E05000002)"  # a name, any case
    missing = invoke("returns", "trends", "--area", str(area), "--ward", "E05999999")
    assert missing.exit_code == 1 and "no ward 'E05999999' in the area" in missing.output


def test_status_without_a_store_is_one_clear_line(area):
    result = invoke("returns", "status", "--area", str(area))
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"Error: {area / 'sufficiency.sqlite'}: no store here; load a term first with "
        "sufficiency ingest"
    )


def test_template_pre_filled_from_the_store(area, tmp_path):
    _ingest_all(area)
    out = tmp_path / "return.xlsx"
    result = invoke("template", str(out), "--term", "2027-spring", "--area", str(area))
    assert result.exit_code == 0, result.output
    # Open after autumn: A, B (carried forward), D and E; C closed in July.
    assert result.output.strip() == (
        f"Written: {out} (4 provider(s) pre-filled from {area / 'sufficiency.sqlite'})"
    )
    written = pd.read_excel(out, sheet_name="return", dtype=str)
    assert list(written["urn"]) == ["123456", "EY100001", "EY100004", "EY100005"]
    assert set(written["term"]) == {"2027-spring"}
    wrong = invoke("template", str(tmp_path / "return.csv"), "--area", str(area))
    assert wrong.exit_code == 2 and "give a name ending .xlsx" in wrong.output


def test_an_untouched_template_is_refused_at_ingest(area, tmp_path):
    path = _ingest_all(area)
    out = tmp_path / "returns-2027-spring.xlsx"
    assert invoke("template", str(out), "--term", "2027-spring", "--area", str(area)).exit_code == 0
    result = invoke("ingest", str(out), "--area", str(area))
    assert result.exit_code == 1
    # One R204 error per pre-filled row (A, B, D, E in rows 2-5), naming row and column.
    lines = [line for line in result.output.splitlines() if "R204" in line]
    assert [line.split(": error")[0] for line in lines] == [
        f"returns-2027-spring.xlsx, row {r}, column 'staff_total'" for r in (2, 3, 4, 5)
    ]
    assert lines[0].endswith(
        "error R204: every figure of this return is blank (vacancies, children on roll and "
        "staff), so it is not a return: fill in this term's figures, or delete the row if the "
        "provider has not returned (was a pre-filled template sent back untouched?)"
    )
    assert [str(t) for t in store.stored_terms(path)] == [
        "2026-spring",
        "2026-summer",
        "2026-autumn",
    ]
    status = invoke("returns", "status", "--area", str(area))
    assert status.output.splitlines()[0].startswith("2026-autumn: 3 of ")


def test_a_run_from_return_files_refuses_an_untouched_template(area, tmp_path):
    # The template pre-filled from a store, saved untouched beside the return files of an area
    # with no store: a run applies ingest's rules, and R204 (every figure blank) is an error,
    # so the run stops at its first row rather than counting 4 empty returns for 2027-spring.
    folder = write_area(tmp_path / "files", returns=THREE_TERMS)
    stored = store.load_returns(_ingest_all(area))
    template = folder / "returns-2027-spring.xlsx"
    assert write_template(template, term=Term.parse("2027-spring"), returns=stored) == 4
    with pytest.raises(
        InputError,
        match=r"row 2, column 'staff_total': error R204: every "
        r"figure of this return is blank.*3 more error\(s\)",
    ) as refused:
        load_area(folder)
    assert "returns-2027-spring.xlsx" in str(refused.value)
    # Without the template, the run is as at the latest real return.
    template.unlink()
    result = assess(load_area(folder), accessibility=False)
    assert result.latest_return == Term.parse("2026-autumn")
    assert str(result.terms[0]) == "2027-spring"


def test_status_of_a_term_no_return_can_be_due_for_is_refused(area):
    _ingest_all(area)  # 2026-spring, summer, autumn
    for term, why in [
        ("2031-autumn", "no returns can be due for it yet"),
        ("2025-autumn", "it is before the first term in the store"),
    ]:
        result = invoke("returns", "status", "--area", str(area), "--term", term)
        assert result.exit_code == 1
        assert result.output == (
            f"Error: option --term: {term}: {why}. Give a term from 2026-spring to 2027-spring "
            "(the store holds 2026-spring to 2026-autumn; 2027-spring is the next, whose "
            "returns may be being collected)\n"
        )
    # The next term is being collected: nobody has returned, all 3 expected are listed.
    following = invoke("returns", "status", "--area", str(area), "--term", "2027-spring")
    assert following.exit_code == 0
    assert following.output.startswith("2027-spring: 0 of 3 provider(s) returned (0%)")


def test_status_percent_is_rounded_down_so_100_means_all(area, tmp_path):
    _ingest_all(area)
    # 2026-autumn: A, D and E returned; expected from 2026-summer A, B and D (C closed), so B
    # is missing; a register of A, D, E and X1-X3 adds three more: 3 of 7 = 42.9%, shown 42%
    # (rounded it would be 43%), as 279 of 281 (99.3%) shows 99%, never 100%.
    register = tmp_path / "register.csv"
    pd.DataFrame({"urn": ["EY100001", "EY100004", "EY100005", "X1", "X2", "X3"]}).to_csv(
        register, index=False
    )
    status = invoke("returns", "status", "--area", str(area), "--register", str(register))
    assert status.output.splitlines()[0] == (
        "2026-autumn: 3 of 7 provider(s) returned (42%); 4 not returned"
    )


def test_status_on_the_bundled_demo_says_to_copy_it_first():
    from sufficiency._demo_area import DEMO_AREA

    result = invoke("returns", "status", "--area", str(DEMO_AREA))
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {DEMO_AREA / 'sufficiency.sqlite'}: no store here; the bundled demo area runs "
        f"from its return files and is not written to: copy it (cp -r {DEMO_AREA} my-area), "
        "then cd my-area and load a term with sufficiency ingest returns-2026-spring.csv\n"
    )
