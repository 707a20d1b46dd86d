"""Shared fixtures: the mock app in-process, for both Connexion frameworks."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient

from mockserver.server import create_app
from mockserver.settings import Settings

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference"
KEY = "aistats_v1_sk_testkid0001_s3cr3tvalue_with_underscores"
AUTH = {"Authorization": f"Bearer {KEY}"}
FRAMEWORKS = ("async", "flask")


def make_client(framework: str = "async", **settings) -> TestClient:
    app = create_app(Settings(framework=framework, **settings))
    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture(scope="session", params=FRAMEWORKS)
def client(request) -> TestClient:
    """A client of the default mock, once per framework."""
    with make_client(request.param) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def async_client() -> TestClient:
    with make_client("async") as test_client:
        yield test_client


@pytest.fixture(scope="session")
def live_origin():
    """A real uvicorn mock on 127.0.0.1 (free port), as ``http://127.0.0.1:<port>``.

    Streams are unpaced (``ttft_ms=0``, ``tokens_per_second=0``); a test that needs pacing
    sends ``X-Mock-TTFT-Ms`` / ``X-Mock-Tokens-Per-Second``. Shut down after the session.
    """
    from tests.live_server import live_server

    with live_server(seed=0, ttft_ms=0, tokens_per_second=0) as origin:
        yield origin


def reference_file(name: str) -> Path:
    path = REFERENCE / "openapi" / name
    if not path.exists():
        pytest.skip(f"reference contract {name} is not available beside the project")
    return path
