"""A provider's return typed into the web form: pre-filled, checked, saved, submitted, accepted.

The form is the return workbook's row for one setting (the DATA.md columns of
``returns/reader.py``), pre-filled like the template (``template.prefill_rows``: the
setting's details, location, opening pattern and places from its latest return). A form is
checked by the very rules ``sufficiency ingest`` runs (``validation.check_files`` on a one-row
CSV written to a temporary folder under a fixed name), so a problem comes back with its code
and the column (form field) it concerns. A provider saves a draft as often as it likes and
submits once it has no errors; an officer accepts the term's submissions, which are checked
again as one set and stored by ``store.ingest`` (one transaction, the same audit, with the
officer's account recorded), and marked accepted with the import that stored them.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from ..errors import InputError
from ..terms import Term
from . import accounts, store
from .reader import RETURN_COLUMNS
from .template import prefill_rows
from .validation import Checked, check_files

#: The form's fields: every return column but the URN (the account's own, never the form's).
FIELDS = [c for c in RETURN_COLUMNS if c != "urn"]
MAX_FIELD = 500  # characters a field may hold


@dataclass(frozen=True)
class AreaContext:
    """What the checks need from the area: its wards and postcode lookup."""

    wards: gpd.GeoDataFrame | None
    postcodes: pd.DataFrame | None


@dataclass(frozen=True)
class WebReturn:
    """A return saved from the form: its fields as typed, state and who saved it when."""

    urn: str
    term: Term
    state: str
    fields: dict[str, str]
    saved_by: str
    saved_at: str
    submitted_at: str | None
    accepted_import: int | None


def clean_fields(form: Mapping[str, str]) -> dict[str, str]:
    """The form's return fields (and only those), stripped; missing ones empty."""
    fields = {}
    for name in FIELDS:
        value = str(form.get(name, "") or "").strip()
        if len(value) > MAX_FIELD:
            raise InputError(
                f"{name} is longer than {MAX_FIELD} characters", column=name, hint="Shorten it"
            )
        fields[name] = value
    return fields


def _history(path: store.Target) -> tuple[pd.DataFrame, set[str]]:
    if not store.exists(path):
        return pd.DataFrame(), set()
    return store.load_returns(path), set(store.load_providers(path)["urn"])


def prefill(path: store.Target, urn: str, term: Term) -> dict[str, str]:
    """The form for ``urn`` as the template would pre-fill it (empty if the store has none)."""
    history, _ = _history(path)
    rows = prefill_rows(history if len(history) else None, term)
    mine = rows[rows["urn"] == urn]
    fields = dict.fromkeys(FIELDS, "")
    if len(mine):
        for column, value in mine.iloc[0].items():
            if column in fields and not pd.isna(value):
                fields[str(column)] = _text(value)
    return fields


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return str(value)


def _write_csv(folder: Path, urn: str, fields: Mapping[str, str]) -> Path:
    """One return's row as a CSV in ``folder``; its name from the (checked) URN only."""
    if not accounts.URN_RE.fullmatch(urn):
        raise InputError(f"{urn!r} is not an Ofsted URN", column="urn", hint="")
    path = folder / f"web-return-{urn}.csv"
    row = {"urn": urn, **{name: fields.get(name, "") for name in FIELDS}}
    pd.DataFrame([row], columns=RETURN_COLUMNS, dtype="string").to_csv(
        path, index=False, lineterminator="\n"
    )
    return path


def check_returns(
    path: store.Target, term: Term, forms: Mapping[str, Mapping[str, str]], area: AreaContext
) -> Checked:
    """Check the returns ``forms`` (URN -> fields) as ``ingest`` checks a term's files."""
    history, known = _history(path)
    with tempfile.TemporaryDirectory(prefix="sufficiency-web-") as folder:
        files = [_write_csv(Path(folder), urn, fields) for urn, fields in sorted(forms.items())]
        checked = check_files(
            files,
            term,
            history=history,
            known_urns=known,
            wards=area.wards,
            postcodes=area.postcodes,
        )
        if checked.returns is not None:
            checked.returns = checked.returns.copy()  # read before the folder goes
    return checked


def problems_by_field(checked: Checked) -> dict[str, list[dict[str, str]]]:
    """Each field's problems (code, severity, message); problems of no field under ``""``."""
    out: dict[str, list[dict[str, str]]] = {}
    for p in checked.problems.itertuples(index=False):
        column = p.column if isinstance(p.column, str) else ""
        out.setdefault(column if column in FIELDS else "", []).append(
            {"code": str(p.code), "severity": str(p.severity), "message": str(p.message)}
        )
    return out


def _row(row: tuple) -> WebReturn:
    urn, term, state, fields, saved_by, saved_at, submitted_at, accepted = row
    return WebReturn(
        urn, Term.parse(term), state, json.loads(fields), saved_by, saved_at, submitted_at, accepted
    )


_COLUMNS = "urn, term, state, fields, saved_by, saved_at, submitted_at, accepted_import"


def load(path: store.Target, urn: str, term: Term) -> WebReturn | None:
    """The web return of ``urn`` for ``term``, if one has been saved."""
    if not store.exists(path):
        return None
    with store.connection(path) as conn:
        row = conn.execute(
            f"SELECT {_COLUMNS} FROM web_returns WHERE urn = ? AND term_index = ?",
            (urn, term.index),
        ).fetchone()
    return _row(row) if row else None


def save(
    path: store.Target, urn: str, term: Term, fields: Mapping[str, str], *, submit: bool, by: str
) -> WebReturn:
    """Save a draft (``submit=False``) or a submission, in one transaction, logged.

    A return an officer has accepted cannot be changed from the form.
    """
    now = store.now_utc()
    state = "submitted" if submit else "draft"
    with store.connection(path, create=True) as conn, store.transaction(conn):
        current = conn.execute(
            "SELECT state FROM web_returns WHERE urn = ? AND term_index = ?", (urn, term.index)
        ).fetchone()
        if current and current[0] == "accepted":
            raise InputError(
                f"the return of {urn} for {term} has been accepted into the store",
                hint="Ask the early years team to change it",
            )
        conn.execute(
            "INSERT INTO web_returns (urn, term, term_index, state, fields, saved_by, saved_at, "
            "submitted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (urn, term_index) DO "
            "UPDATE SET state = excluded.state, fields = excluded.fields, "
            "saved_by = excluded.saved_by, saved_at = excluded.saved_at, "
            "submitted_at = excluded.submitted_at",
            (
                urn,
                str(term),
                term.index,
                state,
                json.dumps(dict(fields), sort_keys=True),
                by,
                now,
                now if submit else None,
            ),
        )
        accounts.log(conn, by, f"{state} return", f"{urn} {term}")
    found = load(path, urn, term)
    assert found is not None  # just written
    return found


def for_term(path: store.Target, term: Term) -> list[WebReturn]:
    """Every web return for ``term`` (drafts, submissions, accepted), by URN."""
    if not store.exists(path):
        return []
    with store.connection(path) as conn:
        rows = conn.execute(
            f"SELECT {_COLUMNS} FROM web_returns WHERE term_index = ? ORDER BY urn",
            (term.index,),
        ).fetchall()
    return [_row(r) for r in rows]


@dataclass(frozen=True)
class Accepted:
    """What accepting submissions did: the check of them all and the import, if stored."""

    checked: Checked
    result: store.ImportResult | None


def accept(
    path: store.Target, term: Term, urns: Iterable[str], area: AreaContext, *, by: str
) -> Accepted:
    """Check the submitted returns of ``urns`` as one set and store them like ``ingest``.

    The term is stored ``new`` if the store has none of it yet, else ``add`` (late returns:
    refused for a URN the term already has). Nothing is stored when any has an error.
    """
    wanted = set(urns)
    submitted = {r.urn: r for r in for_term(path, term) if r.state == "submitted"}
    missing = sorted(wanted - set(submitted))
    if missing or not wanted:
        raise InputError(
            f"no submitted return for {', '.join(missing) or 'any setting chosen'}",
            hint="Choose returns marked submitted on the submissions page",
        )
    checked = check_returns(path, term, {u: submitted[u].fields for u in wanted}, area)
    if not checked.ok:
        return Accepted(checked, None)
    mode: store.Mode = "add" if store.exists(path) and term in store.stored_terms(path) else "new"

    def mark(conn: store.Connection, result: store.ImportResult) -> None:
        conn.executemany(
            "UPDATE web_returns SET state = 'accepted', accepted_import = ? "
            "WHERE urn = ? AND term_index = ? AND state = 'submitted'",
            [(result.import_id, urn, term.index) for urn in sorted(wanted)],
        )
        accounts.log(
            conn,
            by,
            "accept returns",
            f"{term}: {', '.join(sorted(wanted))} as import {result.import_id}",
        )

    # One transaction: the returns stored and the submissions marked accepted, or neither.
    result = store.ingest(path, checked, mode=mode, account=by, also=mark)
    return Accepted(checked, result)


def import_account(path: store.Target, import_id: int) -> str | None:
    """The account that made an import (``None``: the command line)."""
    with store.connection(path) as conn:
        row = conn.execute(
            "SELECT account FROM import_accounts WHERE import_id = ?", (import_id,)
        ).fetchone()
    return str(row[0]) if row else None
