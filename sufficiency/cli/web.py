"""The web app's commands: ``serve`` and ``users add|list|remove|disable|enable``.

A thin layer over ``sufficiency.web`` and ``returns.accounts``. ``serve`` runs the app with
waitress, a production WSGI server in pure Python (threads, no C build, on Linux and Windows
alike), on 127.0.0.1 unless told otherwise.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ._errors import UserErrorGroup, user_errors
from ._options import area_option

SERVE_EXAMPLES = """
\b
Examples:
  sufficiency users add alex --role officer --area ~/eyc/town
  sufficiency serve --area ~/eyc/town                 # http://127.0.0.1:8000
  sufficiency serve --area ~/eyc/town --host 0.0.0.0 --port 8080   # for the council network
"""


def _writable_area(area: Path) -> Path:
    """The area folder, which must not be the bundled demo (package data is not written)."""
    from ..area import area_folder
    from .returns import refuse_demo

    refuse_demo(area)
    folder, _ = area_folder(area)
    return folder


@click.command("serve", epilog=SERVE_EXAMPLES)
@area_option(" Its store (sufficiency.sqlite) holds the accounts and the returns.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option(
    "--threads", type=click.IntRange(1, 64), default=8, show_default=True, help="Worker threads."
)
@click.option(
    "--secure-cookie",
    is_flag=True,
    help="Send the session cookie over HTTPS only: give it when users reach the app through "
    "HTTPS (behind the council's proxy).",
)
@user_errors()
def serve(area: Path, host: str, port: int, threads: int, secure_cookie: bool) -> None:
    """Serve the web app for the early years team and its providers.

    Officers see the term's return status, accept providers' returns, upload workbooks, run
    the assessment and scenarios and download the outputs; providers fill in their own
    setting's return; viewers read the published outputs. Add accounts first with
    sufficiency users add.
    """
    from waitress import serve as waitress_serve

    from ..returns import accounts
    from ..returns.store import locate
    from ..web import create_app

    folder = _writable_area(area)
    app = create_app(folder, secure_cookie=secure_cookie)
    officers = [a for a in accounts.all_accounts(locate(folder)) if a.role == "officer"]
    if not officers:
        click.echo(
            "Note: the area has no officer account yet; add one with: sufficiency users add "
            f"NAME --role officer --area {folder}",
            err=True,
        )
    click.echo(f"Serving {folder} on http://{host}:{port}/ (Ctrl+C stops it)")
    waitress_serve(app, host=host, port=port, threads=threads, ident="sufficiency")


@click.group("users", cls=UserErrorGroup)
def users() -> None:
    """The web app's accounts, kept in the area's store."""


def _password(stdin: bool) -> str:
    if stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))


@users.command("add")
@click.argument("name")
@click.option(
    "--role",
    type=click.Choice(["officer", "viewer", "provider"]),
    required=True,
    help="What "
    "the account may do: officer (everything), viewer (published outputs), provider (its own "
    "setting's return).",
)
@click.option("--urn", default=None, help="A provider account's setting (Ofsted URN).")
@area_option()
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from the first line of stdin."
)
def add(name: str, role: str, urn: str | None, area: Path, password_stdin: bool) -> None:
    """Add an account NAME (the password is asked for, or read with --password-stdin).

    A provider account's URN must be a setting the area knows: in its store (a return
    ingested) or its ofsted.csv (sufficiency import ofsted).
    """
    from ..returns import accounts
    from ..returns.store import locate

    folder = _writable_area(area)
    known = accounts.area_urns(folder) if role == "provider" else None
    if known is not None:
        # Before the password is asked for: a mistyped URN is said at once.
        accounts.check_known_urn(accounts.check_new(name, role, urn, "x" * 99), known)
    account = accounts.add(
        locate(folder), name, role, _password(password_stdin), urn=urn, known_urns=known
    )
    extra = f" for {account.urn}" if account.urn else ""
    click.echo(f"Added {account.role} account {account.name}{extra} to {locate(folder)}")


@users.command("list")
@area_option()
def list_users(area: Path) -> None:
    """Every account: name, role, URN, created, active or disabled."""
    from ..returns import accounts
    from ..returns.store import locate

    folder = _writable_area(area)
    path = locate(folder)
    found = accounts.all_accounts(path) if path.exists() else []
    if not found:
        click.echo(f"No accounts in {path}: add one with sufficiency users add")
        return
    for a in found:
        state = "disabled" if a.disabled else "active"
        click.echo(f"{a.name:<24} {a.role:<9} {a.urn or '-':<9} {a.created_at}  {state}")


@users.command("remove")
@click.argument("name")
@area_option()
def remove(name: str, area: Path) -> None:
    """Remove the account NAME."""
    from ..returns import accounts
    from ..returns.store import locate

    folder = _writable_area(area)
    accounts.remove(locate(folder), name)
    click.echo(f"Removed account {name}")


@users.command("disable")
@click.argument("name")
@area_option()
def disable(name: str, area: Path) -> None:
    """Disable the account NAME (it can no longer sign in; its sessions end)."""
    from ..returns import accounts
    from ..returns.store import locate

    accounts.set_disabled(locate(_writable_area(area)), name, True, by="command line")
    click.echo(f"Disabled account {name}")


@users.command("enable")
@click.argument("name")
@area_option()
def enable(name: str, area: Path) -> None:
    """Enable the account NAME again."""
    from ..returns import accounts
    from ..returns.store import locate

    accounts.set_disabled(locate(_writable_area(area)), name, False, by="command line")
    click.echo(f"Enabled account {name}")


COMMANDS = [serve, users]
