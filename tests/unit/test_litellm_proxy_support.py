"""tests/support/litellm_proxy: the config it writes, the environment that keeps LiteLLM offline,
and when a proxy that exits early skips a test (a missing import) or fails it (anything else)."""

from __future__ import annotations

import pytest

from tests.support import litellm_proxy
from tests.support.litellm_proxy import MASTER_KEY, Deployment, litellm_config, proxy_environment


def test_the_config_routes_aliases_with_fallbacks_and_no_cooldowns():
    deployments = [
        Deployment("chat", "openai/gpt-5-nano", "http://127.0.0.1:1/openai/v1", "sk-a"),
        Deployment("backup", "anthropic/claude-haiku-4-5", "http://127.0.0.1:1/anthropic", "sk-b"),
    ]
    config = litellm_config(deployments, fallbacks={"chat": ["backup"]}, num_retries=2)
    assert config["model_list"][1] == {
        "model_name": "backup",
        "litellm_params": {
            "model": "anthropic/claude-haiku-4-5",
            "api_base": "http://127.0.0.1:1/anthropic",
            "api_key": "sk-b",
        },
    }
    assert config["router_settings"] == {
        "num_retries": 2,
        "disable_cooldowns": True,
        "fallbacks": [{"chat": ["backup"]}],
    }
    assert config["general_settings"] == {"master_key": MASTER_KEY}


def test_the_environment_drops_provider_keys_and_keeps_litellm_offline(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-real")
    monkeypatch.setenv("LITELLM_LOCAL_MODEL_COST_MAP", "False")
    monkeypatch.setenv("DATABASE_URL", "postgres://somewhere")
    environment = proxy_environment()
    assert "OPENAI_API_KEY" not in environment and "DATABASE_URL" not in environment
    assert environment["LITELLM_LOCAL_MODEL_COST_MAP"] == "True"
    assert environment["LITELLM_TELEMETRY_DISABLED"] == "true"


def test_a_missing_import_skips_with_its_line(tmp_path):
    log = tmp_path / "litellm.log"
    log.write_text("Traceback (most recent call last):\n  ...\nModuleNotFoundError: No module named 'fastapi'\n")
    with pytest.raises(pytest.skip.Exception, match="No module named 'fastapi'"):
        litellm_proxy._explain_exit(log)


def test_any_other_early_exit_fails_with_the_log(tmp_path):
    log = tmp_path / "litellm.log"
    log.write_text("Exception: Config file not found: litellm.yaml\n")
    with pytest.raises(AssertionError, match="Config file not found"):
        litellm_proxy._explain_exit(log)
