"""Officer pages that run the model: the assessment with scenarios (shipped ones, an uploaded
TOML, or a few headline parameters changed in a form) and their comparison, resilience and
plan; each run's page (refreshing itself while it runs: no script) with its downloads and the
internal map embedded; and, for viewers, the latest run's published map and report."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import pandas as pd
from flask import Blueprint, abort, g, redirect, render_template, request, send_file, url_for
from werkzeug.wrappers import Response

import sufficiency

from ..errors import InputError
from ..returns import accounts, store
from ..scenarios.schema import Scenario, parse_scenario, read_scenario
from ..terms import AGE_GROUPS, Term
from . import uploads
from .app import web
from .jobs import Job, Jobs
from .security import roles

blueprint = Blueprint("runs", __name__)

#: The headline parameters the form offers, with their labels.
HEADLINE = {
    "utilisation": "Share of place-hours sessions can fill (utilisation)",
    "births_growth": "Annual growth of births after the last observed year",
    "take_up.working_under2": "Take-up, working parents of under 2s",
    "take_up.working_2": "Take-up, working parents of 2-year-olds",
    "take_up.universal_3_4": "Take-up, universal 15 hours for 3-4s",
    "take_up.extended_3_4": "Take-up, extended 30 hours for 3-4s",
}
DOWNLOADS = {
    "gap.csv": "Gap table (CSV)",
    "gap.gpkg": "Gap by ward for a GIS (GeoPackage)",
    "sufficiency.xlsx": "Workbook",
    "comparison.csv": "Comparison with the baseline (CSV)",
    "report.html": "Report (internal)",
    "maps/gap-map.html": "Map (internal)",
    "published/gap-map.html": "Map (published)",
    "published/report.html": "Report (published)",
    "resilience.csv": "Resilience (CSV)",
    "single_setting.csv": "Wards depending on one setting (CSV)",
    "plan.csv": "Plan (CSV)",
}
#: Files a viewer may open: the published ones only.
PUBLISHED = ("published/gap-map.html", "published/report.html")
#: How the offline map and report files are served: their inline scripts, styles, images
#: and fonts run, nothing is fetched from anywhere (not even this server).
OUTPUT_POLICY = (
    "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; "
    "img-src data: blob:; font-src data:; frame-ancestors 'self'"
)


def jobs() -> Jobs:
    return web().jobs


def shipped_scenarios() -> dict[str, Path]:
    """The scenarios to choose from: the area's ``scenarios/`` and those shipped in the
    checkout's ``scenarios/``, by file name (the area's first)."""
    found: dict[str, Path] = {}
    for folder in (web().folder / "scenarios", Path(sufficiency.__file__).parents[1] / "scenarios"):
        if folder.is_dir():
            for path in sorted(folder.glob("*.toml")):
                found.setdefault(path.name, path)
    return found


def _headline_scenario(form: Any) -> Scenario | None:
    """A scenario from the headline-parameters form, or ``None`` when none was changed."""
    changed: dict[str, Any] = {}
    for key in HEADLINE:
        text = form.get(f"p.{key}", "").strip()
        if not text:
            continue
        try:
            value = float(text)
        except ValueError:
            raise InputError(
                f"{key} must be a number (found {text!r})",
                column=key,
                hint="Give a decimal such as 0.9, or leave it empty",
            ) from None
        section, _, name = key.rpartition(".")
        (changed.setdefault(section, {}) if section else changed)[name] = value
    if not changed:
        return None
    data = {
        "name": "headline",
        "description": "Headline parameters changed in the web form: "
        + ", ".join(f"{k} = {form.get(f'p.{k}')}" for k in HEADLINE if form.get(f"p.{k}")),
        "parameters": changed,
    }
    return parse_scenario(data, source="the headline parameters form", folder=web().folder)


def _chosen_scenarios(form: Any, files: Any) -> list[Scenario]:
    shipped = shipped_scenarios()
    chosen = [read_scenario(shipped[n]) for n in form.getlist("scenario") if n in shipped]
    upload = files.get("scenario_file")
    if upload is not None and upload.filename:
        uploads.suffix_of(upload, "scenario")
        with tempfile.TemporaryDirectory(prefix="sufficiency-web-") as folder:
            chosen.append(read_scenario(uploads.save(upload, Path(folder), "scenario.toml")))
    headline = _headline_scenario(form)
    if headline is not None:
        chosen.append(headline)
    names = [s.name for s in chosen]
    if len(set(names)) != len(names):
        raise InputError(
            "two of the scenarios chosen have the same name",
            hint="Choose each scenario once (an uploaded one may share a shipped one's name)",
        )
    return chosen


def _assess_work(area_folder: Path, scenarios: list[Scenario]) -> Callable[[Path], list[str]]:
    def work(out: Path) -> list[str]:
        from ..outputs.maps import MapOptions, write_maps, write_run_maps
        from ..outputs.report import ReportOptions, write_report
        from ..outputs.summary import summary_lines
        from ..outputs.tables import write_runs
        from ..scenarios.compare import assess_scenarios, change_lines, comparison_table

        runs = assess_scenarios(area_folder, None, scenarios, with_baseline=bool(scenarios))
        comparison = comparison_table(runs.gap, runs.names) if scenarios else None
        write_runs(
            runs.results,
            out,
            gap=runs.gap,
            scenarios=runs.table() if scenarios else None,
            comparison=comparison,
            gpkg=True,
        )
        write_run_maps(runs.results, out, gap=runs.gap)
        baseline = runs.results[0]
        write_report(
            runs.results[-1],
            out / "report.html",
            ReportOptions(publish=False),
            description=runs.scenarios[-1].description if scenarios else "",
            baseline=baseline if len(runs.results) > 1 else None,
        )
        write_maps([baseline], out / "published", MapOptions(publish=True, tiles=False))
        write_report(baseline, out / "published" / "report.html", ReportOptions(publish=True))
        lines = [line for result in runs.results for line in [*summary_lines(result), ""]]
        return lines + (change_lines(runs) if scenarios else [])

    return work


def _resilience_work(area_folder: Path, scenario: Path | None, term: str | None) -> Any:
    def work(out: Path) -> list[str]:
        from ..closures import resilience
        from ..outputs.tables import write_tables

        result = resilience(area_folder, scenario=scenario, term=term)
        write_tables(
            result.assessment,
            out,
            {"resilience": result.table, "single_setting": result.single_settings},
        )
        return [result.headline]

    return work


def _plan_work(area_folder: Path, scenario: Path | None, options: dict[str, Any]) -> Any:
    def work(out: Path) -> list[str]:
        from ..outputs.tables import write_tables
        from ..planning import plan

        result = plan(area_folder, scenario=scenario, **options)
        write_tables(result.assessment, out, {"plan": result.table})
        run = result.assessment
        basis = f"at {result.term}" if result.term else f"over {run.terms[0]} to {run.terms[-1]}"
        return [
            f"{run.place.name} ({run.scenario}): deficit places {basis}: "
            f"{result.deficit_before:.1f} before",
            f"optimum: {result.places_added} new places leave {result.deficit_left:.1f} "
            "(scipy milp, HiGHS)",
            f"greedy (largest deficit first): {result.greedy_places_added} new places leave "
            f"{result.greedy_left:.1f}",
        ]

    return work


def _int(form: Any, key: str) -> int | None:
    text = form.get(key, "").strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise InputError(
            f"{key} must be a whole number (found {text!r})", column=key, hint=""
        ) from None


def _one_scenario(form: Any) -> Path | None:
    name = form.get("scenario", "")
    shipped = shipped_scenarios()
    if name and name not in shipped:
        abort(400)
    return shipped[name] if name else None


def _term(form: Any) -> str | None:
    text = form.get("term", "").strip()
    return str(Term.parse(text, column="term")) if text else None


@blueprint.route("/runs")
@roles("officer")
def run_list() -> Any:
    return render_template(
        "runs.html",
        jobs=jobs().all(),
        scenarios=sorted(shipped_scenarios()),
        headline=HEADLINE,
        age_groups=AGE_GROUPS,
    )


@blueprint.route("/runs", methods=["POST"])
@roles("officer")
def start() -> Any:
    kind = request.form.get("kind", "assess")
    folder = web().folder
    if kind == "assess":
        scenarios = _chosen_scenarios(request.form, request.files)
        options: dict[str, Any] = {"scenarios": [s.name for s in scenarios] or ["baseline"]}
        work = _assess_work(folder, scenarios)
    elif kind == "resilience":
        scenario, term = _one_scenario(request.form), _term(request.form)
        options = {"scenario": scenario.name if scenario else "baseline", "term": term or "all"}
        work = _resilience_work(folder, scenario, term)
    elif kind == "plan":
        scenario = _one_scenario(request.form)
        groups = [a for a in request.form.getlist("age_group") if a in AGE_GROUPS]
        plan_options = {
            "places": _int(request.form, "places"),
            "max_per_ward": _int(request.form, "max_per_ward"),
            "age_groups": groups,
            "term": _term(request.form),
        }
        options = {"scenario": scenario.name if scenario else "baseline", **plan_options}
        work = _plan_work(folder, scenario, plan_options)
    else:
        abort(400)
    job = jobs().start(kind, g.account.name, options, work)
    with store.connection(web().store) as conn, store.transaction(conn):
        accounts.log(conn, g.account.name, f"start {kind}", f"{job.run_id} {options}")
    return redirect(url_for("runs.run_page", run_id=job.run_id))


def _table(job: Job, name: str, rows: int = 15) -> list[dict[str, Any]] | None:
    path = jobs().file(job, name)
    if path is None:
        return None
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    if name == "plan.csv" and "places_added" in table.columns:
        table = table[pd.to_numeric(table["places_added"], errors="coerce") > 0]
    return cast(list[dict[str, Any]], table.head(rows).to_dict("records"))


@blueprint.route("/runs/<run_id>")
@roles("officer")
def run_page(run_id: str) -> Any:
    job = jobs().get(run_id)
    if job is None:
        abort(404)
    tables = {n: _table(job, n) for n in ("resilience.csv", "plan.csv")} if job.files else {}
    return render_template(
        "run.html",
        job=job,
        downloads=[(f, label) for f, label in DOWNLOADS.items() if f in job.files],
        tables={k: v for k, v in tables.items() if v is not None},
    )


def send_output(path: Path, name: str) -> Response:
    """A run's file: HTML shown in the browser under the offline policy, the rest downloaded."""
    if name.endswith(".html"):
        response = send_file(path, mimetype="text/html")
        response.headers["Content-Security-Policy"] = OUTPUT_POLICY
        return response
    return send_file(path, as_attachment=True, download_name=Path(name).name)


@blueprint.route("/runs/<run_id>/files/<path:name>")
@roles("officer")
def run_file(run_id: str, name: str) -> Any:
    job = jobs().get(run_id)
    path = jobs().file(job, name) if job is not None else None
    if path is None:
        abort(404)
    return send_output(path, name)


@blueprint.route("/published")
@roles("officer", "viewer")
def published() -> Any:
    job = jobs().latest("assess", PUBLISHED)
    return render_template("published.html", job=job)


@blueprint.route("/published/<path:name>")
@roles("officer", "viewer")
def published_file(name: str) -> Any:
    job = jobs().latest("assess", PUBLISHED)
    if job is None or f"published/{name}" not in PUBLISHED:
        abort(404)
    path = jobs().file(job, f"published/{name}")
    if path is None:
        abort(404)
    return send_output(path, name)
