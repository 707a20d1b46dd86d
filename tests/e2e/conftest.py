"""Fixtures of the live-server tests: the official SDKs pointed at the session's live mock."""

from __future__ import annotations

import anthropic
import openai
import pytest

from tests.support import KEY


@pytest.fixture(scope="module")
def oai(live_origin: str):
    """The openai SDK on the live mock (``/v1``), no retries."""
    with openai.OpenAI(api_key=KEY, base_url=live_origin + "/v1", max_retries=0, timeout=20) as client:
        yield client


@pytest.fixture(scope="module")
def claude(live_origin: str):
    """The anthropic SDK on the live mock: the gateway reads only ``Authorization: Bearer``."""
    with anthropic.Anthropic(
        api_key="unused",
        base_url=live_origin,
        max_retries=0,
        timeout=20,
        default_headers={"Authorization": f"Bearer {KEY}"},
    ) as client:
        yield client
