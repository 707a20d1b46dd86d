"""The tenant-isolation workflow: team A creates a management key, a job and a generation
record; team B (``--api-key-2``) tries to read, change and delete each, and A checks that
nothing moved (conformance/checks/tenants.py)."""

from __future__ import annotations

from typing import Any

from conformance.checks.round_trips import SURFACES
from conformance.checks.tenants import REFUSALS, mentions
from conformance.probes import Answer, Probe, excerpt

CHECK = "tenants_isolated"
VIDEO_BODY = {"model": "openai/sora-2", "prompt": "A lighthouse at dawn", "seconds": "4"}


def run_tenant_isolation(probe: Probe, context: Any) -> None:
    if not probe.wants(CHECK):
        return
    other = probe.options.api_key_2
    if not other:
        probe.result.notes.append(
            "tenants_isolated not run: give --api-key-2, a key of another team (keys minted with the first key "
            "belong to its own team, so the suite cannot make one)"
        )
        return
    probe.redactor.add(other)
    ops = context.index.operations
    probe.progress("[workflow] tenant isolation")
    if "createProvisioningKey" in ops:
        _keys(probe, other)
    if "createVideo" in ops and not probe.capped:
        _jobs(probe, other)
    if "createChatCompletion" in ops:
        _generations(probe, other, ops)


def _refused(probe: Probe, attempt: Answer, what: str, *before: Answer) -> None:
    problem = None
    if attempt.ok:
        problem = (
            f"Another team's {what}",
            f"{' or '.join(map(str, REFUSALS))}: the resource belongs to another team",
            excerpt(attempt),
        )
    probe.judge(CHECK, attempt, problem, *before)


def _still(probe: Probe, read: Answer, what: str, expected: Any, field: str, *before: Answer) -> None:
    body = read.json() if read.ok else None
    found = (body.get("key") or body).get(field) if isinstance(body, dict) else None
    problem = None
    if found != expected:
        problem = (f"Another team changed {what}", f"{field} still {expected!r}", f"{found!r} ({excerpt(read, 120)})")
    probe.judge(CHECK, read, problem, *before)


def _keys(probe: Probe, other: str) -> None:
    made = probe.send("POST", "/management/keys", body={"name": "aistats-conformance-tenant"})
    key = (made.json() or {}).get("key") if made.ok else None
    if not isinstance(key, dict) or not key.get("id"):
        probe.result.notes.append(f"tenants_isolated: key creation answered {excerpt(made, 80)}")
        return
    if key.get("key"):
        probe.redactor.add(key["key"])
    path = f"/management/keys/{key['id']}"
    _refused(probe, probe.send("GET", path, auth=other), "management key is readable", made)
    listed = probe.send("GET", "/management/keys", auth=other)
    if listed.ok and mentions(listed.json(), key["id"]):
        probe.failed(CHECK, listed, "Another team's management key is listed", "absent from the list", "listed")
    elif listed.ok:
        probe.passed(CHECK, listed)
    _refused(
        probe,
        probe.send("PATCH", path, body={"status": "disabled"}, auth=other),
        "management key can be changed",
        made,
    )
    _still(probe, probe.send("GET", path), "a management key", key.get("status", "active"), "status", made)
    _refused(probe, probe.send("DELETE", path, auth=other), "management key can be deleted", made)
    _still(probe, probe.send("GET", path), "a management key (deleted it)", key["id"], "id", made)
    probe.send("DELETE", path)


def _jobs(probe: Probe, other: str) -> None:
    made = probe.send("POST", "/videos", body=VIDEO_BODY)
    job = made.json() if made.ok else None
    if not isinstance(job, dict) or not isinstance(job.get("id"), str):
        probe.result.notes.append(f"tenants_isolated: video creation answered {excerpt(made, 80)}")
        return
    path = f"/videos/{job['id']}"
    _refused(probe, probe.send("GET", path, auth=other), "video job is readable", made)
    _refused(probe, probe.send("GET", path + "/content", auth=other), "video content is downloadable", made)
    _refused(probe, probe.send("DELETE", path, auth=other), "video job can be deleted", made)
    _still(probe, probe.send("GET", path), "a video job (deleted it)", job["id"], "id", made)
    probe.send("DELETE", path)


def _generations(probe: Probe, other: str, ops: dict[str, Any]) -> None:
    surface = SURFACES["createChatCompletion"]
    made = probe.send("POST", surface.path, body=surface.first_turn(False, False))
    body = made.json() if made.ok else None
    generation = body.get("id") if isinstance(body, dict) else None
    if not isinstance(generation, str):
        probe.result.notes.append(f"tenants_isolated: chat completion answered {excerpt(made, 80)}")
        return
    if "getGeneration" in ops:
        read = probe.send("GET", "/generations", query={"id": generation}, auth=other)
        _refused(probe, read, "generation record is readable", made)
    if "getActivity" in ops:
        activity = probe.send("GET", "/activity", auth=other)
        if activity.ok and mentions(activity.json(), generation):
            probe.failed(CHECK, activity, "Another team's request is in the activity", "absent", generation, made)
        elif activity.ok:
            probe.passed(CHECK, activity)
