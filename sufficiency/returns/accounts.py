"""Web accounts in the area's store: who may sign in to ``sufficiency serve``, and as what.

Three roles: an ``officer`` (the early years team: every page, every write), a ``viewer``
(councillors' officers: the published outputs only) and a ``provider`` (one setting: its own
URN's return only). Passwords are hashed with argon2id (``argon2-cffi``, the Password Hashing
Competition's winner, as OWASP recommends); the store never holds a password. Every change
to an account, and every write the web app makes, is a row of ``web_log`` with who and when
(:func:`log`).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, cast

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ..errors import InputError
from . import store

Role = Literal["officer", "viewer", "provider"]
ROLES: tuple[Role, ...] = ("officer", "viewer", "provider")
NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
URN_RE = re.compile(r"(EY)?\d{6}")
MIN_PASSWORD = 10
_HASHER = PasswordHasher()
#: Verified against when the name is unknown, so that a wrong name takes as long as a wrong
#: password (no telling which names exist by timing).
_DUMMY_HASH = _HASHER.hash(secrets.token_hex(16))


@dataclass(frozen=True)
class Account:
    """One account (never its password hash)."""

    account_id: int
    name: str
    role: Role
    urn: str | None
    disabled: bool
    created_at: str


def _account(row: tuple) -> Account:
    account_id, name, role, urn, disabled, created_at = row
    return Account(int(account_id), name, cast(Role, role), urn, bool(disabled), created_at)


_COLUMNS = "account_id, name, role, urn, disabled, created_at"


def check_new(name: str, role: str, urn: str | None, password: str) -> str | None:
    """The account as given, checked; its URN normalised (upper case, no spaces)."""
    if not NAME_RE.fullmatch(name):
        raise InputError(
            f"the account name {name!r} is not allowed",
            column="NAME",
            hint="Use 1 to 64 letters, digits and . _ @ -, starting with a letter or digit",
        )
    if role not in ROLES:
        raise InputError(
            f"the role {role!r} is not one of {', '.join(ROLES)}", column="--role", hint=""
        )
    if role == "provider":
        if not urn:
            raise InputError(
                "a provider account needs the URN of its setting",
                column="--urn",
                hint="Give --urn EY123456 (six digits, or EY and six digits)",
            )
        urn = urn.upper().replace(" ", "")
        if not URN_RE.fullmatch(urn):
            raise InputError(
                f"the URN {urn!r} is not an Ofsted URN",
                column="--urn",
                hint="Give six digits, or EY and six digits (e.g. EY123456)",
            )
    elif urn:
        raise InputError(
            f"only a provider account has a URN (this one is {role})",
            column="--urn",
            hint="Leave --urn out, or give --role provider",
        )
    else:
        urn = None
    if len(password) < MIN_PASSWORD:
        raise InputError(
            f"the password is too short ({len(password)} characters)",
            column="password",
            hint=f"Give at least {MIN_PASSWORD} characters (a few words make a good one)",
        )
    return urn


def log(conn: store.Connection, account: str, action: str, detail: str = "") -> None:
    """Record a write (inside the caller's transaction): who, when (UTC), what."""
    conn.execute(
        "INSERT INTO web_log (at, account, action, detail) VALUES (?, ?, ?, ?)",
        (store.now_utc(), account, action, detail),
    )


def area_urns(folder: str | Path) -> set[str]:
    """The URNs the area knows: every provider in its store (a return ingested) and in its
    ``ofsted.csv`` (``sufficiency import ofsted``)."""
    from .._io import read_table
    from ..area import area_folder, resolve_files

    folder, config = area_folder(Path(folder))
    known: set[str] = set()
    path = store.locate(folder)
    if store.exists(path):
        known |= set(store.load_providers(path)["urn"].dropna().astype(str))
    register = resolve_files(folder, config)["ofsted"]
    if register and register[0].is_file():
        table = read_table(register[0])
        if "urn" in table.columns:
            urns = table["urn"].dropna().astype(str).str.upper().str.replace(" ", "", regex=False)
            known |= set(urns)
    return known


def check_known_urn(urn: str | None, known: Collection[str]) -> None:
    """Refuse a provider account for a URN the area does not know (a typo, or a setting
    whose return is not in yet)."""
    if urn is not None and urn not in known:
        raise InputError(
            f"the URN {urn} is not a setting the area knows (not in its store's returns nor "
            "in its ofsted.csv)",
            column="--urn",
            hint="Check the URN against the setting's return or Ofsted registration; for a "
            "new setting, ingest its first return (sufficiency ingest) or import "
            "Ofsted's providers (sufficiency import ofsted) first. No account was added",
        )


def add(
    path: store.Target,
    name: str,
    role: str,
    password: str,
    *,
    urn: str | None = None,
    by: str = "command line",
    known_urns: Collection[str] | None = None,
) -> Account:
    """Add an account to the store (made if it does not exist yet). With ``known_urns``
    (:func:`area_urns`), a provider account's URN must be one of them."""
    urn = check_new(name, role, urn, password)
    if known_urns is not None:
        check_known_urn(urn, known_urns)
    hashed = _HASHER.hash(password)
    with store.connection(path, create=True) as conn, store.transaction(conn):
        if conn.execute("SELECT 1 FROM accounts WHERE name = ?", (name,)).fetchone():
            raise InputError(
                f"there is already an account called {name!r}",
                column="NAME",
                hint="Choose another name, or remove that account first (sufficiency users "
                "remove NAME)",
            )
        conn.execute(
            "INSERT INTO accounts (name, role, urn, password_hash, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (name, role, urn, hashed, store.now_utc()),
        )
        log(conn, by, "add account", f"{name} ({role}{', ' + urn if urn else ''})")
        row = conn.execute(f"SELECT {_COLUMNS} FROM accounts WHERE name = ?", (name,)).fetchone()
    return _account(row)


def all_accounts(path: store.Target) -> list[Account]:
    """Every account, by name."""
    with store.connection(path) as conn:
        rows = conn.execute(f"SELECT {_COLUMNS} FROM accounts ORDER BY name").fetchall()
    return [_account(r) for r in rows]


def get(path: store.Target, account_id: int) -> Account | None:
    """The account with this id, or ``None``."""
    with store.connection(path) as conn:
        row = conn.execute(
            f"SELECT {_COLUMNS} FROM accounts WHERE account_id = ?", (account_id,)
        ).fetchone()
    return _account(row) if row else None


def _unknown(name: str) -> InputError:
    return InputError(
        f"there is no account called {name!r}",
        column="NAME",
        hint="sufficiency users list shows the accounts",
    )


def remove(path: store.Target, name: str, *, by: str = "command line") -> None:
    """Remove an account (its web returns and the log keep its name)."""
    with store.connection(path) as conn, store.transaction(conn):
        if conn.execute("DELETE FROM accounts WHERE name = ?", (name,)).rowcount == 0:
            raise _unknown(name)
        log(conn, by, "remove account", name)


def set_disabled(path: store.Target, name: str, disabled: bool, *, by: str) -> None:
    """Disable an account (it can no longer sign in; its sessions end) or enable it again."""
    with store.connection(path) as conn, store.transaction(conn):
        changed = conn.execute(
            "UPDATE accounts SET disabled = ? WHERE name = ?", (int(disabled), name)
        ).rowcount
        if changed == 0:
            raise _unknown(name)
        log(conn, by, "disable account" if disabled else "enable account", name)


def verify(path: store.Target, name: str, password: str) -> Account | None:
    """The account if the name and password match and it is not disabled, else ``None``."""
    with store.connection(path) as conn:
        row = conn.execute(
            f"SELECT {_COLUMNS}, password_hash FROM accounts WHERE name = ?", (name,)
        ).fetchone()
    hashed = row[-1] if row else _DUMMY_HASH
    try:
        _HASHER.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None:
        return None
    account = _account(row[:-1])
    return None if account.disabled else account


def setting(path: store.Target, key: str, make: str | None = None) -> str | None:
    """A stored setting of the web app; when it is missing and ``make`` is given, store that."""
    with store.connection(path, create=make is not None) as conn:
        row = conn.execute("SELECT value FROM web_settings WHERE key = ?", (key,)).fetchone()
        if row is not None or make is None:
            return row[0] if row else None
        with store.transaction(conn):
            conn.execute(
                "INSERT INTO web_settings VALUES (?, ?) ON CONFLICT (key) DO NOTHING", (key, make)
            )
            found = conn.execute("SELECT value FROM web_settings WHERE key = ?", (key,)).fetchone()
        return str(found[0])


def put_setting(path: store.Target, key: str, value: str, *, by: str) -> None:
    """Set a stored setting, logged."""
    with store.connection(path) as conn, store.transaction(conn):
        conn.execute(
            "INSERT INTO web_settings VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET "
            "value = excluded.value",
            (key, value),
        )
        log(conn, by, f"set {key}", value)


def write_log(path: store.Target) -> list[tuple[str, str, str, str]]:
    """The write log, newest first: (at, account, action, detail)."""
    with store.connection(path) as conn:
        rows = conn.execute(
            "SELECT at, account, action, coalesce(detail, '') FROM web_log ORDER BY log_id DESC"
        ).fetchall()
    return [tuple(r) for r in rows]
