"""Who is signed in, what each role may do, CSRF tokens and the throttle on failed sign-ins.

The session is Flask's: a cookie signed with the area's key (``itsdangerous``), HttpOnly and
SameSite=Lax, holding the account id and the CSRF token only. The account is read from the
store on every request, so a disabled or removed account is signed out at its next click, and
its role is the store's, never the cookie's. Every POST must carry the session's CSRF token
(compared in constant time).
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import abort, current_app, g, redirect, request, session, url_for
from werkzeug.wrappers import Response

from ..returns import accounts

F = TypeVar("F", bound=Callable[..., Any])
#: Endpoints anyone may reach: the sign-in page and the static files.
OPEN_ENDPOINTS = {"auth.login", "static"}


def csrf_token() -> str:
    """The session's CSRF token (made on first use); every form carries it."""
    token = session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def check_csrf() -> None:
    """Refuse a POST whose ``csrf_token`` field is not the session's (400)."""
    given = request.form.get("csrf_token", "")
    expected = session.get("csrf")
    if not isinstance(expected, str) or not hmac.compare_digest(given, expected):
        abort(400, description="csrf")


def load_account() -> Response | None:
    """Before every request: the signed-in account in ``g.account``, or off to sign in."""
    g.account = None
    if request.endpoint in OPEN_ENDPOINTS:
        if request.method == "POST":
            check_csrf()
        return None
    account_id = session.get("account_id")
    web = current_app.extensions["sufficiency"]
    account = accounts.get(web.store, int(account_id)) if isinstance(account_id, int) else None
    if account is None or account.disabled:
        session.pop("account_id", None)
        return redirect(url_for("auth.login", next=request.path))
    g.account = account
    if request.method == "POST":
        check_csrf()
    return None


def roles(*allowed: str) -> Callable[[F], F]:
    """A view only these roles may use (403 for the others)."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if g.account is None or g.account.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        return cast(F, wrapper)

    return decorate


def security_headers(response: Response) -> Response:
    """No framing by other sites, no sniffing, no network but this server.

    The offline map and report files carry their scripts and styles inline, so the files
    themselves are served with a policy that allows inline code and ``data:`` images and
    fonts but no connection anywhere (``web.runs.send_output``); the app's own pages load
    their stylesheet from here and run no script at all.
    """
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; script-src 'none'; object-src 'none'; frame-ancestors 'self'; "
        "base-uri 'none'; form-action 'self'",
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    if request.endpoint not in {"static"}:
        response.headers.setdefault("Cache-Control", "no-store")
    return response


class Throttle:
    """Failed sign-ins, per account name and per address: after ``limit`` failures in
    ``window`` seconds, sign-in is refused (429) until the oldest failure ages out."""

    def __init__(
        self,
        limit: int = 5,
        window: float = 900.0,
        per_address: int = 20,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit, self.window, self.per_address, self.clock = limit, window, per_address, clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str) -> deque[float]:
        now = self.clock()
        found = self._failures.setdefault(key, deque())
        while found and now - found[0] > self.window:
            found.popleft()
        return found

    def blocked(self, name: str, address: str) -> bool:
        with self._lock:
            return (
                len(self._recent(f"name:{name.casefold()}")) >= self.limit
                or len(self._recent(f"addr:{address}")) >= self.per_address
            )

    def failed(self, name: str, address: str) -> None:
        with self._lock:
            now = self.clock()
            self._recent(f"name:{name.casefold()}").append(now)
            self._recent(f"addr:{address}").append(now)

    def succeeded(self, name: str) -> None:
        with self._lock:
            self._failures.pop(f"name:{name.casefold()}", None)
