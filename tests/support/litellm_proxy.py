"""LiteLLM's proxy as a real third-party gateway in front of the mock: its config, and the proxy as a process.

    deployments = [Deployment("chat", "openai/gpt-5-nano", api_base=origin + "/openai/v1", api_key="sk-...")]
    with litellm_proxy(litellm_config(deployments), tmp_path) as proxy:     # "http://127.0.0.1:<port>"
        openai.OpenAI(base_url=proxy + "/v1", api_key=MASTER_KEY)

The proxy runs as ``python -m litellm.proxy.proxy_cli --config FILE --host 127.0.0.1 --port N``
with :data:`OFFLINE_ENV`: the model cost map bundled in the package (never fetched), telemetry
off, no update check. It is installed without the ``litellm[proxy]`` extra (its ``litellm-proxy``
package is not on every index): the ``test`` extra of pyproject.toml names the packages the proxy
imports. Where they are missing the test using it is skipped, saying which import failed.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.support.servers import free_port, stop_process

#: The proxy's master key: what clients of the proxy send as their bearer token.
MASTER_KEY = "sk-aistats-mock-litellm-master"
#: The environment that keeps the proxy off the network and quiet.
OFFLINE_ENV = {
    # The model cost map bundled in the package instead of the one on GitHub.
    "LITELLM_LOCAL_MODEL_COST_MAP": "True",
    # No usage telemetry, whatever a config or a stored consent says.
    "LITELLM_TELEMETRY_DISABLED": "true",
    # asyncio's loop: uvloop (the proxy's default) is not in the test extra.
    "LITELLM_EVENT_LOOP": "asyncio",
    "LITELLM_DONT_SHOW_FEEDBACK_BOX": "true",
    "LITELLM_LOG": "ERROR",
    # No proxy of the machine's between LiteLLM and the loopback mocks.
    "NO_PROXY": "127.0.0.1,localhost",
    "no_proxy": "127.0.0.1,localhost",
}
#: Variables of the caller's environment that could send LiteLLM elsewhere (a key, a base URL).
_SCRUBBED_PREFIXES = ("OPENAI_", "ANTHROPIC_", "GEMINI_", "GOOGLE_", "LITELLM_", "DATABASE_URL", "REDIS_")
START_TIMEOUT_S = 90.0
#: What the proxy writes when one of the packages it imports is missing.
_IMPORT_FAILURES = ("ModuleNotFoundError", "ImportError", "Missing dependency")


@dataclass(frozen=True)
class Deployment:
    """One ``model_list`` entry: clients ask for ``alias``; LiteLLM calls ``model`` at ``api_base``."""

    alias: str
    #: LiteLLM's ``<provider>/<model>``: ``openai/gpt-5-nano``, ``anthropic/claude-...``, ``gemini/...``.
    model: str
    api_base: str
    api_key: str
    extra: Mapping[str, Any] = field(default_factory=dict)

    def entry(self) -> dict[str, Any]:
        params = {"model": self.model, "api_base": self.api_base, "api_key": self.api_key, **self.extra}
        return {"model_name": self.alias, "litellm_params": params}


def litellm_config(
    deployments: Sequence[Deployment],
    *,
    fallbacks: Mapping[str, Sequence[str]] | None = None,
    num_retries: int = 0,
) -> dict[str, Any]:
    """A proxy config: the deployments, ``alias -> [fallback aliases]``, no cooldowns (each call is tried)."""
    router: dict[str, Any] = {"num_retries": num_retries, "disable_cooldowns": True}
    if fallbacks:
        router["fallbacks"] = [{alias: list(others)} for alias, others in fallbacks.items()]
    return {
        "model_list": [deployment.entry() for deployment in deployments],
        "router_settings": router,
        "litellm_settings": {"num_retries": num_retries, "request_timeout": 30, "telemetry": False},
        "general_settings": {"master_key": MASTER_KEY},
    }


@contextlib.contextmanager
def litellm_proxy(config: Mapping[str, Any], directory: Path) -> Iterator[str]:
    """The proxy serving ``config`` on a free loopback port; yields its origin. Its log is ``directory/litellm.log``."""
    config_file = directory / "litellm.yaml"
    config_file.write_text(yaml.safe_dump(dict(config), sort_keys=False))
    port = free_port()
    command = [sys.executable, *proxy_arguments(str(config_file), port)]
    log_file = directory / "litellm.log"
    with log_file.open("w") as log:
        process = subprocess.Popen(
            command, cwd=directory, stdout=log, stderr=subprocess.STDOUT, env=proxy_environment(), text=True
        )
    origin = f"http://127.0.0.1:{port}"
    try:
        _wait_until_ready(process, origin, log_file)
        yield origin
    finally:
        stop_process(process)


def proxy_arguments(config_file: str, port: int) -> list[str]:
    """What follows ``python`` to start the proxy (README's "Checking a gateway build offline" shows it)."""
    return ["-m", "litellm.proxy.proxy_cli", "--config", config_file, "--host", "127.0.0.1", "--port", str(port)]


def proxy_environment() -> dict[str, str]:
    """The caller's environment without provider keys or LiteLLM settings, plus :data:`OFFLINE_ENV`."""
    kept = {name: value for name, value in os.environ.items() if not name.startswith(_SCRUBBED_PREFIXES)}
    return {**kept, **OFFLINE_ENV}


def _wait_until_ready(process: subprocess.Popen[str], origin: str, log_file: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            _explain_exit(log_file)
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(origin + "/health/liveliness", timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    raise AssertionError(f"LiteLLM's proxy was not ready within {START_TIMEOUT_S:.0f} s:\n{_tail(log_file)}")


def _explain_exit(log_file: Path) -> None:
    """Skip when the proxy could not import a package it needs; otherwise fail with its log."""
    log = _tail(log_file)
    missing = [line for line in log.splitlines() if line.startswith(_IMPORT_FAILURES)]
    if missing:
        pytest.skip(f"LiteLLM's proxy cannot be imported here: {missing[-1]}")
    raise AssertionError(f"LiteLLM's proxy exited before it was ready:\n{log}")


def _tail(log_file: Path, lines: int = 40) -> str:
    return "\n".join(log_file.read_text(errors="replace").splitlines()[-lines:])
