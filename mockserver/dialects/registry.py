"""Which dialect serves each operation of a surface (its ``x-aistats-dialect``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from mockserver.contract import ContractIndex
from mockserver.dialects.anthropic_messages import AnthropicMessages
from mockserver.dialects.base import Dialect
from mockserver.dialects.google_generate import GoogleEmbed, GoogleGenerate
from mockserver.dialects.native import ModelNames
from mockserver.dialects.openai_chat import OpenAIChat
from mockserver.dialects.openai_media import MEDIA_DIALECTS, media_dialect
from mockserver.dialects.openai_more import OpenAIEmbeddings, OpenAIResponses


@dataclass(frozen=True)
class Entry:
    #: The adapter, built over the current contract and the provider's model names.
    build: Callable[[ContractIndex, ModelNames], Dialect]
    #: The catalogue organisation bare model names are looked up under (None: as sent).
    organisation: str | None


DIALECTS: dict[str, Entry] = {
    "openai-chat": Entry(OpenAIChat, "openai"),
    "openai-responses": Entry(OpenAIResponses, "openai"),
    "openai-embeddings": Entry(OpenAIEmbeddings, "openai"),
    "anthropic-messages": Entry(AnthropicMessages, "anthropic"),
    "google-generate": Entry(GoogleGenerate, "google"),
    "google-stream-generate": Entry(lambda contract, names: GoogleGenerate(contract, names, stream=True), "google"),
    "google-embed": Entry(GoogleEmbed, "google"),
    "google-batch-embed": Entry(lambda contract, names: GoogleEmbed(contract, names, batch=True), "google"),
    "openai-compatible-chat": Entry(
        lambda contract, names: OpenAIChat(contract, names, "openai-compatible-chat", fingerprint=False), None
    ),
    **{name: Entry(media_dialect(name), "openai") for name in MEDIA_DIALECTS},
}


class SurfaceError(ValueError):
    """A surface cannot be served over this contract: an operation names a dialect no adapter
    implements, or the contract lacks the operation a dialect answers through."""


def dialects_for(
    surface: ContractIndex, contract: ContractIndex, known_model: Callable[[str], object | None]
) -> dict[str, Dialect]:
    """Every operation of ``surface`` → its adapter over ``contract``."""
    out: dict[str, Dialect] = {}
    for operation_id, operation in surface.operations.items():
        name = operation.definition.get("x-aistats-dialect")
        if name is None:
            continue
        if name not in DIALECTS:
            raise SurfaceError(f"{operation_id} names dialect {name!r}; known: {', '.join(DIALECTS)}")
        entry = DIALECTS[name]
        try:
            out[operation_id] = entry.build(contract, ModelNames(known_model, entry.organisation))
        except KeyError as missing:
            raise SurfaceError(
                f"{operation_id} ({name}) answers through operation {missing} that the contract "
                f"{contract.title or 'served'} does not have; serve the providers over the current contract"
            ) from None
    return out
