"""Video and music jobs over HTTP with a fake clock: every lifecycle walked, every
answer checked against the contract, on both Connexion frameworks."""

from __future__ import annotations

import io
import wave

import pytest

from tests.support import FRAMEWORKS, ContractClient

VIDEO = {
    "model": "openai/sora-2",
    "prompt": "A paper boat on a rainy street",
    "seconds": "8",
    "size": "1280x720",
}
MUSIC = {"model": "suno/v4.5plus", "prompt": "warm jazz trio with brushed drums", "duration": 4}
_RANK = {"queued": 0, "in_progress": 1, "completed": 2, "failed": 2}


@pytest.fixture(scope="module", params=FRAMEWORKS)
def api(request):
    client = ContractClient(request.param, job_seconds=10, job_failure_rate=0.0, credits_usd=100)
    yield client
    client.close()


def _walk(api, path: str, steps=range(0, 13)) -> list[dict]:
    start, seen = api.clock.now, []
    for second in steps:
        api.clock.now = start + second
        response = api.get(path)
        assert response.status_code == 200
        seen.append(response.json())
    return seen


def _assert_monotonic(seen: list[dict]) -> None:
    for before, after in zip(seen, seen[1:], strict=False):
        assert _RANK[after["status"]] >= _RANK[before["status"]]
        assert after.get("progress", 0) >= before.get("progress", 0)


@pytest.mark.parametrize("prefix", ["/v1/videos", "/v1/video/generations"])
def test_video_lifecycle(api, prefix):
    created = api.post(prefix, json=VIDEO)
    assert created.status_code == 200
    job = created.json()
    assert job["status"] == "queued" and job["object"] == "video" and job["model"] == "openai/sora-2"
    assert job["id"].startswith("video_") and job["nativeResponseId"] == job["id"]
    before = api.store.ledger.balance("team_mock")
    early = api.get(f"{prefix}/{job['id']}/content")
    assert early.status_code == 409
    assert early.json()["error"] == "not_ready" and early.json()["reason"] == "video_not_ready"
    seen = _walk(api, f"{prefix}/{job['id']}")
    _assert_monotonic(seen)
    assert {state["status"] for state in seen} == {"queued", "in_progress", "completed"}
    assert any(0 < state["progress"] < 100 for state in seen)
    done = seen[-1]
    assert done["progress"] == 100 and done["completed_at"] is not None
    assert done["usage"]["output_video_seconds"] == 8
    assert done["usage"]["pricing"]["total_nanos"] == 800_000_000
    assert api.store.ledger.balance("team_mock") == before - 800_000_000, "charged once, on completion"
    content = api.get(f"{prefix}/{job['id']}/content")
    assert content.status_code == 200 and content.headers["content-type"].startswith("video/mp4")
    assert content.content[4:8] == b"ftyp"
    api.get(f"{prefix}/{job['id']}")
    assert api.store.ledger.balance("team_mock") == before - 800_000_000, "never charged twice"
    deleted = api.delete(f"{prefix}/{job['id']}")
    assert deleted.json() == {"id": job["id"], "object": "video.deleted", "deleted": True}
    for path in (f"{prefix}/{job['id']}", f"{prefix}/{job['id']}/content"):
        gone = api.get(path)
        assert gone.status_code == 404 and gone.json()["reason"] == "video_not_found_or_not_owned"
    assert api.delete(f"{prefix}/{job['id']}").status_code == 404


def test_aliases_reach_the_same_jobs(api):
    job = api.post("/v1/videos", json=VIDEO).json()
    api.clock.advance(11)
    assert api.get(f"/v1/video/generations/{job['id']}").json()["status"] == "completed"
    assert api.get(f"/v1/videos/{job['id']}").json()["status"] == "completed"
    assert api.delete(f"/v1/video/generations/{job['id']}").status_code == 200
    assert api.get(f"/v1/videos/{job['id']}").status_code == 404
    music = api.post("/v1/music/generations", json=MUSIC).json()
    assert api.get(f"/v1/music/generate/{music['id']}").status_code == 200


def test_forced_failure(api):
    job = api.post("/v1/videos", json=VIDEO, headers={"X-Mock-Job-Outcome": "failed"}).json()
    seen = _walk(api, f"/v1/videos/{job['id']}")
    _assert_monotonic(seen)
    assert seen[-1]["status"] == "failed" and seen[-1]["error"]["code"]
    assert "usage" not in seen[-1]
    content = api.get(f"/v1/videos/{job['id']}/content")
    assert content.status_code == 409 and content.json()["reason"] == "video_generation_failed"


def test_unknown_video_and_bad_model(api):
    missing = api.get("/v1/videos/video_doesnotexist")
    assert missing.status_code == 404 and missing.json()["video_id"] == "video_doesnotexist"
    refused = api.post("/v1/videos", json={**VIDEO, "model": "openai/gpt-5"})
    assert refused.status_code == 400 and refused.json()["error"] == "unsupported_model_or_endpoint"


def test_music_lifecycle_serves_real_audio(api):
    created = api.post("/v1/music/generate", json=MUSIC)
    job = created.json()
    assert job["status"] == "queued" and job["provider"] == "suno"
    before = api.store.ledger.balance("team_mock")
    seen = _walk(api, f"/v1/music/generate/{job['id']}")
    _assert_monotonic(seen)
    assert [s["status"] for s in seen][0] == "queued" and seen[-1]["status"] == "completed"
    in_progress = next(s for s in seen if s["status"] == "in_progress")
    assert in_progress["output"] and in_progress["output"][0]["audio_url"] is None and "usage" not in in_progress
    done = seen[-1]
    assert done["usage"] == {"output_audio_count": 2, "output_audio_seconds": 8.0}
    assert api.store.ledger.balance("team_mock") == before - 80_000_000
    url = done["output"][0]["audio_url"]
    audio = api.client.get(url.split("://", 1)[1].split("/", 1)[1].join(["/", ""]))
    assert audio.status_code == 200
    with wave.open(io.BytesIO(audio.content)) as reader:
        assert reader.getnframes() / reader.getframerate() == pytest.approx(done["output"][0]["duration"])


def test_synchronous_music_is_charged_at_creation(api):
    before = api.store.ledger.balance("team_mock")
    job = api.post("/v1/music/generate", json={"model": "minimax/music-1.5", "prompt": "a short jingle"}).json()
    assert job["status"] == "completed" and job["audio_url"].endswith(".wav")
    cost = job["usage"]["pricing_breakdown"]["total_nanos"]
    assert cost == 70_000_000 and api.store.ledger.balance("team_mock") == before - cost
    api.clock.advance(60)
    assert "usage" in api.get(f"/v1/music/generate/{job['id']}").json()
    assert api.store.ledger.balance("team_mock") == before - cost


def test_zero_job_seconds_completes_at_once():
    client = ContractClient("async", job_seconds=0, job_failure_rate=0.0)
    try:
        job = client.post("/v1/videos", json=VIDEO).json()
        assert job["status"] == "completed" and job["progress"] == 100
        assert client.get(f"/v1/videos/{job['id']}/content").status_code == 200
    finally:
        client.close()
