"""The store on a PostgreSQL server (``--store postgresql://...``) next to the SQLite default:
the same returns give the same frames and the same gap.csv; writers at once take turns; a bad
URL or a server that does not answer is one line."""

from __future__ import annotations

import threading
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import write_area
from test_tracking import THREE_TERMS

from sufficiency.cli import cli
from sufficiency.returns import accounts, database, store
from sufficiency.returns.validation import check_files
from sufficiency.terms import Term


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def _ingest_and_run(area: Path, out: Path, on: list[str]) -> None:
    for term in THREE_TERMS:
        done = invoke("ingest", str(area / f"returns-{term}.csv"), "--area", str(area), *on)
        assert done.exit_code == 0, done.output
    ran = invoke("run", "--area", str(area), "--out", str(out), *on)
    assert ran.exit_code == 0, ran.output


def test_ingest_then_run_give_the_same_frames_and_gap_on_sqlite_and_postgresql(
    tmp_path, postgres_store
):
    lite = write_area(tmp_path / "lite", returns=THREE_TERMS)
    shared = write_area(tmp_path / "shared", returns=THREE_TERMS)
    _ingest_and_run(lite, tmp_path / "out-lite", [])
    _ingest_and_run(shared, tmp_path / "out-pg", ["--store", postgres_store])
    # The PostgreSQL area's folder has no store file: everything went to the server.
    assert (lite / "sufficiency.sqlite").is_file()
    assert not (shared / "sufficiency.sqlite").exists()
    on_file = store.load_returns(lite / "sufficiency.sqlite", include_replaced=True)
    on_server = store.load_returns(postgres_store, include_replaced=True)
    pd.testing.assert_frame_equal(on_server, on_file)
    # By hand from THREE_TERMS: spring 3 returns, summer 4 (EY100004 new), autumn 3.
    counts = on_server.groupby("term", sort=False).size()
    assert counts.to_dict() == {"2026-spring": 3, "2026-summer": 4, "2026-autumn": 3}
    assert list(on_server[on_server["term"] == "2026-autumn"]["urn"]) == [
        "EY100001",
        "EY100004",
        "EY100005",
    ]
    for load in (store.load_providers, store.stored_terms):
        lite_result, pg_result = load(lite / "sufficiency.sqlite"), load(postgres_store)
        if isinstance(lite_result, pd.DataFrame):
            pd.testing.assert_frame_equal(pg_result, lite_result)
        else:
            assert pg_result == lite_result
    pg_log = store.load_imports(postgres_store)
    columns = ["import_id", "term", "mode", "rows", "replaced_rows", "warnings", "files"]
    lite_log = store.load_imports(lite / "sufficiency.sqlite")
    pd.testing.assert_frame_equal(pg_log[columns], lite_log[columns])
    pd.testing.assert_frame_equal(
        store.load_warnings(postgres_store), store.load_warnings(lite / "sufficiency.sqlite")
    )
    gap_lite = (tmp_path / "out-lite" / "gap.csv").read_bytes()
    assert (tmp_path / "out-pg" / "gap.csv").read_bytes() == gap_lite


def test_two_ingests_of_one_term_at_once_store_it_once(tmp_path, postgres_store):
    """Writers take turns (one lock per write transaction): the second sees the first's term
    and is refused, as on SQLite; an account added at the same time is kept."""
    area = write_area(tmp_path / "area", returns=THREE_TERMS)
    file = area / "returns-2026-spring.csv"
    checked = check_files([file], Term.parse("2026-spring"))
    start = threading.Barrier(3)
    errors: list[BaseException] = []

    def ingest() -> None:
        start.wait()
        try:
            store.ingest(postgres_store, checked)
        except store.StoreError as exc:
            errors.append(exc)

    def add_account() -> None:
        start.wait()
        accounts.add(postgres_store, "olive", "officer", "officer-password-1")

    threads = [threading.Thread(target=f) for f in (ingest, ingest, add_account)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(errors) == 1 and "2026-spring is already in the store (3 returns" in str(errors[0])
    assert len(store.load_returns(postgres_store)) == 3
    assert list(store.load_imports(postgres_store)["import_id"]) == [1]
    assert [a.name for a in accounts.all_accounts(postgres_store)] == ["olive"]


@pytest.mark.parametrize(
    ("url", "says"),
    [
        (
            "postgresql://ann:s3cret@127.0.0.1:1/eyc",
            "postgresql://ann:***@127.0.0.1:1/eyc: cannot connect to the PostgreSQL server (",
        ),
        ("mysql://ann@db/eyc", "--store mysql://ann@db/eyc: not a store this version can use"),
        (
            "postgresql://ann:s3cret@db",
            "--store postgresql://ann:***@db: the URL names no database",
        ),
        (
            "postgresql://ann@db:port/eyc",
            "--store postgresql://ann@db:port/eyc: not a database URL",
        ),
    ],
)
def test_a_bad_url_or_a_server_that_does_not_answer_is_one_line(tmp_path, url, says):
    area = write_area(tmp_path / "area", returns=THREE_TERMS)
    for args in (
        ["ingest", str(area / "returns-2026-spring.csv")],
        ["users", "list"],
        ["returns", "status"],
    ):
        result = invoke(*args, "--area", str(area), "--store", url)
        assert result.exit_code == 1, result.output
        assert result.output.startswith(f"Error: {says}"), result.output
        assert len(result.output.strip().splitlines()) == 1
        assert "s3cret" not in result.output and "Traceback" not in result.output
    assert not (area / "sufficiency.sqlite").exists()  # nothing fell back to the file


def test_the_environment_variable_names_the_store_as_store_does(tmp_path, postgres_store):
    area = write_area(tmp_path / "area", returns=THREE_TERMS)
    result = CliRunner().invoke(
        cli,
        ["ingest", str(area / "returns-2026-spring.csv"), "--area", str(area)],
        env={database.ENV: postgres_store},
    )
    assert result.exit_code == 0, result.output
    assert f"in {database.mask(postgres_store)} as import 1" in result.output
    assert store.stored_terms(postgres_store) == [Term.parse("2026-spring")]
    assert not (area / "sufficiency.sqlite").exists()


def test_an_empty_database_is_no_store_yet(postgres_store):
    with pytest.raises(store.StoreError, match="no store in this database yet"):
        store.load_returns(postgres_store)
    assert not store.exists(postgres_store)
    accounts.add(postgres_store, "olive", "officer", "officer-password-1")  # makes the store
    assert store.exists(postgres_store) and store.load_returns(postgres_store).empty
