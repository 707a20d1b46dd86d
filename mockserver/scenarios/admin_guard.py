"""Which requests the admin API refuses whatever their client address: CSRF and DNS rebinding.

The loopback check (mockserver/server/admin.py) does not stop a browser on the same
machine: a page from another site can send it a "simple" cross-site request (a form post,
``Content-Type: text/plain``, no preflight), or rebind its own host name to 127.0.0.1 and
read and write the admin API as if it were same-origin. So, on every admin call:

- the ``Host`` header must name this machine: ``localhost`` (or ``*.localhost``), an IP
  address, the address the client connected to, or the host of ``--public-url``; a
  rebound name such as ``evil.example`` gets 403;

and on every state-changing call (POST, PUT, PATCH, DELETE):

- an ``Origin`` header, when sent (browsers always send it on such calls), must be the
  server's own origin (the same host and port as ``Host``); ``null`` or a foreign one gets 403;
- a body, or a ``Content-Type``, must be JSON (``application/json`` or ``+json``), which a
  browser cannot send cross-site without a CORS preflight the admin API never grants; any
  other gets 415.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from urllib.parse import urlsplit

STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def host_name(value: str | None) -> str | None:
    """The host of a ``Host`` header or of an origin's authority (lower case, no brackets or port)."""
    if not value:
        return None
    try:
        return urlsplit("//" + value.strip()).hostname
    except ValueError:
        return None


def is_local_name(host: str, own_hosts: Iterable[str]) -> bool:
    if host == "localhost" or host.endswith(".localhost") or host in own_hosts:
        return True
    try:
        ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        return False
    return True


def admin_refusal(
    method: str, headers: dict[str, str], body: bytes, own_hosts: Iterable[str]
) -> tuple[int, str, str] | None:
    """``(status, error code, message)`` when this admin call must be refused, else None."""
    own = {name.lower() for name in own_hosts if name}
    host_header = headers.get("host")
    if host_header is not None:
        host = host_name(host_header)
        if host is None or not is_local_name(host, own):
            return 403, "forbidden", f"the Host header {host_header!r} does not name this machine (DNS rebinding)"
    if method.upper() not in STATE_CHANGING:
        return None
    origin = headers.get("origin")
    if origin is not None and not _same_origin(origin, host_header):
        return 403, "forbidden", f"cross-site request from Origin {origin!r} refused"
    content_type = headers.get("content-type")
    if (body.strip() or content_type) and not _is_json(content_type):
        return 415, "unsupported_media_type", "state-changing admin calls take application/json bodies only"
    return None


def _same_origin(origin: str, host_header: str | None) -> bool:
    parts = urlsplit(origin.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or host_header is None:
        return False
    return parts.netloc.lower() == host_header.strip().lower()


def _is_json(content_type: str | None) -> bool:
    media = (content_type or "").split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))
