"""The web app over HTTP (Flask's test client): sign-in, roles, CSRF, uploads, the provider's
return from form to store, the officer's pages and runs."""

from __future__ import annotations

import io
import re
import sqlite3
from pathlib import Path

import pandas as pd
import pytest
from _web import PASSWORDS, form_fields, sign_in, token, web_area

from sufficiency.errors import InputError
from sufficiency.returns import accounts, store, web_returns
from sufficiency.terms import Term
from sufficiency.web import create_app
from sufficiency.web.app import MAX_UPLOAD

SPRING = Term.parse("2027-spring")


@pytest.fixture
def area(tmp_path: Path) -> Path:
    return web_area(tmp_path / "area")


@pytest.fixture(params=["sqlite", "postgresql"])
def any_store_area(request, tmp_path: Path, monkeypatch) -> Path:
    """The web area with its store in its SQLite file, then on PostgreSQL (serve --store)."""
    if request.param == "postgresql":
        monkeypatch.setenv("SUFFICIENCY_STORE", request.getfixturevalue("postgres_store"))
    return web_area(tmp_path / "area")


@pytest.fixture
def app(area: Path):
    app = create_app(area)
    app.config["TESTING"] = True
    return app


def _urls(app) -> list[tuple[str, str]]:
    """Every route (method, URL) with its parameters filled in."""
    values = {"urn": "EY100001", "token": "x", "run_id": "20270101T000000-assess-1", "name": "a"}
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in {"static", "auth.login"}:
            continue
        url = rule.rule
        for argument in rule.arguments:
            url = re.sub(rf"<(?:[a-z]+:)?{argument}>", values[argument], url)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((method, url))
    return found


def test_every_route_without_a_session_redirects_to_the_sign_in_page(app):
    client = app.test_client()
    urls = _urls(app)
    assert len(urls) >= 20  # every page of every role is in the list
    for method, url in urls:
        answer = client.open(url, method=method)
        assert answer.status_code == 302, (method, url, answer.status_code)
        assert answer.location.startswith("/login?next="), (method, url)
    assert client.get("/login").status_code == 200
    with client.get("/static/style.css") as style:
        assert style.status_code == 200


def test_the_session_cookie_is_signed_httponly_and_samesite(app):
    client = app.test_client()
    page = client.get("/login")
    answer = client.post(
        "/login",
        data={"csrf_token": token(page.text), "name": "olive", "password": PASSWORDS["olive"]},
    )
    cookie = answer.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    behind_https = create_app(app.extensions["sufficiency"].folder, secure_cookie=True)
    secure = behind_https.test_client().get("/login").headers["Set-Cookie"]
    assert "; Secure" in secure and "HttpOnly" in secure
    # A cookie that is not signed with the area's key is no session at all.
    forged = app.test_client()
    forged.set_cookie("sufficiency_session", '{"account_id": 1}')
    assert forged.get("/status").status_code == 302


def test_a_provider_reaches_its_own_urn_only(app):
    client = app.test_client()
    sign_in(client, "acorns")
    assert client.get("/").location == "/return/EY100001"
    assert client.get("/return/EY100001").status_code == 200
    # Another setting's return: not found, whether or not it exists.
    other = client.get("/return/EY100002")
    assert other.status_code == 404 and "Bramble" not in other.text
    assert client.get("/return/EY999999").status_code == 404
    page = client.get("/return/EY100001")
    fields = {**form_fields(page.text), "csrf_token": token(page.text), "action": "draft"}
    assert client.post("/return/EY100002", data=fields).status_code == 404
    # A form for its own URN that names another in its urn field is refused.
    assert client.post("/return/EY100001", data={**fields, "urn": "EY100002"}).status_code == 403
    for officer_page in ["/status", "/submissions", "/upload", "/runs", "/accounts", "/log"]:
        assert client.get(officer_page).status_code == 403, officer_page
    assert client.get("/published").status_code == 403
    assert (
        web_returns.for_term(store.store_path(app.extensions["sufficiency"].folder), SPRING) == []
    )


def test_a_viewer_reads_published_outputs_only(app):
    client = app.test_client()
    sign_in(client, "vera")
    assert client.get("/").location == "/published"
    assert client.get("/published").status_code == 200
    for page in ["/return/EY100001", "/status", "/upload", "/runs", "/accounts"]:
        assert client.get(page).status_code == 403, page


def test_a_form_without_its_csrf_token_is_refused_and_nothing_is_saved(app, area):
    client = app.test_client()
    sign_in(client, "acorns")
    fields = form_fields(client.get("/return/EY100001").text)
    for bad in [{}, {"csrf_token": "not-the-token"}]:
        answer = client.post("/return/EY100001", data={**fields, **bad, "action": "draft"})
        assert answer.status_code == 400
        assert "The form had expired" in answer.text
    assert web_returns.load(store.store_path(area), "EY100001", SPRING) is None
    # The sign-in form needs its token too.
    assert app.test_client().post("/login", data={"name": "olive"}).status_code == 400


def test_failed_sign_ins_are_throttled(app):
    client = app.test_client()
    page = client.get("/login")
    for _ in range(5):
        wrong = client.post(
            "/login", data={"csrf_token": token(page.text), "name": "olive", "password": "nope"}
        )
        assert wrong.status_code == 401
        assert "do not match" in wrong.text
    right = {"csrf_token": token(page.text), "name": "olive", "password": PASSWORDS["olive"]}
    blocked = client.post("/login", data=right)
    assert blocked.status_code == 429 and "Too many failed sign-ins" in blocked.text
    # The window passes (the throttle's clock, moved on by 901 s): the password works again.
    throttle = app.extensions["sufficiency"].throttle
    start = throttle.clock()
    throttle.clock = lambda: start + 901
    assert client.post("/login", data=right).status_code == 302


def test_an_officer_disables_an_account_and_its_session_ends(app, area):
    provider, officer = app.test_client(), app.test_client()
    sign_in(provider, "acorns")
    sign_in(officer, "olive")
    page = officer.get("/accounts")
    answer = officer.post(
        "/accounts/disable",
        data={"csrf_token": token(page.text), "name": "acorns", "action": "disable"},
    )
    assert answer.status_code == 302
    assert provider.get("/return/EY100001").status_code == 302  # signed out at the next click
    again = app.test_client()
    page = again.get("/login")
    refused = again.post(
        "/login",
        data={"csrf_token": token(page.text), "name": "acorns", "password": PASSWORDS["acorns"]},
    )
    assert refused.status_code == 401
    log = accounts.write_log(store.store_path(area))
    assert ("olive", "disable account", "acorns") in [(who, what, d) for _, who, what, d in log]


def _get(client, url: str):
    """A page or file, read and closed (a file's handle is not left open)."""
    answer = client.get(url)
    answer.get_data()
    answer.close()
    return answer


def _submit(client, fields: dict[str, str], action: str):
    page = client.get("/return/EY100001")
    return client.post(
        "/return/EY100001", data={**fields, "csrf_token": token(page.text), "action": action}
    )


def test_a_providers_return_from_the_form_to_the_store(any_store_area):
    area = any_store_area
    app = create_app(area)
    app.config["TESTING"] = True
    path = store.locate(area)
    client = app.test_client()
    sign_in(client, "acorns")
    page = client.get("/return/EY100001")
    assert "Termly return for 2027-spring" in page.text
    fields = form_fields(page.text)
    # Pre-filled from the 2026-autumn return, as the template pre-fills (details, location,
    # opening pattern, places); the rest is left to fill in.
    assert fields["provider_name"] == "Little Acorns"
    assert fields["provider_type"] == "day_nursery"
    assert (fields["places_3_4"], fields["hours_per_day"], fields["weeks_per_year"]) == (
        "40",
        "10",
        "51",
    )
    assert (fields["easting"], fields["northing"]) == ("440500.0", "110500.0")  # as stored
    assert fields["children_3_4"] == fields["vacancies_3_4"] == ""
    # A planted error: 45 vacancies for 3-4s with 30 places (R110), by its field.
    fields.update(places_3_4="30", registered_places="30", children_3_4="28", vacancies_3_4="45")
    refused = _submit(client, fields, "submit")
    assert refused.status_code == 422
    problem = re.search(r'<div class="problem" id="problem-(\w+)">(.*?)</div>', refused.text, re.S)
    assert problem and problem.group(1) == "vacancies_3_4"
    assert "R110" in problem.group(2) and "not be more than the places offered" in problem.group(2)
    assert re.findall(r'id="problem-(\w+)"', refused.text) == ["vacancies_3_4"]
    assert web_returns.load(path, "EY100001", SPRING) is None  # not submitted, not saved
    # Saved as a draft, it comes back as typed.
    assert _submit(client, fields, "draft").status_code == 200
    draft = web_returns.load(path, "EY100001", SPRING)
    assert draft is not None and draft.state == "draft" and draft.fields["vacancies_3_4"] == "45"
    assert form_fields(client.get("/return/EY100001").text)["vacancies_3_4"] == "45"
    # Corrected and submitted.
    fields["vacancies_3_4"] = "2"
    done = _submit(client, fields, "submit")
    assert done.status_code == 200 and "Submitted" in done.text
    assert web_returns.load(path, "EY100001", SPRING).state == "submitted"
    # The officer sees it and accepts it into the store.
    officer = app.test_client()
    sign_in(officer, "olive")
    listing = officer.get("/submissions")
    assert 'value="EY100001"' in listing.text
    accepted = officer.post(
        "/submissions/accept", data={"csrf_token": token(listing.text), "urn": "EY100001"}
    )
    assert accepted.status_code == 200 and 'id="stored"' in accepted.text
    stored = store.load_returns(path)
    spring = stored[stored["term"] == "2027-spring"]
    assert list(spring["urn"]) == ["EY100001"]
    row = spring.iloc[0]
    assert (row["places_3_4"], row["children_3_4"], row["vacancies_3_4"]) == (30.0, 28.0, 2.0)
    assert row["source_file"] == "web-return-EY100001.csv"
    imports = store.load_imports(path)
    assert list(imports["mode"]) == ["new", "new"] and list(imports["rows"]) == [2, 1]
    assert web_returns.import_account(path, 2) == "olive"
    assert web_returns.import_account(path, 1) is None  # made by ingest on the command line
    saved = web_returns.load(path, "EY100001", SPRING)
    assert (saved.state, saved.accepted_import) == ("accepted", 2)
    log = [(who, what) for _, who, what, _ in accounts.write_log(path)]
    assert ("acorns", "draft return") in log and ("acorns", "submitted return") in log
    assert ("olive", "accept returns") in log
    # The status page: 1 of the 2 providers expected from 2026-autumn has returned (50%);
    # EY100002 is the one to chase, and its CSV lists it alone.
    status = officer.get("/status?term=2027-spring")
    assert "<strong>1</strong> of 2 provider(s) returned\n(50%)" in status.text
    chase = officer.get("/status.csv?term=2027-spring")
    table = pd.read_csv(io.BytesIO(chase.data), dtype=str)
    assert list(table["urn"]) == ["EY100002"]
    assert list(table["web_return"]) == ["none"] and list(table["has_account"]) == ["yes"]
    # An accepted return cannot be changed from the form.
    again = _submit(client, fields, "draft")
    assert again.status_code == 400 and "has been accepted" in again.text


def test_text_typed_into_the_form_is_escaped_on_every_page(app, area):
    client = app.test_client()
    sign_in(client, "acorns")
    fields = form_fields(client.get("/return/EY100001").text)
    fields["provider_name"] = '<script>alert("x")</script>'
    assert _submit(client, fields, "draft").status_code == 200
    officer = app.test_client()
    sign_in(officer, "olive")
    for page in [client.get("/return/EY100001"), officer.get("/submissions")]:
        assert "<script>alert" not in page.text
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page.text


def _workbook(rows: list[dict]) -> bytes:
    buffer = io.BytesIO()
    pd.DataFrame(rows).to_excel(buffer, index=False)
    return buffer.getvalue()


def _upload(client, data: bytes, name: str, term: str = "2027-spring", mode: str = "new"):
    from werkzeug.datastructures import FileStorage
    from werkzeug.test import encode_multipart

    page = client.get("/upload")
    fields = {"csrf_token": token(page.text), "term": term, "mode": mode}
    # Encoded in memory (the test client would spool a large body to a file left open).
    upload = FileStorage(io.BytesIO(data), filename=name)
    boundary, body = encode_multipart({**fields, "workbook": upload})
    return client.post(
        "/upload", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


def test_an_uploaded_workbook_is_checked_like_ingest(app, area):
    from conftest import inside, provider

    path = store.store_path(area)
    client = app.test_client()
    sign_in(client, "olive")
    (x0, y0), (x1, y1) = inside(0), inside(1)
    rows = [
        provider(easting=x0, northing=y0, vacancies_3_4=41),  # R110: 41 vacancies, 40 places
        provider(urn="EY100002", easting=x1, northing=y1, places_3_4="ten"),  # R101
    ]
    refused = _upload(client, _workbook(rows), "spring returns.xlsx")
    assert refused.status_code == 200 and 'id="not-stored"' in refused.text
    # The problems name the file the officer uploaded, not the server's copy of it.
    assert "spring returns.xlsx, row 2, column &#39;vacancies_3_4&#39;: error R110" in (
        refused.text
    )
    assert "returns-2027-spring.xlsx" not in refused.text
    assert "row 3, column &#39;places_3_4&#39;: error R101" in refused.text
    assert store.stored_terms(path) == [Term.parse("2026-autumn")]
    link = re.search(r'href="(/problems/[^"]+)"', refused.text).group(1)
    problems = pd.read_excel(io.BytesIO(client.get(link).data), sheet_name="problems")
    assert list(zip(problems["row"], problems["column"], problems["code"], strict=True)) == [
        (2, "vacancies_3_4", "R110"),
        (3, "places_3_4", "R101"),
    ]
    assert set(problems["file"]) == {"spring returns.xlsx"}
    rows[0]["vacancies_3_4"], rows[1]["places_3_4"] = 3, 40
    stored = _upload(client, _workbook(rows), "spring returns.xlsx")
    assert 'id="stored"' in stored.text and "Stored 2 return(s) for 2027-spring" in stored.text
    assert store.stored_terms(path) == [Term.parse("2026-autumn"), SPRING]
    assert web_returns.import_account(path, 2) == "olive"
    log = [(who, what, detail) for _, who, what, detail in accounts.write_log(path)]
    assert log[0] == (
        "olive",
        "upload returns",
        "spring returns.xlsx for 2027-spring (new) as import 2",
    )
    # The same term again without add or replace is refused, naming what to do.
    again = _upload(client, _workbook(rows), "spring returns.xlsx")
    assert again.status_code == 400 and "--replace" not in again.text  # no options on the web
    assert "Choose &#34;replace the term&#34; to replace it" in again.text


def test_uploads_are_bounded_in_size_and_type(app, area):
    client = app.test_client()
    sign_in(client, "olive")
    big = _upload(client, b"PK\x03\x04" + b"0" * (50 * 1024 * 1024), "big.xlsx")
    assert big.status_code == 413 and "The file is too large" in big.text
    assert MAX_UPLOAD < 50 * 1024 * 1024
    wrong = _upload(client, b"MZ\x90\x00 not a spreadsheet", "returns.exe")
    assert wrong.status_code == 400 and "is not a .xlsx or .csv file" in wrong.text
    posing = _upload(client, b"this is text, not a zip", "returns.xlsx")
    assert posing.status_code == 400 and "is not an Excel workbook" in posing.text
    assert store.stored_terms(store.store_path(area)) == [Term.parse("2026-autumn")]
    # The file name a user sends never becomes a path: nothing new in the area folder.
    before = sorted(p.name for p in area.iterdir())
    _upload(client, _workbook([{"urn": "x"}]), "../../evil.xlsx")
    assert sorted(p.name for p in area.iterdir()) == before


def test_a_run_from_the_web_writes_what_the_command_line_writes(area, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from sufficiency.cli import cli

    monkeypatch.chdir(area.parent)
    app = create_app(Path(area.name))  # a relative area folder, as a user types it
    client = app.test_client()
    sign_in(client, "olive")
    page = client.get("/runs")
    started = client.post("/runs", data={"csrf_token": token(page.text), "kind": "assess"})
    assert started.status_code == 302
    run_url = started.location
    app.extensions["sufficiency"].jobs.wait(timeout=300)
    result = client.get(run_url)
    assert result.status_code == 200 and 'id="summary"' in result.text, result.text
    for name in ["gap.csv", "gap.gpkg", "sufficiency.xlsx", "maps/gap-map.html", "report.html"]:
        assert f"name={name}" in result.text or f"/files/{name}" in result.text, name
    gap = _get(client, f"{run_url}/files/gap.csv")
    cli_out = tmp_path / "cli"
    ran = CliRunner().invoke(cli, ["run", "--area", str(area), "--out", str(cli_out)])
    assert ran.exit_code == 0, ran.output
    assert gap.data == (cli_out / "gap.csv").read_bytes()  # the same function, the same bytes
    shown = _get(client, f"{run_url}/files/maps/gap-map.html")
    assert (
        shown.mimetype == "text/html"
        and "connect-src" not in shown.headers["Content-Security-Policy"]
    )
    assert "default-src 'none'" in shown.headers["Content-Security-Policy"]
    assert client.get(f"{run_url}/files/../../sufficiency.sqlite").status_code == 404
    assert client.get(f"{run_url}/files/run.json").status_code == 404
    # A viewer opens the published map of that run, never its internal files.
    viewer = app.test_client()
    sign_in(viewer, "vera")
    published = _get(viewer, "/published/gap-map.html")
    banner = "Internal: not for publication"
    assert published.status_code == 200 and banner not in published.text
    assert published.data == _get(client, f"{run_url}/files/published/gap-map.html").data
    assert banner in shown.text
    assert viewer.get(f"{run_url}/files/gap.csv").status_code == 403


def test_the_app_and_ingest_write_the_store_at_once_and_it_stays_whole(app, area):
    """Providers save drafts through the app while ``sufficiency ingest`` stores a term."""
    import subprocess
    import sys
    import threading

    from conftest import inside, provider

    path = store.store_path(area)
    x, y = inside(1)
    # An earlier term, late: the term the providers' forms are for stays 2027-spring.
    late = area / "incoming" / "returns-2026-summer.csv"
    late.parent.mkdir()
    pd.DataFrame([provider(urn=f"EY2{i:05d}", easting=x, northing=y) for i in range(200)]).to_csv(
        late, index=False
    )
    clients = {}
    for name in ("acorns", "bramble"):
        clients[name] = app.test_client()
        sign_in(clients[name], name)
    errors: list[str] = []

    def save_drafts(name: str, urn: str) -> None:
        client = clients[name]
        for i in range(15):
            page = client.get(f"/return/{urn}")
            fields = {**form_fields(page.text), "children_3_4": str(i)}
            answer = client.post(
                f"/return/{urn}", data={**fields, "csrf_token": token(page.text), "action": "draft"}
            )
            if answer.status_code != 200:
                errors.append(f"{name}: {answer.status_code}")

    threads = [
        threading.Thread(target=save_drafts, args=("acorns", "EY100001")),
        threading.Thread(target=save_drafts, args=("bramble", "EY100002")),
    ]
    ingest = subprocess.Popen(
        [sys.executable, "-m", "sufficiency", "ingest", str(late), "--area", str(area)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    for thread in threads:
        thread.start()
    output, _ = ingest.communicate(timeout=300)
    for thread in threads:
        thread.join()
    assert ingest.returncode == 0, output
    assert errors == []
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()
    summer = store.load_returns(path)
    assert (summer["term"] == "2026-summer").sum() == 200
    drafts = web_returns.for_term(path, SPRING)
    assert [(d.urn, d.saved_by, d.fields["children_3_4"]) for d in drafts] == [
        ("EY100001", "acorns", "14"),
        ("EY100002", "bramble", "14"),
    ]
    log = [(who, what) for _, who, what, _ in accounts.write_log(path)]
    assert log.count(("acorns", "draft return")) == 15
    assert log.count(("bramble", "draft return")) == 15


def test_an_error_is_a_page_that_says_what_to_do_never_a_traceback(app, monkeypatch):
    client = app.test_client()
    sign_in(client, "olive")
    assert client.get("/runs/not-a-run").status_code == 404
    assert "Not found" in client.get("/no/such/page").text

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("sufficiency.web.returns_pages.return_status", broken)
    answer = client.get("/status")
    assert answer.status_code == 500
    assert "Something went wrong on the server" in answer.text
    assert "Traceback" not in answer.text and "a bug" not in answer.text


def _run(client, app, data: dict, files: dict | None = None) -> str:
    """Start a run from the runs page, wait for it, and return its page's address."""
    from werkzeug.datastructures import FileStorage
    from werkzeug.test import encode_multipart

    page = client.get("/runs")
    values: dict = {"csrf_token": token(page.text), **data}
    for name, (content, filename) in (files or {}).items():
        values[name] = FileStorage(io.BytesIO(content), filename=filename)
    boundary, body = encode_multipart(values)
    started = client.post(
        "/runs", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert started.status_code == 302, started.text
    app.extensions["sufficiency"].jobs.wait(timeout=300)
    return started.location


HEADLINE_TOML = """name = "headline"
description = "the form's"
[parameters]
utilisation = 0.85
[parameters.take_up]
universal_3_4 = 0.8
"""


def test_scenarios_from_the_form_and_an_upload_run_as_compare_runs_them(app, area, tmp_path):
    from click.testing import CliRunner

    from sufficiency.cli import cli

    client = app.test_client()
    sign_in(client, "olive")
    uploaded = HEADLINE_TOML.replace('"headline"', '"uploaded"').replace("0.85", "0.8")
    run_url = _run(
        client,
        app,
        {"kind": "assess", "p.utilisation": "0.85", "p.take_up.universal_3_4": "0.8"},
        {"scenario_file": (uploaded.encode(), "mine.toml")},
    )
    page = client.get(run_url)
    assert "scenarios: uploaded, headline" in page.text
    web_gap = _get(client, f"{run_url}/files/gap.csv").data
    web_comparison = _get(client, f"{run_url}/files/comparison.csv").data
    files = []
    for name, text in [("uploaded", uploaded), ("headline", HEADLINE_TOML)]:
        (tmp_path / f"{name}.toml").write_text(text, encoding="utf-8")
        files.append(str(tmp_path / f"{name}.toml"))
    out = tmp_path / "compare"
    ran = CliRunner().invoke(cli, ["compare", *files, "--area", str(area), "--out", str(out)])
    assert ran.exit_code == 0, ran.output
    assert web_gap == (out / "gap.csv").read_bytes()
    assert web_comparison == (out / "comparison.csv").read_bytes()
    gap = pd.read_csv(io.BytesIO(web_gap))
    assert sorted(gap["scenario"].unique()) == ["baseline", "headline", "uploaded"]


def test_a_bad_scenario_is_a_page_that_says_what_to_do(app):
    client = app.test_client()
    sign_in(client, "olive")
    page = client.get("/runs")
    bad = client.post(
        "/runs", data={"csrf_token": token(page.text), "kind": "assess", "p.utilisation": "lots"}
    )
    assert bad.status_code == 400 and "utilisation must be a number (found &#39;lots&#39;)" in (
        bad.text
    )
    out_of_bounds = client.post(
        "/runs", data={"csrf_token": token(page.text), "kind": "assess", "p.utilisation": "7"}
    )
    assert out_of_bounds.status_code == 400 and "utilisation" in out_of_bounds.text
    assert app.extensions["sufficiency"].jobs.all() == []


def test_resilience_and_plan_from_the_web_write_what_the_commands_write(app, area, tmp_path):
    from click.testing import CliRunner

    from sufficiency.cli import cli

    client = app.test_client()
    sign_in(client, "olive")
    resilience = _run(client, app, {"kind": "resilience"})
    plan = _run(client, app, {"kind": "plan", "places": "20", "max_per_ward": "10"})
    runner = CliRunner()
    out = tmp_path / "cli"
    ran = runner.invoke(cli, ["resilience", "--area", str(area), "--out", str(out / "r")])
    assert ran.exit_code == 0, ran.output
    ran = runner.invoke(
        cli,
        [
            "plan",
            "--area",
            str(area),
            "--places",
            "20",
            "--max-per-ward",
            "10",
            "--out",
            str(out / "p"),
        ],
    )
    assert ran.exit_code == 0, ran.output
    for url, name, folder in [(resilience, "resilience.csv", "r"), (plan, "plan.csv", "p")]:
        assert _get(client, f"{url}/files/{name}").data == (out / folder / name).read_bytes()
    table = pd.read_csv(out / "p" / "plan.csv")
    assert table["places_added"].sum() == 20  # 20 places, at most 10 in each of the 2 wards
    assert table.groupby("ward_code")["places_added"].sum().to_dict() == {
        "E05000001": 10,
        "E05000002": 10,
    }


def test_no_page_asks_for_anything_from_another_server(app):
    """No CDN: every stylesheet, script, image and frame a page names is on this server."""
    client = app.test_client()
    sign_in(client, "olive")
    pages = ["/status", "/submissions", "/upload", "/runs", "/accounts", "/log", "/published"]
    pages.append("/return/EY100001")
    for url in pages:
        html = client.get(url).text
        assert "<script" not in html, url  # the app's own pages run no script at all
        sources = re.findall(r'(?:src|href)="([^"]*)"', html)
        assert sources and all(s.startswith("/") for s in sources), (url, sources)
    templates = Path(__file__).resolve().parents[1] / "sufficiency" / "web" / "templates"
    for template in templates.glob("*.html"):
        assert "http://" not in template.read_text() and "https://" not in template.read_text()


def test_accepting_stores_and_marks_in_one_transaction(any_store_area, monkeypatch):
    """A failure after the returns are written leaves neither them nor the marks."""
    area = any_store_area
    path = store.locate(area)
    app = create_app(area)
    ctx = app.extensions["sufficiency"].context()
    fields = web_returns.prefill(path, "EY100001", SPRING)
    fields.update(children_3_4="30", vacancies_3_4="4")
    web_returns.save(path, "EY100001", SPRING, fields, submit=True, by="acorns")
    before = store.load_imports(path)
    insert = store._insert_returns

    def insert_then_fail(conn, *args):
        insert(conn, *args)
        raise RuntimeError("power cut")

    monkeypatch.setattr(store, "_insert_returns", insert_then_fail)
    with pytest.raises(RuntimeError, match="power cut"):
        web_returns.accept(path, SPRING, ["EY100001"], ctx, by="olive")
    pd.testing.assert_frame_equal(store.load_imports(path), before)
    assert web_returns.load(path, "EY100001", SPRING).state == "submitted"
    assert ("olive", "accept returns") not in [(w, a) for _, w, a, _ in accounts.write_log(path)]
    monkeypatch.undo()
    done = web_returns.accept(path, SPRING, ["EY100001"], ctx, by="olive")
    assert done.result is not None and done.result.rows == 1
    assert web_returns.load(path, "EY100001", SPRING).state == "accepted"
    # Accepted again: there is no submitted return left to accept.
    with pytest.raises(InputError, match="no submitted return for EY100001"):
        web_returns.accept(path, SPRING, ["EY100001"], ctx, by="olive")


def test_an_upload_s_errors_name_the_file_sent_escaped(app, area):
    from conftest import provider

    client = app.test_client()
    sign_in(client, "olive")
    # A header and no rows: the problems name the file sent, escaped, not the server's copy.
    empty = _upload(client, b"urn,provider_name\n", "C:\\eyc\\Spring <returns> & co.csv")
    assert empty.status_code == 200 and 'id="not-stored"' in empty.text
    assert "Spring &lt;returns&gt; &amp; co.csv: error R002: the file has no rows of data" in (
        empty.text
    )
    assert "<returns>" not in empty.text and "returns-2027-spring" not in empty.text
    # Postcodes and no postcode lookup: refused before the rules run, and named the same way.
    placed_by_postcode = [provider(easting="", northing="", postcode="SO14 1AA")]
    refused = _upload(client, _workbook(placed_by_postcode), "my <spring>.xlsx")
    assert refused.status_code == 400
    assert "my &lt;spring&gt;.xlsx, row 2, column &#39;postcode&#39;" in refused.text
    assert "sufficiency-web-" not in refused.text and "returns-2027-spring" not in refused.text
    # A name that says another term than the one chosen is refused before anything is read.
    other = _upload(client, _workbook([{"urn": "x"}]), "returns-2026-summer.xlsx")
    assert other.status_code == 400
    assert (
        "returns-2026-summer.xlsx: the file name says 2026-summer, but the term chosen is "
        "2027-spring. Choose 2026-summer, or rename the file"
    ) in other.text
    assert store.stored_terms(store.store_path(area)) == [Term.parse("2026-autumn")]
