"""Officer pages for the term's returns: who has returned (and the list to chase), the web
submissions to accept, and the upload of a whole workbook, checked like ``ingest``."""

from __future__ import annotations

import io
import secrets
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any, cast

import pandas as pd
from flask import Blueprint, abort, g, redirect, render_template, request, send_file, url_for

from ..errors import InputError
from ..outputs._escape import frame_for_spreadsheet
from ..returns import accounts, store, web_returns
from ..returns.reader import term_from_name
from ..returns.tracking import return_status
from ..returns.validation import check_files, problem_lines, write_report
from ..terms import Term
from . import uploads
from .app import web
from .security import roles

blueprint = Blueprint("returns_pages", __name__)
_REPORTS: OrderedDict[str, tuple[str, bytes]] = OrderedDict()  # token -> (name, workbook)
_REPORTS_LOCK = threading.Lock()
KEEP_REPORTS = 50
#: How a refusal names the upload form's choices (the command line's are its options).
FORM_CHOICES = {
    "replace": 'Choose "replace the term"',
    "add": '"add late returns"',
}


def _term(text: str | None) -> Term:
    area = web()
    return Term.parse(text, column="term") if text else area.collecting_term()


def chase_list(term: Term) -> tuple[Any, pd.DataFrame]:
    """The return status of ``term`` and the providers to chase, with their web state."""
    area = web()
    stored = area.stored_returns()
    result = return_status(stored, term) if len(stored) else None
    missing = result.missing.copy() if result is not None else pd.DataFrame(columns=["urn"])
    states = {r.urn: r.state for r in web_returns.for_term(area.store, term)}
    with_accounts = {a.urn for a in accounts.all_accounts(area.store) if a.urn and not a.disabled}
    missing["web_return"] = [states.get(u, "none") for u in missing["urn"]]
    missing["has_account"] = ["yes" if u in with_accounts else "no" for u in missing["urn"]]
    return result, missing


@blueprint.route("/status")
@roles("officer")
def status() -> Any:
    term = _term(request.args.get("term"))
    result, missing = chase_list(term)
    submitted = [r for r in web_returns.for_term(web().store, term) if r.state == "submitted"]
    return render_template(
        "status.html",
        term=term,
        collecting=web().collecting_term(),
        result=result,
        missing=missing.astype(object).where(missing.notna(), "").to_dict("records"),
        submitted=len(submitted),
    )


@blueprint.route("/status.csv")
@roles("officer")
def status_csv() -> Any:
    term = _term(request.args.get("term"))
    _, missing = chase_list(term)
    text = frame_for_spreadsheet(missing).to_csv(index=False, lineterminator="\n")
    return send_file(
        io.BytesIO(text.encode("utf-8")),
        mimetype="text/csv",
        as_attachment=True,
        download_name=f"not-returned-{term}.csv",
    )


@blueprint.route("/term", methods=["POST"])
@roles("officer")
def set_term() -> Any:
    term = Term.parse(request.form.get("term", ""), column="term")
    accounts.put_setting(web().store, "collecting_term", str(term), by=g.account.name)
    return redirect(url_for("returns_pages.status"))


@blueprint.route("/submissions")
@roles("officer")
def submissions() -> Any:
    term = web().collecting_term()
    rows = web_returns.for_term(web().store, term)
    return render_template("submissions.html", term=term, rows=rows)


@blueprint.route("/submissions/accept", methods=["POST"])
@roles("officer")
def accept() -> Any:
    area = web()
    term = area.collecting_term()
    urns = request.form.getlist("urn")
    if not all(web_returns.accounts.URN_RE.fullmatch(u) for u in urns):
        abort(400)
    done = web_returns.accept(area.store, term, urns, area.context(), by=g.account.name)
    token = _keep_report(done.checked, f"problems-{term}.xlsx")
    return render_template(
        "checked.html",
        term=term,
        checked=done.checked,
        lines=problem_lines(done.checked.problems),
        result=done.result,
        token=token,
        what=f"{len(urns)} web return(s)",
    )


def _keep_report(checked: Any, name: str) -> str:
    """The problems workbook of a check, kept in memory for its download link."""
    with tempfile.TemporaryDirectory(prefix="sufficiency-web-") as folder:
        data = write_report(checked, Path(folder) / "problems.xlsx").read_bytes()
    token = secrets.token_urlsafe(16)
    with _REPORTS_LOCK:
        _REPORTS[token] = (name, data)
        while len(_REPORTS) > KEEP_REPORTS:
            _REPORTS.popitem(last=False)
    return token


@blueprint.route("/problems/<token>")
@roles("officer")
def problems_workbook(token: str) -> Any:
    with _REPORTS_LOCK:
        found = _REPORTS.get(token)
    if found is None:
        abort(404)
    name, data = found
    return send_file(
        io.BytesIO(data),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=name,
    )


@blueprint.route("/upload", methods=["GET"])
@roles("officer")
def upload_form() -> Any:
    return render_template("upload.html", term=web().collecting_term())


@blueprint.route("/upload", methods=["POST"])
@roles("officer")
def upload() -> Any:
    area = web()
    term = Term.parse(request.form.get("term", ""), column="term")
    given = request.form.get("mode", "new")
    if given not in {"new", "replace", "add"}:
        abort(400)
    mode = cast(store.Mode, given)
    upload = request.files.get("workbook")
    suffix = uploads.suffix_of(upload, "returns")
    assert upload is not None  # suffix_of refuses a missing file
    if store.exists(area.store):
        store.refuse_if_stored(area.store, term, mode, FORM_CHOICES)
    history = area.stored_returns()
    known = set(store.load_providers(area.store)["urn"]) if store.exists(area.store) else set()
    ctx = area.context()
    sent_name = uploads.shown_name(upload)
    named = term_from_name(sent_name)
    if named is not None and named != term:
        raise InputError(
            f"the file name says {named}, but the term chosen is {term}",
            file=sent_name,
            hint=f"Choose {named}, or rename the file if it really is {term}'s return",
        )
    with tempfile.TemporaryDirectory(prefix="sufficiency-web-") as folder:
        path = uploads.save(upload, Path(folder), f"returns-{term}{suffix}")
        try:
            checked = check_files(
                [path],
                term,
                history=history,
                known_urns=known,
                wards=ctx.wards,
                postcodes=ctx.postcodes,
            )
        except InputError as exc:  # named by the server's copy: name the user's file
            raise exc.for_file(sent_name) from None
        checked = checked.with_file_name(path.name, sent_name)
        token = _keep_report(checked, f"problems-{term}.xlsx")
        result = None
        if checked.ok:
            who, sent = g.account.name, sent_name

            def log(conn: store.Connection, done: store.ImportResult) -> None:
                detail = f"{sent} for {term} ({mode}) as import {done.import_id}"
                accounts.log(conn, who, "upload returns", detail)

            # Stored and logged in the one transaction of the ingest.
            result = store.ingest(
                area.store, checked, mode=mode, account=who, also=log, choices=FORM_CHOICES
            )
    return render_template(
        "checked.html",
        term=term,
        checked=checked,
        lines=problem_lines(checked.problems),
        result=result,
        token=token,
        what=f"the workbook {sent_name}",
    )
