"""A tiny area served by the web app, with one account of each role, for the web tests.

Two 1 km square wards (``conftest.write_area``); two day nurseries, EY100001 in the first
ward and EY100002 in the second, 40 places for 3-4s each, whose 2026-autumn returns are in
the store; the term being collected is then 2027-spring.
"""

from __future__ import annotations

import re
from pathlib import Path

from conftest import inside, provider, write_area
from flask.testing import FlaskClient

from sufficiency.returns import accounts, store
from sufficiency.returns.validation import check_files
from sufficiency.terms import Term

PASSWORDS = {
    "olive": "officer-password-1",
    "acorns": "provider-password-1",
    "bramble": "provider-password-2",
    "vera": "viewer-password-1",
}
ROLES = {"olive": "officer", "acorns": "provider", "bramble": "provider", "vera": "viewer"}
URNS = {"acorns": "EY100001", "bramble": "EY100002"}


def web_area(folder: Path) -> Path:
    """Write the area, store its 2026-autumn returns and add the four accounts."""
    (x0, y0), (x1, y1) = inside(0), inside(1)
    rows = [
        provider(easting=x0, northing=y0),
        provider(urn="EY100002", provider_name="Bramble Hill", easting=x1, northing=y1),
    ]
    area = write_area(folder, returns={"2026-autumn": rows})
    checked = check_files([area / "returns-2026-autumn.csv"], Term.parse("2026-autumn"))
    assert checked.ok, checked.problems
    store.ingest(store.locate(area), checked)  # SUFFICIENCY_STORE, else the area's file
    for name, role in ROLES.items():
        accounts.add(store.locate(area), name, role, PASSWORDS[name], urn=URNS.get(name))
    return area


def token(html: str) -> str:
    """The CSRF token of the first form on a page."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def sign_in(client: FlaskClient, name: str, password: str | None = None) -> None:
    page = client.get("/login")
    answer = client.post(
        "/login",
        data={
            "csrf_token": token(page.text),
            "name": name,
            "password": password or PASSWORDS[name],
        },
    )
    assert answer.status_code == 302, answer.text


def form_fields(html: str) -> dict[str, str]:
    """The return form's fields as the page fills them (inputs and selected options)."""
    fields = dict(re.findall(r'<input id="([a-z_0-9]+)" name="[a-z_0-9]+" value="([^"]*)"', html))
    for name, body in re.findall(
        r'<select id="([a-z_]+)" name="[a-z_]+">(.*?)</select>', html, re.S
    ):
        chosen = re.search(r'<option value="([^"]*)" selected>', body)
        fields[name] = chosen.group(1) if chosen else ""
    return fields
