"""The money workflow: measure the wallet around calls whose charges are known
(conformance/checks/money.py). Each window waits for the wallet to settle first (jobs of
earlier phases are charged when they complete), and a window that disagrees is measured
once more before it is reported, so a charge landing from elsewhere is not blamed on it."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from conformance.checks.money import ceiling_nanos, reported_nanos, usd
from conformance.probes import Answer, Probe, excerpt
from conformance.state import TERMINAL_JOB_STATUSES
from conformance.wallet import WalletMeter

CHECK = "wallet_matches_reported_pricing"
MAX_TOKENS = 32
CHAT = {
    "model": "openai/gpt-4o-mini",
    "max_tokens": MAX_TOKENS,
    "messages": [{"role": "user", "content": "Write two sentences about lighthouses."}],
}
MESSAGE = {"model": "anthropic/claude-sonnet-4-5", "max_tokens": MAX_TOKENS, "messages": CHAT["messages"]}
#: Job creations: (operationId, create path, poll path prefix, body).
JOBS = (
    (
        "createVideo",
        "/videos",
        "/videos/",
        {"model": "openai/sora-2", "prompt": "A lighthouse at dawn", "seconds": "4"},
    ),
    ("generateMusic", "/music/generate", "/music/generate/", None),
)
#: A measured window: the calls, the move they report, the title of a mismatch, the check judging it.
Outcome = tuple[list[Answer], int, str | None, str]
Window = Callable[[], Outcome]
UNREPORTED = "job_charge_reported"


def run_money(probe: Probe, context: Any, meter: WalletMeter) -> None:
    if not probe.wants(CHECK, UNREPORTED):
        return
    if meter.settled() is None:
        probe.result.notes.append(f"{CHECK} not run: the key cannot read its wallet (GET /credits)")
        return
    probe.progress("[workflow] wallet against reported pricing")
    ops = context.index.operations
    stream_answer: list[Answer] = []
    if "createChatCompletion" in ops:
        _measure(probe, meter, "priced calls", lambda: _priced(probe, ops, stream_answer))
        _measure(probe, meter, "refused and failed calls", lambda: _refused(probe))
        if stream_answer:
            _abandoned(probe, meter, stream_answer[0])
    if probe.capped:
        probe.result.notes.append(f"{CHECK}: job charges not measured under a spend cap (a job costs dollars)")
        return
    if not probe.options.is_live or probe.options.allow_expensive:
        for op_id, path, poll, body in JOBS:
            if op_id in ops:
                _measure(probe, meter, f"a job of {path}", _job_window(probe, context.index, op_id, path, poll, body))


def _job_window(probe: Probe, index: Any, op_id: str, path: str, poll: str, body: Any) -> Window:
    return lambda: _job(probe, index, op_id, path, poll, body)


def _measure(probe: Probe, meter: WalletMeter, what: str, window: Window) -> None:
    for attempt in (1, 2):
        before = meter.settled()
        answers, expected, problem, check = window()
        after = meter.settled()
        if before is None or after is None or not answers:
            return
        moved = before - after
        if moved == expected:
            for answer in answers:
                probe.passed(check, answer)
            return
        if attempt == 2:
            title = problem or f"The wallet moved by {usd(moved)} for {what} reported at {usd(expected)}"
            actual = f"the wallet moved by {usd(moved)} ({before} → {after} nanos)"
            probe.failed(check, answers[-1], title, f"a move of exactly {usd(expected)}", actual, *answers[:-1])


def _priced(probe: Probe, ops: dict[str, Any], keep: list[Answer]) -> Outcome:
    answers = [probe.send("POST", "/chat/completions", body=CHAT)]
    streamed = probe.send("POST", "/chat/completions", body={**CHAT, "stream": True})
    answers.append(streamed)
    if "createAnthropicMessage" in ops:
        answers.append(probe.send("POST", "/messages", body=MESSAGE))
    answers = [a for a in answers if a.ok]
    if streamed.ok:
        keep[:] = [streamed]
    return answers, sum(reported_nanos(a) or 0 for a in answers), None, CHECK


def _refused(probe: Probe) -> Outcome:
    invalid = probe.send("POST", "/chat/completions", body={"model": CHAT["model"], "messages": "not a list"})
    unknown = probe.send("POST", "/chat/completions", body={**CHAT, "model": "nobody/no-such-model"})
    refused = [a for a in (invalid, unknown) if a.status is not None and 400 <= a.status < 500]
    return refused, 0, "A refused call is charged", CHECK


def _abandoned(probe: Probe, meter: WalletMeter, complete: Answer) -> None:
    ceiling = ceiling_nanos(complete, MAX_TOKENS)
    before = meter.settled()
    if ceiling is None or before is None:
        return
    answer = probe.abandon("POST", "/chat/completions", body={**CHAT, "stream": True})
    time.sleep(1.0)
    after = meter.settled()
    if after is None or answer.status != 200:
        return
    moved = before - after
    problem = None
    if moved > ceiling:
        problem = (
            "An abandoned stream is billed more than once",
            f"at most one whole answer: {usd(ceiling)} ({MAX_TOKENS} output tokens at most)",
            f"the wallet moved by {usd(moved)}",
        )
    probe.judge(CHECK, answer, problem)


def _job(probe: Probe, index: Any, op_id: str, path: str, poll: str, body: dict[str, Any] | None) -> Outcome:
    from conformance.workflows import _example_body

    created = probe.send("POST", path, body=body or _example_body(index, op_id))
    job = created.json() if created.ok else None
    if not isinstance(job, dict) or not isinstance(job.get("id"), str):
        probe.result.notes.append(f"{CHECK}: {path} answered {excerpt(created, 80)}")
        return [], 0, None, CHECK
    answers = [created]
    deadline = time.monotonic() + probe.options.job_timeout
    status = job.get("status")
    while status not in TERMINAL_JOB_STATUSES and time.monotonic() < deadline:
        time.sleep(probe.options.poll_interval)
        answers.append(probe.send("GET", poll + job["id"]))
        if not answers[-1].ok:
            probe.result.notes.append(f"{CHECK}: polling a job of {path} answered {excerpt(answers[-1], 80)}")
            return [], 0, None, CHECK
        read = answers[-1].json()
        status = read.get("status") if isinstance(read, dict) else status
    if status not in TERMINAL_JOB_STATUSES:
        return [], 0, None, CHECK
    charges = [n for n in (reported_nanos(a) for a in answers) if n is not None]
    if status != "completed":
        return answers, 0, f"A {status} job of {path} is charged", CHECK
    if not charges:
        return answers, 0, f"The charge of a completed job of {path} is not shown in any answer", UNREPORTED
    return answers, max(charges), None, CHECK
