"""Issue 12: the provider counts a reader meets (287 / 280 / 281 on the demo) each say what
they count, and add up.

A tiny area by hand, then the demo's figures where they are shown: the terminal summary, the
workbook's About sheet, ``resilience`` and ``returns trends``.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
from click.testing import CliRunner
from conftest import inside, provider, write_area

from sufficiency.area import load_area
from sufficiency.cli.main import cli
from sufficiency.cli.returns import TERMINAL_MEASURES
from sufficiency.supply import provider_counts
from sufficiency.terms import Term


def test_provider_counts_by_hand(tmp_path: Path) -> None:
    x, y = inside(0)
    here = {"easting": x, "northing": y}
    autumn = [
        provider(urn="EY100001", **here),  # A open
        provider(urn="EY100002", status="closed", status_date="2026-07-31", **here),  # B
        provider(urn="EY100003", status="new", status_date="2026-11-02", **here),  # C
        provider(urn="EY100004", status="new", status_date="2027-04-01", **here),  # D
        provider(urn="EY100005", status="closing", status_date="2026-12-18", **here),  # E
    ]
    summer = [*autumn[:1], provider(urn="EY100006", **here)]  # F: no autumn return
    area = write_area(tmp_path / "a", returns={"2026-summer": summer, "2026-autumn": autumn})
    counts = provider_counts(
        load_area(area).returns, Term.parse("2026-autumn"), Term.parse("2027-spring")
    )
    # In the autumn return: A-E = 5. Open on 1 September 2026: A and E (closing in December)
    # = 2; closed: B = 1; opening later: C (November) and D (April) = 2; 2 + 1 + 2 = 5.
    # Carried forward and open: F = 1. Open on 1 January 2027: A, C and F = 3 (E closed on
    # 18 December, D not yet open).
    assert (
        counts.in_return,
        counts.open_at_return,
        counts.closed,
        counts.opening_later,
        counts.carried_forward,
        counts.open_at_first,
    ) == (5, 2, 1, 2, 1, 3)
    assert counts.headline == "5 provider(s) in the 2026-autumn return"
    assert counts.detail == (
        "2 open at its start, 1 closed, 2 opening later; 1 more open on an earlier term's "
        "return; 3 open at the start of 2027-spring"
    )


def test_the_demo_s_provider_counts_are_labelled_where_shown(tmp_path: Path) -> None:
    # The demo's 2026-autumn return (sufficiency/data/demo/README.md): 287 rows; 3 closed
    # before September (EY331486, EY455807, EY475178); 4 new opening after 1 September
    # 2026 (EY347768 on 2 November, EY493170 on 5 January 2027, EY401108 in April, 116683 in
    # September 2027): 287 - 3 - 4 = 280 open at its start, one of them (EY331509) closing on
    # 18 December. At 1 January 2027: 280 - EY331509 + EY347768 = 280.
    out = tmp_path / "out"
    run = CliRunner().invoke(cli, ["run", "--out", str(out), "--no-maps"])
    assert run.exit_code == 0, run.output
    assert run.output.splitlines()[:2] == [
        "Demotown (synthetic): 16 wards, 287 provider(s) in the 2026-autumn return",
        "  280 open at its start, 3 closed, 4 opening later; 280 open at the start of 2027-spring",
    ]
    about = [r[0] for r in openpyxl.load_workbook(out / "sufficiency.xlsx")["About"].values]
    assert about[2] == (
        "Scenarios: baseline. Funding terms 2027-spring to 2030-autumn; supply from the "
        "provider returns to 2026-autumn: 287 provider(s) in the 2026-autumn return (280 open "
        "at its start, 3 closed, 4 opening later; 280 open at the start of 2027-spring)."
    )
    # resilience lists the 280 open at 1 September 2026 and EY347768, open by 2027-spring: 281.
    res = CliRunner().invoke(cli, ["resilience", "--out", str(tmp_path / "res")])
    assert res.exit_code == 0, res.output
    assert res.output.splitlines()[0] == (
        "Demotown (synthetic) (baseline): 281 settings open at the start of 2026-autumn (the "
        "latest return) or of 2027-spring (the first forecast term), over 2027-spring to "
        "2030-autumn"
    )
    # returns trends counts the providers open on each term's first day (280 in 2026-autumn).
    assert TERMINAL_MEASURES["providers"] == "providers open at term start"
    assert TERMINAL_MEASURES["returns_made"] == "returns made"
