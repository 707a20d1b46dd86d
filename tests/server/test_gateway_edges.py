"""Auth, bad input, unknown routes, CORS and determinism, as the gateway answers them."""

from __future__ import annotations

import pytest

from tests.support import AUTH, KEY, make_client

CHAT = "/v1/chat/completions"
GOOD_CHAT = {"model": "openai/gpt-5-nano", "messages": [{"role": "user", "content": "Say hello"}]}


def _envelope(response) -> dict:
    body = response.json()
    assert set(body) >= {"generation_id", "status_code", "error", "description"}, body
    assert body["status_code"] == response.status_code
    assert body["generation_id"].startswith("G-") and len(body["generation_id"]) == 28
    return body


@pytest.mark.parametrize(
    "headers, reason",
    [
        ({}, "missing_or_invalid_authorization_header"),
        ({"Authorization": "bearer " + KEY}, "missing_or_invalid_authorization_header"),
        ({"Authorization": "Bearer "}, "missing_or_invalid_authorization_header"),
        ({"Authorization": "Bearer sk-openai-style"}, "invalid_key_format"),
        ({"Authorization": "Bearer aistats_v1_k_legacykid_secret"}, "invalid_key_format"),
        ({"Authorization": "Bearer aistats_v1_sk__secret"}, "invalid_key_format"),
        ({"Authorization": "Bearer aistats_v1_sk_kid_"}, "invalid_key_format"),
        ({"x-api-key": KEY}, "missing_or_invalid_authorization_header"),
    ],
)
def test_inference_auth_failures_use_the_gateway_envelope(client, headers, reason):
    response = client.post(CHAT, json=GOOD_CHAT, headers=headers)
    assert response.status_code == 401
    body = _envelope(response)
    assert body["error"] == "unauthorised" and body["error_type"] == "system" and body["description"] == reason
    assert response.headers["x-gateway-error-attribution"] == "user"
    assert response.headers["cache-control"] == "no-store"


def test_control_plane_auth_failure_is_the_raw_shape(client):
    response = client.get("/v1/gateway/models")
    assert response.status_code == 401
    body = response.json()
    assert body["error"] == "unauthorised" and body["reason"] == "missing_or_invalid_authorization_header"
    assert body["request_id"].startswith("G-")


def test_files_auth_failure_has_no_request_id(client):
    response = client.get("/v1/files", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401
    assert response.json() == {"error": "unauthorised", "reason": "invalid_key_format"}


def test_secret_may_contain_underscores(client):
    response = client.get("/v1/files", headers=AUTH)
    assert response.status_code == 501


def test_invalid_json_is_a_400_envelope(client):
    response = client.post(CHAT, content=b'{"model": ', headers={**AUTH, "content-type": "application/json"})
    assert response.status_code == 400
    body = _envelope(response)
    assert body["error"] == "invalid_json" and body["error_type"] == "user"


def test_invalid_utf8_is_a_400_not_a_crash(client):
    response = client.post(CHAT, content=b'{"model": "\xff\xfe"}', headers={**AUTH, "content-type": "application/json"})
    assert response.status_code == 400
    assert _envelope(response)["error"] == "invalid_json"


def test_every_offending_field_is_named(client):
    bad = {"model": 7, "messages": [], "temperature": "hot", "n": 2}
    response = client.post(CHAT, json=bad, headers=AUTH)
    assert response.status_code == 400
    body = _envelope(response)
    assert body["error"] == "validation_error" and body["error_type"] == "user"
    paths = {tuple(detail["path"]) for detail in body["details"]}
    assert {("model",), ("messages",), ("temperature",), ("n",)} <= paths
    assert any(d["keyword"] == "unknown_param" and d["path"] == ["n"] for d in body["details"])


def test_missing_required_field(client):
    response = client.post(CHAT, json={"messages": GOOD_CHAT["messages"]}, headers=AUTH)
    assert response.status_code == 400
    assert ["model"] in [detail["path"] for detail in _envelope(response)["details"]]


def test_out_of_range_query_parameter(client):
    response = client.get("/v1/gateway/models?limit=100000", headers=AUTH)
    assert response.status_code == 400
    body = response.json()
    assert body["ok"] is False and body["details"][0]["path"] == ["limit"]


def test_unsupported_content_type_is_415(client):
    response = client.post(CHAT, content=b"model=x", headers={**AUTH, "content-type": "text/plain"})
    assert response.status_code == 415
    assert _envelope(response)["error"] == "unsupported_media_type"


def test_oversized_body_is_413():
    small = make_client("async", max_body_bytes=1024)
    response = small.post(CHAT, content=b"x" * 4096, headers={**AUTH, "content-type": "application/json"})
    assert response.status_code == 413
    assert _envelope(response)["error"] == "payload_too_large"


@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", "/v1/no/such/route"),
        ("DELETE", "/v1/chat/completions"),
        ("PUT", "/v1/files"),
        ("GET", "/v2/chat/completions"),
    ],
)
def test_unknown_paths_and_methods_are_plain_404(client, method, path):
    response = client.request(method, path, headers=AUTH)
    assert response.status_code == 404
    assert response.text == "404 Not Found"


def test_options_preflight_and_cors(client):
    preflight = client.options(CHAT)
    assert preflight.status_code == 204 and preflight.content == b""
    assert preflight.headers["access-control-allow-origin"] == "*"
    answer = client.get("/v1/files", headers=AUTH)
    assert answer.headers["access-control-allow-origin"] == "*"
    assert "PATCH" in answer.headers["access-control-allow-methods"]


def test_root_welcome(client):
    body = client.get("/").json()
    assert body["message"].startswith("Welcome to the AI Stats Gateway API")


@pytest.mark.parametrize("path", ["/v1/realtime", "/v1/audio/realtime/sessions"])
def test_realtime_placeholders_need_no_key(client, path):
    response = client.post(path)
    assert response.status_code == 501
    assert response.json()["error"]["type"] == "not_implemented"


def test_same_seed_same_bytes_and_different_seed_different_ids():
    first, second, other = make_client(seed=7), make_client(seed=7), make_client(seed=8)
    a = first.post(CHAT, json=GOOD_CHAT, headers=AUTH)
    b = second.post(CHAT, json=GOOD_CHAT, headers=AUTH)
    c = other.post(CHAT, json=GOOD_CHAT, headers=AUTH)
    assert a.status_code == 200 and a.content == b.content
    assert a.json()["id"] != c.json()["id"]


def test_seed_header_overrides_server_seed():
    one, two = make_client(seed=1), make_client(seed=2)
    headers = {**AUTH, "X-Mock-Seed": "42"}
    assert (
        one.post(CHAT, json=GOOD_CHAT, headers=headers).content
        == two.post(CHAT, json=GOOD_CHAT, headers=headers).content
    )


def test_generated_ids_have_the_gateway_format(client):
    body = client.post(CHAT, json=GOOD_CHAT, headers=AUTH).json()
    import re

    assert re.fullmatch(r"G-[0-9A-HJKMNP-TV-Z]{26}", body["id"])


def test_missing_required_body_is_named(client):
    response = client.post(CHAT, headers={**AUTH, "content-type": "application/json"})
    assert response.status_code == 400
    body = _envelope(response)
    assert body["error"] == "validation_error" and body["details"][0]["keyword"] == "required"
