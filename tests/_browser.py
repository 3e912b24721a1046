"""Open a local page in headless Chromium with the network cut off, and report what it did.

Used by the ``browser`` tests to check that published maps draw offline, and reusable for any
page the package writes. :func:`open_page` starts Debian's ``chromium`` with a fresh profile,
a proxy that refuses every connection, a host resolver that resolves nothing and the DevTools
"offline" network condition; loads the file; waits for the load event and a short settle;
runs the given JavaScript probes in order; and returns the DOM, every error the page raised
or logged, every request it tried to make beyond the file itself and ``data:`` URIs, the
probes' values and a PNG screenshot (taken after the probes, so a probe can hover a ward).

It speaks the Chrome DevTools Protocol over ``--remote-debugging-pipe`` (NUL-terminated JSON
on file descriptors 3 and 4), so it needs only the standard library and the browser: no
websocket client, no Playwright, no downloaded browser build.

For example::

    run = open_page("map.html", probes={"wards": "document.querySelectorAll('path').length"})
    assert run.errors == () and run.requests == ()
    run.values["wards"]  # 16
    run.save_screenshot("test-artefacts/map.png")
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome")
SKIP_REASON = (
    "headless Chromium not found: install Debian's chromium package "
    "(apt-get install -y chromium), or set SUFFICIENCY_CHROMIUM to its path"
)
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--hide-scrollbars",
    "--mute-audio",
    "--proxy-server=127.0.0.1:9",
    "--proxy-bypass-list=<-loopback>",
    "--host-resolver-rules=MAP * ~NOTFOUND",
)


def find_chromium() -> str | None:
    """The Chromium executable: ``$SUFFICIENCY_CHROMIUM``, else the first on the path."""
    for candidate in (os.environ.get("SUFFICIENCY_CHROMIUM"), *CANDIDATES):
        if candidate and (found := shutil.which(candidate)):
            return found
    return None


@dataclass(frozen=True)
class PageRun:
    """What a page did in the browser.

    ``errors`` holds uncaught exceptions, ``console.error`` calls and the browser's own error
    log (failed loads); ``console`` every console message as ``"level: text"``; ``requests``
    every URL the page asked for other than itself and ``data:`` URIs.
    """

    dom: str
    errors: tuple[str, ...]
    console: tuple[str, ...]
    requests: tuple[str, ...]
    values: dict[str, Any]
    screenshot: bytes

    def save_screenshot(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(self.screenshot)
        return path


@dataclass
class _Session:
    """A DevTools connection over the pipe, with what the page's events have told us."""

    process: subprocess.Popen[bytes]
    commands: int
    responses: int
    page_url: str
    deadline: float
    session_id: str | None = None
    next_id: int = 0
    buffer: bytes = b""
    loaded: bool = False
    errors: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def send(
        self, method: str, params: dict[str, Any] | None = None, *, page: bool = True
    ) -> dict[str, Any]:
        self.next_id += 1
        message: dict[str, Any] = {"id": self.next_id, "method": method, "params": params or {}}
        if page and self.session_id:
            message["sessionId"] = self.session_id
        os.write(self.commands, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._receive()
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def wait_for_load(self) -> None:
        while not self.loaded:
            self._receive()

    def _receive(self) -> dict[str, Any]:
        while b"\0" not in self.buffer:
            remaining = self.deadline - time.monotonic()
            if remaining <= 0 or self.process.poll() is not None:
                raise TimeoutError("Chromium did not answer in time (or exited)")
            ready, _, _ = select.select([self.responses], [], [], min(remaining, 1.0))
            if ready:
                chunk = os.read(self.responses, 1 << 20)
                if not chunk:
                    raise RuntimeError("Chromium closed the DevTools pipe")
                self.buffer += chunk
        raw, self.buffer = self.buffer.split(b"\0", 1)
        message = json.loads(raw)
        if "method" in message:
            self._observe(message["method"], message.get("params", {}))
        return message

    def _observe(self, method: str, params: dict[str, Any]) -> None:
        if method == "Page.loadEventFired":
            self.loaded = True
        elif method == "Runtime.exceptionThrown":
            self.errors.append(f"uncaught: {_exception_text(params['exceptionDetails'])}")
        elif method == "Runtime.consoleAPICalled":
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in params["args"])
            self.console.append(f"{params['type']}: {text}")
            if params["type"] in {"error", "assert"}:
                self.errors.append(f"console.{params['type']}: {text}")
        elif method == "Log.entryAdded":
            entry = params["entry"]
            self.console.append(f"{entry['level']}: {entry['text']} {entry.get('url', '')}")
            if entry["level"] == "error":
                self.errors.append(f"{entry['source']}: {entry['text']} {entry.get('url', '')}")
        elif method == "Network.requestWillBeSent":
            url = params["request"]["url"]
            if not url.startswith("data:") and url != self.page_url:
                self.requests.append(url)


def _exception_text(details: dict[str, Any]) -> str:
    """An exception's message and where it was thrown (a thrown string has no description)."""
    exception = details.get("exception", {})
    text = exception.get("description") or exception.get("value") or details.get("text", "")
    where = f"{details.get('url', '')}:{details.get('lineNumber', 0) + 1}"
    return f"{text} at {where}"


def _pipe_above(floor: int) -> tuple[int, int]:
    """A pipe whose two ends are numbered at least ``floor``, so they never collide with 3/4."""
    read_end, write_end = os.pipe()
    high = (
        fcntl.fcntl(read_end, fcntl.F_DUPFD, floor),
        fcntl.fcntl(write_end, fcntl.F_DUPFD, floor),
    )
    os.close(read_end)
    os.close(write_end)
    return high


def _launch(
    chromium: str, profile: str, log: IO[bytes], width: int, height: int
) -> tuple[subprocess.Popen[bytes], int, int]:
    to_chrome_read, to_chrome_write = _pipe_above(10)
    from_chrome_read, from_chrome_write = _pipe_above(10)
    # Chromium reads commands on fd 3 and writes replies on fd 4; bash puts them there (dash,
    # Debian's /bin/sh, cannot redirect descriptors above 9).
    command = (
        f'exec "$0" "$@" 3<&{to_chrome_read} 4>&{from_chrome_write} '
        f"{to_chrome_read}<&- {from_chrome_write}>&-"
    )
    arguments = [
        *FLAGS,
        "--remote-debugging-pipe",
        f"--user-data-dir={profile}",
        f"--window-size={width},{height}",
        "about:blank",
    ]
    process = subprocess.Popen(
        ["/bin/bash", "-c", command, chromium, *arguments],
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=log,
        pass_fds=(to_chrome_read, from_chrome_write),
    )
    os.close(to_chrome_read)
    os.close(from_chrome_write)
    return process, to_chrome_write, from_chrome_read


def open_page(
    path: str | Path,
    *,
    probes: Mapping[str, str] | None = None,
    width: int = 1280,
    height: int = 900,
    settle_ms: int = 500,
    timeout: float = 60.0,
    chromium: str | None = None,
) -> PageRun:
    """Load a local file in headless Chromium with no network and report what it did.

    Parameters
    ----------
    path
        The HTML file to open.
    probes
        JavaScript expressions, run in order after the page has loaded and settled; a probe
        may return a promise. Their JSON-able values come back in ``PageRun.values``.
    width, height
        Viewport size in CSS pixels, which is also the screenshot's size.
    settle_ms
        How long to wait after the load event (and fonts) before probing.
    timeout
        Seconds allowed for the whole run.
    chromium
        The browser executable; by default :func:`find_chromium`.

    Returns
    -------
    PageRun
    """
    executable = chromium or find_chromium()
    if executable is None:
        raise FileNotFoundError(SKIP_REASON)
    page_url = Path(path).resolve().as_uri()
    with (
        tempfile.TemporaryDirectory(
            prefix="sufficiency-chromium-", ignore_cleanup_errors=True
        ) as profile,
        tempfile.TemporaryFile() as log,
    ):
        process, commands, responses = _launch(executable, profile, log, width, height)
        session = _Session(process, commands, responses, page_url, time.monotonic() + timeout)
        try:
            return _drive(session, page_url, probes or {}, width, height, settle_ms)
        except (TimeoutError, RuntimeError) as problem:
            log.seek(0)
            tail = log.read().decode(errors="replace")[-2000:]
            raise RuntimeError(f"{problem}; Chromium said:\n{tail}") from problem
        finally:
            _close(session)


def _drive(
    session: _Session,
    page_url: str,
    probes: Mapping[str, str],
    width: int,
    height: int,
    settle_ms: int,
) -> PageRun:
    target = session.send("Target.createTarget", {"url": "about:blank"}, page=False)
    attached = session.send(
        "Target.attachToTarget", {"targetId": target["targetId"], "flatten": True}, page=False
    )
    session.session_id = attached["sessionId"]
    for domain in ("Page", "Runtime", "Log", "Network"):
        session.send(f"{domain}.enable")
    session.send(
        "Network.emulateNetworkConditions",
        {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    session.send(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
    )
    session.send("Page.navigate", {"url": page_url})
    session.wait_for_load()
    _evaluate(
        session,
        "document.fonts.ready.then(() => new Promise(done => "
        f"requestAnimationFrame(() => setTimeout(done, {settle_ms}))))",
    )
    values = {name: _evaluate(session, expression) for name, expression in probes.items()}
    dom = _evaluate(session, "document.documentElement.outerHTML")
    shot = session.send("Page.captureScreenshot", {"format": "png"})
    return PageRun(
        dom=dom,
        errors=tuple(session.errors),
        console=tuple(session.console),
        requests=tuple(dict.fromkeys(session.requests)),
        values=values,
        screenshot=base64.b64decode(shot["data"]),
    )


def _evaluate(session: _Session, expression: str) -> Any:
    result = session.send(
        "Runtime.evaluate",
        {"expression": expression, "awaitPromise": True, "returnByValue": True},
    )
    if "exceptionDetails" in result:
        text = _exception_text(result["exceptionDetails"])
        raise RuntimeError(f"probe failed: {expression[:80]}: {text}")
    return result["result"].get("value")


def _close(session: _Session) -> None:
    try:
        session.deadline = time.monotonic() + 5
        session.send("Browser.close", page=False)
    except (OSError, RuntimeError, TimeoutError, ValueError):
        pass
    try:
        session.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        session.process.kill()
        session.process.wait()
    for descriptor in (session.commands, session.responses):
        os.close(descriptor)
