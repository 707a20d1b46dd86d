"""A browser app can drive the mock: the preflight allows every request header the mock
reads (``Prefer`` and all ``X-Mock-*``), and answers expose the headers scripts need."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mockserver.server.cors import GATEWAY_ALLOW_HEADERS, MOCK_RESPONSE_HEADERS, SAFELISTED
from tests.support import AUTH

SOURCE = Path(__file__).resolve().parents[2] / "mockserver"
CHAT = {"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}]}


def mock_request_headers() -> set[str]:
    """Every ``X-Mock-*`` header name written anywhere in the mock's source, but for the ones
    it only sends (``MOCK_RESPONSE_HEADERS``)."""
    found = set()
    for path in SOURCE.rglob("*.py"):
        found |= {name.lower() for name in re.findall(r"\b[xX]-[mM]ock-[A-Za-z-]*[A-Za-z]", path.read_text())}
    return found - {name.lower() for name in MOCK_RESPONSE_HEADERS}


def listed(value: str) -> set[str]:
    return {part.strip().lower() for part in value.split(",") if part.strip()}


def test_the_source_scan_finds_the_known_headers():
    assert {"x-mock-scenario", "x-mock-seed", "x-mock-latency-ms", "x-mock-ttft-ms"} <= mock_request_headers()


@pytest.mark.parametrize("path", ["/v1/chat/completions", "/v1/videos/video_123", "/v1/providers"])
def test_preflight_allows_every_mock_header_and_the_gateways(client, path):
    requested = sorted(mock_request_headers() | {"prefer", "authorization", "content-type"})
    preflight = client.options(
        path,
        headers={
            "Origin": "http://localhost:5173",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": ", ".join(requested),
        },
    )
    assert preflight.status_code == 204 and preflight.content == b""
    allowed = listed(preflight.headers["access-control-allow-headers"])
    assert set(requested) <= allowed
    assert {name.lower() for name in GATEWAY_ALLOW_HEADERS} <= allowed
    assert preflight.headers["access-control-allow-origin"] == "*"


def _readable(response) -> set[str]:
    return listed(response.headers.get("access-control-expose-headers", "")) | SAFELISTED


def test_answers_expose_the_headers_they_carry(client):
    answers = [
        client.post("/v1/chat/completions", headers=AUTH, json=CHAT),
        client.post("/v1/chat/completions", headers={**AUTH, "X-Mock-Scenario": "upstream_rate_limited"}, json=CHAT),
        client.post("/v1/chat/completions", headers=AUTH, json={**CHAT, "stream": True}),
        client.get("/v1/providers", headers=AUTH),
        client.post("/v1/chat/completions", json=CHAT),  # 401
    ]
    for response in answers:
        carried = {name.lower() for name in response.headers} - {
            name for name in response.headers if name.lower().startswith("access-control-")
        }
        assert carried <= _readable(response), (response.status_code, carried - _readable(response))
    assert "x-gateway-error-attribution" in _readable(answers[1])
    assert answers[1].headers["x-gateway-error-attribution"] == "upstream"


def test_scenario_headers_work_from_a_browser_origin(client):
    headers = {**AUTH, "Origin": "http://localhost:5173", "X-Mock-Scenario": "insufficient_credit"}
    response = client.post("/v1/chat/completions", headers=headers, json=CHAT)
    assert response.status_code == 402 and response.headers["access-control-allow-origin"] == "*"
