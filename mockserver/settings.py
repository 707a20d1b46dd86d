"""Server settings: one value object built by the CLI (or by tests) and read everywhere."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mockserver.contract.loader import DEFAULT_CONTRACT
from mockserver.ids import DEFAULT_EPOCH


@dataclass
class Settings:
    seed: int = 0
    contract: str = DEFAULT_CONTRACT
    #: What the server serves: ``gateway`` (the contract) or ``providers`` (the providers'
    #: own APIs through dialects over the contract, spec/providers/).
    surface: str = "gateway"
    spec: Path | None = None
    framework: str = "async"
    host: str = "127.0.0.1"
    port: int = 8080
    epoch: int = DEFAULT_EPOCH
    #: Bodies above this size get 413 (a protection of the mock, documented as such).
    max_body_bytes: int = 25 * 1024 * 1024
    validate_responses: bool = False
    #: Streaming pace: None = each model's profile from fixtures/; 0 = as fast as possible.
    ttft_ms: float | None = None
    tokens_per_second: float | None = None
    #: State (mockserver/state): SQLite file (None = in memory), seconds a video/music job
    #: runs (0 = done at once), share of jobs that fail (seeded), starting wallet in USD,
    #: and the bounds on stored jobs and generation records.
    state_path: Path | None = None
    job_seconds: float = 6.0
    job_failure_rate: float = 0.05
    credits_usd: float = 100.0
    job_ttl_seconds: float = 86_400.0
    max_jobs: int = 10_000
    generation_ttl_seconds: float = 30 * 86_400.0
    max_generations: int = 50_000
    #: Scenario control (mockserver/scenarios): added latency ("250", "100-400",
    #: "normal:300,80", "exp:200"), seeded fault rate and the scenarios it draws from, a
    #: YAML rules file, deliberate contract violations, the admin API ("loopback", "any"
    #: or "off") and journal size, and the pauses of stream_stalled / upstream_timeout.
    latency: str | None = None
    error_rate: float = 0.0
    error_scenarios: tuple[str, ...] = ()
    scenarios_file: Path | None = None
    #: Scripted replies (mockserver/replies): reply files (``--replies``, repeatable), and
    #: whether a request no rule answers is a 400 rather than synthesized.
    replies_files: tuple[Path, ...] = ()
    replies_strict: bool = False
    violations: tuple[str, ...] = ()
    admin: str = "loopback"
    journal_size: int = 500
    #: The journal's bound in bytes, and the size above which a body is kept as a prefix
    #: plus its SHA-256 (CLI ``--journal-max-mb``, ``--journal-body-kb``).
    journal_max_bytes: int = 32 * 1024 * 1024
    journal_body_bytes: int = 64 * 1024
    stall_ms: float = 30000.0
    timeout_ms: float = 10000.0
    #: The operator's control secret for the ``x-control-secret`` routes (None: they answer 503).
    control_secret: str | None = None
    #: Protection of the server itself (mockserver/server/serving.py and edge.py): seconds a
    #: client has to send a request's headers (a new connection too) and its body (then
    #: 408), and the most connections held open at once (idle ones are closed first).
    header_timeout_s: float = 10.0
    body_timeout_s: float = 30.0
    max_connections: int = 1000
    #: Origin media download URLs are built on (None: the address the client connected to,
    #: never the request's Host header).
    public_url: str | None = None

    @property
    def key_kind(self) -> str:
        from mockserver.auth import KEY_PREFIXES

        return KEY_PREFIXES.get(self.contract, "sk")
