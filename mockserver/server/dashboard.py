"""``GET /__mock/ui``: the dashboard, a static page over the admin API.

The page, its script and its style sheet are package data (``mockserver/server/ui/``, read
with :mod:`importlib.resources`, so an installed wheel serves them too); nothing is loaded
from elsewhere. :class:`~mockserver.server.admin.AdminMiddleware` answers these paths
behind the same guards as every admin route (loopback only, no DNS rebinding). Each file
goes out with a Content-Security-Policy that allows scripts, styles and fetches from this
origin only, so a journal body that slipped past the page's escaping still could not run.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources

from mockserver.scenarios.admin_api import PREFIX

UI_PATH = PREFIX + "/ui"

#: path below /__mock/ui → (file in ui/, media type)
ASSETS = {
    "": ("index.html", "text/html; charset=utf-8"),
    "/": ("index.html", "text/html; charset=utf-8"),
    "/dashboard.js": ("dashboard.js", "text/javascript; charset=utf-8"),
    "/dashboard.css": ("dashboard.css", "text/css; charset=utf-8"),
}

SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
}


@dataclass(frozen=True)
class Asset:
    status: int
    body: bytes
    media_type: str
    headers: dict[str, str]


def is_dashboard_path(path: str) -> bool:
    return path == UI_PATH or path.startswith(UI_PATH + "/")


def dashboard_asset(method: str, path: str) -> Asset:
    """The file ``path`` names (GET or HEAD), or a plain-text 404/405."""
    found = ASSETS.get(path[len(UI_PATH) :])
    if found is None:
        return Asset(404, f"no dashboard file {path}\n".encode(), "text/plain; charset=utf-8", SECURITY_HEADERS)
    if method.upper() not in ("GET", "HEAD"):
        headers = {**SECURITY_HEADERS, "allow": "GET, HEAD"}
        return Asset(405, f"{path} accepts GET, HEAD\n".encode(), "text/plain; charset=utf-8", headers)
    name, media_type = found
    return Asset(200, ui_file(name), media_type, SECURITY_HEADERS)


@functools.cache
def ui_file(name: str) -> bytes:
    """A file of the dashboard, as the package (source tree or installed wheel) holds it."""
    return resources.files("mockserver.server").joinpath("ui", name).read_bytes()
