"""Any percent-encoded path parameter reaches its operation, which answers in its own
envelope (a decoded ``/`` or newline used to get the plain 404 of an unknown path)."""

from __future__ import annotations

import httpx
import pytest

from tests.support import AUTH

#: (raw path, the value the operation must see, its id key, the envelope's reason)
CASES = [
    ("/v1/batches/%0A", "\n", "batch_id", "batch_not_found_or_not_owned"),
    ("/v1/batches/a%2Fb", "a/b", "batch_id", "batch_not_found_or_not_owned"),
    ("/v1/videos/abc%0Adef", "abc\ndef", "video_id", "video_not_found_or_not_owned"),
    ("/v1/videos/a%2F..%2Fb/content", "a/../b", "video_id", "video_not_found_or_not_owned"),
    ("/v1/videos/%2F", "/", "video_id", "video_not_found_or_not_owned"),
    ("/v1/videos/100%25", "100%", "video_id", "video_not_found_or_not_owned"),
]


def _check(response, value, key, reason):
    assert response.status_code == 404, response.text[:200]
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["error"] == "not_found" and body["reason"] == reason and body[key] == value


@pytest.mark.parametrize(("path", "value", "key", "reason"), CASES)
def test_encoded_parameter_reaches_its_operation(client, path, value, key, reason):
    _check(client.get(path, headers=AUTH), value, key, reason)


def test_on_a_real_server_too(live_origin):
    cases = [*CASES, ("/v1/videos/a%252Fb", "a%2Fb", "video_id", "video_not_found_or_not_owned")]
    with httpx.Client(base_url=live_origin, headers=AUTH, timeout=10) as http:
        for path, value, key, reason in cases:
            _check(http.get(path), value, key, reason)


def test_validation_sees_the_decoded_value(client):
    response = client.get("/v1/management/keys/%0A", headers=AUTH)
    assert response.status_code == 400
    assert '"\\n" does not match' in response.json()["message"]


def test_unknown_paths_still_get_the_plain_404(client):
    for path in ("/v1/chat%0A/completions", "/v1/nothing%2Fhere", "/v1/videos/a/b"):
        response = client.get(path, headers=AUTH)
        assert response.status_code == 404 and response.text == "404 Not Found"
