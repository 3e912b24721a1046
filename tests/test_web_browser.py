"""The web app in a real browser: Debian's Chromium driven by Playwright (its own browser
builds are never downloaded: ``executable_path`` is the system's), against the app served on
127.0.0.1, every other address refused.

The path a new user takes by hand: a provider signs in, submits a return with a planted
error, sees the error by its field, corrects it and submits; an officer accepts it, runs the
assessment and opens the map.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import _browser
import pytest
from _web import PASSWORDS, web_area

from sufficiency.returns import store
from sufficiency.web import create_app

playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is not installed (the test extra)"
)
pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(_browser.find_chromium() is None, reason=_browser.SKIP_REASON),
]
ARTEFACTS = Path(__file__).resolve().parents[1] / "test-artefacts"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path, object]]:
    from werkzeug.serving import make_server

    area = web_area(tmp_path / "area")
    app = create_app(area)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", area, app
    finally:
        server.shutdown()
        thread.join()


def _sign_in(page, base: str, name: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#name", name)
    page.fill("#password", PASSWORDS[name])
    page.click("button[type=submit]")


def test_provider_return_to_officer_run_and_map(served):
    base, area, _ = served
    ARTEFACTS.mkdir(exist_ok=True)
    outside: list[str] = []
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=_browser.find_chromium(), args=["--no-sandbox", "--disable-gpu"]
        )
        context = browser.new_context(viewport={"width": 1280, "height": 900})

        def only_this_server(route) -> None:
            if route.request.url.startswith(base):
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        context.route("**/*", only_this_server)
        page = context.new_page()
        # Every page but sign-in sends the browser to sign in first.
        page.goto(f"{base}/return/EY100001")
        assert page.url.startswith(f"{base}/login?next=")
        _sign_in(page, base, "acorns")
        assert page.url == f"{base}/return/EY100001"
        assert page.input_value("#places_3_4") == "40"  # pre-filled from 2026-autumn
        # A planted error: more vacancies than places.
        page.fill("#places_3_4", "30")
        page.fill("#registered_places", "30")
        page.fill("#children_3_4", "28")
        page.fill("#vacancies_3_4", "45")
        page.click("button[value=submit]")
        problem = page.locator("#problem-vacancies_3_4")
        assert problem.is_visible()
        assert "R110" in problem.inner_text()
        assert "must not be more than the places offered" in problem.inner_text()
        # It is shown by its own field: inside the field's box, right under the input.
        assert page.locator("#field-vacancies_3_4 #problem-vacancies_3_4").count() == 1
        field_box = page.locator("#vacancies_3_4").bounding_box()
        problem_box = problem.bounding_box()
        assert 0 <= problem_box["y"] - (field_box["y"] + field_box["height"]) < 40
        assert page.locator(".has-problem").count() == 1
        assert "Not submitted" in page.inner_text("#message")
        problem.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTEFACTS / "web-return-error.png"))
        # Corrected and submitted.
        page.fill("#vacancies_3_4", "2")
        page.click("button[value=submit]")
        assert "Submitted" in page.inner_text("#message")
        assert page.locator(".has-problem").count() == 0
        page.click("text=Sign out")
        # The officer accepts it, runs the assessment and opens the map.
        _sign_in(page, base, "olive")
        page.click("text=Submissions")
        assert page.is_checked("#accept-EY100001")
        page.click("text=Accept the chosen returns")
        assert "Stored 1 return(s) for 2027-spring" in page.inner_text("#stored")
        stored = store.load_returns(store.store_path(area))
        spring = stored[stored["term"] == "2027-spring"]
        assert list(spring["vacancies_3_4"]) == [2.0]
        page.click("text=Run the assessment")
        page.click("#run-assessment")
        page.wait_for_selector("#summary, #failed", timeout=180_000)  # it refreshes itself
        assert page.locator("#failed").count() == 0, page.inner_text("main")
        assert "gap.csv" in page.inner_text("#downloads")
        frame = page.frame_locator("#map")
        frame.locator("path.leaflet-interactive").first.wait_for(timeout=60_000)
        assert frame.locator("path.leaflet-interactive").count() >= 2  # the two wards
        page.locator("#map").scroll_into_view_if_needed()
        page.screenshot(path=str(ARTEFACTS / "web-run-map.png"), full_page=True)
        browser.close()
    assert outside == []  # nothing asked of any other server: no CDN
