"""The gateway's whole catalogue: every model id of the March-2026 contract and every
gateway alias is listed by ``/gateway/models`` and answers on each endpoint it serves;
other endpoints and unknown ids get the gateway's 400. The committed fixture is exactly
what ``scripts/build_catalogue.py`` makes of the reference facts.

The contract and the facts are read from ``../shared/reference`` (skipped when absent).
"""

from __future__ import annotations

import base64
import json
import re
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from mockserver.catalogue import load_catalogue
from mockserver.engines.text.routing import resolve_model
from mockserver.errors import GatewayFailure
from tests.support import AUTH, REFERENCE, make_client

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = load_catalogue()
UNPACED = {**AUTH, "X-Mock-TTFT-Ms": "0", "X-Mock-Tokens-Per-Second": "0"}
CAPABILITIES = (
    "text.generate",
    "text.embed",
    "moderation",
    "image.generate",
    "image.edit",
    "audio.speech",
    "audio.transcribe",
    "audio.translate",
    "video.generate",
    "music.generate",
    "ocr",
)
ISSUE_EXAMPLES = (
    "anthropic/claude-haiku-4-5-2025-10-15",
    "openai/gpt-4o-mini-2024-07-18",
    "openai/omni-moderation-2024-09-26",
    "google/gemini-2-5-flash-preview-2025-05-20",
    "x-ai/grok-4-2025-07-10",
    "anthropic/claude-sonnet-4.5",
)
#: ids the mock answered to before it knew the whole catalogue, and where they lead now
EARLIER_IDS = {
    "openai/gpt-5-nano": "openai/gpt-5-nano-2025-08-07",
    "openai/gpt-4o-mini": "openai/gpt-4o-mini-2024-07-18",
    "anthropic/claude-sonnet-4-5": "anthropic/claude-sonnet-4-5-2025-09-29",
    "claude-sonnet-4-5-20250929": "anthropic/claude-sonnet-4-5-2025-09-29",
    "xai/grok-4": "x-ai/grok-4-2025-07-10",
    "openai/omni-moderation-latest": "openai/omni-moderation-2024-09-26",
    "suno/v4.5plus": "suno/suno-v4-5+",
    "minimax/music-1.5": "minimax/music-1-5",
}
_WAV = base64.b64decode(
    "UklGRiQAAABXQVZFZm10IBAAAAABAAEAwF0AAIC7AAACABAAZGF0YQAAAAA="  # a 0-sample mono 24 kHz WAV
)


def _reference(*parts: str) -> Path:
    path = REFERENCE.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not available beside the project")
    return path


@pytest.fixture(scope="module")
def contract_ids() -> list[str]:
    """The ``components.schemas.ModelId`` enum, read as text (parsing the whole contract is slow)."""
    lines = _reference("openapi", "gateway-2026-03.yaml").read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "ModelId:")
    enum = next(i for i in range(start, len(lines)) if lines[i].strip() == "enum:")
    ids = []
    for line in lines[enum + 1 :]:
        item = re.fullmatch(r"\s+- ['\"]?([^'\"\s]+)['\"]?", line)
        if item is None:
            break
        ids.append(item.group(1))
    assert len(ids) == 590
    return ids


@pytest.fixture(scope="module")
def gateway_aliases() -> dict[str, str]:
    rows = json.loads(_reference("catalogue", "aliases.json").read_text(encoding="utf-8"))
    return {row["alias_slug"]: row["resolved_model_id"] for row in rows if row["is_enabled"]}


@pytest.fixture(scope="module")
def api():
    with make_client("async", job_seconds=0) as client:
        yield client


def _listed(api) -> list[dict]:
    models, offset = [], 0
    while True:
        page = api.get(f"/v1/gateway/models?limit=250&offset={offset}", headers=AUTH).json()
        models += page["models"]
        offset += 250
        if offset >= page["total"]:
            return models


# ------------------------------------------------------------------ listing


def test_every_contract_id_and_alias_is_listed(api, contract_ids, gateway_aliases):
    listed = {model["model_id"]: model for model in _listed(api)}
    assert set(contract_ids) <= set(listed)
    assert len(listed) == len(CATALOGUE.models)
    for alias, target in gateway_aliases.items():
        assert alias in listed[target]["aliases"], alias
    for model_id in contract_ids:
        entry, model = listed[model_id], CATALOGUE.models[model_id]
        assert entry["endpoints"] == list(model.endpoints) and entry["providers"], model_id
        assert entry["input_types"] and entry["output_types"], model_id


def test_retired_and_deprecated_models_stay_listed_with_their_status(api):
    retired = api.get("/v1/data/models?status=retired&limit=250", headers=AUTH).json()
    assert retired["total"] == sum(1 for m in CATALOGUE.models.values() if m.status == "retired") > 50
    deprecated = [m for m in _listed(api) if m["status"] == "deprecated"]
    assert deprecated and all(CATALOGUE.models[m["model_id"]].status == "deprecated" for m in deprecated)


def test_organisations_and_providers_are_the_catalogues(api):
    organisations = api.get("/v1/organisations?limit=250", headers=AUTH).json()
    providers = api.get("/v1/providers?limit=250", headers=AUTH).json()
    assert organisations["total"] == len(CATALOGUE.organisations) == 29
    assert providers["total"] == len(CATALOGUE.providers) == 25
    for model in CATALOGUE.models.values():
        assert model.organisation_id in CATALOGUE.organisations, model.model_id
        assert set(model.providers) <= set(CATALOGUE.providers), model.model_id


# ------------------------------------------------------------------ routing


def _route(name: str, capability: str):
    ctx = SimpleNamespace(
        request=SimpleNamespace(field=lambda key: {"model": name}.get(key)),
        catalogue=CATALOGUE,
        operation=SimpleNamespace(operation_id="none"),
    )
    return resolve_model(ctx, capability)


def test_every_id_and_alias_routes_exactly_on_its_endpoints(contract_ids, gateway_aliases):
    names = {**{model_id: model_id for model_id in contract_ids}, **gateway_aliases, **EARLIER_IDS}
    for name, target in names.items():
        model = CATALOGUE.get(name)
        assert model is not None and model.model_id == target, name
        for capability in CAPABILITIES:
            if capability in model.endpoints:
                route = _route(name, capability)
                assert route.provider in model.providers and route.model_id == name
            else:
                with pytest.raises(GatewayFailure) as refused:
                    _route(name, capability)
                assert refused.value.code == "unsupported_model_or_endpoint"


def _request(capability: str, model: str) -> tuple[str, dict]:
    """Path and keyword arguments of a minimal valid request for ``capability``."""
    if capability == "text.generate":
        return "/v1/chat/completions", {"json": {"model": model, "messages": [{"role": "user", "content": "Hi"}]}}
    if capability in ("audio.transcribe", "audio.translate"):
        path = "/v1/audio/transcriptions" if capability == "audio.transcribe" else "/v1/audio/translations"
        return path, {"data": {"model": model}, "files": {"file": ("a.wav", _WAV, "audio/wav")}}
    image = base64.b64encode(b"an image").decode()
    bodies = {
        "text.embed": ("/v1/embeddings", {"input": "Hello"}),
        "moderation": ("/v1/moderations", {"input": "Hello"}),
        "image.generate": ("/v1/images/generations", {"prompt": "a bridge", "size": "256x256"}),
        "image.edit": ("/v1/images/edits", {"prompt": "blue", "image": [image], "size": "256x256"}),
        "audio.speech": ("/v1/audio/speech", {"input": "Hi", "response_format": "pcm"}),
        "video.generate": ("/v1/videos", {"prompt": "waves"}),
        "music.generate": ("/v1/music/generate", {"prompt": "a jingle", "duration": 1}),
        "ocr": ("/v1/ocr", {"image": "https://example.com/scan.png"}),
    }
    path, body = bodies[capability]
    return path, {"json": {"model": model, **body}}


def test_every_contract_model_answers_on_each_of_its_endpoints(api, contract_ids):
    for model_id in contract_ids:
        for capability in CATALOGUE.models[model_id].endpoints:
            path, kwargs = _request(capability, model_id)
            answer = api.post(path, headers=UNPACED, **kwargs)
            assert answer.status_code == 200, (model_id, capability, answer.text[:300])


@pytest.mark.parametrize("name", ISSUE_EXAMPLES + tuple(EARLIER_IDS))
def test_issue_examples_and_earlier_ids_answer(api, name):
    model = CATALOGUE.get(name)
    path, kwargs = _request(model.endpoints[0], name)
    answer = api.post(path, headers=UNPACED, **kwargs)
    assert answer.status_code == 200, answer.text[:300]
    if path != "/v1/chat/completions":
        return
    assert answer.json()["model"] == name  # the id is echoed as the request wrote it
    text = [{"role": "user", "content": "Hi"}]
    for other, body in (("/v1/responses", {"input": "Hi"}), ("/v1/messages", {"messages": text, "max_tokens": 16})):
        answer = api.post(other, headers=UNPACED, json={"model": name, **body})
        assert answer.status_code == 200 and answer.json()["model"] == name, answer.text[:300]


def test_other_endpoints_and_unknown_ids_get_the_gateways_400(api):
    cases = [
        ("text.embed", "openai/gpt-4o-mini-2024-07-18"),
        ("text.generate", "openai/text-embedding-3-small"),
        ("text.generate", "openai/omni-moderation-2024-09-26"),
        ("moderation", "anthropic/claude-sonnet-4.5"),
        ("text.generate", "openai/gpt-5-nano-2099-01-01"),
        ("text.generate", "anthropic/claude-sonnet-4.9"),
        ("text.embed", "nobody/nothing"),
    ]
    for capability, name in cases:
        path, kwargs = _request(capability, name)
        answer = api.post(path, headers=UNPACED, **kwargs)
        assert answer.status_code == 400, (name, answer.text[:200])
        assert answer.json()["error"] == "unsupported_model_or_endpoint"


# ------------------------------------------------------------------ the fixture


def test_every_priced_model_says_where_its_price_comes_from():
    sources = re.compile(r"^(price_card:[\w.-]+|curated|(family|organisation-median|kind-median):[\w.+/-]+)$")
    for model in CATALOGUE.models.values():
        if model.endpoints:
            assert model.pricing, model.model_id
        if model.pricing:
            assert sources.match(model.extra["price_source"]), (model.model_id, model.extra.get("price_source"))
        source = model.extra.get("price_source", "")
        if ":" in source and not source.startswith("price_card"):
            relative = CATALOGUE.models[source.split(":", 1)[1]]
            assert relative.pricing == model.pricing and relative.endpoints[0] == model.endpoints[0]


def test_the_committed_fixture_is_what_the_generator_makes():
    facts = _reference("catalogue")
    contract = _reference("openapi", "gateway-2026-03.yaml")
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import build_catalogue
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    built = build_catalogue.build(facts, contract, ROOT / "scripts" / "catalogue_curated.yaml")
    committed = json.loads((ROOT / "fixtures" / "catalogue.json").read_text(encoding="utf-8"))
    assert built == committed
