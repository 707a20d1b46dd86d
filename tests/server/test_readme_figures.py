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


def test_model_and_organisation_counts_match_what_the_server_lists(client):
    models, organisations = figure(r"(\d[\d,]*) models from (\d[\d,]*) organi[sz]ations")
    listed_models = client.get("/v1/gateway/models", headers=AUTH).json()["total"]
    listed_organisations = client.get("/v1/organisations", headers=AUTH).json()["total"]
    assert (models, organisations) == (listed_models, listed_organisations), (
        f"README says {models} models from {organisations} organisations; "
        f"the server lists {listed_models} and {listed_organisations}"
    )


def test_operation_count_matches_the_served_contract(client):
    (operations,) = figure(r"\((\d+) on the March-2026 surface")
    assert operations == len(client.app.runtime.index.operations)
