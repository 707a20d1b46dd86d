"""The 2025-12 contract's operations (``serve --contract 2025-12``).

Inference and the generation lookup are answered by the current generators through the
shape tables (:mod:`mockserver.shapes`): one registration per 2025-12 operation, no
second code path. The routes that then answered 501 are below.
"""

from __future__ import annotations

from collections.abc import Callable

from mockserver.model import MockReply
from mockserver.shapes.dec2025 import answer
from mockserver.shapes.tables import SOURCES
from mockserver.synthesis.context import SynthesisContext
from mockserver.synthesis.registry import generator

#: 2025-12 placeholder operation → what the 501 says was not built yet.
NOT_BUILT = {
    "getCreditsPlaceholderDec25": "Credits endpoint is not implemented yet.",
    "listProvidersPlaceholderDec25": "Providers endpoint is not implemented yet.",
    "listEndpointsPlaceholderDec25": "Endpoints endpoint is not implemented yet.",
    "listApiKeysPlaceholderDec25": "API keys endpoint is not implemented yet.",
    "createApiKeyPlaceholderDec25": "API keys endpoint is not implemented yet.",
    "createEmbeddingPlaceholderDec25": "Embeddings endpoint is not implemented yet.",
    "createAudioPlaceholderDec25": "Audio endpoint is not implemented yet.",
}


def _answering(operation_id: str) -> Callable[[SynthesisContext], MockReply]:
    def generate(ctx: SynthesisContext) -> MockReply:
        return answer(ctx, operation_id)

    generate.__name__ = f"answer_{operation_id}"
    return generate


def _not_built(message: str) -> Callable[[SynthesisContext], MockReply]:
    def generate(ctx: SynthesisContext) -> MockReply:
        return MockReply(status=501, body={"ok": False, "error": "not_implemented", "message": message})

    return generate


for _operation_id, _source in SOURCES.items():
    generator(_operation_id, like=_source.operation)(_answering(_operation_id))
for _operation_id, _message in NOT_BUILT.items():
    generator(_operation_id)(_not_built(_message))
