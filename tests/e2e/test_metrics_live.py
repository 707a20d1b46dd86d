"""GET /__mock/metrics on a live server: counters move as requests are made over sockets, and a
paced stream is counted as open while it is being sent."""

from __future__ import annotations

import time

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.support import AUTH, live_server

CHAT = {"model": "openai/gpt-5-nano", "messages": [{"role": "user", "content": "Count to three"}]}
OPERATION = {"operation": "createChatCompletion"}


def scrape(client: httpx.Client) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/__mock/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def settled(client: httpx.Client, wait_s: float = 5.0) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """A scrape once the last stream has closed on the server's side too (the client can read the
    last byte a moment before the server's middleware counts the stream closed)."""
    deadline = time.monotonic() + wait_s
    samples = scrape(client)
    while value(samples, "aistats_mock_streams_open", **OPERATION) and time.monotonic() < deadline:
        time.sleep(0.02)
        samples = scrape(client)
    return samples


def test_counters_and_the_open_stream_gauge_follow_live_traffic():
    with live_server(ttft_ms=0, tokens_per_second=0) as origin, httpx.Client(base_url=origin, timeout=30) as client:
        before = scrape(client)
        for _ in range(5):
            assert client.post("/v1/chat/completions", headers=AUTH, json=CHAT).status_code == 200
        paced = {**AUTH, "X-Mock-TTFT-Ms": "50", "X-Mock-Tokens-Per-Second": "40"}
        with client.stream("POST", "/v1/chat/completions", headers=paced, json={**CHAT, "stream": True}) as stream:
            assert stream.status_code == 200
            chunks = stream.iter_bytes()
            next(chunks)
            during = scrape(client)
            assert value(during, "aistats_mock_streams_open", **OPERATION) == 1
            for _ in chunks:
                pass
        after = settled(client)
    assert value(after, "aistats_mock_streams_open", **OPERATION) == 0
    assert value(after, "aistats_mock_streams_total", **OPERATION) == 1
    ok = {"status": "200", **OPERATION}
    assert value(during, "aistats_mock_requests_total", **ok) - value(before, "aistats_mock_requests_total", **ok) == 5
    assert value(after, "aistats_mock_requests_total", **ok) - value(during, "aistats_mock_requests_total", **ok) == 1
    assert value(after, "aistats_mock_wallet_debits_total") == 6
    # The paced stream (50 ms to its first token, then 40 tokens/s) took far longer than the others.
    slowest = value(after, "aistats_mock_request_duration_seconds_bucket", le="1.0", **OPERATION)
    assert slowest == 5
