"""LiteLLM's proxy, a real third-party gateway, run and checked offline against the provider mocks.

``aistats-mock providers`` (a process) serves OpenAI, Anthropic and Google AI Studio under path
prefixes; LiteLLM's proxy routes model aliases to them (the config README's "Checking a gateway
build offline" shows); the openai SDK talks to LiteLLM. The mock's verify API shows what LiteLLM
sent upstream, and its journal the usage each upstream answer reported: compared with what the
client received, and with what LiteLLM billed (``x-litellm-response-cost``, at its own prices).
One mock and one proxy serve the whole module.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest
import yaml

from tests.support import mock_process
from tests.support.constants import ROOT
from tests.support.litellm_proxy import (
    MASTER_KEY,
    OFFLINE_ENV,
    Deployment,
    litellm_config,
    litellm_proxy,
    proxy_arguments,
)

HELLO = [{"role": "user", "content": "Say hello to the team."}]
WEATHER = [{"role": "user", "content": "What is the weather in Paris?"}]
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The weather in a city.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}
#: The keys LiteLLM sends upstream (the provider mocks take any).
PROVIDER_KEYS = {"openai": "sk-openai-offline", "anthropic": "sk-ant-offline", "gemini": "gemini-offline"}
#: Where each provider's mock is, below the mock's origin, as LiteLLM's ``api_base`` wants it.
API_BASES = {"openai": "/openai/v1", "anthropic": "/anthropic", "gemini": "/google/v1beta"}


@dataclass(frozen=True)
class Route:
    """A model alias clients ask LiteLLM for, the upstream model, and what the mock calls it."""

    alias: str
    #: LiteLLM's ``<provider>/<model>``.
    model: str
    #: The operationIds of the provider mock that answer it, plain and streamed.
    operation: str
    stream_operation: str

    @property
    def provider(self) -> str:
        return self.model.split("/", 1)[0]

    @property
    def upstream_model(self) -> str:
        return self.model.split("/", 1)[1]

    def deployment(self, origin: str) -> Deployment:
        return Deployment(self.alias, self.model, origin + API_BASES[self.provider], PROVIDER_KEYS[self.provider])


GPT = Route("gpt", "openai/gpt-5-nano", "openaiCreateChatCompletion", "openaiCreateChatCompletion")
CLAUDE = Route("claude", "anthropic/claude-sonnet-4-5", "anthropicCreateMessage", "anthropicCreateMessage")
GEMINI = Route("gemini", "gemini/gemini-2.5-flash", "googleGenerateContent", "googleStreamGenerateContent")
CHATS = (GPT, CLAUDE, GEMINI)
#: The failover pair: a 503 from the first makes LiteLLM fall back to the second.
PRIMARY = Route("failover", "openai/gpt-4o-mini", "openaiCreateChatCompletion", "openaiCreateChatCompletion")
BACKUP = Route("failover-backup", "anthropic/claude-haiku-4-5", "anthropicCreateMessage", "anthropicCreateMessage")
EMBEDDERS = {
    "openai": Route("embed", "openai/text-embedding-3-small", "openaiCreateEmbedding", ""),
    "gemini": Route("gemini-embed", "gemini/gemini-embedding-001", "googleBatchEmbedContents", ""),
}
#: The name conform's examples ask for (the gateway's model id), routed to the OpenAI mock.
CONFORM = Route("openai/gpt-5-nano", "openai/gpt-5-nano", "openaiCreateChatCompletion", "")
ROUTES = (*CHATS, PRIMARY, BACKUP, *EMBEDDERS.values(), CONFORM)
#: ``aistats-mock providers`` options beside the port.
PROVIDER_OPTIONS = ("--seed", "17", "--latency", "0", "--ttft-ms", "0", "--tokens-per-second", "0")
#: Where README's section runs the mock and the proxy.
README_PROVIDERS, README_PROXY = "http://127.0.0.1:9090", "http://127.0.0.1:4000"


def proxy_config(origin: str) -> dict[str, Any]:
    deployments = [route.deployment(origin) for route in ROUTES]
    return litellm_config(deployments, fallbacks={PRIMARY.alias: [BACKUP.alias]})


def conform_arguments(base_url: str, report: str) -> list[str]:
    """``aistats-mock conform`` on LiteLLM: its chat completions, the contract's examples."""
    options = ["--include", "createChatCompletion", "--phases", "examples", "--max-examples", "2"]
    return ["conform", "--base-url", base_url, "--api-key", MASTER_KEY, *options, "--report", report]


@pytest.fixture(scope="module")
def upstream() -> Iterator[str]:
    """The provider mocks' origin (``aistats-mock providers``; admin and verify API under it)."""
    with mock_process(*PROVIDER_OPTIONS, command_name="providers") as origin:
        yield origin


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("litellm")


@pytest.fixture(scope="module")
def proxy(upstream: str, workdir: Path) -> Iterator[str]:
    with litellm_proxy(proxy_config(upstream), workdir) as origin:
        yield origin


@pytest.fixture
def client(proxy: str, upstream: str) -> Iterator[openai.OpenAI]:
    """The openai SDK pointed at LiteLLM, after the mock's journal and rules were reset."""
    httpx.post(upstream + "/__mock/reset", timeout=5).raise_for_status()
    httpx.delete(upstream + "/__mock/rules", params={"source": "admin"}, timeout=5).raise_for_status()
    with openai.OpenAI(base_url=proxy + "/v1", api_key=MASTER_KEY, max_retries=0, timeout=30) as sdk:
        yield sdk


def sent_upstream(upstream: str, **filters: str) -> list[dict[str, Any]]:
    """The requests the mock received that match ``filters`` (the verify API), oldest first."""
    answer = httpx.get(upstream + "/__mock/requests", params=filters, timeout=5)
    answer.raise_for_status()
    return list(answer.json()["requests"])


def count_upstream(upstream: str, **filters: str) -> int:
    answer = httpx.get(upstream + "/__mock/requests/count", params=filters, timeout=5)
    answer.raise_for_status()
    return int(answer.json()["count"])


def reported_tokens(entry: dict[str, Any]) -> tuple[int, int, int]:
    """(input, output, total) tokens of the usage a journal entry says the mock reported
    (chat counts are ``prompt/completion_tokens``, messages and embeddings ``input/output_tokens``)."""
    usage = entry["usage"]
    prompt = usage.get("prompt_tokens", usage.get("input_tokens"))
    completion = usage.get("completion_tokens", usage.get("output_tokens"))
    return prompt, completion, usage["total_tokens"]


def upstream_model_of(entry: dict[str, Any]) -> str:
    """The model a journaled request asked for: in its body, or in Google's path (``models/{model}:...``)."""
    return str(entry["json"].get("model") or entry["path"].rsplit("/", 1)[-1].split(":")[0])


def received_tokens(usage: Any) -> tuple[int, int, int]:
    return usage.prompt_tokens, usage.completion_tokens, usage.total_tokens


def litellm_price(model: str) -> dict[str, Any]:
    """The model's row in the price map bundled with LiteLLM (the one LITELLM_LOCAL_MODEL_COST_MAP makes it use)."""
    spec = importlib.util.find_spec("litellm")
    assert spec is not None and spec.submodule_search_locations
    prices = Path(spec.submodule_search_locations[0]) / "model_prices_and_context_window_backup.json"
    table = json.loads(prices.read_text())
    return dict(table.get(model) or table[model.split("/", 1)[1]])


@pytest.mark.parametrize("route", CHATS, ids=lambda route: route.provider)
def test_plain_chat_reaches_its_provider_and_is_billed_on_the_usage_the_provider_reported(
    client: openai.OpenAI, upstream: str, route: Route
) -> None:
    answer = client.chat.completions.with_raw_response.create(model=route.alias, messages=HELLO)
    completion = answer.parse()
    assert completion.choices[0].message.content
    [sent] = sent_upstream(upstream, operation=route.operation)
    assert sent["status"] == 200
    assert upstream_model_of(sent) == route.upstream_model
    assert completion.usage is not None
    prompt, output, total = reported_tokens(sent)
    assert received_tokens(completion.usage) == (prompt, output, total)
    price = litellm_price(route.model)
    billed = float(answer.headers["x-litellm-response-cost"])
    assert billed == pytest.approx(prompt * price["input_cost_per_token"] + output * price["output_cost_per_token"])


@pytest.mark.parametrize("route", CHATS, ids=lambda route: route.provider)
def test_streamed_chat_ends_with_the_usage_the_provider_reported(
    client: openai.OpenAI, upstream: str, route: Route
) -> None:
    stream = client.chat.completions.create(
        model=route.alias, messages=HELLO, stream=True, stream_options={"include_usage": True}
    )
    chunks = list(stream)
    text = "".join(chunk.choices[0].delta.content or "" for chunk in chunks if chunk.choices)
    assert text.strip()
    assert chunks[-1].usage is not None
    [sent] = sent_upstream(upstream, operation=route.stream_operation)
    assert sent["status"] == 200 and sent["outcome"] == "completed"
    assert received_tokens(chunks[-1].usage) == reported_tokens(sent)


@pytest.mark.parametrize("route", CHATS, ids=lambda route: route.provider)
def test_a_required_tool_call_comes_back_as_an_openai_tool_call(
    client: openai.OpenAI, upstream: str, route: Route
) -> None:
    completion = client.chat.completions.create(
        model=route.alias, messages=WEATHER, tools=[WEATHER_TOOL], tool_choice="required"
    )
    [call] = completion.choices[0].message.tool_calls or []
    assert call.type == "function" and call.function.name == "get_weather"
    assert isinstance(json.loads(call.function.arguments)["city"], str)
    assert count_upstream(upstream, operation=route.operation, status="200") == 1


@pytest.mark.parametrize("provider", sorted(EMBEDDERS))
def test_embeddings_reach_their_provider(client: openai.OpenAI, upstream: str, provider: str) -> None:
    route = EMBEDDERS[provider]
    vectors = client.embeddings.create(
        model=route.alias, input=["offline gateways", "provider mocks"], encoding_format="float"
    )
    assert len(vectors.data) == 2 and all(item.embedding for item in vectors.data)
    [sent] = sent_upstream(upstream, operation=route.operation)
    assert sent["status"] == 200
    assert upstream_model_of(sent) == route.upstream_model
    if provider == "openai":  # Google's embedding answers carry no usage: LiteLLM counts its own
        prompt, _, total = reported_tokens(sent)
        assert (vectors.usage.prompt_tokens, vectors.usage.total_tokens) == (prompt, total)


def test_a_503_from_the_first_provider_falls_back_to_the_second(client: openai.OpenAI, upstream: str) -> None:
    rule = {"path": "/openai/v1/chat/completions", "model": PRIMARY.upstream_model, "times": 1}
    rule |= {"scenario": "upstream_error", "params": {"status": "503"}}
    httpx.post(upstream + "/__mock/rules", json=rule, timeout=5).raise_for_status()
    answer = client.chat.completions.with_raw_response.create(model=PRIMARY.alias, messages=HELLO)
    completion = answer.parse()
    assert completion.choices[0].message.content
    assert answer.headers["x-litellm-attempted-fallbacks"] == "1"
    sent = sent_upstream(upstream)
    assert [(entry["operation_id"], upstream_model_of(entry), entry["status"]) for entry in sent] == [
        (PRIMARY.operation, PRIMARY.upstream_model, 503),
        (BACKUP.operation, BACKUP.upstream_model, 200),
    ]
    assert count_upstream(upstream, status="503") == 1
    assert sent[0]["usage"] is None
    assert completion.usage is not None and received_tokens(completion.usage) == reported_tokens(sent[1])


def test_conform_reports_where_litellm_departs_from_the_gateway_contract(proxy: str, workdir: Path) -> None:
    """The loop's last step, as README runs it: LiteLLM is not the AI Stats Gateway, so breaches."""
    report = workdir / "conform.json"
    command = [sys.executable, "-m", "mockserver.cli", *conform_arguments(proxy + "/v1", str(report))]
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 1, run.stdout[-2000:] + run.stderr[-2000:]
    findings = json.loads(report.read_text())
    assert findings["exit_code"] == 1 and not findings["harness_errors"], findings["notes"]
    assert {failure["operation"] for failure in findings["failures"]} == {"POST /chat/completions"}
    assert "error_envelope_matches_family" in {failure["check"] for failure in findings["failures"]}


def test_readme_shows_the_config_and_command_lines_this_module_runs() -> None:
    section = (ROOT / "README.md").read_text().split("## Checking a gateway build offline", 1)[1].split("\n## ")[0]
    [config] = [block.split("\n", 1)[1] for block in section.split("```")[1::2] if block.startswith("yaml")]
    assert yaml.safe_load(config) == proxy_config(README_PROVIDERS)
    shell = " ".join(block for block in section.split("```")[1::2] if block.startswith("sh")).replace("\\\n", " ")
    shell = " ".join(shell.split())
    assert "aistats-mock providers --port 9090 " + " ".join(PROVIDER_OPTIONS) in shell
    environment = " ".join(
        f"{name}={OFFLINE_ENV[name]}"
        for name in ("LITELLM_LOCAL_MODEL_COST_MAP", "LITELLM_TELEMETRY_DISABLED", "LITELLM_EVENT_LOOP")
    )
    assert f"{environment} python " + " ".join(proxy_arguments("litellm.yaml", 4000)) in shell
    assert "aistats-mock " + " ".join(conform_arguments(README_PROXY + "/v1", "conform.json")) in shell
