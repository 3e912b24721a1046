"""Checking a term's returns before they are stored: every problem at once, with where it is.

The choice, after the Data to Insight validators English councils use for their statutory
returns: each rule is a small function in ``sufficiency/rules/`` with a code and a message; the
engine here reads the files, runs every rule over every row and turns the rows a rule flags into
problem rows (file, row, column, value, code, severity, message). Rows are spreadsheet rows (the
header is row 1). Errors (R0xx, R1xx) block an ingest; warnings (R2xx) are reported and stored.
A rule that needs what is not there (wards, earlier terms) is reported as skipped, not passed.

Reading problems are the engine's own, before any rule runs: R001 (a file cannot be read) and
R002 (a file has no rows). The report goes to the screen (:func:`problem_lines`) and to a
workbook the team can send back to providers (:func:`write_report`): a summary sheet (the
totals and every rule with its count), a problems sheet and the files checked.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import cast

import geopandas as gpd
import pandas as pd

from .. import geography
from .._io import misplaced_header, read_table
from ..errors import InputError
from ..outputs._escape import frame_for_spreadsheet
from ..terms import Term
from .reader import read_return
from .rules import RULES, Context, Registry, Rule

PROBLEM_COLUMNS = ["file", "row", "column", "value", "code", "severity", "message"]
FILE_CHECKS = {
    "R001": "the file cannot be read: {detail}. Save it as CSV (UTF-8) or .xlsx",
    "R002": "the file has no rows of data",
}
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class FileInfo:
    """A file given to an ingest: its path, the name problems use, its SHA-256 and rows."""

    path: Path
    name: str
    sha256: str
    rows: int


@dataclass
class Checked:
    """The outcome of checking a term's files.

    Attributes
    ----------
    problems
        One row per problem: ``file, row, column, value, code, severity, message``.
    rules
        One row per rule and reading check: ``code, severity, message, problems, result``.
    returns
        The typed returns (``returns.read_return`` rows, every file) when there is no error;
        ``None`` otherwise.
    text
        Every row of every file as read, as text (``combine``), which the rules saw.
    """

    term: Term
    files: list[FileInfo]
    problems: pd.DataFrame
    rules: pd.DataFrame
    returns: pd.DataFrame | None = None
    rows: int = 0
    text: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)

    def with_file_name(self, label: str, name: str) -> Checked:
        """The problems naming ``name`` where they name ``label`` (a copy's name, say)."""
        problems = self.problems.assign(file=self.problems["file"].replace({label: name}))
        return replace(self, problems=problems)

    @property
    def errors(self) -> pd.DataFrame:
        return self.problems[self.problems["severity"] == "error"]

    @property
    def warnings(self) -> pd.DataFrame:
        return self.problems[self.problems["severity"] == "warning"]

    @property
    def ok(self) -> bool:
        """No errors (warnings do not count)."""
        return self.errors.empty


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _labels(paths: Sequence[Path]) -> list[str]:
    """File names for the report; full paths where two files share a name."""
    names = [p.name for p in paths]
    return [n if names.count(n) == 1 else str(p) for n, p in zip(names, paths, strict=True)]


def read_files(
    paths: Sequence[str | Path], *, progress: Progress | None = None
) -> tuple[dict[str, pd.DataFrame], list[FileInfo], list[dict]]:
    """Read every file as text; a file that cannot be read is a problem, not an exception.

    Returns the tables by file label, the files' details and the reading problems.
    """
    files_given = [Path(p) for p in paths]
    tables: dict[str, pd.DataFrame] = {}
    files: list[FileInfo] = []
    problems: list[dict] = []
    for i, (path, label) in enumerate(zip(files_given, _labels(files_given), strict=True)):
        if progress is not None:
            progress(i, len(files_given))
        try:
            table = read_table(path)
        except InputError as exc:
            problems.append(_file_problem(label, "R001", detail=exc.message))
            continue
        if not {"urn", "provider_type"} <= set(table.columns):
            where = misplaced_header(path, ["urn", "provider_type"])
            if where is not None:
                detail = (
                    f"the header is on {where}, not on row 1 of the first sheet; delete the "
                    "rows above it (or move the returns to the first sheet)"
                )
                problems.append(_file_problem(label, "R001", detail=detail))
                continue
        files.append(FileInfo(path, label, _sha256(path), len(table)))
        if table.empty:
            problems.append(_file_problem(label, "R002"))
            continue
        tables[label] = table
    if progress is not None:
        progress(len(files_given), len(files_given))
    return tables, files, problems


def _file_problem(label: str, code: str, **fields: str) -> dict:
    return {
        "file": label,
        "row": None,
        "column": None,
        "value": None,
        "code": code,
        "severity": "error",
        "message": FILE_CHECKS[code].format(**fields),
    }


def combine(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Every file's rows in one text table, with ``source_file`` and ``source_row``."""
    columns: list[str] = []
    for table in tables.values():
        columns.extend(c for c in table.columns if c not in columns)
    frames = []
    for label, table in tables.items():
        frame = table.reindex(columns=columns).astype("string")
        frame["source_file"] = label
        frame["source_row"] = (table.index.to_numpy() + 2).astype("int64")
        frames.append(frame)
    if not frames:
        return pd.DataFrame(columns=[*columns, "source_file", "source_row"])
    return pd.concat(frames, ignore_index=True)


def run_rules(ctx: Context, rules: Iterable[Rule] = RULES) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run every rule over ``ctx``: the problems, and each rule's count or why it was skipped."""
    found: list[pd.DataFrame] = []
    summary = []
    for rule in rules:
        missing = [need for need in rule.needs if need not in ctx.available]
        if missing:
            summary.append(_rule_row(rule, ctx, None, f"skipped: no {' or '.join(missing)}"))
            continue
        failures = rule.check(ctx)
        if isinstance(failures, pd.Series):
            failures = {rule.columns[0]: failures}
        found_rows = (_problems(ctx, rule, column, mask) for column, mask in failures.items())
        rows = [r for r in found_rows if r is not None]
        count = sum(len(r) for r in rows)
        found.extend(rows)
        summary.append(
            _rule_row(rule, ctx, count, "passed" if count == 0 else f"{count} problem(s)")
        )
    problems = (
        pd.concat(found, ignore_index=True) if found else pd.DataFrame(columns=PROBLEM_COLUMNS)
    )
    return problems, pd.DataFrame(summary).astype({"problems": "Int64"})


def _rule_row(rule: Rule, ctx: Context, count: int | None, result: str) -> dict:
    return {
        "code": rule.code,
        "severity": rule.severity,
        "message": rule.message.format(column="<column>", term=ctx.term, detail="<which wards>"),
        "problems": count,
        "result": result,
    }


def _problems(ctx: Context, rule: Rule, column: str, mask: pd.Series) -> pd.DataFrame | None:
    """The problem rows ``mask`` flags; ``None`` where it flags none (most rules, most columns)."""
    # A rule may give each failing row's own words (text, <NA> where the row passes) for its
    # message's {detail}; otherwise its mask is True where a row fails.
    detail = None
    if isinstance(mask.dtype, pd.StringDtype):
        detail = mask.reindex(ctx.table.index)
        mask = detail.notna()
    if not mask.any():  # skip the realigning below
        return None
    hit = mask.reindex(ctx.table.index).fillna(False).to_numpy(dtype=bool)
    if not hit.any():
        return None
    keep = ["source_file", "source_row", *([column] if column in ctx.table.columns else [])]
    rows = ctx.table.loc[hit, keep]
    if rule.per_file:
        rows = rows.drop_duplicates("source_file")
    values = (
        rows[column]
        if column in rows.columns and not rule.per_file
        else pd.Series(pd.NA, index=rows.index)
    )
    return pd.DataFrame(
        {
            "file": rows["source_file"].astype(object),
            "row": 1 if rule.per_file else rows["source_row"].astype("int64"),
            "column": column,
            "value": values.astype(object).where(values.notna(), None),
            "code": rule.code,
            "severity": rule.severity,
            "message": rule.message.format(column=column, term=ctx.term, detail="")
            if detail is None
            else [
                rule.message.format(column=column, term=ctx.term, detail=d)
                for d in detail[hit].astype(str)
            ],
        },
        columns=PROBLEM_COLUMNS,
    )


def check_files(
    paths: Sequence[str | Path],
    term: Term,
    *,
    history: pd.DataFrame | None = None,
    known_urns: Iterable[str] = (),
    wards: gpd.GeoDataFrame | None = None,
    postcodes: pd.DataFrame | None = None,
    rules: Registry | Iterable[Rule] = RULES,
    progress: Progress | None = None,
) -> Checked:
    """Read and check one term's files (one export, or one file per provider).

    Parameters
    ----------
    paths
        The CSV or XLSX files (the first sheet of a workbook).
    term
        The term being loaded.
    history, known_urns
        The store's current returns and every URN it has seen (for the R2xx warnings).
    wards, postcodes
        The area's wards and postcode lookup (for R151).

    Returns
    -------
    Checked
        Every problem, each rule's result and, when there is no error, the typed returns.
    """
    checked = _check_tables(
        read_files(paths, progress=progress),
        term,
        labels=_labels([Path(p) for p in paths]),
        history=history,
        known_urns=known_urns,
        wards=wards,
        postcodes=postcodes,
        rules=rules,
    )
    if checked.ok:
        checked.returns = _typed(checked.files, checked.text, term)
    return checked


def _check_tables(  # noqa: PLR0913 (a run and an ingest each give what they know)
    read: tuple[dict[str, pd.DataFrame], list[FileInfo], list[dict]],
    term: Term,
    *,
    labels: list[str],
    history: pd.DataFrame | None,
    known_urns: Iterable[str],
    wards: gpd.GeoDataFrame | None,
    postcodes: pd.DataFrame | None,
    rules: Registry | Iterable[Rule],
    located: pd.DataFrame | None = None,
) -> Checked:
    """Run the rules over tables already read: ``read_files``'s tables, files and problems
    (``located``: the rows as a run's reader placed them, ``Context.located``)."""
    tables, files, read_problems = read
    table = combine(tables)
    if wards is not None:
        for label, rows in table.groupby("source_file", sort=False):
            geography.refuse_without_lookup(rows, wards, postcodes, file=str(label))
    ctx = Context(
        table=table,
        headers={label: list(t.columns) for label, t in tables.items()},
        term=term,
        history=history if history is not None else pd.DataFrame(),
        known_urns=frozenset(known_urns),
        wards=wards,
        postcodes=postcodes,
        located=located,
    )
    problems, summary = run_rules(ctx, rules)
    reading = pd.DataFrame(read_problems, columns=PROBLEM_COLUMNS)
    problems = _sorted(
        pd.concat([reading, problems], ignore_index=True) if len(reading) else problems,
        labels,
    )
    counts = reading["code"].value_counts()
    summary = pd.concat(
        [
            pd.DataFrame(
                [
                    {
                        "code": code,
                        "severity": "error",
                        "message": message.replace(": {detail}", ""),
                        "problems": int(counts.get(code, 0)),
                        "result": "passed"
                        if not counts.get(code, 0)
                        else f"{counts[code]} problem(s)",
                    }
                    for code, message in FILE_CHECKS.items()
                ]
            ),
            summary,
        ],
        ignore_index=True,
    ).astype({"problems": "Int64"})
    return Checked(
        term=term, files=files, problems=problems, rules=summary, rows=len(table), text=table
    )


def _sorted(problems: pd.DataFrame, order: list[str]) -> pd.DataFrame:
    rank = {name: i for i, name in enumerate(dict.fromkeys(order))}
    key = pd.DataFrame(
        {
            "file": problems["file"].map(rank).fillna(len(rank)),
            "row": pd.to_numeric(problems["row"], errors="coerce").fillna(0),
        }
    )
    order_index = key.sort_values(["file", "row"], kind="stable").index
    out = problems.loc[order_index].reset_index(drop=True)
    out["row"] = out["row"].astype("Int64")
    return out


def _typed(
    files: list[FileInfo], table: pd.DataFrame, term: Term, notes: list[str] | None = None
) -> pd.DataFrame:
    """The checked rows typed exactly as ``returns.read_return`` types a file.

    One file is read by ``read_return`` itself. Many (one per provider, say) are written once
    as one CSV of their text and read by ``read_return`` in one go, rather than each file
    being read a second time; each row keeps its own file and row.
    """
    readable = [f for f in files if f.name in set(table["source_file"])]
    if len(readable) == 1:
        frame = read_return(readable[0].path, term, notes)
        frame["source_file"] = readable[0].name
        return frame
    with tempfile.TemporaryDirectory(prefix="sufficiency-") as folder:
        combined = Path(folder) / "returns.csv"
        text = table.drop(columns=["source_file", "source_row"])
        text.to_csv(combined, index=False, lineterminator="\n")
        frame = read_return(combined, term, notes)
    frame["source_file"] = table["source_file"].to_numpy()
    frame["source_row"] = table["source_row"].to_numpy()
    return frame


def check_for_run(
    path: str | Path,
    term: Term,
    *,
    wards: gpd.GeoDataFrame,
    postcodes: pd.DataFrame | None = None,
    table: pd.DataFrame,
    notes: list[str] | None = None,
    located: pd.DataFrame | None = None,
) -> None:
    """Check one return file read for a run with no store by every rule ``ingest`` runs.

    ``table`` is the file as ``_io.read_table`` read it (for the typed rows too: not read again);
    ``located``, its rows as ``geography.locate`` placed them (not placed again).

    The first error refuses the run (:func:`rule_error`), so a return a store would refuse
    cannot feed a run either; each warning rule becomes a note (:func:`warning_notes`). The
    rules that compare with the store's earlier terms (R201-R203) have none and are skipped.
    The caller has the typed rows already (``returns.read_return``), so none are typed here.
    """
    path = Path(path)
    # No file details are kept for a run, so the file's SHA-256 is not worked out.
    checked = _check_tables(
        ({path.name: table}, [FileInfo(path, path.name, "", len(table))], []),
        term,
        labels=[path.name],
        history=None,
        known_urns=(),
        wards=wards,
        postcodes=postcodes,
        rules=RULES,
        located=located,
    )
    if not checked.ok:
        raise rule_error(checked, file=path, fix=run_fix(path))
    if notes is not None:
        notes.extend(warning_notes(checked.warnings))


def run_fix(path: Path) -> str:
    """How to correct a return a run refused, where the file is: in the bundled demo (package
    data, not written to: copy the area first) or in the user's own area folder.

    >>> print(run_fix(Path("/home/me/town/returns-2026-autumn.csv")))
    ... # doctest: +NORMALIZE_WHITESPACE
    Correct the return and run again (`sufficiency ingest /home/me/town/returns-2026-autumn.csv
    --area /home/me/town --report problems.xlsx` lists every problem in a workbook and loads
    nothing while there are errors)
    """
    from .._demo_area import DEMO_AREA

    folder = path.resolve().parent
    if folder == DEMO_AREA.resolve():
        return (
            "The bundled demo area is not written to: copy it first (cp -r "
            f"{DEMO_AREA} my-area), correct my-area/{path.name} and run "
            "sufficiency run --area my-area"
        )
    return (
        f"Correct the return and run again (`sufficiency ingest {path} --area {path.parent} "
        "--report problems.xlsx` lists every problem in a workbook and loads nothing while "
        "there are errors)"
    )


def warning_notes(warnings: pd.DataFrame, most_rows: int = 5) -> list[str]:
    """One note per file and warning rule: the rule, its rows and message (a run's notes).

    >>> w = pd.DataFrame([{"file": "r.csv", "row": r, "column": "places_holiday", "value": "3",
    ...     "code": "R206", "severity": "warning", "message": "give the weeks"} for r in (4, 9)])
    >>> warning_notes(w)
    ['r.csv: warning R206 on 2 row(s) (4, 9): give the weeks']
    """
    lines = []
    for (file, code), rows in warnings.groupby(["file", "code"], sort=False):
        numbers = [str(int(r)) for r in rows["row"] if not pd.isna(r)]
        shown = ", ".join(numbers[:most_rows]) + (", ..." if len(numbers) > most_rows else "")
        where = f" on {len(numbers)} row(s) ({shown})" if numbers else ""
        lines.append(f"{file}: warning {code}{where}: {rows['message'].iloc[0]}")
    return lines


def rule_error(
    checked: Checked, file: str | Path | None = None, fix: str | None = None
) -> InputError:
    """The first error of ``checked`` as one user error: file, row, column, rule and message.

    ``file`` names the file as the user gave it (one file checked); else the problem's label.
    ``fix`` says how to correct it (by default: correct the return, and how to list every
    problem).

    >>> p = pd.DataFrame([{"file": "returns-2026-autumn.csv", "row": 3,
    ...     "column": "registered_places", "value": "52", "code": "R113", "severity": "error",
    ...     "message": "places offered at one time must not be more than registered_places"}])
    >>> c = Checked(term=Term.parse("2026-autumn"), files=[], problems=p, rules=p)
    >>> print(rule_error(c))  # doctest: +NORMALIZE_WHITESPACE
    returns-2026-autumn.csv, row 3, column 'registered_places': error R113: places offered at
    one time must not be more than registered_places (found '52'). Correct the return and run
    again (`sufficiency ingest FILE --report problems.xlsx` lists every problem in a workbook)
    """
    errors = checked.errors
    first = errors.iloc[0]
    row = first["row"]
    value = first["value"]
    others = len(errors) - 1
    more = f"; {others} more error(s) in the returns" if others else ""
    return InputError(
        f"error {first['code']}: {first['message']}",
        file=str(file if file is not None else first["file"]),
        row=None if pd.isna(row) else int(row),
        column=first["column"] if isinstance(first["column"], str) else None,
        value=None if value is None or pd.isna(value) else str(value),
        hint=(
            f"Correct the return and run again{more} (`sufficiency ingest FILE --report "
            "problems.xlsx` lists every problem in a workbook)"
            if fix is None
            else f"{fix}{more}"
        ),
    )


def problem_lines(problems: pd.DataFrame) -> list[str]:
    """One line per problem, as a data officer reads it.

    >>> p = pd.DataFrame([{"file": "returns.csv", "row": 4, "column": "vacancies_2",
    ...     "value": "12", "code": "R110", "severity": "error",
    ...     "message": "vacancies_2 must not be more than the places offered to that age group"}])
    >>> problem_lines(p)[0]
    "returns.csv, row 4, column 'vacancies_2': error R110: vacancies_2 must not be more than \
the places offered to that age group (found '12')"
    """
    lines = []
    for p in problems.itertuples(index=False):
        where = [str(p.file)]
        row = cast(float, p.row)  # a row number, or NaN for a whole file
        if not pd.isna(row):
            where.append(f"row {int(row)}")
        if isinstance(p.column, str):
            where.append(f"column {p.column!r}")
        line = f"{', '.join(where)}: {p.severity} {p.code}: {p.message}"
        value = cast(str | None, p.value)  # the cell's text, if any
        if value is not None and not pd.isna(value):
            line += f" (found {str(value)!r})"
        lines.append(line)
    return lines


def write_report(checked: Checked, path: str | Path) -> Path:
    """The workbook to send back: ``summary``, ``problems`` and ``files`` sheets.

    Text cells that a spreadsheet would run as a formula are neutralised (``_escape.py``).
    """
    path = Path(path)
    totals = pd.DataFrame(
        {
            "item": ["term", "files", "rows", "errors", "warnings", "result"],
            "value": [
                str(checked.term),
                len(checked.files),
                checked.rows,
                len(checked.errors),
                len(checked.warnings),
                "ready to store" if checked.ok else "not stored: correct the errors and load again",
            ],
        }
    ).astype({"value": object})
    files = pd.DataFrame(
        [{"file": f.name, "rows": f.rows, "sha256": f.sha256} for f in checked.files],
        columns=["file", "rows", "sha256"],
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        frame_for_spreadsheet(totals).to_excel(writer, sheet_name="summary", index=False)
        frame_for_spreadsheet(checked.rules).to_excel(
            writer, sheet_name="summary", index=False, startrow=len(totals) + 2
        )
        frame_for_spreadsheet(checked.problems).to_excel(writer, sheet_name="problems", index=False)
        frame_for_spreadsheet(files).to_excel(writer, sheet_name="files", index=False)
        for name, widths in [
            ("summary", [12, 10, 80, 10, 20]),
            ("problems", [28, 6, 22, 20, 6, 8, 80]),
            ("files", [40, 6, 66]),
        ]:
            sheet = writer.sheets[name]
            for i, width in enumerate(widths):
                sheet.column_dimensions[chr(ord("A") + i)].width = width
            sheet.freeze_panes = "A2" if name != "summary" else None
    return path
