"""A provider's return for the term being collected: the form, its checks, draft and submit.

A provider account reaches its own URN only: any other URN in the address is "not found"
(404), whether or not such a setting exists, and a form that names another URN is refused
(403). Officers may open any setting's form (to help a provider on the phone); viewers none.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, g, render_template, request

from ..returns import web_returns
from ..returns.reader import (
    CHILDREN,
    FUNDED,
    GRADES,
    PLACES,
    PRICES,
    PROVIDER_TYPES,
    SCHOOL_AGE_PLACES,
    STAFF,
    STATUSES,
    VACANCIES,
    WAITING,
)
from ..returns.template import MEANING
from .app import web
from .security import roles

blueprint = Blueprint("provider", __name__)

#: The form's sections: a heading and its fields, in the return's column order.
SECTIONS = [
    ("The setting", ["provider_name", "provider_type", "registered_places"]),
    (
        "Where it is (a postcode is enough)",
        ["postcode", "ward_code", "latitude", "longitude", "easting", "northing"],
    ),
    ("Places offered", PLACES),
    ("Opening pattern", ["hours_per_day", "days_per_week", "weeks_per_year"]),
    ("Children on roll", [*CHILDREN, "send_children"]),
    ("Funded children", list(FUNDED)),
    ("Vacancies now", VACANCIES),
    ("Waiting lists", WAITING),
    ("Staff", [*STAFF, "leaver_reasons"]),
    (
        "Changes",
        ["status", "status_date", "planned_places_change", "planned_change_date"],
    ),
    (
        "School-age places (primary children: a place a session, each school day)",
        [*SCHOOL_AGE_PLACES, "holiday_weeks"],
    ),
    ("Quality and prices (optional)", ["ofsted_grade", *PRICES]),
]
CHOICES = {
    "provider_type": ("", *PROVIDER_TYPES),
    "status": ("", *STATUSES),
    "ofsted_grade": ("", *GRADES),
}
assert sorted(f for _, fields in SECTIONS for f in fields) == sorted(web_returns.FIELDS)


def own_urn(urn: str) -> str:
    """The URN, if this account may use it: 404 for a provider's other URN, 403 for viewers."""
    account = g.account
    if account.role == "provider" and urn != account.urn:
        abort(404)
    if account.role == "viewer":
        abort(403)
    if not web_returns.accounts.URN_RE.fullmatch(urn):
        abort(404)
    return urn


def _page(
    urn: str,
    fields: dict[str, str],
    problems: dict,
    saved: Any,
    message: str,
    message_class: str = "notice",
) -> str:
    area = web()
    return render_template(
        "return_form.html",
        urn=urn,
        term=area.collecting_term(),
        sections=SECTIONS,
        meaning=MEANING,
        choices=CHOICES,
        fields=fields,
        problems=problems,
        saved=saved,
        message=message,
        message_class=message_class,
    )


@blueprint.route("/return/<urn>", methods=["GET"])
@roles("provider", "officer")
def return_form(urn: str) -> Any:
    urn = own_urn(urn)
    area = web()
    term = area.collecting_term()
    saved = web_returns.load(area.store, urn, term)
    fields = saved.fields if saved else web_returns.prefill(area.store, urn, term)
    return _page(urn, fields, {}, saved, "")


@blueprint.route("/return/<urn>", methods=["POST"])
@roles("provider", "officer")
def save_return(urn: str) -> Any:
    urn = own_urn(urn)
    if request.form.get("urn", urn) != urn:
        abort(403)
    action = request.form.get("action", "check")
    if action not in {"check", "draft", "submit"}:
        abort(400)
    area = web()
    term = area.collecting_term()
    fields = web_returns.clean_fields(request.form)
    checked = web_returns.check_returns(area.store, term, {urn: fields}, area.context())
    problems = web_returns.problems_by_field(checked)
    errors = len(checked.errors)
    saved = web_returns.load(area.store, urn, term)
    if action == "draft" or (action == "submit" and checked.ok):
        saved = web_returns.save(
            area.store, urn, term, fields, submit=action == "submit", by=g.account.name
        )
    if action == "submit" and checked.ok:
        message = f"Submitted: the early years team will check and accept your return for {term}."
    elif action == "submit":
        message = (
            f"Not submitted: {errors} error(s) to correct first (shown by their fields). "
            "Your changes are not lost: correct them and submit again, or save a draft."
        )
    elif action == "draft":
        message = f"Draft saved. {errors} error(s) to correct before you can submit."
    else:
        message = f"Checked: {errors} error(s), {len(checked.warnings)} warning(s)."
    status = 422 if action == "submit" and not checked.ok else 200
    return _page(urn, fields, problems, saved, message, "error" if errors else "notice"), status
