"""The termly report: content, disclosure, escaping, and (``browser``) that it opens offline
with every ward drawn and every chart decoded."""

from __future__ import annotations

import re
from pathlib import Path

import _browser
import numpy as np
import pytest
from click.testing import CliRunner
from test_maps import CHILDMINDER, IMG_NAME, NURSERY, SCRIPT_NAME, hostile_area

import sufficiency
from sufficiency.cli.maps import report_command
from sufficiency.errors import InputError
from sufficiency.outputs import disclosure, report

ARTEFACTS = Path(__file__).resolve().parents[1] / "test-artefacts"
needs_chromium = pytest.mark.skipif(_browser.find_chromium() is None, reason=_browser.SKIP_REASON)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> sufficiency.Assessment:
    folder = hostile_area(tmp_path_factory.mktemp("hostile") / "area")
    return sufficiency.assess(folder)


@pytest.fixture(scope="module")
def demo() -> sufficiency.Assessment:
    return sufficiency.assess()


@pytest.fixture(scope="module")
def published_demo(demo) -> str:
    return report.render_report(demo, report.ReportOptions(publish=True))


def test_published_report_holds_back_small_numbers_and_providers(hostile):
    page = report.render_report(hostile, report.ReportOptions(publish=True))

    assert "Internal: not for publication" not in page
    assert "Projected" not in page
    assert "Jane" not in page and "Acorns" not in page
    assert "Disclosure control" in page
    # Quiet End (0.2 births a month): its 2-year-olds shown as <5, supply 0, gap not shown.
    quiet = re.search(
        r"Quiet End</td><td>2-year-olds \(24 to 35 months\)</td>\s*(.*?)</tr>", page, re.DOTALL
    )[1]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", quiet, re.DOTALL)
    assert [c.strip() for c in cells[:6]] == [
        "&lt;5",
        "&lt;5",
        "0",
        "not shown",
        "not shown",
        "not shown (small numbers)",
    ]


def test_internal_report_says_so_and_shows_vacancies(hostile):
    page = report.render_report(hostile, report.ReportOptions(publish=False))

    assert "Internal: not for publication" in page
    assert "Projected" in page


def test_names_and_descriptions_are_escaped(hostile):
    page = report.render_report(
        hostile, report.ReportOptions(publish=False), description=SCRIPT_NAME
    )

    for raw in (SCRIPT_NAME, IMG_NAME, CHILDMINDER, NURSERY, "<img src=x"):
        assert raw not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    # The only scripts in the page are none at all: the report needs none.
    assert "<script" not in page


def test_one_svg_path_per_ward_and_age_group(published_demo, demo):
    paths = re.findall(r'<path class="ward" data-ward="(E\d+)"', published_demo)

    assert len(paths) == 3 * len(demo.area.wards) == 48
    assert set(paths) == set(demo.area.wards["ward_code"])


def test_headline_leads_with_the_deficits_and_nets_rounded_figures(demo):
    term = str(demo.terms[0])
    texts = disclosure.figure_texts(demo.gap, publish=True)
    cards = report.headline(demo.gap, texts, term, publish=True, threshold=5)
    at = ((demo.gap["term"] == term) & (demo.gap["age_group"] == "under2")).to_numpy()
    first = demo.gap[at]
    usable = (first["demand_places"] + first["gap_places"]).sum()
    demand = first["demand_places"].sum()
    short_wards = (first["status"] == "deficit").to_numpy()
    shown = texts["gap_value"].to_numpy()[at]

    assert cards[0]["age_group"] == "Under 2s (birth to 23 months)"
    # Net: usable supply rounded to 5 minus demand rounded to 5.
    assert cards[0]["gap"] in {f"{5 * round(usable / 5) - 5 * round(demand / 5):+,.0f}", "0"}
    assert cards[0]["wards_in_deficit"] == f"{int(short_wards.sum())} of 16"
    # Places short: the published shortfalls of the wards short, added up.
    assert cards[0]["short"] == f"{-np.nansum(np.minimum(shown[short_wards], 0)):,.0f}"


def test_charts_are_embedded_pngs(published_demo):
    images = re.findall(r'src="(data:image/png;base64,[^"]+)"', published_demo)

    # City-wide, wards in deficit, deprivation (the demo has deprivation.csv), workforce.
    assert len(images) == 4
    assert "@media print" in published_demo


def test_no_deprivation_file_says_so(hostile):
    page = report.render_report(hostile, report.ReportOptions(publish=True))

    assert "No deprivation file" in page
    assert "Workforce trends need returns for at least two terms" in page


def test_a_term_outside_the_forecast_is_an_error(hostile):
    with pytest.raises(InputError, match="not in the forecast"):
        report.render_report(hostile, report.ReportOptions(term="2040-spring"))


def test_report_command_writes_one_file(tmp_path):
    area = hostile_area(tmp_path / "area")
    result = CliRunner().invoke(
        report_command, ["--area", str(area), "--publish", "--out", str(tmp_path / "out")]
    )

    assert result.exit_code == 0, result.output
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["report.html"]


@pytest.mark.browser
@needs_chromium
def test_published_demo_report_opens_offline(published_demo, demo, tmp_path):
    page = tmp_path / "report.html"
    page.write_text(published_demo, encoding="utf-8")
    probe = """(() => ({
      wards: document.querySelectorAll('svg path.ward').length,
      titles: document.querySelectorAll('svg path.ward title').length,
      legend: document.querySelector('.legend') ? document.querySelector('.legend').innerText
        : null,
      images: [...document.querySelectorAll('img.chart')].map(i => i.naturalWidth),
      rows: document.querySelectorAll('#table tbody tr').length,
    }))()"""

    run = _browser.open_page(page, probes={"report": probe})
    run.save_screenshot(ARTEFACTS / "published-report.png")

    values = run.values["report"]
    assert run.errors == ()
    assert run.requests == ()
    assert values["wards"] == values["titles"] == 48
    assert "Gap, full-time places" in values["legend"]
    assert len(values["images"]) == 4 and all(w > 0 for w in values["images"])
    assert values["rows"] == 3 * len(demo.area.wards)


def test_area_name_and_council_title_come_from_area_toml(tmp_path):
    from sufficiency.outputs import maps

    area = hostile_area(tmp_path / "soton")
    (area / "area.toml").write_text(
        '[area]\nname = "Southampton"\ncouncil = "Southampton City Council"\n', encoding="utf-8"
    )
    result = sufficiency.assess(area)
    page = report.render_report(result, report.ReportOptions(publish=True))
    title = maps.map_text(result).area

    assert "<b>Southampton City Council</b>" in page
    assert "Southampton: childcare sufficiency" in page
    assert "soton" not in page
    assert title == "Southampton: Southampton City Council"


def test_the_table_note_states_the_status_rule_and_what_projected_vacancies_are():
    import sufficiency
    from sufficiency.outputs import report as report_module

    result = sufficiency.assess()
    internal = report_module.render_report(result, report_module.ReportOptions(publish=False))
    published = report_module.render_report(result, report_module.ReportOptions(publish=True))
    for page in (internal, published):
        assert "deficit (gap below &minus;0.5 places" in page
        assert "tight (gap below 5% of demand, or short by no more than\n0.5 places)" in page
    # Projected vacancies are explained where they are shown (internal) and only there.
    assert "Projected vacancies are the\nvacancies providers reported" in internal
    assert "Projected vacancies are" not in published
