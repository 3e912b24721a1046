"""Officer pages for accounts (list, disable, enable) and the write log."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, g, redirect, render_template, request, url_for

from ..returns import accounts
from .app import web
from .security import roles

blueprint = Blueprint("admin", __name__)


@blueprint.route("/accounts")
@roles("officer")
def account_list() -> Any:
    return render_template("accounts.html", accounts=accounts.all_accounts(web().store))


@blueprint.route("/accounts/disable", methods=["POST"])
@roles("officer")
def disable() -> Any:
    name = request.form.get("name", "")
    action = request.form.get("action", "")
    if action not in {"disable", "enable"}:
        abort(400)
    if name == g.account.name and action == "disable":
        abort(400, description="You cannot disable your own account.")
    accounts.set_disabled(web().store, name, action == "disable", by=g.account.name)
    return redirect(url_for("admin.account_list"))


@blueprint.route("/log")
@roles("officer")
def write_log() -> Any:
    return render_template("log.html", rows=accounts.write_log(web().store)[:500])
