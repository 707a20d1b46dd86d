"""``aistats-mock providers`` as a process: the banner names each SDK's base URL, every
provider answers on the one port, a --scenarios rule applies to a provider path."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def test_providers_command_serves_every_provider(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text("- {path: /compat/v1/chat/completions, times: 1, scenario: upstream_rate_limited}\n")
    command = [sys.executable, "-m", "mockserver.cli", "providers", "--port", "0", "--ttft-ms", "0"]
    command += ["--tokens-per-second", "0", "--scenarios", str(rules)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    try:
        banner = _banner(process)
        origin = banner["Base URL"]
        assert banner["OpenAI"] == origin + "/openai/v1" and banner["Anthropic"] == origin + "/anthropic"
        assert banner["Google AI Studio"] == origin + "/google" and banner["OpenAI-compatible"] == origin + "/compat/v1"
        chat = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 5}
        bearer = {"Authorization": "Bearer k"}
        first = httpx.post(banner["OpenAI-compatible"] + "/chat/completions", json=chat, headers=bearer)
        second = httpx.post(banner["OpenAI-compatible"] + "/chat/completions", json=chat, headers=bearer)
        assert (first.status_code, second.status_code) == (429, 200)
        message = {**chat, "model": "claude-haiku-4-5"}
        anthropic = {"x-api-key": "k", "anthropic-version": "2023-06-01"}
        assert httpx.post(origin + "/anthropic/v1/messages", json=message, headers=anthropic).status_code == 200
        ask = {"contents": [{"parts": [{"text": "hi"}]}]}
        google = httpx.post(origin + "/google/v1beta/models/gemini-2.5-flash:generateContent?key=k", json=ask)
        assert google.status_code == 200 and httpx.get(origin + "/openapi.json").json()["paths"]
    finally:
        process.terminate()
        process.wait(timeout=10)
        assert process.stdout is not None
        process.stdout.close()


def _banner(process: subprocess.Popen) -> dict[str, str]:
    assert process.stdout is not None
    lines: dict[str, str] = {}
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not {"Base URL", "OpenAI-compatible"} <= set(lines):
        line = process.stdout.readline()
        if not line:
            break
        name, _, value = line.strip().partition(": ")
        lines[name] = value
    return lines
