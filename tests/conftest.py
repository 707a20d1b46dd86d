"""Fixtures shared by the whole suite (helpers live in ``tests.support``, never imported from here)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from tests.support import FRAMEWORKS, ContractChecker, contract_checker, live_server, make_client
from tests.support.redis_server import RedisServer
from tests.support.redis_server import redis_server as start_redis_server


@pytest.fixture(scope="session", params=FRAMEWORKS)
def client(request: pytest.FixtureRequest) -> Iterator[TestClient]:
    """A client of the default mock, once per framework."""
    with make_client(request.param) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def async_client() -> Iterator[TestClient]:
    with make_client("async") as test_client:
        yield test_client


@pytest.fixture(scope="session")
def checker() -> ContractChecker:
    """The default contract's verdict on answers (``checker.check(response)``); other contracts:
    ``tests.support.contract_checker("2025-12")`` / ``("admin")``."""
    return contract_checker()


@pytest.fixture(scope="session")
def live_origin() -> Iterator[str]:
    """A real uvicorn mock on 127.0.0.1 (free port), as ``http://127.0.0.1:<port>``.

    Streams are unpaced (``ttft_ms=0``, ``tokens_per_second=0``); a test that needs pacing
    sends ``X-Mock-TTFT-Ms`` / ``X-Mock-Tokens-Per-Second``. Shut down after the session.
    """
    with live_server(seed=0, ttft_ms=0, tokens_per_second=0) as origin:
        yield origin


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """A real ``redis-server`` on a free port for the session (skips when no binary exists);
    tests keep apart with their own ``?prefix=`` (``redis_server.url(prefix=...)``)."""
    with start_redis_server() as server:
        yield server
