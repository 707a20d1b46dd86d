"""What one conformance run is asked to do: the target, the spec, the budget, the outputs."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

#: Operations that cost real money per call on a live gateway (video, music, images, speech).
EXPENSIVE_PATH_PREFIXES = ("/videos", "/video/generations", "/music/", "/images/", "/audio/speech")
PROFILES = ("default", "live")
PHASES = ("examples", "coverage", "fuzzing", "stateful", "workflows")


@dataclass
class Options:
    base_url: str
    api_key: str = ""
    #: A key of another team, for tenant isolation (``tenants_isolated``).
    api_key_2: str = ""
    #: A contract name (``2026-03``), a file path or an http(s) URL; None = our packaged default.
    spec: str | None = None
    max_examples: int = 5
    seed: int | None = 0
    #: Run the generated phases with this many seeds: ``seed``, ``seed + 1``, …
    seeds: int = 1
    #: Required coverage in percent, e.g. ``{"ops": 100, "statuses": 80}`` (below = exit 1).
    min_coverage: dict[str, float] = field(default_factory=dict)
    workers: int = 2
    #: Check names to run; empty = every check (built-in and gateway).
    checks: tuple[str, ...] = ()
    #: Glob patterns over operationId, ``METHOD /path`` or ``/path``.
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    phases: tuple[str, ...] = PHASES
    junit: Path | None = None
    report: Path | None = None
    sarif: Path | None = None
    html: Path | None = None
    profile: str = "default"
    #: Live profile: stop before the summed ``pricing`` would pass this many USD.
    max_spend_usd: float | None = None
    allow_expensive: bool = False
    #: Requests per second, e.g. ``"5/s"``; the live profile defaults to ``"2/s"``.
    rate_limit: str | None = None
    request_timeout: float = 30.0
    #: How long a scripted workflow polls a job before giving up.
    job_timeout: float = 60.0
    poll_interval: float = 0.25
    max_stream_events: int = 5000
    extra_headers: dict[str, str] = field(default_factory=dict)

    def resolved(self) -> Options:
        """The options with the live profile's safety defaults applied."""
        if self.profile not in PROFILES:
            raise ValueError(f"profile must be one of {PROFILES}, not {self.profile!r}")
        if self.seeds < 1:
            raise ValueError(f"seeds must be at least 1, not {self.seeds}")
        unknown = sorted(set(self.min_coverage) - {"ops", "statuses"})
        if unknown:
            raise ValueError(f"min_coverage names {unknown}; known: ops, statuses")
        if self.profile != "live":
            return replace(self, base_url=self.base_url.rstrip("/"))
        return replace(
            self,
            base_url=self.base_url.rstrip("/"),
            rate_limit=self.rate_limit or "2/s",
            # One request at a time: the spend guard sees every charge before the next call.
            workers=1,
            max_spend_usd=1.0 if self.max_spend_usd is None else self.max_spend_usd,
        )

    @property
    def is_live(self) -> bool:
        return self.profile == "live"
