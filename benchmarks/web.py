"""How fast the web app answers on the demo area, served by waitress on 127.0.0.1.

A copy of the bundled demo area with its three terms of returns in the store, one officer
and twenty provider accounts. Measures, over real HTTP:

* the officer's return status page and a provider's form (median and worst of 20 requests;
  target: under 200 ms);
* a 300-row workbook uploaded and checked by every ingest rule, then stored (median of 3;
  target: under 3 s);
* twenty providers submitting their returns at once (twenty threads): every submission
  stored, none lost and none mixed up (each return holds its own setting's figures and was
  saved by its own account).

Run: ``.venv/bin/python benchmarks/web.py`` (or ``make bench``).
"""

from __future__ import annotations

import http.cookiejar
import io
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from sufficiency._demo_area import DEMO_AREA
from sufficiency.returns import accounts, store, web_returns
from sufficiency.returns.validation import check_files
from sufficiency.terms import Term

PROVIDERS = 20
PASSWORD = "benchmark-password"


class Browser:
    """A signed-in HTTP client with its own cookies."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=60) as answer:
            return str(answer.read().decode("utf-8"))

    def post(self, path: str, data: bytes, content_type: str) -> tuple[int, str]:
        request = urllib.request.Request(
            self.base + path, data=data, headers={"Content-Type": content_type}
        )
        try:
            with self.opener.open(request, timeout=120) as answer:
                return answer.status, answer.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8")

    def form(self, path: str, fields: dict[str, str]) -> tuple[int, str]:
        body = urllib.parse.urlencode(fields).encode()
        return self.post(path, body, "application/x-www-form-urlencoded")

    def sign_in(self, name: str) -> None:
        page = self.get("/login")
        status, _ = self.form(
            "/login", {"csrf_token": token(page), "name": name, "password": PASSWORD}
        )
        assert status == 200, status  # the redirect followed to the start page


def token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found
    return found.group(1)


def form_fields(html: str) -> dict[str, str]:
    fields = dict(re.findall(r'<input id="([a-z_0-9]+)" name="[a-z_0-9]+" value="([^"]*)"', html))
    for name, body in re.findall(
        r'<select id="([a-z_]+)" name="[a-z_]+">(.*?)</select>', html, re.S
    ):
        chosen = re.search(r'<option value="([^"]*)" selected>', body)
        fields[name] = chosen.group(1) if chosen else ""
    return {k: v.replace("&#39;", "'").replace("&amp;", "&") for k, v in fields.items()}


def timed(call, times: int) -> list[float]:
    out = []
    for _ in range(times):
        start = time.perf_counter()
        call()
        out.append(time.perf_counter() - start)
    return out


def prepare(folder: Path) -> list[str]:
    """The demo area with its returns stored; the URNs given provider accounts."""
    shutil.copytree(DEMO_AREA, folder)
    path = store.store_path(folder)
    for file in sorted(folder.glob("returns-*")):
        term = Term.parse(file.stem.removeprefix("returns-"))
        checked = check_files([file], term)
        store.ingest(path, checked, mode="new")
    latest = store.load_returns(path)
    urns = sorted(latest.loc[latest["term"] == "2026-autumn", "urn"])[:PROVIDERS]
    accounts.add(path, "officer", "officer", PASSWORD)
    for i, urn in enumerate(urns):
        accounts.add(path, f"p{i:02d}", "provider", PASSWORD, urn=urn)
    return urns


def workbook(folder: Path, rows: int = 300) -> bytes:
    """A 300-row return for 2027-spring: the demo's autumn providers, then new ones."""
    autumn = pd.read_excel(folder / "returns-2026-autumn.xlsx", dtype=str)
    extra = autumn.head(rows - len(autumn)).copy()
    extra["urn"] = [f"EY9{i:05d}" for i in range(len(extra))]
    table = pd.concat([autumn, extra], ignore_index=True).head(rows)
    buffer = io.BytesIO()
    table.to_excel(buffer, index=False)
    return buffer.getvalue()


def main() -> None:
    import logging

    from waitress.server import create_server

    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "queue depth": expected here

    from sufficiency.web import create_app

    with tempfile.TemporaryDirectory(prefix="sufficiency-bench-") as tmp:
        folder = Path(tmp) / "demo"
        urns = prepare(folder)
        app = create_app(folder)
        server = create_server(app, host="127.0.0.1", port=0, threads=8)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        base = f"http://127.0.0.1:{server.effective_port}"
        officer = Browser(base)
        officer.sign_in("officer")
        officer.get("/status")  # warm: the area's wards and postcodes are read once
        status = timed(lambda: officer.get("/status"), 20)
        provider = Browser(base)
        provider.sign_in("p00")
        provider.get(f"/return/{urns[0]}")
        form = timed(lambda: provider.get(f"/return/{urns[0]}"), 20)

        data = workbook(folder)
        uploads = []
        for mode in ("new", "replace", "replace"):
            page = officer.get("/upload")
            upload = FileStorage(io.BytesIO(data), filename="returns.xlsx")
            boundary, body = encode_multipart(
                {"csrf_token": token(page), "term": "2027-spring", "mode": mode, "workbook": upload}
            )
            start = time.perf_counter()
            code, text = officer.post("/upload", body, f"multipart/form-data; boundary={boundary}")
            uploads.append(time.perf_counter() - start)
            assert code == 200 and "Stored 300 return(s)" in text, (code, text[:2000])

        # 20 providers at once (for the term after: nothing stored for it yet).
        officer.form("/term", {"csrf_token": token(officer.get("/status")), "term": "2027-summer"})
        browsers = []
        for i in range(PROVIDERS):
            browser = Browser(base)
            browser.sign_in(f"p{i:02d}")
            browsers.append(browser)

        def submit(i: int) -> int:
            browser, urn = browsers[i], urns[i]
            page = browser.get(f"/return/{urn}")
            fields = form_fields(page)
            places = float(fields["places_3_4"] or 0)
            fields.update(
                children_3_4=str(int(places // 2)),
                vacancies_3_4=str(i % 2),
                waiting_3_4=str(100 + i),  # each setting's own mark
                csrf_token=token(page),
                action="submit",
            )
            code, _ = browser.form(f"/return/{urn}", fields)
            return code

        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=PROVIDERS) as pool:
            codes = list(pool.map(submit, range(PROVIDERS)))
        together = time.perf_counter() - start
        saved = web_returns.for_term(store.store_path(folder), Term.parse("2027-summer"))
        mine = {r.urn: r for r in saved}
        lost = [u for u in urns if u not in mine or mine[u].state != "submitted"]
        mixed = [
            u
            for i, u in enumerate(urns)
            if u in mine
            and (mine[u].fields["waiting_3_4"] != str(100 + i) or mine[u].saved_by != f"p{i:02d}")
        ]
        server.close()

    def ms(values: list[float]) -> str:
        return (
            f"median {statistics.median(values) * 1000:.0f} ms, worst {max(values) * 1000:.0f} ms"
        )

    print(f"status page (officer, {len(urns)} of the demo's providers with accounts): {ms(status)}")
    print(f"provider's return form: {ms(form)}")
    print(
        f"300-row workbook uploaded, checked and stored: median {statistics.median(uploads):.2f} s"
        f" (of {', '.join(f'{u:.2f}' for u in uploads)})"
    )
    print(
        f"{PROVIDERS} providers submitting at once: {together:.2f} s; HTTP status "
        f"{sorted(set(codes))}; {len(saved)} stored, {len(lost)} lost, {len(mixed)} mixed up"
    )
    ok = (
        statistics.median(status) < 0.2
        and statistics.median(form) < 0.2
        and statistics.median(uploads) < 3
        and not lost
        and not mixed
        and set(codes) == {200}
    )
    print("targets met" if ok else "TARGETS MISSED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
