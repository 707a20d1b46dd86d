"""The figures README.md gives (models, organisations, operations) are what the server
lists, read from the README and from a running mock, so they cannot drift apart."""

from __future__ import annotations

import re
from pathlib import Path

from tests.support import AUTH

README = Path(__file__).resolve().parents[2] / "README.md"


def figure(pattern: str) -> tuple[int, ...]:
    found = re.search(pattern, README.read_text(encoding="utf-8"))
    assert found, f"README.md no longer states {pattern!r}; keep the figure (this test checks it)"
    return tuple(int(group.replace(",", "")) for group in found.groups())


def test_catalogue_figures_match_what_the_server_lists(client):
    phrase = r"(\d[\d,]*) models from (\d[\d,]*) organisations\s+\((\d+) organisations\s+and (\d+) providers"
    models, makers, organisations, providers = figure(phrase)
    listed = {
        "models": client.get("/v1/gateway/models", headers=AUTH).json()["total"],
        "makers": len({model.organisation_id for model in client.app.runtime.catalogue.models.values()}),
        "organisations": client.get("/v1/organisations", headers=AUTH).json()["total"],
        "providers": client.get("/v1/providers", headers=AUTH).json()["total"],
    }
    said = {"models": models, "makers": makers, "organisations": organisations, "providers": providers}
    assert said == listed, f"README says {said}; the server lists {listed}"
    aliases = len(client.app.runtime.catalogue.aliases)
    assert f"its {aliases} aliases" in README.read_text(encoding="utf-8")


def test_operation_count_matches_the_served_contract(client):
    (operations,) = figure(r"\((\d+) on the March-2026 surface")
    assert operations == len(client.app.runtime.index.operations)
