"""A real headless Chromium driven over the Chrome DevTools protocol (CDP), for page tests.

No WebDriver: Debian's ``chromium`` has no ``chromedriver`` beside it on every machine, and
CDP needs only a websocket client (``websockets``, in the test extra). The browser runs with
a fresh profile in a temporary directory, no network of its own (no updates, sync, QUIC or
proxy), and is killed when the ``with`` block ends.

    with headless_chromium(tmp_path) as browser:   # pytest.skip()s when no Chromium is found
        browser.open("http://127.0.0.1:8080/__mock/ui")
        browser.wait_for("document.title !== ''")
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

#: Where Chromium may be; ``AISTATS_CHROMIUM`` names another binary.
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-proxy-server",
    "--remote-debugging-port=0",
)
START_TIMEOUT_S = 30.0


def chromium_binary() -> str | None:
    named = os.environ.get("AISTATS_CHROMIUM")
    if named:
        return named if Path(named).is_file() else None
    return next((found for name in CANDIDATES if (found := shutil.which(name))), None)


class Page:
    """One browser tab, attached over the browser's CDP websocket (flat sessions)."""

    def __init__(self, socket: Any, session_id: str):
        self.socket = socket
        self.session_id = session_id
        self._ids = iter(range(1, 1_000_000))

    def command(self, method: str, timeout: float = 15.0, **params: Any) -> dict[str, Any]:
        return _call(self.socket, self._ids, method, params, timeout, self.session_id)

    def open(self, url: str, width: int = 1440, height: int = 900, before_load: str = "") -> None:
        """Navigate to ``url``; ``before_load`` runs in the new document before its own scripts."""
        self.command(
            "Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=False
        )
        self.command("Page.enable")
        if before_load:
            self.command("Page.addScriptToEvaluateOnNewDocument", source=before_load)
        self.command("Page.navigate", url=url)

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (promises awaited)."""
        result = self.command("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise AssertionError(f"{expression!r} threw: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 15.0) -> Any:
        """Poll until ``expression`` is truthy in the page; its value."""
        deadline = time.monotonic() + timeout
        while True:
            with contextlib.suppress(AssertionError):
                value = self.evaluate(expression)
                if value:
                    return value
            if time.monotonic() > deadline:
                raise AssertionError(f"not true within {timeout} s: {expression}")
            time.sleep(0.1)

    def screenshot(self, path: Path) -> Path:
        data = self.command("Page.captureScreenshot", format="png")["data"]
        path.write_bytes(base64.b64decode(data))
        return path


def _call(socket: Any, ids: Iterator[int], method: str, params: dict, timeout: float, session: str | None) -> dict:
    message_id = next(ids)
    message: dict[str, Any] = {"id": message_id, "method": method, "params": params}
    if session:
        message["sessionId"] = session
    socket.send(json.dumps(message))
    deadline = time.monotonic() + timeout
    while True:
        reply = json.loads(socket.recv(timeout=max(0.01, deadline - time.monotonic())))
        if reply.get("id") != message_id:
            continue  # an event, or another session's answer
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply.get("result", {})


@contextlib.contextmanager
def headless_chromium(profile_dir: Path) -> Iterator[Page]:
    """A fresh headless Chromium with one blank tab; skips the test when none is installed."""
    sync_client = pytest.importorskip("websockets.sync.client")
    binary = chromium_binary()
    if binary is None:
        pytest.skip("no Chromium found (install Debian's chromium, or set AISTATS_CHROMIUM)")
    profile_dir.mkdir(parents=True, exist_ok=True)
    log = (profile_dir / "chromium.log").open("wb")
    process = subprocess.Popen(
        [binary, *FLAGS, f"--user-data-dir={profile_dir}", "about:blank"],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    try:
        endpoint = _devtools_endpoint(profile_dir, process)
        with sync_client.connect(endpoint, max_size=None, open_timeout=10) as socket:
            ids = iter(range(1_000_000, 2_000_000))
            target = _call(socket, ids, "Target.createTarget", {"url": "about:blank"}, 15.0, None)["targetId"]
            attached = _call(socket, ids, "Target.attachToTarget", {"targetId": target, "flatten": True}, 15.0, None)
            yield Page(socket, attached["sessionId"])
    finally:
        process.kill()
        process.wait(timeout=10)
        log.close()


def _devtools_endpoint(profile_dir: Path, process: subprocess.Popen) -> str:
    """The browser's websocket URL, from the DevToolsActivePort file Chromium writes at start."""
    port_file = profile_dir / "DevToolsActivePort"
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = (profile_dir / "chromium.log").read_text(errors="replace")[-2000:]
            pytest.skip(f"Chromium exited at start ({process.returncode}): {tail}")
        lines = port_file.read_text().split("\n") if port_file.exists() else []
        if len(lines) >= 2 and lines[0].strip().isdigit() and lines[1].strip():
            return f"ws://127.0.0.1:{lines[0].strip()}{lines[1].strip()}"
        time.sleep(0.05)
    raise RuntimeError(f"Chromium did not open its DevTools port within {START_TIMEOUT_S} s")
