"""Accounts in the area's store and the ``users`` command."""

from __future__ import annotations

from click.testing import CliRunner
from conftest import inside, provider, write_area

from sufficiency.cli import cli
from sufficiency.errors import InputError
from sufficiency.returns import accounts, database, store


def test_users_add_list_disable_remove(tmp_path, store_at):
    area = write_area(tmp_path / "area")
    # --store URL on every users command (PostgreSQL); none: the area's sufficiency.sqlite.
    on = ["--store", store_at] if isinstance(store_at, str) else []
    path = store.locate(area, on[1] if on else None)
    # The setting is on the area's register (sufficiency import ofsted writes this file).
    (area / "ofsted.csv").write_text("urn,provider_name\nEY100001,Acorns\n")
    runner = CliRunner()
    added = runner.invoke(
        cli,
        ["users", "add", "alex", "--role", "officer", "--area", str(area), *on, "--password-stdin"],
        input="a long enough password\n",
    )
    assert added.exit_code == 0, added.output
    shown = area / "sufficiency.sqlite" if not on else database.mask(store_at)
    assert f"Added officer account alex to {shown}" in added.output
    prompted = runner.invoke(
        cli,
        [
            "users",
            "add",
            "acorns",
            "--role",
            "provider",
            "--urn",
            "ey 100001",
            "--area",
            str(area),
            *on,
        ],
        input="provider password 1\nprovider password 1\n",
    )
    assert prompted.exit_code == 0, prompted.output
    assert "Added provider account acorns for EY100001" in prompted.output
    listed = runner.invoke(cli, ["users", "list", "--area", str(area), *on])
    lines = listed.output.splitlines()
    assert [line.split()[:3] for line in lines] == [
        ["acorns", "provider", "EY100001"],
        ["alex", "officer", "-"],
    ]
    assert all(line.endswith("active") for line in lines)
    # The store holds an argon2id hash, never the password.
    with database.connect(path) as conn:
        hashes = [r[0] for r in conn.execute("SELECT password_hash FROM accounts")]
    assert len(hashes) == 2
    assert all(h.startswith("$argon2id$") for h in hashes)
    assert not any("password" in h for h in hashes)
    assert accounts.verify(path, "alex", "a long enough password").role == "officer"
    assert accounts.verify(path, "alex", "wrong password") is None
    assert accounts.verify(path, "nobody", "a long enough password") is None
    assert runner.invoke(cli, ["users", "disable", "alex", "--area", str(area), *on]).exit_code == 0
    assert accounts.verify(path, "alex", "a long enough password") is None
    assert (
        runner.invoke(cli, ["users", "list", "--area", str(area), *on]).output.count("disabled")
        == 1
    )
    assert (
        runner.invoke(cli, ["users", "remove", "acorns", "--area", str(area), *on]).exit_code == 0
    )
    assert [a.name for a in accounts.all_accounts(path)] == ["alex"]
    log = [(who, what, detail) for _, who, what, detail in accounts.write_log(path)]
    assert log[0] == ("command line", "remove account", "acorns")
    assert ("command line", "add account", "acorns (provider, EY100001)") in log


def test_users_mistakes_are_one_line_and_status_1(tmp_path):
    area = write_area(tmp_path / "area")
    runner = CliRunner()

    def add(*args: str, password: str = "a long enough password"):
        return runner.invoke(
            cli,
            ["users", "add", *args, "--area", str(area), "--password-stdin"],
            input=password + "\n",
        )

    cases = [
        (add("p", "--role", "provider"), "a provider account needs the URN of its setting"),
        (add("p", "--role", "provider", "--urn", "12345"), "is not an Ofsted URN"),
        (add("o", "--role", "officer", "--urn", "123456"), "only a provider account has a URN"),
        (add("o", "--role", "officer", password="short"), "the password is too short"),
        (add("bad name", "--role", "viewer"), "the account name 'bad name' is not allowed"),
    ]
    for result, message in cases:
        assert result.exit_code == 1, result.output
        assert message in result.output and "Traceback" not in result.output
    assert add("v", "--role", "viewer").exit_code == 0
    twice = add("v", "--role", "viewer")
    assert twice.exit_code == 1 and "there is already an account called 'v'" in twice.output
    gone = runner.invoke(cli, ["users", "remove", "nobody", "--area", str(area)])
    assert gone.exit_code == 1 and "there is no account called 'nobody'" in gone.output
    assert [a.name for a in accounts.all_accounts(store.store_path(area))] == ["v"]


def test_the_bundled_demo_is_not_written_to(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # not an area folder: --area defaults to the bundled demo
    result = CliRunner().invoke(
        cli, ["users", "add", "a", "--role", "viewer", "--password-stdin"], input="x" * 12 + "\n"
    )
    assert result.exit_code == 1
    assert "the bundled demo area is not written to" in result.output


def test_a_provider_account_for_a_urn_the_area_does_not_know_is_refused(tmp_path):
    # Review: `users add bad --role provider --urn 999999` said "Added" though no return and no
    # register has that URN. The area's ofsted.csv has EY100001; its store, after ingesting
    # the area's return, has the return's provider EY200002.
    x, y = inside(0)
    area = write_area(
        tmp_path / "area",
        returns={"2026-autumn": [provider(urn="EY200002", easting=x, northing=y)]},
    )
    (area / "ofsted.csv").write_text("urn,provider_name\nEY100001,Acorns\n")
    runner = CliRunner()

    def add(name: str, urn: str):
        return runner.invoke(
            cli,
            ["users", "add", name, "--role", "provider", "--urn", urn, "--area", str(area)],
            input="a long enough password\n" * 2,
        )

    before = add("bad", "999999")
    assert before.exit_code == 1
    assert (
        "the URN 999999 is not a setting the area knows (not in its store's returns nor in "
        "its ofsted.csv)" in before.output
    )
    assert "Check the URN" in before.output and "ingest its first return" in before.output
    assert "Traceback" not in before.output and "Password" not in before.output
    assert not store.store_path(area).exists()  # nothing was made
    assert add("acorns", "EY100001").exit_code == 0  # on the register
    ingested = runner.invoke(
        cli, ["ingest", str(area / "returns-2026-autumn.csv"), "--area", str(area)]
    )
    assert ingested.exit_code == 0, ingested.output
    from_return = "EY200002"
    assert add("setting", from_return).exit_code == 0  # in the store only
    assert add("bad", "999999").exit_code == 1
    names = {(a.name, a.urn) for a in accounts.all_accounts(store.store_path(area))}
    assert names == {("acorns", "EY100001"), ("setting", from_return)}
    # The library call refuses it too when given the area's URNs.
    try:
        accounts.add(
            store.store_path(area),
            "lib",
            "provider",
            "a long enough password",
            urn="999999",
            known_urns=accounts.area_urns(area),
        )
    except InputError as exc:
        assert "999999 is not a setting the area knows" in exc.message
    else:
        raise AssertionError("an unknown URN was added")
