"""The 2025-12 contract's routes that then answered 501 (``serve --contract 2025-12``).

Its inference routes and the generation lookup are not generated here: the 2025-12 dialect
(:mod:`mockserver.dialects.dec2025`) answers them through the current operations.
"""

from __future__ import annotations

from collections.abc import Callable

from mockserver.model import MockReply
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


def _not_built(message: str) -> Callable[[SynthesisContext], MockReply]:
    def generate(ctx: SynthesisContext) -> MockReply:
        return MockReply(status=501, body={"ok": False, "error": "not_implemented", "message": message})

    return generate


for _operation_id, _message in NOT_BUILT.items():
    generator(_operation_id)(_not_built(_message))
