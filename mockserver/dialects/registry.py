"""Which dialect serves each operation of a surface: the operation's ``x-aistats-dialect``,
else the one its document names at its root (the 2025-12 contract names ``2025-12``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from mockserver.catalogue import Catalogue
from mockserver.contract import ContractIndex
from mockserver.dialects.anthropic_messages import AnthropicMessages
from mockserver.dialects.base import Dialect
from mockserver.dialects.dec2025 import Dec2025
from mockserver.dialects.google_generate import GoogleEmbed, GoogleGenerate
from mockserver.dialects.native import ModelNames
from mockserver.dialects.openai_chat import OpenAIChat
from mockserver.dialects.openai_media import MEDIA_DIALECTS, media_dialect
from mockserver.dialects.openai_more import OpenAIEmbeddings, OpenAIResponses


@dataclass(frozen=True)
class Basis:
    """What an adapter is built on: the current contract, the catalogue, the server's epoch."""

    contract: ContractIndex
    catalogue: Catalogue
    epoch: int

    def names(self, organisation: str | None) -> ModelNames:
        return ModelNames(self.catalogue.get, organisation)


Build = Callable[[Basis], Dialect]


def provider(make: Callable[[ContractIndex, ModelNames], Dialect], organisation: str | None) -> Build:
    """A provider's adapter: the contract and the provider's model names."""
    return lambda basis: make(basis.contract, basis.names(organisation))


DIALECTS: dict[str, Build] = {
    "openai-chat": provider(OpenAIChat, "openai"),
    "openai-responses": provider(OpenAIResponses, "openai"),
    "openai-embeddings": provider(OpenAIEmbeddings, "openai"),
    "anthropic-messages": provider(AnthropicMessages, "anthropic"),
    "google-generate": provider(GoogleGenerate, "google"),
    "google-stream-generate": provider(lambda contract, names: GoogleGenerate(contract, names, stream=True), "google"),
    "google-embed": provider(GoogleEmbed, "google"),
    "google-batch-embed": provider(lambda contract, names: GoogleEmbed(contract, names, batch=True), "google"),
    "openai-compatible-chat": provider(
        lambda contract, names: OpenAIChat(contract, names, "openai-compatible-chat", fingerprint=False), None
    ),
    **{name: provider(media_dialect(name), "openai") for name in MEDIA_DIALECTS},
    "2025-12": lambda basis: Dec2025(basis.contract, basis.catalogue, basis.epoch),
}


class SurfaceError(ValueError):
    """A surface cannot be served over this contract: an operation names a dialect no adapter
    implements, or the contract lacks the operation a dialect answers through."""


def dialects_for(surface: ContractIndex, basis: Basis) -> dict[str, Dialect]:
    """Every operation of ``surface`` → its adapter over ``basis.contract`` (one adapter per
    dialect name, shared by the operations that name it)."""
    built: dict[str, Dialect] = {}
    out: dict[str, Dialect] = {}
    for operation_id, operation in surface.operations.items():
        name = operation.definition.get("x-aistats-dialect") or surface.dialect
        if name is None:
            continue
        if name not in DIALECTS:
            raise SurfaceError(f"{operation_id} names dialect {name!r}; known: {', '.join(DIALECTS)}")
        if name not in built:
            built[name] = _build(name, basis, operation_id)
        out[operation_id] = built[name]
    return out


def _build(name: str, basis: Basis, operation_id: str) -> Dialect:
    try:
        return DIALECTS[name](basis)
    except KeyError as missing:
        raise SurfaceError(
            f"{operation_id} ({name}) answers through operation {missing} that the contract "
            f"{basis.contract.title or 'served'} does not have; serve it over the current contract"
        ) from None
