"""Signing in and out, and the start page each role lands on."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, g, redirect, render_template, request, session, url_for

from ..returns import accounts, store
from .app import web

blueprint = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only a path on this server (never ``//host`` or ``http://``) is followed after sign-in."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("auth.home")


@blueprint.route("/login", methods=["GET", "POST"])
def login() -> Any:
    area = web()
    error = None
    name = ""
    if request.method == "POST":
        name = request.form.get("name", "").strip()[:64]
        password = request.form.get("password", "")[:1024]
        address = request.remote_addr or "-"
        if area.throttle.blocked(name, address):
            abort(429)
        account = accounts.verify(area.store, name, password)
        if account is None:
            area.throttle.failed(name, address)
            error = "That name and password do not match an account that can sign in."
        else:
            area.throttle.succeeded(name)
            session.clear()  # a new session: nothing carried over from before sign-in
            session.permanent = True
            session["account_id"] = account.account_id
            with store.connection(area.store) as conn, store.transaction(conn):
                accounts.log(conn, account.name, "sign in", address)
            return redirect(_safe_next(request.args.get("next")))
    return render_template("login.html", error=error, name=name), 401 if error else 200


@blueprint.route("/logout", methods=["POST"])
def logout() -> Any:
    session.clear()
    return redirect(url_for("auth.login"))


@blueprint.route("/")
def home() -> Any:
    account = g.account
    if account.role == "provider":
        return redirect(url_for("provider.return_form", urn=account.urn))
    if account.role == "viewer":
        return redirect(url_for("runs.published"))
    return redirect(url_for("returns_pages.status"))
