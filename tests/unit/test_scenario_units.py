"""The pure parts of scenario control: latency, breakage, rules, journal, seeded fault rate,
and the plans the dispatcher follows (no server: MockRequest in, MockReply out)."""

from __future__ import annotations

import json
import random

import pytest

from mockserver.model import Chunk, MockReply, MockRequest
from mockserver.pipeline.assembly import assemble
from mockserver.pipeline.dispatcher import Dispatcher
from mockserver.scenarios import breakage
from mockserver.scenarios.error_rate import ErrorRate
from mockserver.scenarios.journal import Journal, decode_body, encode_body, redact
from mockserver.scenarios.latency import LatencyError, parse_delay_ms, parse_latency
from mockserver.scenarios.rules import RuleBook, RuleError, parse_rules
from mockserver.settings import Settings

CHAT = {"model": "openai/gpt-5-nano", "messages": [{"role": "user", "content": "Say hi."}]}


@pytest.fixture(scope="module")
def runtime():
    return assemble(Settings.of(ttft_ms=0, tokens_per_second=0, timeout_ms=1500, stall_ms=700))


def chat_request(runtime, body=None, seed=11, **headers) -> MockRequest:
    body = body or CHAT
    return MockRequest(
        operation=runtime.index.operations["createChatCompletion"],
        method="POST",
        path="/v1/chat/completions",
        headers={k.lower(): v for k, v in headers.items()},
        body=body,
        raw_body=json.dumps(body).encode(),
        seed=seed,
        generation_id="G-01KHNF5Q294ZNW5DVVWREPV38K",
    )


# ---- latency ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("250", "fixed"),
        ("100-400", "uniform"),
        ("uniform:1,2", "uniform"),
        ("normal:300,80", "normal"),
        ("exp:200", "exp"),
        ("250ms", "fixed"),
    ],
)
def test_latency_forms(text, kind):
    latency = parse_latency(text)
    assert latency.kind == kind
    samples = [latency.sample_ms(random.Random(seed)) for seed in range(200)]
    assert all(0 <= value <= 300_000 for value in samples)
    assert samples == [latency.sample_ms(random.Random(seed)) for seed in range(200)]  # seeded
    if kind == "uniform" and text == "100-400":
        assert min(samples) >= 100 and max(samples) <= 400 and len(set(samples)) > 100


@pytest.mark.parametrize("text", ["soon", "400-100", "normal:1", "exp:-5", "-3", "nan", "9999999"])
def test_bad_latency_is_refused(text):
    with pytest.raises(LatencyError):
        parse_latency(text)


def test_delay_header_values():
    assert parse_delay_ms(None) is None and parse_delay_ms(" ") is None
    assert parse_delay_ms("125") == 125.0
    with pytest.raises(LatencyError):
        parse_delay_ms("-1")


# ---- breakage on chunk streams ---------------------------------------------------------------


def frames(n):
    return [Chunk(f'data: {{"n":{i}}}\n\n'.encode()) for i in range(n)]


def test_interrupted_sends_n_frames_then_the_error_frame_and_ends():
    reply = breakage.interrupted(2, b"data: ERR\n\n")(MockReply(stream=frames(5)))
    assert [chunk.data for chunk in reply.chunks()] == [b'data: {"n":0}\n\n', b'data: {"n":1}\n\n', b"data: ERR\n\n"]


def test_stalled_pauses_once_then_carries_on():
    reply = breakage.stalled(1, 2500)(MockReply(stream=frames(3)))
    assert [(chunk.data[-4:], chunk.delay) for chunk in reply.chunks()] == [
        (b"0}\n\n", 0.0),
        (b"1}\n\n", 2.5),
        (b"2}\n\n", 0.0),
    ]
    short = breakage.stalled(9, 100)(MockReply(stream=frames(1)))
    assert [chunk.delay for chunk in short.chunks()] == [0.0, 0.1]  # the stall still happens, at the end


def test_reset_breaks_streams_and_plain_bodies_mid_way():
    stream = breakage.reset(1)(MockReply(stream=frames(4)))
    assert [chunk.action for chunk in stream.chunks()] == [None, "reset"]
    plain = breakage.reset(0)(MockReply(body={"hello": "world" * 10}))
    chunks = list(plain.chunks())
    assert plain.headers["Content-Length"] == str(len(plain.content))
    assert chunks[0].data == plain.content[: len(plain.content) // 2] and chunks[1].action == "reset"


# ---- rules -----------------------------------------------------------------------------------


def test_rules_fire_on_the_calls_they_name(runtime):
    book = RuleBook(
        parse_rules(
            [
                {"path": "/chat/completions", "nth": [2, 4], "scenario": "key_limit"},
                {"path": "/v1/chat/*", "times": 1, "status": 503},
            ]
        )
    )
    picks = []
    for _ in range(5):
        found = book.pick(chat_request(runtime), "/v1", lambda rule: True)
        picks.append((found[0].scenario or found[0].status, found[1]) if found else None)
    assert picks == [(503, 1), ("key_limit", 2), None, ("key_limit", 4), None]
    assert [rule["calls"] for rule in book.snapshot()] == [5, 5]
    book.reset_counts()
    assert book.pick(chat_request(runtime), "/v1", lambda rule: True)[0].status == 503


def test_rules_match_method_model_headers_and_operation(runtime):
    rules = parse_rules(
        {
            "rules": [
                {"method": "get", "scenario": "slow"},
                {"model": "anthropic/*", "scenario": "slow"},
                {"headers": {"X-Case": "retry-*"}, "operation": "createChatCompletion", "scenario": "key_limit"},
            ]
        }
    )
    assert rules[0].method == "GET"
    request = chat_request(runtime, **{"X-Case": "retry-7"})
    assert [rule.matches(request, "/v1") for rule in rules] == [False, False, True]
    claude = chat_request(runtime, body={**CHAT, "model": "anthropic/claude-sonnet-4"})
    assert rules[1].matches(claude, "/v1")


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({"path": "/x"}, "exactly one of scenario or status"),
        ({"scenario": "slow", "status": 500}, "exactly one of scenario or status"),
        ({"scenario": "nope"}, "unknown scenario"),
        ({"status": 200}, "error status between 400 and 599"),
        ({"scenario": "slow", "nth": 0}, "positive call number"),
        ({"scenario": "slow", "times": "2"}, "positive call number"),
        ({"scenario": "slow", "colour": "red"}, "unknown keys"),
        ({"scenario": "slow", "headers": ["x"]}, "headers must be a mapping"),
        ("just text", "list of mappings"),
    ],
)
def test_bad_rules_are_refused_with_a_reason(data, fragment):
    with pytest.raises(RuleError, match=fragment):
        parse_rules(data, known_scenarios=["slow", "key_limit"])


# ---- journal ---------------------------------------------------------------------------------


def test_journal_is_a_bounded_ring_buffer():
    journal = Journal(capacity=3)
    for number in range(5):
        journal.open(received_at=0.0, method="GET", path=f"/{number}", query="", headers=[], body=b"")
    assert [entry.path for entry in journal.entries()] == ["/2", "/3", "/4"]
    assert [entry.seq for entry in journal.entries(limit=1)] == [5]
    assert [entry.seq for entry in journal.entries(since=3)] == [4, 5]
    assert journal.clear() == 3 and len(journal) == 0


def test_journal_bodies_round_trip_byte_for_byte():
    for raw in (b"", "héllo \u2603".encode(), bytes(range(256)), b"\xff\xfe{}"):
        stored = json.loads(json.dumps(encode_body(raw)))
        assert decode_body(stored) == raw and stored["size"] == len(raw)
    assert encode_body(bytes(range(256)))["encoding"] == "base64"


def test_credentials_are_redacted():
    assert redact("Authorization", "Bearer aistats_v1_sk_abc_secret") == "Bearer [redacted]"
    assert redact("x-api-key", "sk-ant-123") == "[redacted]"
    assert redact("content-type", "application/json") == "application/json"


# ---- seeded fault rate -----------------------------------------------------------------------


def failures_of(rate: ErrorRate, calls: int) -> list[str | None]:
    return [rate.draw(lambda name: True) for _ in range(calls)]


def test_error_rate_is_reproducible_and_close_to_its_rate():
    first = failures_of(ErrorRate(0.3, seed=42), 400)
    assert first == failures_of(ErrorRate(0.3, seed=42), 400)
    assert first != failures_of(ErrorRate(0.3, seed=43), 400)
    assert 0.22 < sum(name is not None for name in first) / 400 < 0.38
    drawn = {name for name in first if name}
    assert drawn == {"upstream_error", "upstream_rate_limited", "all_providers_failed"}
    rate = ErrorRate(0.3, seed=42)
    failures_of(rate, 50)
    rate.reset()
    assert failures_of(rate, 400) == first


def test_error_rate_counts_only_eligible_requests():
    rate = ErrorRate(1.0, seed=1, scenarios=["key_limit"])
    assert rate.draw(lambda name: False) is None
    assert rate.draw(lambda name: True) == "key_limit"
    with pytest.raises(ValueError):
        ErrorRate(1.5, seed=1)


# ---- plans through the dispatcher ------------------------------------------------------------


def test_latency_header_slow_and_timeout_delay_the_reply(runtime):
    dispatcher = Dispatcher(runtime)
    assert dispatcher.handle(chat_request(runtime)).delay == 0.0
    assert dispatcher.handle(chat_request(runtime, **{"X-Mock-Latency-Ms": "250"})).delay == 0.25
    slow = dispatcher.handle(chat_request(runtime, **{"X-Mock-Scenario": "slow; delay_ms=40"}))
    assert slow.status == 200 and slow.delay == pytest.approx(0.04)
    timeout = dispatcher.handle(chat_request(runtime, **{"X-Mock-Scenario": "upstream_timeout"}))
    assert timeout.status == 504 and timeout.delay == pytest.approx(1.5)  # ScenarioSettings.timeout_ms


def test_server_latency_is_drawn_per_request_from_its_seed():
    runtime = assemble(Settings.of(latency="100-400", ttft_ms=0, tokens_per_second=0))
    dispatcher = Dispatcher(runtime)
    delays = [dispatcher.handle(chat_request(runtime, seed=seed)).delay for seed in range(20)]
    assert all(0.1 <= delay <= 0.4 for delay in delays) and len(set(delays)) > 10
    assert delays == [dispatcher.handle(chat_request(runtime, seed=seed)).delay for seed in range(20)]
    header_wins = dispatcher.handle(chat_request(runtime, **{"X-Mock-Latency-Ms": "0"}))
    assert header_wins.delay == 0.0


def test_the_chosen_scenario_comes_back_in_the_replys_outcome(runtime):
    request = chat_request(runtime, **{"X-Mock-Scenario": "key_limit"})
    reply = Dispatcher(runtime).handle(request)
    assert reply.outcome.scenario == "key_limit" and reply.outcome.rule is None
    assert Dispatcher(runtime).handle(chat_request(runtime)).outcome.scenario is None


def run_statuses(seed: int, calls: int = 40) -> list[int]:
    """One "run": a fresh server with a 40 % fault rate, answering the same request sequence."""
    runtime = assemble(Settings.of(seed=seed, error_rate=0.4, ttft_ms=0, tokens_per_second=0))
    dispatcher = Dispatcher(runtime)
    return [dispatcher.handle(chat_request(runtime, seed=number)).status for number in range(calls)]


def test_seeded_error_rate_is_reproducible_run_to_run():
    first = run_statuses(seed=9)
    assert first == run_statuses(seed=9)
    assert first != run_statuses(seed=10)
    assert set(first) <= {200, 500, 429, 502} and 200 in first and len(set(first)) > 1


def test_error_rate_leaves_other_families_alone():
    runtime = assemble(Settings.of(error_rate=1.0, ttft_ms=0, tokens_per_second=0))
    health = MockRequest(operation=runtime.index.operations["healthz"], method="GET", path="/v1/health")
    assert Dispatcher(runtime).handle(health).status == 200
    assert Dispatcher(runtime).handle(chat_request(runtime)).status in (500, 429, 502)


@pytest.mark.parametrize(
    "argv",
    [
        ["--latency", "soon"],
        ["--error-rate", "2"],
        ["--error-scenarios", "nope"],
        ["--stall-ms", "-1"],
        ["--scenarios", "/no/such/rules.yaml"],
        ["--violate", "be_evil"],
    ],
)
def test_bad_command_line_options_are_usage_errors(argv, capsys):
    from mockserver.cli import build_parser

    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args(["serve", *argv])
    assert exited.value.code == 2


def test_command_line_options_reach_the_settings(tmp_path):
    from mockserver.cli import build_parser, settings_from

    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  - {path: /v1/embeddings, nth: 1, status: 429}\n")
    args = build_parser().parse_args(
        [
            "serve",
            "--latency",
            "normal:300,50",
            "--error-rate",
            "0.1",
            "--error-scenarios",
            "key_limit,slow",
            "--scenarios",
            str(rules),
            "--stall-ms",
            "500",
            "--timeout-ms",
            "20",
            "--violate",
            "extra_field",
            "--violate",
            "ignore_auth",
            "--no-admin",
            "--journal-size",
            "9",
        ]
    )
    settings = settings_from(args).scenarios
    assert (settings.latency, settings.error_rate, settings.error_scenarios) == (
        "normal:300,50",
        0.1,
        ("key_limit", "slow"),
    )
    assert (settings.scenarios_file, settings.stall_ms, settings.timeout_ms) == (
        rules,
        500.0,
        20.0,
    )
    assert (settings.violations, settings.admin, settings.journal_size) == (
        ("extra_field", "ignore_auth"),
        "off",
        9,
    )
