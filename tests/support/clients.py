"""The mock in-process: Starlette's TestClient, plain or checking every answer against the contract."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from mockserver.server import create_app
from mockserver.settings import Settings
from tests.support.constants import AUTH, UNPACED
from tests.support.contract import ContractChecker

START = 1_800_000_000.0


def make_client(framework: str = "async", **settings: Any) -> TestClient:
    """A TestClient of a fresh mock (server errors come back as 500s, as a real client sees them)."""
    return TestClient(create_app(Settings.of(framework=framework, **settings)), raise_server_exceptions=False)


class FakeClock:
    """A clock the test moves by hand (jobs, TTLs, wallets)."""

    def __init__(self, now: float = START):
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class ContractClient:
    """A fresh mock on a fake clock whose every answer is checked against the contract it serves."""

    def __init__(self, framework: str = "async", **settings: Any):
        self.client = make_client(framework, **settings)
        self.runtime = self.client.app.runtime
        self.clock = FakeClock()
        self.runtime.state.clock = self.clock
        self.contract = ContractChecker(self.runtime.spec)
        self.client.__enter__()

    @property
    def store(self) -> Any:
        return self.runtime.state

    def close(self) -> None:
        self.client.__exit__(None, None, None)

    def call(self, method: str, path: str, *, auth: dict | None = AUTH, check: bool = True, **kwargs: Any) -> Any:
        headers = {**(auth or {}), **UNPACED, **kwargs.pop("headers", {})}
        response = self.client.request(method, path, headers=headers, **kwargs)
        if check:
            self.contract.check(response)
        return response

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.call("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Any:
        return self.call("POST", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> Any:
        return self.call("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Any:
        return self.call("DELETE", path, **kwargs)
