"""Server settings: one frozen value per feature, composed into :class:`Settings`.

Each default is written once, here: the CLI's option modules take their argparse defaults
from these classes (``tests/unit/test_settings_defaults.py`` checks that ``serve`` with no
options builds ``Settings()``), and the stores, journal and protocol read theirs from here.
Every reader goes through its feature (``settings.state.credits_usd``).

Build one with feature objects, ``Settings(scenarios=ScenarioSettings(error_rate=0.5))``, or
by field name, ``Settings.of(error_rate=0.5, credits_usd=5)``: every field name is unique
across the features, so :meth:`Settings.with_` routes each to its feature.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import MISSING, dataclass, field, fields, is_dataclass, replace
from pathlib import Path
from typing import Any

from mockserver.auth import KEY_PREFIXES
from mockserver.contract.loader import DEFAULT_CONTRACT
from mockserver.ids import DEFAULT_EPOCH


@dataclass(frozen=True)
class ApiSettings:
    """What is served and how answers are drawn (mockserver/pipeline/assembly.py, dialects/)."""

    #: ``gateway`` (the contract) or ``providers`` (the providers' own APIs through dialects
    #: over the contract, spec/providers/).
    surface: str = "gateway"
    contract: str = DEFAULT_CONTRACT
    #: An OpenAPI file served instead of the packaged contract.
    spec: Path | None = None
    #: Same seed + same request = same bytes.
    seed: int = 0
    epoch: int = DEFAULT_EPOCH
    #: Connexion checks every JSON answer against the spec (slower).
    validate_responses: bool = False
    #: The operator's control secret for the ``x-control-secret`` routes (None: they answer 503).
    control_secret: str | None = None

    @property
    def key_kind(self) -> str:
        return KEY_PREFIXES.get(self.contract, "sk")


@dataclass(frozen=True)
class ServingSettings:
    """The server process and its own protection (mockserver/server/serving.py, edge.py, workers.py)."""

    host: str = "127.0.0.1"
    port: int = 8080
    framework: str = "async"
    #: Server processes answering on one port (``serve --workers N``). Above 1, the journal, rule
    #: counters, run-time rules and media are shared through the state file
    #: (pipeline/sharing.py), and ``launch_id`` names this start of the server.
    workers: int = 1
    launch_id: str = ""
    #: Bodies above this size get 413 (a protection of the mock, documented as such).
    max_body_bytes: int = 25 * 1024 * 1024
    #: Seconds a client has to send a request's headers (a new connection too) and its body
    #: (then 408), and the most connections held open at once (idle ones are closed first).
    header_timeout_s: float = 10.0
    body_timeout_s: float = 30.0
    max_connections: int = 1000
    #: Origin media download URLs are built on (None: the address the client connected to,
    #: never the request's Host header).
    public_url: str | None = None


@dataclass(frozen=True)
class PacingSettings:
    """Streaming pace (enrichment/meta.py): None = each model's profile; 0 = as fast as possible."""

    ttft_ms: float | None = None
    tokens_per_second: float | None = None


@dataclass(frozen=True)
class Bounds:
    """What the state keeps (mockserver/state): TTLs and row caps of jobs and generation records."""

    job_ttl_seconds: float = 86_400.0
    max_jobs: int = 10_000
    generation_ttl_seconds: float = 30 * 86_400.0
    max_generations: int = 50_000
    #: Wallets kept; beyond them the least recently charged teams are forgotten (docs/teams.md).
    max_teams: int = 10_000


@dataclass(frozen=True)
class StateSettings:
    """State (mockserver/state): where it lives, the starting wallet, jobs, and its bounds."""

    #: SQLite file (None: in memory, unless ``state_url``).
    state_path: Path | None = None
    #: ``--state redis://HOST:PORT/DB`` (or rediss://, unix://): the state on Redis instead.
    state_url: str | None = None
    #: Starting wallet of each team in USD.
    credits_usd: float = 100.0
    #: Seconds a video/music job runs (0 = done at once), and the share that fail (seeded).
    job_seconds: float = 6.0
    job_failure_rate: float = 0.05
    bounds: Bounds = field(default_factory=Bounds)


@dataclass(frozen=True)
class ScenarioSettings:
    """Scenario control (mockserver/scenarios): faults, rules, violations, admin API, journal."""

    #: Added latency ("250", "100-400", "normal:300,80", "exp:200").
    latency: str | None = None
    #: Seeded fault rate and the scenarios it draws from (empty: the retryable defaults).
    error_rate: float = 0.0
    error_scenarios: tuple[str, ...] = ()
    #: A YAML rules file.
    scenarios_file: Path | None = None
    #: Deliberate contract violations.
    violations: tuple[str, ...] = ()
    #: The admin API: ``loopback``, ``any`` or ``off``.
    admin: str = "loopback"
    #: The journal's bounds: entries, bytes, and the size above which a body is kept as a prefix
    #: plus its SHA-256 (CLI ``--journal-size``, ``--journal-max-mb``, ``--journal-body-kb``).
    journal_size: int = 500
    journal_max_bytes: int = 32 * 1024 * 1024
    journal_body_bytes: int = 64 * 1024
    #: The pauses of stream_stalled / upstream_timeout.
    stall_ms: float = 30000.0
    timeout_ms: float = 10000.0


@dataclass(frozen=True)
class ReplySettings:
    """Scripted replies (mockserver/replies)."""

    #: Reply files (``--replies``, repeatable).
    replies_files: tuple[Path, ...] = ()
    #: A request no rule answers is a 400 rather than synthesized.
    replies_strict: bool = False


@dataclass(frozen=True)
class RecordingSettings:
    """Record and replay (mockserver/recording, docs/recording.md).

    Forward every request to the upstream gateway and write a cassette per exchange into
    ``record_dir``; answer from the cassettes of ``replay_dir`` (a miss: ``synthesize``,
    ``error`` or ``forward``), streams at the ``recorded`` or the ``configured`` pace. The
    upstream key is never shown.
    """

    record_dir: Path | None = None
    replay_dir: Path | None = None
    replay_miss: str = "synthesize"
    replay_pace: str = "recorded"
    upstream_url: str | None = None
    upstream_key: str | None = field(default=None, repr=False)
    upstream_timeout_s: float = 60.0


@dataclass(frozen=True)
class Settings:
    """Every feature's settings; built by the CLI (mockserver/cli.py) or by tests."""

    api: ApiSettings = field(default_factory=ApiSettings)
    serving: ServingSettings = field(default_factory=ServingSettings)
    pacing: PacingSettings = field(default_factory=PacingSettings)
    state: StateSettings = field(default_factory=StateSettings)
    scenarios: ScenarioSettings = field(default_factory=ScenarioSettings)
    replies: ReplySettings = field(default_factory=ReplySettings)
    recording: RecordingSettings = field(default_factory=RecordingSettings)

    @classmethod
    def of(cls, **changes: Any) -> Settings:
        """The defaults with ``changes`` by field name: ``Settings.of(error_rate=0.5)``."""
        return cls().with_(**changes)

    def with_(self, **changes: Any) -> Settings:
        """A copy with ``changes``: a field's own name (``state_path=...``, ``max_jobs=...``)
        or a whole feature (``state=StateSettings(...)``). An unknown name is a TypeError."""
        unknown = sorted(set(changes) - set(FIELD_PATHS) - {item.name for item in fields(self)})
        if unknown:
            raise TypeError(f"Settings has no field {', '.join(unknown)}")
        routed = {FIELD_PATHS.get(name, (name,)): value for name, value in changes.items()}
        return _replaced(self, routed)


def _field_paths(kind: type, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, tuple[str, ...]]]:
    """Each leaf field's name and its path from :class:`Settings` (nested features followed)."""
    for item in fields(kind):
        factory = item.default_factory
        if factory is not MISSING and isinstance(factory, type) and is_dataclass(factory):
            yield from _field_paths(factory, (*prefix, item.name))
        else:
            yield item.name, (*prefix, item.name)


def _unique_paths() -> dict[str, tuple[str, ...]]:
    paths: dict[str, tuple[str, ...]] = {}
    for name, path in _field_paths(Settings):
        if name in paths:
            raise TypeError(f"settings field {name!r} is in both {paths[name][:-1]} and {path[:-1]}")
        paths[name] = path
    return paths


def _replaced(value: Any, changes: dict[tuple[str, ...], Any]) -> Any:
    direct = {path[0]: change for path, change in changes.items() if len(path) == 1}
    nested: dict[str, dict[tuple[str, ...], Any]] = {}
    for path, change in changes.items():
        if len(path) > 1:
            nested.setdefault(path[0], {})[path[1:]] = change
    for name, inner in nested.items():
        direct[name] = _replaced(direct.get(name, getattr(value, name)), inner)
    return replace(value, **direct)


#: Every leaf field's name (unique across features) and where it lives: ``"max_jobs"`` is
#: ``("state", "bounds", "max_jobs")``.
FIELD_PATHS: dict[str, tuple[str, ...]] = _unique_paths()
