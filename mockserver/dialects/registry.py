"""Which dialect serves each operation of a surface (its ``x-aistats-dialect``)."""

from __future__ import annotations

from collections.abc import Callable

from mockserver.contract import ContractIndex
from mockserver.dialects.anthropic_messages import AnthropicMessages
from mockserver.dialects.base import Dialect
from mockserver.dialects.google_generate import GoogleEmbed, GoogleGenerate
from mockserver.dialects.openai_chat import OpenAIChat

#: Dialect name → the adapter built over the current contract.
DIALECTS: dict[str, Callable[[ContractIndex], Dialect]] = {
    "openai-chat": OpenAIChat,
    "anthropic-messages": AnthropicMessages,
    "google-generate": GoogleGenerate,
    "google-stream-generate": lambda contract: GoogleGenerate(contract, stream=True),
    "google-embed": GoogleEmbed,
    "google-batch-embed": lambda contract: GoogleEmbed(contract, batch=True),
    "openai-compatible-chat": lambda contract: OpenAIChat(contract, "openai-compatible-chat", fingerprint=False),
}


class UnknownDialect(ValueError):
    """A surface's operation names a dialect no adapter implements."""


def dialects_for(surface: ContractIndex, contract: ContractIndex) -> dict[str, Dialect]:
    """Every operation of ``surface`` → its adapter over ``contract``."""
    out: dict[str, Dialect] = {}
    for operation_id, operation in surface.operations.items():
        name = operation.definition.get("x-aistats-dialect")
        if name is None:
            continue
        if name not in DIALECTS:
            raise UnknownDialect(f"{operation_id} names dialect {name!r}; known: {', '.join(DIALECTS)}")
        out[operation_id] = DIALECTS[name](contract)
    return out
