"""The termly-returns commands: ``template``, ``ingest`` and ``returns status|trends``.

A thin layer, like ``cli.py``: it finds the area's files, calls ``validation``, ``store``,
``tracking`` and ``template`` and prints. A user's mistake is one clear line and exit status 1,
never a traceback. Problems go to standard output, one line each; progress over many files goes
to standard error, and only on a terminal.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import click
import pandas as pd

from ..errors import InputError
from ..terms import Term
from ._errors import UserErrorGroup, user_errors
from ._options import area_option


def area_files(
    area: Path, hint: str = "Add wards.geojson (or .gpkg, .shp), or give --area"
) -> tuple[Path, dict[str, list[Path]]]:
    """The area folder and its files (``area.resolve_files``); an area with no wards file is a
    user error with ``hint``."""
    from ..area import area_folder, resolve_files

    folder, config = area_folder(area)
    files = resolve_files(folder, config)
    if not files["wards"]:
        raise InputError("the area has no wards file", file=folder, hint=hint)
    return folder, files


def _area(area: Path) -> tuple[Path, Any, pd.DataFrame | None]:
    """The area folder, its wards and its postcode lookup (``None`` if it has none)."""
    from .. import geography

    folder, files = area_files(area)
    wards = geography.read_wards(files["wards"][0])
    postcodes = geography.read_postcodes(files["postcodes"][0]) if files["postcodes"] else None
    return folder, wards, postcodes


def refuse_demo(area: Path) -> None:
    """The bundled demo area is package data: nothing is ingested into it."""
    from .._demo_area import DEMO_AREA

    if area.resolve() == DEMO_AREA.resolve():
        raise InputError(
            "the current folder is not an area folder, and the bundled demo area is not written to",
            file=Path.cwd(),
            hint="Give --area DIR (a folder with wards.geojson or area.toml), or run the command "
            "inside the area folder",
        )


def _term_of(term: str | None, files: tuple[Path, ...]) -> Term:
    from ..returns.reader import term_from_name

    if term:
        given = Term.parse(term, column="--term")
        for file in files:
            named_term = term_from_name(file)
            if named_term is not None and named_term != given:
                raise InputError(
                    f"the file name says {named_term}, but --term is {given}",
                    file=file,
                    hint=f"Give --term {named_term}, or rename the file if it really is "
                    f"{given}'s return",
                )
        return given
    named = {term_from_name(f) for f in files}
    if len(named) == 1 and None not in named:
        return cast(Term, named.pop())  # the one name, not None
    raise click.UsageError("give --term (the file names do not name one term)")


def _progress(total: int) -> Callable[[int, int], None] | None:
    """A counter on standard error for many files, on a terminal only."""
    if total < 5 or not sys.stderr.isatty():
        return None

    def show(done: int, of: int) -> None:
        click.echo(f"\rreading {done}/{of} files", nl=done == of, err=True)

    return show


@click.command("ingest")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--term",
    metavar="YYYY-season",
    help="The term the returns are for. Default: the term in the file names.",
)
@area_option()
@click.option(
    "--replace",
    is_flag=True,
    help="Replace a term already stored (the replaced rows stay in the history).",
)
@click.option(
    "--add",
    "add",
    is_flag=True,
    help="Add late returns to a stored term, for providers it does not have yet.",
)
@click.option(
    "--report",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write every problem to this workbook (.xlsx), to send to providers.",
)
@user_errors()
def ingest(
    files: tuple[Path, ...],
    term: str | None,
    area: Path,
    replace: bool,
    add: bool,
    report: Path | None,
) -> None:
    """Check a term's returns and load them into the area's store (sufficiency.sqlite).

    FILES are one export of every provider, or one file per provider (CSV or XLSX). Every
    problem is reported at once with its file, row, column and rule; errors stop the load,
    warnings are reported and stored with it.

    \b
    Examples:
      sufficiency ingest returns-2026-autumn.xlsx --area ~/eyc/demotown
      sufficiency ingest returns/*.xlsx --term 2026-autumn --report problems.xlsx
      sufficiency ingest late/EY123456.xlsx --term 2026-autumn --add
    """
    from ..returns import store
    from ..returns.validation import check_files, problem_lines, write_report

    if replace and add:
        raise click.UsageError("give --replace or --add, not both")
    mode: store.Mode = "replace" if replace else "add" if add else "new"
    the_term = _term_of(term, files)
    refuse_demo(area)
    folder, wards, postcodes = _area(area)
    path = store.locate(folder)
    history, known = pd.DataFrame(), set()
    if path.exists():
        store.refuse_if_stored(path, the_term, mode)
        history = store.load_returns(path)
        known = set(store.load_providers(path)["urn"])
    checked = check_files(
        files,
        the_term,
        history=history,
        known_urns=known,
        wards=wards,
        postcodes=postcodes,
        progress=_progress(len(files)),
    )
    for line in problem_lines(checked.problems):
        click.echo(line)
    if report is not None:
        click.echo(f"Report written: {write_report(checked, report)}")
    counts = (
        f"{len(checked.errors)} error(s) and {len(checked.warnings)} warning(s) in "
        f"{checked.rows} row(s) of {len(files)} file(s)"
    )
    if not checked.ok:
        raise click.ClickException(
            f"{counts}: nothing was stored. Correct the errors and "
            "ingest again" + ("" if report else " (--report FILE.xlsx writes them to a workbook)")
        )
    result = store.ingest(path, checked, mode=mode)
    replaced = (
        f", replacing {result.replaced_rows} row(s) of import(s) "
        f"{', '.join(map(str, result.replaced_imports))} (kept in the history)"
        if result.replaced_rows
        else ""
    )
    click.echo(
        f"Stored {result.rows} return(s) for {result.term} in {path} as import "
        f"{result.import_id}{replaced}; {counts}"
    )


@click.group("returns", cls=UserErrorGroup)
def returns() -> None:
    """Track the termly returns in the area's store: who has returned, and trends."""


def _register(path: Path) -> pd.DataFrame:
    """An Ofsted register extract: a URN column (``urn``, ``provider urn``...) and details."""
    from .._io import find_column, read_table

    table = read_table(path)
    urn = find_column(table.columns, "urn", r"provider[ _]urn", r"registration[ _]number")
    if urn is None:
        raise InputError(
            "no URN column in the register",
            file=path,
            hint="Name it urn (Ofsted's 'Provider URN' is accepted too)",
        )
    out = pd.DataFrame(
        {"urn": table[urn].astype("string").str.upper().str.replace(" ", "", regex=False)}
    )
    for column, patterns in [
        ("provider_name", [r"provider[ _]name", "name", "setting name"]),
        ("provider_type", [r"provider[ _]type"]),
        ("postcode", [r"(provider[ _])?postcode"]),
    ]:
        found = find_column(table.columns, *patterns)
        out[column] = table[found].astype("string") if found else pd.NA
    return out[out["urn"].notna()]


def _table(frame: pd.DataFrame) -> list[str]:
    if frame.empty:
        return []
    text = frame.astype(object).where(frame.notna(), "").to_string(index=False)
    return ["  " + line for line in text.splitlines()]


@returns.command("status")
@click.option("--term", metavar="YYYY-season", help="Default: the latest term in the store.")
@area_option()
@click.option(
    "--register",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Ofsted register extract (CSV or XLSX with a URN column) to check against. "
    "Default: the area's ofsted.csv (sufficiency import ofsted), if it has one.",
)
@click.option(
    "--csv",
    "csv_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the providers that have not returned to this CSV.",
)
def status(term: str | None, area: Path, register: Path | None, csv_path: Path | None) -> None:
    """The return rate for a term and the providers that have not returned."""
    from ..area import area_folder, resolve_files
    from ..outputs._escape import frame_for_spreadsheet
    from ..returns import store
    from ..returns.tracking import check_status_term, return_status

    folder, config = area_folder(area)
    if register is None and (imported := resolve_files(folder, config)["ofsted"]):
        register = imported[0] if imported[0].is_file() else None
        if register is not None:
            click.echo(f"Register: {register} (from sufficiency import ofsted)")
    path = store.locate(folder)
    stored = store.load_returns(path)
    terms = store.stored_terms(path)
    if not terms:
        raise store.StoreError(f"{path}: the store holds no returns yet")
    the_term = Term.parse(term, column="--term") if term else terms[-1]
    check_status_term(the_term, terms)
    result = return_status(stored, the_term, _register(register) if register else None)
    total = result.returned + len(result.missing)
    click.echo(
        f"{the_term}: {result.returned} of {total} provider(s) returned "
        f"({result.percent}); {len(result.missing)} not returned"
    )
    if result.previous is not None:
        click.echo(
            f"  expected from {result.previous}: {result.expected_from_last} provider(s) "
            f"whose last return does not close them by the start of {the_term}"
        )
    else:
        click.echo("  no earlier term in the store to expect providers from")
    if result.on_register is not None:
        click.echo(
            f"  on the register: {result.on_register}; returned but not on it: "
            f"{len(result.not_on_register)}"
            + (f" ({', '.join(result.not_on_register[:5])})" if result.not_on_register else "")
        )
    if len(result.missing):
        click.echo("Not returned:")
        for line in _table(result.missing):
            click.echo(line)
    if csv_path is not None:
        frame_for_spreadsheet(result.missing).to_csv(csv_path, index=False, lineterminator="\n")
        click.echo(f"Written: {csv_path}")


TERMINAL_MEASURES = {
    "providers": "providers open at term start",
    "returns_made": "returns made",
    "carried_forward": "carried forward",
    "openings": "openings",
    "closures": "closures",
    "places_under2": "places, under 2s",
    "places_2": "places, 2-year-olds",
    "places_3_4": "places, 3-4s",
    "vacancies_under2": "vacancies, under 2s",
    "vacancies_2": "vacancies, 2-year-olds",
    "vacancies_3_4": "vacancies, 3-4s",
    "waiting_under2": "waiting, under 2s",
    "waiting_2": "waiting, 2-year-olds",
    "waiting_3_4": "waiting, 3-4s",
    "staff_total": "staff in post",
    "staff_vacancy_rate": "staff vacancy rate",
    "staff_leavers": "staff leavers",
    "staff_recruits": "staff recruits",
    "leavers_per_recruit": "leavers per recruit",
    "staff_level3_share": "staff at level 3",
    "staff_level6_share": "staff at level 6",
    "send_children": "SEND children",
}


def _cell(column: str, value: float) -> str:
    if pd.isna(value):
        return "-"
    if column.endswith(("_rate", "_share")):
        return f"{value:.0%}"
    if column == "leavers_per_recruit":
        return f"{value:.2f}"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def trend_lines(table: pd.DataFrame, reasons: pd.DataFrame, ward: str) -> list[str]:
    """A terminal table for one ward (or ``all``): measures down, terms across.

    ``ward`` is a ward code or a ward name (any case).
    """
    rows = table[table["ward_code"] == ward]
    if rows.empty:
        named = table[table["ward_name"].astype("string").str.casefold() == ward.casefold()]
        if named["ward_code"].nunique() == 1:
            ward = str(named["ward_code"].iloc[0])
            rows = named
    if rows.empty:
        raise InputError(
            f"no ward {ward!r} in the area",
            column="--ward",
            hint="Give a ward code or a ward name of the wards file, or leave --ward out",
        )
    terms = list(rows["term"])
    width = max(len(label) for label in TERMINAL_MEASURES.values())
    lines = [
        f"{rows['ward_name'].iloc[0]} ({ward})",
        f"  {'':<{width}}  " + "  ".join(f"{t:>12}" for t in terms),
    ]
    for column, label in TERMINAL_MEASURES.items():
        cells = "  ".join(f"{_cell(column, v):>12}" for v in rows[column])
        lines.append(f"  {label:<{width}}  {cells}")
    top = reasons[(reasons["ward_code"] == ward) & (reasons["rank"] <= 3)]
    if len(top):
        lines.append("  leaver reasons (most given first):")
        for term, part in top.groupby("term", sort=False):
            lines.append(
                f"    {term}: " + "; ".join(f"{r.reason} ({r.mentions})" for r in part.itertuples())
            )
    return lines


@returns.command("trends")
@area_option()
@click.option(
    "--ward",
    default="all",
    show_default=True,
    help="The ward code or name to show on screen (all: city-wide).",
)
@click.option(
    "--csv",
    "csv_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write every ward's trends to this CSV.",
)
@click.option(
    "--xlsx",
    "xlsx_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write a workbook with trends and leaver_reasons sheets.",
)
def trends(area: Path, ward: str, csv_path: Path | None, xlsx_path: Path | None) -> None:
    """Places, vacancies, waiting lists, providers and the workforce, term by term."""
    from ..outputs._escape import frame_for_spreadsheet
    from ..outputs._xlsx import write_sheets
    from ..returns import store, tracking

    folder, wards, postcodes = _area(area)
    notes: list[str] = []
    found = store.area_returns(folder, wards, postcodes, notes)
    if found is None:
        raise store.StoreError(
            f"{store.locate(folder)}: no store with returns here; load "
            "a term first with sufficiency ingest"
        )
    located, _ = found
    table = tracking.trends(located, wards)
    reasons = tracking.leaver_reasons(located, wards)
    for line in trend_lines(table, reasons, ward):
        click.echo(line)
    for note in notes:
        if not note.startswith("Supply read from"):
            click.echo(f"Note: {note}")
    if csv_path is not None:
        frame_for_spreadsheet(table).to_csv(csv_path, index=False, lineterminator="\n")
        click.echo(f"Written: {csv_path}")
    if xlsx_path is not None:
        # Headings in words, frozen header rows, filters and widths, as the run's workbook.
        write_sheets(xlsx_path, {"trends": table, "leaver_reasons": reasons}, readable=True)
        click.echo(f"Written: {xlsx_path}")


@click.command("template")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--term", metavar="YYYY-season", help="The term the return is for (written into the workbook)."
)
@area_option(" Its store, if any, pre-fills every known provider.")
@user_errors()
def template(out: Path, term: str | None, area: Path) -> None:
    """Write a blank return workbook (OUT.xlsx), pre-filled from the store where there is one.

    The workbook has the DATA.md columns, drop-down lists for provider_type and status, and an
    instructions sheet. Each provider the store knows (and has not closed) gets a row with its
    URN, name, type, postcode, opening pattern and last term's places.
    """
    from ..area import area_folder
    from ..returns import store
    from ..returns.template import write_template

    the_term = Term.parse(term, column="--term") if term else None
    if out.suffix.lower() != ".xlsx":
        raise click.UsageError("the template is a workbook: give a name ending .xlsx")
    folder, _ = area_folder(area)
    path = store.locate(folder)
    stored = store.load_returns(path) if path.exists() else None
    rows = write_template(out, term=the_term, returns=stored)
    source = f"{rows} provider(s) pre-filled from {path}" if stored is not None else "blank"
    click.echo(f"Written: {out} ({source})")


COMMANDS = [template, ingest, returns]
