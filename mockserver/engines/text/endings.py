"""How a chat stream ends, chosen by the executor of the provider it is routed to.

The gateway's chat streams do not all end alike (GATEWAY-BEHAVIOUR §5):

- OpenAI is served through the upstream Responses API; its transform closes the stream
  with a full ``chat.completion`` snapshot (priced usage inside) and drops ``[DONE]``;
- the OpenAI-compatible transform (every other provider by default) forwards the
  upstream's closing ``choices: []`` chunk with the usage and drops ``[DONE]``;
- the Google AI Studio, Google Vertex and Amazon Bedrock executors build the chunks
  themselves and append ``data: [DONE]`` after the usage chunk.

(The gateway's OpenAI WebSocket executor also appends ``[DONE]``; the mock serves no
request through it.) ``/responses`` streams always end on ``response.completed`` and
``/messages`` streams on ``message_stop``, whatever the provider, never with ``[DONE]``.

The table is keyed on provider ids, not on models, so a new catalogue needs no change
here unless it brings a provider with its own executor.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ChatEnding:
    """The tail of a chat stream after the chunk carrying ``finish_reason``."""

    #: The gateway executor (transform) that produces this ending.
    executor: str
    #: The last JSON frame is a full ``chat.completion`` rather than a ``choices: []`` usage chunk.
    snapshot: bool
    #: ``data: [DONE]`` follows the last JSON frame.
    done: bool


OPENAI_RESPONSES = ChatEnding("openai-responses", snapshot=True, done=False)
OPENAI_COMPATIBLE = ChatEnding("openai-compatible", snapshot=False, done=False)
GOOGLE = ChatEnding("google", snapshot=False, done=True)
BEDROCK = ChatEnding("amazon-bedrock", snapshot=False, done=True)

#: Providers whose executor is not the OpenAI-compatible transform.
ENDING_BY_PROVIDER: dict[str, ChatEnding] = {
    "openai": OPENAI_RESPONSES,
    "google-ai-studio": GOOGLE,
    "google-vertex": GOOGLE,
    "amazon-bedrock": BEDROCK,
}


def chat_ending(provider: str) -> ChatEnding:
    """The ending of a chat stream served by ``provider`` (an ``api_provider_id``)."""
    return ENDING_BY_PROVIDER.get(provider, OPENAI_COMPATIBLE)
