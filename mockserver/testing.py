"""The mock inside a test session: a live server in a thread, and a per-test handle on it.

The pytest plugin's ``aistats_mock`` fixture (conformance/pytest_plugin.py) uses it; any test
framework can too::

    with LiveMock.start() as mock:          # once per session
        handle = mock.for_test()            # per test: state reset, rules of the last test gone
        handle.reply(text="Hello!", user="greet")
        ...                                 # point the app at handle.base_url, handle.api_key
        assert handle.count(operation="createChatCompletion") == 1

The server is the production one (:func:`mockserver.server.serving.make_server`) on a free
loopback port; the handle talks to it through the admin API (``/__mock/``) only, over HTTP,
as a test in any other language would.
"""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any

from mockserver.server import create_app
from mockserver.server.serving import make_server
from mockserver.settings import Settings

#: A well-formed key: the mock accepts any of them.
API_KEY = "aistats_v1_sk_pytest_secret"
#: Settings of a mock that answers as fast as it can.
FAST: dict[str, Any] = dict(latency="0", ttft_ms=0, tokens_per_second=0, job_seconds=0.3, job_failure_rate=0.0)
START_TIMEOUT_S = 10.0


#: What a test may ask of a replaying mock, and the settings each sets.
REPLAY_OPTIONS = {"replay": "replay_dir", "miss": "replay_miss", "pace": "replay_pace"}


def replay_settings(options: dict[str, Any], base: Path) -> dict[str, Any]:
    """Settings of a mock answering from cassettes: ``replay`` (a directory, relative to
    ``base``), ``miss`` (``synthesize``/``error``) and ``pace`` (``recorded``/``configured``)."""
    unknown = sorted(set(options) - set(REPLAY_OPTIONS))
    if unknown or "replay" not in options:
        raise ValueError(f"aistats_mock takes replay=DIR and optionally miss=, pace= (not {unknown or 'no replay'})")
    if options.get("miss") == "forward":
        raise ValueError("aistats_mock: miss='forward' needs an upstream gateway; record with `aistats-mock serve`")
    settings = {REPLAY_OPTIONS[name]: value for name, value in options.items()}
    settings["replay_dir"] = (base / Path(options["replay"]).expanduser()).resolve()
    return settings


class MockPool:
    """Mocks with other settings than the session's (a replaying one per cassette directory),
    each started once, at the first test that asks, and stopped when the pool closes."""

    def __init__(self) -> None:
        self._stack = ExitStack()
        self._mocks: dict[tuple[tuple[str, str], ...], LiveMock] = {}

    def get(self, **settings: Any) -> LiveMock:
        key = tuple(sorted((name, str(value)) for name, value in settings.items()))
        if key not in self._mocks:
            self._mocks[key] = self._stack.enter_context(LiveMock.start(**settings))
        return self._mocks[key]

    def __enter__(self) -> MockPool:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._stack.close()


class AdminError(RuntimeError):
    """The admin API refused a call (the message is its answer)."""


class LiveMock:
    """A running mock: its origin, and the admin calls the handles make."""

    def __init__(self, origin: str):
        self.origin = origin

    @classmethod
    @contextmanager
    def start(cls, **settings: Any) -> Iterator[LiveMock]:
        """Serve a mock with ``settings`` (fast by default) on a free port until the block ends."""
        app = create_app(Settings.of(**{**FAST, **settings}))
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        server = make_server(app, log_level="critical", graceful_seconds=1)
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        deadline = time.monotonic() + START_TIMEOUT_S
        try:
            while not server.started:
                if time.monotonic() > deadline or not thread.is_alive():
                    raise RuntimeError("the mock did not start")
                time.sleep(0.01)
            yield cls(f"http://127.0.0.1:{sock.getsockname()[1]}")
        finally:
            server.should_exit = True
            thread.join(timeout=5)
            sock.close()

    def for_test(self) -> MockHandle:
        """A handle for one test, on a mock with nothing left of the previous test."""
        handle = MockHandle(self)
        handle.reset()
        return handle

    def admin(self, method: str, path: str, body: Any = None, query: list[tuple[str, str]] | None = None) -> Any:
        url = f"{self.origin}/__mock{path}" + (f"?{urllib.parse.urlencode(query)}" if query else "")
        data = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"} if data is not None else {}
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return json.loads(answer.read())
        except urllib.error.HTTPError as exc:
            raise AdminError(f"{method} /__mock{path}: {exc.code} {exc.read().decode(errors='replace')}") from None


class MockHandle:
    """What a test sees of the mock: where it is, and how to script it and check what it got."""

    def __init__(self, mock: LiveMock):
        self._mock = mock
        self.origin = mock.origin
        #: The base URL for OpenAI-style clients (``.../v1``).
        self.base_url = mock.origin + "/v1"
        self.api_key = API_KEY

    @property
    def headers(self) -> dict[str, str]:
        """The bearer header (the anthropic SDK needs it: the gateway reads only ``Authorization``)."""
        return {"Authorization": f"Bearer {self.api_key}"}

    def reset(self) -> None:
        """Forget the journal, state, the reply rules and scenario rules added so far."""
        self._mock.admin("POST", "/reset")
        self._mock.admin("DELETE", "/rules", query=[("source", "admin")])

    def reply(
        self,
        text: str | None = None,
        *,
        tool_calls: list[dict[str, Any]] | None = None,
        json: Any = None,
        embedding: list[float] | None = None,
        scenario: str | None = None,
        params: dict[str, str] | None = None,
        sequence: list[dict[str, Any]] | None = None,
        name: str | None = None,
        **match: Any,
    ) -> dict[str, Any]:
        """Add a reply rule: answer requests matching ``match`` (docs/scenarios.md) with the
        given text, tool calls, JSON value, embedding or error scenario, or with ``sequence``
        (a list of such answers) over successive matches."""
        answer: dict[str, Any] = {}
        for key, value in (("text", text), ("tool_calls", tool_calls), ("embedding", embedding)):
            if value is not None:
                answer[key] = value
        if json is not None:
            answer["json"] = json
        if scenario is not None:
            answer.update(scenario=scenario, params=params or {})
        rule: dict[str, Any] = {"match": match}
        if name is not None:
            rule["name"] = name
        if sequence is not None:
            rule["replies"] = sequence
        else:
            rule["reply"] = answer
        added: dict[str, Any] = self._mock.admin("POST", "/replies", rule)["added"][0]
        return added

    def scenario(
        self, name: str, *, times: int | None = None, nth: int | list[int] | None = None, **match: Any
    ) -> None:
        """Make matching requests fail with an ``X-Mock-Scenario`` (every one, the first
        ``times`` or the ``nth``). ``match`` takes ``operation``, ``model``, ``path``,
        ``method``, ``headers``; any other keyword is a scenario parameter (``status=503``)."""
        keys = {"operation", "model", "path", "method", "headers"}
        rule: dict[str, Any] = {key: value for key, value in match.items() if key in keys}
        params = {key: str(value) for key, value in match.items() if key not in keys}
        rule.update(scenario=name, params=params)
        if times is not None:
            rule["times"] = times
        if nth is not None:
            rule["nth"] = nth
        self._mock.admin("POST", "/rules", rule)

    fail = scenario

    def requests(self, operation: str | None = None, model: str | None = None, **filters: Any) -> list[dict[str, Any]]:
        """The requests the mock received in this test that match, oldest first; each one's
        parsed body is in ``json``. ``filters``: ``header`` ("name:value"), ``body``, ``status``."""
        found: list[dict[str, Any]] = self._mock.admin("GET", "/requests", query=_query(operation, model, filters))[
            "requests"
        ]
        return found

    def count(self, operation: str | None = None, model: str | None = None, **filters: Any) -> int:
        """How many requests received in this test match (the filters of :meth:`requests`)."""
        counted: int = self._mock.admin("GET", "/requests/count", query=_query(operation, model, filters))["count"]
        return counted


def _query(operation: str | None, model: str | None, filters: dict[str, Any]) -> list[tuple[str, str]]:
    pairs = [("operation", operation), ("model", model)]
    for key, value in filters.items():
        pairs.extend((key, item) for item in (value if isinstance(value, list | tuple) else [value]))
    return [(key, str(value)) for key, value in pairs if value is not None]
