"""The round-trip workflow: every text surface, plain and streamed, with and without tools,
answered back the way the standard client loops do (conformance/checks/round_trips.py)."""

from __future__ import annotations

from typing import Any

from conformance.checks.round_trips import SURFACES, Surface, answer_of, echo, without_nulls
from conformance.probes import Answer, Probe, excerpt

#: Answers that say nothing about the echo itself (credit, rate limit): not judged.
NOT_JUDGED = (402, 429)


def run_round_trips(probe: Probe, context: Any) -> None:
    if not probe.wants("answer_accepted_back", "client_echo_accepted"):
        return
    for op_id, surface in SURFACES.items():
        operation = context.index.operations.get(op_id)
        media = operation.request_media_types.get("application/json") if operation else None
        if media is None or media.schema is None:
            continue
        probe.progress(f"[workflow] round trips of {operation.method} {operation.path}")
        for tools in (False, True):
            for stream in (False, True):
                _round_trip(probe, context, surface, media.schema, tools, stream)


def _round_trip(probe: Probe, context: Any, surface: Surface, schema: Any, tools: bool, stream: bool) -> None:
    first_body = surface.first_turn(tools, stream)
    first = probe.send("POST", surface.path, body=first_body)
    mode = f"{'streamed' if stream else 'plain'} answer{' with a tool call' if tools else ''}"
    if not first.ok:
        probe.result.notes.append(f"round trip of the {surface.name} {mode}: first turn answered {excerpt(first, 80)}")
        return
    try:
        answer = answer_of(surface, first.content, stream)
    except (ValueError, KeyError, IndexError, TypeError, StopIteration) as exc:
        probe.result.notes.append(f"round trip of the {surface.name} {mode}: answer unreadable ({exc!r})")
        return
    body = echo(surface, first_body, answer)
    forbidden = context.compiler.errors(schema, body)
    if not forbidden:
        _require_acceptance(probe, probe.send("POST", surface.path, body=body), first, mode)
        return
    sent = probe.send("POST", surface.path, body=body)
    reasons = "; ".join(f"{'.'.join(map(str, d.path))}: {d.message}" for d in forbidden[:3])
    if sent.ok or sent.status in NOT_JUDGED:
        probe.passed("client_echo_accepted", sent)
    else:
        probe.failed(
            "client_echo_accepted",
            sent,
            f"The {mode} sent back as standard clients do is refused",
            f"acceptance: standard client loops send the answer back as received (the contract forbids it: {reasons})",
            excerpt(sent),
            first,
        )
    careful = echo(surface, first_body, without_nulls(answer))
    if not context.compiler.errors(schema, careful):
        _require_acceptance(probe, probe.send("POST", surface.path, body=careful), first, mode + " (nulls left out)")


def _require_acceptance(probe: Probe, sent: Answer, first: Answer, mode: str) -> None:
    if sent.status in NOT_JUDGED:
        return
    problem = None
    if not sent.ok:
        problem = (
            f"The gateway refuses its own {mode} sent back",
            "2xx: the echo is valid under the contract and is what client loops send",
            excerpt(sent),
        )
    probe.judge("answer_accepted_back", sent, problem, first)
