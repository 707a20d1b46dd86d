"""Install the mock's features into a runtime's hooks, in flow order."""

from __future__ import annotations

from typing import Any


def install_features(runtime: Any) -> None:
    """Each feature module exposes ``install(runtime)`` and appends to ``runtime.hooks``."""
    for install in _installers():
        install(runtime)


def _installers():
    from mockserver import control_secret
    from mockserver.enrichment import consistency
    from mockserver.scenarios import control as scenario_control
    from mockserver.server import admin as admin_api
    from mockserver.state import hooks as state_hooks
    from mockserver.synthesis.media import store as media_store
    from mockserver.synthesis.text import routing as text_routing

    return [
        text_routing.install,
        media_store.install,
        consistency.install,
        scenario_control.install,
        admin_api.install,
        state_hooks.install,
        control_secret.install,
    ]
