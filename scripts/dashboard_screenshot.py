#!/usr/bin/env python
"""Take docs/dashboard.png: a live mock, a realistic session of clients, the dashboard in
headless Chromium with one request opened.

    python scripts/dashboard_screenshot.py [OUT.png]

Needs Chromium (tests/support/browser.py finds it) and the test extra. The session: two
teams' chat requests (plain and streamed), a scripted tool-call reply, a scenario rule that
fails the first call with a 503 that the client retries, an embedding, a video job, and a
request naming an unknown model.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import httpx
from openai import OpenAI

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support import FAST, live_server  # noqa: E402
from tests.support.browser import headless_chromium  # noqa: E402

REPLY = {
    "name": "ask-weather",
    "match": {"operation": "createChatCompletion", "user": "weather"},
    "reply": {"tool_calls": [{"name": "get_weather", "arguments": {"city": "Paris"}}]},
}
RULE = {"name": "flaky-upstream", "path": "/v1/chat/completions", "times": 1, "scenario": "upstream_error"}
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}


def session(origin: str) -> None:
    httpx.post(f"{origin}/__mock/replies", json=REPLY).raise_for_status()
    mine = OpenAI(base_url=f"{origin}/v1", api_key="aistats_v1_sk_demo_secret", max_retries=2)
    acme = OpenAI(base_url=f"{origin}/v1", api_key="aistats_v1_sk_acme.ci_secret", max_retries=0)
    ask = mine.chat.completions.create
    ask(model="openai/gpt-5-nano", messages=[{"role": "user", "content": "Summarise the release notes"}])
    ask(
        model="openai/gpt-5-nano",
        messages=[{"role": "user", "content": "What is the weather in Paris?"}],
        tools=[WEATHER_TOOL],
    )
    for _ in acme.chat.completions.create(
        model="anthropic/claude-sonnet-4.5",
        messages=[{"role": "user", "content": "Write a haiku about offline tests"}],
        stream=True,
    ):
        pass
    httpx.post(f"{origin}/__mock/rules", json=RULE).raise_for_status()
    ask(model="openai/gpt-5-nano", messages=[{"role": "user", "content": "Retry me once, please"}])
    mine.embeddings.create(model="openai/text-embedding-3-small", input="vector for the dashboard")
    mine.post("/videos", body={"model": "openai/sora-2", "prompt": "a lighthouse at dusk"}, cast_to=httpx.Response)
    httpx.post(
        f"{origin}/v1/chat/completions",
        headers={"Authorization": "Bearer aistats_v1_sk_demo_secret"},
        json={"model": "openai/gpt-9", "messages": [{"role": "user", "content": "Which model is this?"}]},
    )


def main(out: Path) -> None:
    with live_server(**{**FAST, "job_seconds": 8.0}) as origin:
        session(origin)
        with tempfile.TemporaryDirectory() as profile, headless_chromium(Path(profile)) as page:
            page.open(origin + "/__mock/ui", width=1440, height=900)
            page.wait_for("document.getElementById('status').classList.contains('live')")
            page.wait_for("document.querySelector('#wallets tbody').textContent.includes('team_acme')")
            time.sleep(0.5)
            page.evaluate(
                "[...document.querySelectorAll('#journal tbody tr')]"
                ".find(tr => tr.textContent.includes('weather')).click()"
            )
            page.wait_for("document.getElementById('response-body').textContent.includes('get_weather')")
            page.screenshot(out)
    print(f"wrote {out} ({out.stat().st_size} bytes)")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "dashboard.png")
