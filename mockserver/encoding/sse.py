"""SSE frames of the three text surfaces, including the mid-stream error frame.

Framing follows the gateway (GATEWAY-BEHAVIOUR §5): ``event: <name>`` only for named
events, then one ``data:`` line of compact JSON and a blank line. Chat streams have no
event names; Responses and Messages streams name every event.
"""

from __future__ import annotations

from typing import Any

from mockserver.encoding.body import sse_frame

#: The literal frame some chat streams end with.
DONE_FRAME = b"data: [DONE]\n\n"
SURFACE_BY_OPERATION = {
    "createChatCompletion": "chat",
    "createResponse": "responses",
    "createAnthropicMessage": "messages",
}


def named_frame(event: str, data: dict[str, Any]) -> bytes:
    """A named event whose JSON ``type`` repeats the name (Responses, Messages)."""
    return sse_frame({"type": event, **data}, event=event)


def mid_stream_error_frame(surface: str, message: str = "stream_error") -> bytes:
    """The frame the gateway sends when the provider fails after the stream started.

    ``surface`` is ``chat``, ``responses`` or ``messages`` (or the operationId of one
    of them). The stream must end right after this frame.
    """
    surface = SURFACE_BY_OPERATION.get(surface, surface)
    if surface == "chat":
        return sse_frame({"object": "error", "message": message})
    if surface == "responses":
        return sse_frame({"error": {"message": message}}, event="error")
    if surface == "messages":
        return sse_frame({"type": "error", "error": {"type": "api_error", "message": message}}, event="error")
    raise ValueError(f"no stream error frame for surface {surface!r}")
