"""A real uvicorn server on 127.0.0.1, port 0, in a background thread (for SDK tests).

    with live_server(seed=7) as origin:            # "http://127.0.0.1:<port>"
        openai.OpenAI(base_url=origin + "/v1", api_key=KEY)

It binds its own socket (so the port is known before the first request), runs the same
uvicorn server as ``aistats-mock serve`` (``mockserver.server.serving.make_server``: header
timeout, connection cap), waits until it accepts connections, and always shuts down, in
bounded time, when the block ends.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator

from mockserver.server import create_app
from mockserver.server.serving import make_server
from mockserver.settings import Settings

START_TIMEOUT_S = 10.0


@contextlib.contextmanager
def live_server(framework: str = "async", **settings) -> Iterator[str]:
    with serve_app(create_app(Settings(framework=framework, **settings))) as origin:
        yield origin


@contextlib.contextmanager
def serve_app(app) -> Iterator[str]:
    """Run any ASGI ``app`` with uvicorn in a thread; yield its origin."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = make_server(app, log_level="critical", graceful_seconds=1)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT_S
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            server.should_exit = True
            raise RuntimeError("the live mock server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=5)
        sock.close()
