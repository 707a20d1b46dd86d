"""The dashboard at /__mock/ui in a real headless Chromium against a live mock: a request made
by a client shows up live (no reload), its bodies open on click, and what clients sent is
shown as text, never run. Skips where no Chromium is installed."""

from __future__ import annotations

import json
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from openai import OpenAI

from tests.support import FAST, KEY, live_server
from tests.support.browser import Page, headless_chromium

ROWS = "[...document.querySelectorAll('#journal tbody tr')]"
#: What the Content-Security-Policy blocks is recorded: an inline script or handler that made
#: it into the page would be blocked and show up here, so escaping is checked apart from the policy.
RECORD_POLICY_VIOLATIONS = (
    "window.__violations = [];"
    "document.addEventListener('securitypolicyviolation', e => window.__violations.push(e.violatedDirective));"
)


@pytest.fixture(scope="module")
def origin():
    with live_server(**FAST) as url:
        yield url


@pytest.fixture
def page(origin, tmp_path):
    with headless_chromium(tmp_path / "profile") as browser:
        browser.open(origin + "/__mock/ui", before_load=RECORD_POLICY_VIOLATIONS)
        browser.wait_for("document.getElementById('status').classList.contains('live')")
        browser.evaluate("window.__sameDocument = 'still here'")
        yield browser


def _row_with(page: Page, text: str) -> None:
    page.wait_for(f"{ROWS}.some(tr => tr.textContent.includes({json.dumps(text)}))", timeout=10)


def _click_row_with(page: Page, text: str) -> None:
    _row_with(page, text)
    page.evaluate(f"{ROWS}.find(tr => tr.textContent.includes({json.dumps(text)})).click()")


def test_a_clients_request_shows_up_live_with_its_bodies_cost_and_wallet(page, origin, tmp_path):
    marker = f"dashboard-{uuid.uuid4().hex}"
    with OpenAI(base_url=origin + "/v1", api_key=KEY, max_retries=0) as client:
        completion = client.chat.completions.create(
            model="openai/gpt-5-nano", messages=[{"role": "user", "content": f"Tell me about {marker}"}]
        )

    _click_row_with(page, marker)
    assert page.evaluate("window.__sameDocument") == "still here"  # no reload
    request_body = page.wait_for("document.getElementById('request-body').textContent")
    assert marker in request_body
    answer = page.wait_for("document.getElementById('response-body').textContent")
    assert completion.id in answer and '"object": "chat.completion"' in answer
    row = page.evaluate(f"{ROWS}.find(tr => tr.textContent.includes({json.dumps(marker)})).textContent")
    assert "POST /v1/chat/completions" in row and "openai/gpt-5-nano" in row and "200" in row
    title = page.evaluate("document.getElementById('detail-title').textContent")
    assert "(createChatCompletion) → 200" in title
    # the cost comes from /__mock/state (polled every 3 s) and matches the answer's pricing
    dollars, nanos = divmod(completion.usage.model_extra["pricing"]["total_nanos"], 10**9)
    cost = f"${dollars}.{f'{nanos:09d}'.rstrip('0'):0<2}"
    page.wait_for(
        f"{ROWS}.find(tr => tr.textContent.includes({json.dumps(marker)})).textContent.includes({json.dumps(cost)})"
    )
    assert "team_mock" in page.wait_for("document.querySelector('#wallets tbody').textContent")

    shot = page.screenshot(tmp_path / "dashboard.png")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000


def test_what_a_client_sent_is_shown_as_text_and_never_run(page, origin):
    marker = f"escape-{uuid.uuid4().hex}"
    hostile = f'{marker} <script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2"><b>bold</b>'
    answer = httpx.post(
        origin + "/v1/chat/completions",
        headers={"Authorization": f"Bearer {KEY}", "X-Hostile": "<script>window.__pwned = 3</script>"},
        json={"model": "<i>openai/gpt-5-nano</i>", "messages": [{"role": "user", "content": hostile}]},
        timeout=30,
    )
    assert answer.status_code == 400  # the model is not one; the request is journaled all the same

    _click_row_with(page, marker)
    shown = page.wait_for("document.getElementById('request-body').textContent")
    assert "<script>window.__pwned = 1</script>" in shown and '<img src=x onerror=\\"window.__pwned = 2\\">' in shown
    assert "<script>window.__pwned = 3</script>" in page.evaluate(
        "document.getElementById('request-headers').textContent"
    )
    assert "<i>openai/gpt-5-nano</i>" in page.evaluate(f"{ROWS}.map(tr => tr.textContent).join(' ')")
    # nothing of it became markup, and nothing ran
    assert page.evaluate("document.querySelectorAll('main script, main img, main b, main i').length") == 0
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.evaluate("window.__violations") == []  # nothing even tried to run


def test_a_stream_shows_as_pending_then_with_its_status_and_frames(page, origin):
    marker = f"stream-{uuid.uuid4().hex}"
    body = {"model": "openai/gpt-5-nano", "stream": True, "messages": [{"role": "user", "content": marker}]}
    # pending for at least the 3 s before its first token: the page polls every second
    paced = {"Authorization": f"Bearer {KEY}", "X-Mock-TTFT-Ms": "3000", "X-Mock-Tokens-Per-Second": "40"}
    with ThreadPoolExecutor(1) as pool:
        streamed = pool.submit(httpx.post, origin + "/v1/chat/completions", json=body, headers=paced, timeout=60)
        _row_with(page, marker)
        status = f"{ROWS}.find(tr => tr.textContent.includes({json.dumps(marker)})).children[5].textContent"
        assert page.evaluate(status) == "…"
        frames = streamed.result().text
    assert page.wait_for(f"{status} === '200'")
    _click_row_with(page, marker)
    answer = "document.getElementById('response-body').textContent"
    assert page.wait_for(f"{answer}.includes('data: ') && {answer}") == frames
