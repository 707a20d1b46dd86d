"""A paced stream abandoned by its client and its server (Ctrl-C) must not leave a
FlaskApp worker thread blocked forever, which would also keep the process from exiting."""

from __future__ import annotations

import sys
import time

import httpx

from tests.support import AUTH, live_server

CHAT = {
    "model": "openai/gpt-5-nano",
    "stream": True,
    "max_tokens": 400,
    "messages": [{"role": "user", "content": "Tell me a long story about harbours."}],
}


def _threads_handing_over_chunks() -> list[str]:
    stuck = []
    for frame in sys._current_frames().values():
        names = []
        while frame is not None:
            names.append(frame.f_code.co_name + "@" + frame.f_code.co_filename.rsplit("/", 1)[-1])
            frame = frame.f_back
        if any(name.startswith("send@") and name.endswith(("wsgi.py", "wsgi_bridge.py")) for name in names):
            stuck.append(" < ".join(names[:4]))
    return stuck


def test_worker_thread_is_released_when_the_client_leaves_a_stream():
    with (
        live_server("flask", ttft_ms=0, tokens_per_second=40) as origin,
        httpx.Client(timeout=10) as client,
        client.stream("POST", origin + "/v1/chat/completions", json=CHAT, headers=AUTH) as response,
    ):
        assert response.status_code == 200
        next(response.iter_raw())  # the first frame arrived; now walk away
    # The server has stopped too (as on Ctrl-C) while the stream still had ~10 s to run.
    deadline = time.monotonic() + 8
    while _threads_handing_over_chunks() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _threads_handing_over_chunks() == []


def test_worker_thread_is_released_when_an_in_process_client_leaves_a_stream():
    from tests.support import make_client

    client = make_client("flask", ttft_ms=0, tokens_per_second=200)
    with client.stream("POST", "/v1/chat/completions", json=CHAT, headers=AUTH) as response:
        assert response.status_code == 200
        next(response.iter_raw())
    deadline = time.monotonic() + 8
    while _threads_handing_over_chunks() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _threads_handing_over_chunks() == []
