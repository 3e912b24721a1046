"""The Flask application: ``create_app(area)`` and what every request shares.

A thin layer over the library: the pages call ``returns.web_returns``, ``returns.validation``,
``returns.store``, ``returns.tracking``, ``scenarios.compare``, ``closures``, ``planning`` and
the ``outputs`` writers, the same functions the command line calls, and compute nothing
themselves. Pages are rendered on the server from Jinja2 templates in ``web/templates``, with
one stylesheet in ``web/static``: no script, no build step, no CDN.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pandas as pd
from flask import Flask, g, render_template, request
from werkzeug.exceptions import HTTPException

from .. import geography
from ..area import area_folder, resolve_files
from ..errors import SufficiencyError
from ..returns import accounts, store
from ..returns.database import Location
from ..returns.reader import term_from_name
from ..returns.web_returns import AreaContext
from ..terms import Term
from . import security
from .jobs import Jobs

#: The largest upload taken (a term's workbook for a whole LA is well under 5 MB).
MAX_UPLOAD = 20 * 1024 * 1024
LOG = logging.getLogger("sufficiency.web")


@dataclass
class WebArea:
    """The area the app serves: its folder, store, what the checks need, and shared state."""

    folder: Path
    store: Location
    jobs: Jobs
    throttle: security.Throttle = field(default_factory=security.Throttle)
    _context: AreaContext | None = None

    def context(self) -> AreaContext:
        """The area's wards and postcode lookup, read once."""
        if self._context is None:
            files = resolve_files(self.folder, area_folder(self.folder)[1])
            wards = geography.read_wards(files["wards"][0]) if files["wards"] else None
            postcodes = (
                geography.read_postcodes(files["postcodes"][0]) if files["postcodes"] else None
            )
            self._context = AreaContext(wards, postcodes)
        return self._context

    def collecting_term(self) -> Term:
        """The term whose returns are being collected: as an officer set it, else (set from
        then on, so that accepting returns does not move it) the term after the latest in the
        store, or in the area's return files."""
        chosen = accounts.setting(self.store, "collecting_term")
        if chosen:
            return Term.parse(chosen)
        latest = [t.index for t in store.stored_terms(self.store)] if self._has_returns() else []
        if not latest:
            named = [term_from_name(p) for p in self.folder.glob("returns-*")]
            latest = [t.index for t in named if t is not None]
        default = Term(max(latest) + 1) if latest else Term.parse("2026-autumn")
        return Term.parse(str(accounts.setting(self.store, "collecting_term", make=str(default))))

    def _has_returns(self) -> bool:
        return self.store.exists()

    def stored_returns(self) -> pd.DataFrame:
        return store.load_returns(self.store) if self.store.exists() else pd.DataFrame()


def create_app(
    area: str | Path, *, secret_key: str | None = None, secure_cookie: bool = False
) -> Flask:
    """The web app for the area folder ``area`` (its store is made if it has none).

    ``secure_cookie``: the browser sends the session cookie over HTTPS only (for an app that
    users reach through HTTPS, as behind the council's proxy).
    """
    folder, _ = area_folder(area)
    folder = folder.resolve()  # files are sent by absolute path, wherever the server started
    path = store.locate(folder)  # --store or SUFFICIENCY_STORE, else the area's SQLite file
    key = secret_key or accounts.setting(path, "secret_key", make=secrets.token_hex(32))
    store.use_wal(path)
    app = Flask("sufficiency.web")
    app.config.update(
        SECRET_KEY=key,
        SESSION_COOKIE_NAME="sufficiency_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure_cookie,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=8),
        MAX_CONTENT_LENGTH=MAX_UPLOAD,
        MAX_FORM_MEMORY_SIZE=MAX_UPLOAD,
    )
    app.extensions["sufficiency"] = WebArea(folder, path, Jobs(folder))
    app.jinja_env.globals["csrf_token"] = security.csrf_token
    app.jinja_env.filters["option"] = _option_text
    app.before_request(security.load_account)
    app.after_request(security.security_headers)

    from . import admin, auth, provider, returns_pages, runs

    for module in (auth, provider, returns_pages, runs, admin):
        app.register_blueprint(module.blueprint)
    _error_pages(app)
    return app


def _option_text(value: object) -> str:
    """A run's option as its page shows it: a list joined, nothing as a dash."""
    if isinstance(value, list | tuple):
        return ", ".join(map(str, value)) or "-"
    return "-" if value is None else str(value)


def web() -> WebArea:
    """The area of the app handling this request."""
    from flask import current_app

    return current_app.extensions["sufficiency"]  # type: ignore[no-any-return]


WHAT_TO_DO = {
    400: (
        "The request could not be read",
        "Go back, reload the page and try again. If a form had been open for a long time, "
        "your session may have ended: sign in again.",
    ),
    403: (
        "Not allowed",
        "Your account cannot open this page. Providers see their own setting's return only; "
        "viewers see the published outputs only. Ask the early years team if you need more.",
    ),
    404: ("Not found", "Check the address, or go back to the start page."),
    405: ("Not allowed", "This page cannot be used that way: go back to the start page."),
    413: (
        "The file is too large",
        f"Uploads are limited to {MAX_UPLOAD // (1024 * 1024)} MB. Save the returns as .xlsx "
        "(or CSV) with one row per provider and nothing else, and upload it again.",
    ),
    429: (
        "Too many failed sign-ins",
        "Sign-in is paused for this account for 15 minutes. Check the name and password, or "
        "ask an officer to set a new password.",
    ),
}


def _error_pages(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Any:
        code = error.code or 500
        title, advice = WHAT_TO_DO.get(code, ("Something went wrong", "Go back and try again."))
        if code == 400 and error.description == "csrf":
            title = "The form had expired"
            advice = (
                "The form did not carry this session's security token (it was opened before "
                "you signed in again, or came from another site). Reload the page and send "
                "it again."
            )
        return render_template("error.html", title=title, advice=advice, code=code), code

    @app.errorhandler(SufficiencyError)
    def user_error(error: SufficiencyError) -> Any:
        return (
            render_template(
                "error.html",
                title="That could not be done",
                message=str(error),
                advice="Correct what the message names and try again.",
                code=400,
            ),
            400,
        )

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Any:
        who = g.account.name if getattr(g, "account", None) else "-"
        LOG.exception("unexpected error on %s %s (account %s)", request.method, request.path, who)
        return (
            render_template(
                "error.html",
                title="Something went wrong on the server",
                advice="Nothing you typed was lost from saved drafts. Try again; if it happens "
                "again, tell the person who runs this server (the details are in its log).",
                code=500,
            ),
            500,
        )
