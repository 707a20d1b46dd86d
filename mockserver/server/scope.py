"""What the server's layers learn about one request, kept typed in the ASGI scope.

The layers fill :class:`RequestState` in the order a request meets them: the edge (body,
seed, generation id, origin, a refusal, decoded path), security (the key), the validators
(parsed body and files), the handler (the pipeline's outcome, read by the journal after the
response). The handler turns it, once, into the immutable :class:`~mockserver.model.MockRequest`
the pipeline works on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.types import Scope

from mockserver.errors import GatewayFailure
from mockserver.model import Outcome, UploadedFile

EXTENSION = "aistats"


@dataclass
class RequestState:
    raw_body: bytes = b""
    seed: int = 0
    generation_id: str = ""
    #: ``scheme://host:port`` media URLs are built on (``--public-url`` or the socket's address).
    origin: str = ""
    #: Why the edge will not dispatch this request (413, 408, bad ``X-Mock-Seed``, client gone).
    refusal: GatewayFailure | None = None
    #: The path as the client sent it, and the routable stand-ins of encoded path parameters.
    decoded_path: str | None = None
    path_aliases: dict[str, str] = field(default_factory=dict)
    key: Any = None
    body: Any = None
    files: dict[str, list[UploadedFile]] = field(default_factory=dict)
    #: What the pipeline decided (scenario, rule), for the journal.
    outcome: Outcome | None = None


def request_state(scope: Scope) -> RequestState:
    """This request's state (created by the first layer that asks)."""
    extensions = scope.setdefault("extensions", {})
    state = extensions.get(EXTENSION)
    if state is None:
        state = extensions[EXTENSION] = RequestState()
    return state


def header(scope: Scope, name: str) -> str | None:
    wanted = name.lower().encode()
    for key, value in scope.get("headers", []):
        if key.lower() == wanted:
            return value.decode("latin-1")
    return None


def headers_dict(scope: Scope) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in scope.get("headers", []):
        name = key.decode("latin-1").lower()
        text = value.decode("latin-1")
        out[name] = f"{out[name]},{text}" if name in out else text
    return out
