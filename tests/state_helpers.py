"""Helpers for the tests of stateful routes: a fake clock and a spec-checking client."""

from __future__ import annotations

from mockserver.validation.responses import Exchange, ResponseChecker
from tests.conftest import AUTH, make_client

START = 1_800_000_000.0
_NO_PACING = {"X-Mock-TTFT-Ms": "0", "X-Mock-Tokens-Per-Second": "0"}


class FakeClock:
    def __init__(self, now: float = START):
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class CheckedClient:
    """A test client whose every answer is validated against the contract."""

    def __init__(self, framework: str = "async", **settings):
        self.client = make_client(framework, **settings)
        self.runtime = self.client.app.runtime
        self.clock = FakeClock()
        self.runtime.state.clock = self.clock
        self.checker = ResponseChecker(self.runtime.spec)
        self.client.__enter__()

    @property
    def store(self):
        return self.runtime.state

    def close(self) -> None:
        self.client.__exit__(None, None, None)

    def call(self, method: str, path: str, *, auth: dict | None = AUTH, check: bool = True, **kwargs):
        headers = {**(auth or {}), **_NO_PACING, **kwargs.pop("headers", {})}
        response = self.client.request(method, path, headers=headers, **kwargs)
        if check:
            exchange = Exchange(
                method=method.lower(),
                path=path.split("?")[0].removeprefix("/v1"),
                status=response.status_code,
                headers=dict(response.headers),
                content=response.content,
                query=dict(response.request.url.params),
                request_headers=headers,
            )
            problems = self.checker.problems(exchange)
            assert problems == [], f"{method} {path} -> {response.status_code}: {problems}"
        return response

    def get(self, path: str, **kwargs):
        return self.call("GET", path, **kwargs)

    def post(self, path: str, **kwargs):
        return self.call("POST", path, **kwargs)

    def patch(self, path: str, **kwargs):
        return self.call("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs):
        return self.call("DELETE", path, **kwargs)
