"""``aistats-mock conform --contract 2025-12``: passes against ``serve --contract 2025-12`` and
fails against the default ``serve`` on operations whose shapes differ (chat, moderations)."""

from __future__ import annotations

from mockserver.cli import main
from tests.support import KEY, live_server, mock_app, serve

OLD_KEY = KEY.replace("aistats_v1_sk_", "aistats_v1_k_")
SHAPE_CHECKS = "response_schema_conformance,status_code_conformance,not_a_server_error,pricing_lines_sum_to_total"
OPERATIONS = [
    "--include",
    "createChatCompletionDec25",
    "--include",
    "createModerationDec25",
    "--include",
    "listModelsDec25",
]


def _conform(served_contract: str, key: str) -> int:
    with live_server(contract=served_contract, seed=0, ttft_ms=0, tokens_per_second=0) as origin:
        return main(
            [
                "conform",
                "--base-url",
                origin + "/v1",
                "--contract",
                "2025-12",
                "--api-key",
                key,
                "--max-examples",
                "2",
                "--phases",
                "examples",
                "--checks",
                SHAPE_CHECKS,
                "--workers",
                "1",
                "--quiet",
                *OPERATIONS,
            ]
        )


def test_conform_2025_12_passes_against_serve_2025_12():
    """Every operation of the older contract, every default check (envelopes, usage on
    request, streams, pricing...), all phases."""
    with serve(mock_app(contract="2025-12", seed=0)) as base_url:
        assert main(["conform", "--base-url", base_url, "--contract", "2025-12", "--api-key", OLD_KEY, "--quiet"]) == 0


def test_conform_2025_12_shape_checks_pass_against_serve_2025_12():
    assert _conform("2025-12", OLD_KEY) == 0


def test_conform_2025_12_fails_against_the_default_serve():
    assert _conform("2026-03", KEY) == 1
