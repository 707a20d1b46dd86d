"""The endings the gateway's streams may have, per surface (GATEWAY-BEHAVIOUR §5).

A stream that stops without one of them — a chat stream whose last frame is a content
chunk, a Responses stream without ``response.completed``, a Messages stream without
``message_stop`` — was cut short, whatever the transport said.

Chat streams end in one of the documented ways, chosen by the serving provider:

- a full ``chat.completion`` snapshot with the priced usage (OpenAI models), no ``[DONE]``;
- a ``choices: []`` chunk with the priced usage (OpenAI-compatible providers), no ``[DONE]``;
- either of them followed by ``data: [DONE]`` (the Google, Vertex, Bedrock and OpenAI
  WebSocket executors);
- an error frame ``{"object": "error", ...}`` when the provider failed mid-stream.

Where usage is sent only on request (``x-aistats-usage: on-request``) and was not asked
for, the chunk carrying ``finish_reason`` closes the stream instead of the usage frame.
``[DONE]`` after a chunk with a ``finish_reason`` also ends a stream explicitly; that it
then lacks usage is for ``sse_usage_in_final_frame`` to say.
"""

from __future__ import annotations

from typing import Any

from conformance import sse

RESPONSES_TERMINAL = frozenset({"response.completed", "response.failed", "response.incomplete", "error"})
MESSAGES_TERMINAL = frozenset({"message_stop", "error"})
CHAT_ENDINGS = (
    "a chat.completion snapshot, a `choices: []` usage chunk or an error frame (each optionally followed by [DONE])"
)


def chat_closing(frame: Any) -> str | None:
    """What a chat frame can close a stream as: ``snapshot``, ``usage``, ``error``, ``finish``
    (a chunk carrying a ``finish_reason``) or ``None`` (an ordinary chunk, or not a frame)."""
    if not isinstance(frame, dict):
        return None
    if frame.get("object") == "error":
        return "error"
    if frame.get("object") == "chat.completion":
        return "snapshot"
    if isinstance(frame.get("usage"), dict):
        return "usage"
    choices = frame.get("choices")
    if isinstance(choices, list) and any(isinstance(c, dict) and c.get("finish_reason") for c in choices):
        return "finish"
    return None


def chat_ending(stream: sse.Stream) -> str | None:
    """The documented ending a chat stream has, e.g. ``snapshot`` or ``usage+[DONE]``; None if cut short."""
    events = stream.events
    done = bool(events) and events[-1].is_done
    frames = [event for event in events if not event.is_done]
    closing = chat_closing(_json(frames[-1])) if frames else None
    if closing is None:
        return None
    return closing + ("+[DONE]" if done else "")


def terminal_problem(kind: str, stream: sse.Stream, with_usage: bool = True) -> tuple[str, str] | None:
    """``(expected, actual)`` when a ``kind`` stream (chat, responses, messages) does not end
    on a terminal event; None when it does (or when it has no events at all, which
    ``sse_frames_parse`` reports)."""
    if not stream.events:
        return None
    frames = [event for event in stream.events if not event.is_done]
    if kind == "chat":
        return _chat_problem(stream, with_usage)
    terminal = {"responses": RESPONSES_TERMINAL, "messages": MESSAGES_TERMINAL}.get(kind)
    if terminal is None:
        return None
    last = (frames[-1].event or "message") if frames else "[DONE] only"
    if last not in terminal:
        return (f"last event one of {sorted(terminal)}", f"the stream stops after `{last}`")
    return None


def _chat_problem(stream: sse.Stream, with_usage: bool) -> tuple[str, str] | None:
    ending = chat_ending(stream)
    if ending is None:
        return (CHAT_ENDINGS, f"the stream stops after {_describe(stream)}")
    if ending == "finish" and with_usage:
        return (CHAT_ENDINGS, "the stream stops after the finish_reason chunk, without usage or [DONE]")
    return None


def _describe(stream: sse.Stream) -> str:
    frames = [event for event in stream.events if not event.is_done]
    if not frames:
        return "[DONE] with no frame before it"
    tail = " and [DONE]" if stream.events[-1].is_done else ", with no [DONE]"
    return f"a chunk that finishes nothing ({frames[-1].data[:160]}){tail}"


def _json(event: sse.Event) -> Any:
    try:
        return event.json()
    except ValueError:
        return None
