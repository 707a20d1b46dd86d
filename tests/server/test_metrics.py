"""GET /__mock/metrics in-process: the exposition parses, and its numbers follow the requests made."""

from __future__ import annotations

import pytest
from prometheus_client.parser import text_string_to_metric_families
from starlette.testclient import TestClient

from mockserver.enrichment.pricing import NANOS_PER_USD
from mockserver.scenarios.traffic import LATENCY_BUCKETS, Traffic
from mockserver.server import create_app
from mockserver.settings import Settings
from tests.support import AUTH, FRAMEWORKS, UNPACED, FakeClock, contract_checker

LOCAL = ("127.0.0.1", 50123)
CHAT = {"model": "openai/gpt-5-nano", "messages": [{"role": "user", "content": "Count to three"}]}
VIDEO = {"model": "openai/sora-2", "prompt": "A paper boat", "seconds": "8", "size": "1280x720"}


def client_for(framework: str = "async", client=LOCAL, **settings) -> TestClient:
    app = create_app(Settings.of(framework=framework, ttft_ms=0, tokens_per_second=0, **settings))
    return TestClient(app, raise_server_exceptions=False, client=client)


def scrape(client: TestClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of the exposition: (name, sorted labels) → value."""
    response = client.get("/__mock/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.fixture(scope="module", params=FRAMEWORKS)
def mock(request):
    with client_for(request.param) as client:
        yield client


def test_requests_latency_and_debits_move_with_the_requests_made(mock):
    before = scrape(mock)
    answers = [mock.post("/v1/chat/completions", headers=AUTH, json=CHAT) for _ in range(3)]
    assert [answer.status_code for answer in answers] == [200, 200, 200]
    assert mock.post("/v1/chat/completions", json=CHAT).status_code == 401
    assert mock.get("/v1/no/such/route").status_code == 404
    after = scrape(mock)

    def delta(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    chat = {"operation": "createChatCompletion"}
    assert delta("aistats_mock_requests_total", status="200", **chat) == 3
    assert delta("aistats_mock_requests_total", status="401", **chat) == 1
    assert delta("aistats_mock_requests_total", operation="unmatched", status="404") == 1
    assert delta("aistats_mock_request_duration_seconds_count", **chat) == 4
    assert delta("aistats_mock_request_duration_seconds_bucket", le="+Inf", **chat) == 4
    assert delta("aistats_mock_request_duration_seconds_sum", **chat) > 0
    # Three priced answers, each debited once, by exactly the total its usage shows.
    cost_nanos = sum(answer.json()["usage"]["pricing"]["total_nanos"] for answer in answers)
    assert delta("aistats_mock_wallet_debits_total") == 3
    assert delta("aistats_mock_wallet_debited_usd_total") == pytest.approx(cost_nanos / NANOS_PER_USD, abs=1e-12)
    # The scrape itself is an admin call: not counted, not journaled.
    assert value(after, "aistats_mock_journal_entries") == value(before, "aistats_mock_journal_entries") + 5


def test_buckets_are_cumulative_and_end_with_the_count(mock):
    mock.post("/v1/chat/completions", headers=AUTH, json=CHAT)
    samples = scrape(mock)
    chat = {"operation": "createChatCompletion"}
    counts = [
        value(samples, "aistats_mock_request_duration_seconds_bucket", le=repr(b), **chat) for b in LATENCY_BUCKETS
    ]
    total = value(samples, "aistats_mock_request_duration_seconds_bucket", le="+Inf", **chat)
    assert counts == sorted(counts)
    assert total == value(samples, "aistats_mock_request_duration_seconds_count", **chat) >= 1


def test_a_finished_stream_is_counted_and_no_longer_open(mock):
    before = scrape(mock)
    with mock.stream("POST", "/v1/chat/completions", headers={**AUTH, **UNPACED}, json={**CHAT, "stream": True}) as r:
        assert r.status_code == 200
        assert b"data: " in b"".join(r.iter_bytes())
    after = scrape(mock)
    chat = {"operation": "createChatCompletion"}
    assert value(after, "aistats_mock_streams_total", **chat) - value(before, "aistats_mock_streams_total", **chat) == 1
    assert value(after, "aistats_mock_streams_open", **chat) == 0


def test_jobs_are_counted_by_status_as_a_poll_would_see_them():
    with client_for(job_seconds=10, job_failure_rate=0.0) as client:
        clock = FakeClock()
        client.app.runtime.state.clock = clock
        assert client.post("/v1/videos", headers=AUTH, json=VIDEO).status_code == 200
        failing = client.post("/v1/videos", headers={**AUTH, "X-Mock-Job-Outcome": "failed"}, json=VIDEO)
        assert failing.status_code == 200
        assert value(scrape(client), "aistats_mock_jobs", kind="video", status="queued") == 2
        clock.advance(60)  # nobody polled: the metrics still see where the jobs are now
        samples = scrape(client)
        assert value(samples, "aistats_mock_jobs", kind="video", status="completed") == 1
        assert value(samples, "aistats_mock_jobs", kind="video", status="failed") == 1
        assert value(samples, "aistats_mock_jobs", kind="video", status="queued") == 0


def test_each_server_has_its_own_registry():
    with client_for() as one, client_for() as two:
        one.post("/v1/chat/completions", headers=AUTH, json=CHAT)
        chat = {"operation": "createChatCompletion", "status": "200"}
        assert value(scrape(one), "aistats_mock_requests_total", **chat) == 1
        assert value(scrape(two), "aistats_mock_requests_total", **chat) == 0


def test_admin_rules_apply_to_metrics():
    with client_for(client=("203.0.113.9", 4000)) as remote:
        assert remote.get("/__mock/metrics").status_code == 403
    with client_for(admin="off") as closed:
        assert closed.get("/__mock/metrics").status_code == 404
    with client_for() as local:
        assert local.get("/__mock/metrics", headers={"Host": "evil.example"}).status_code == 403
        refused = local.post("/__mock/metrics", headers={"Content-Type": "application/json"})
        assert refused.status_code == 405
        assert refused.headers["allow"] == "GET"


def test_the_exposition_conforms_to_the_admin_contract():
    checker = contract_checker("admin")
    with client_for() as client:
        client.post("/v1/chat/completions", headers=AUTH, json=CHAT)
        checker.check(client.get("/__mock/metrics"))


def test_traffic_buckets_include_their_upper_bound():
    traffic = Traffic(buckets=(0.1, 1.0))
    for seconds in (0.05, 0.1, 0.5, 1.0, 3.0):
        traffic.finished("op", 200, seconds)
    traffic.finished(None, None, 0.2)
    histogram = traffic.latency["op"]
    assert histogram.counts == [2, 2, 1]
    assert histogram.cumulative() == [2, 4, 5]
    assert histogram.total == pytest.approx(4.65)
    assert traffic.requests == {("op", "200"): 5, ("unmatched", "none"): 1}
