"""What differs between the 2025-12 surface and the current one, as data.

:data:`SOURCES` says, for each 2025-12 operation served by a current generator, which
current operation answers it, how its request is renamed on the way in and which
payload mapping its answer goes through on the way out. The other tables are those
mappings' renames. :mod:`mockserver.shapes.dec2025` applies them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Source:
    #: The current operationId whose domain generator answers.
    operation: str
    #: The payload mapping its answer goes through (a key of ``PAYLOADS`` in dec2025).
    payload: str
    #: 2025-12 request field → the current field with the same meaning.
    request_renames: Mapping[str, str] = field(default_factory=dict)
    #: Path parameters the current operation takes in its query instead.
    path_to_query: tuple[str, ...] = ()


SOURCES: dict[str, Source] = {
    "createChatCompletionDec25": Source(
        "createChatCompletion", "chat", {"max_completions_tokens": "max_completion_tokens"}
    ),
    "createModerationDec25": Source("createModeration", "moderation"),
    "createModerationDocAliasDec25": Source("createModeration", "moderation"),
    "createImageDec25": Source("createImage", "image"),
    "createVideoDec25": Source("createVideo", "video", {"duration": "seconds", "ratio": "aspect_ratio"}),
    "getGenerationDec25": Source("getGeneration", "record"),
    "getGenerationByPathDec25": Source("getGeneration", "record", path_to_query=("id",)),
}

#: Request switches that add ``usage`` / ``meta`` to an answer only when literally true.
USAGE_SWITCH, META_SWITCH = "usage", "meta"

#: Keys of a moderation result: current name → 2025-12 name.
MODERATION_RESULT_RENAMES = {"category_scores": "scores", "category_applied_input_types": "applied_input_types"}

#: Where the current usage keeps reasoning and cached-prompt counts: (object, key) paths.
REASONING_SOURCES = (("completion_tokens_details", "reasoning_tokens"), ("output_tokens_details", "reasoning_tokens"))
CACHED_SOURCES = (("prompt_tokens_details", "cached_tokens"), ("input_tokens_details", "cached_tokens"))
#: Current token totals: (input, output) key pairs, chat first.
TOKEN_PAIRS = (("prompt_tokens", "completion_tokens"), ("input_tokens", "output_tokens"))
#: Non-token quantities the current usage carries at top level, kept under the same name.
KEPT_QUANTITIES = ("output_video_seconds", "embedding_tokens")
#: Where the current usage keeps its price.
PRICING_KEYS = ("pricing", "pricing_breakdown")
#: The timing keys of the current ``meta`` that 2025-12 reported under ``meta.timing``.
TIMING_KEYS = ("latency_ms", "generation_ms", "throughput_tps")
#: Request headers echoed in the 2025-12 ``meta``.
META_HEADERS = {"appTitle": "x-title", "referer": "http-referer"}

# --------------------------------------------------------------------------- catalogue
#: Catalogue capability → the 2025-12 endpoint name. Capabilities missing here had no
#: route in 2025-12; a model with none of these is not listed.
ENDPOINT_BY_CAPABILITY = {
    "text.generate": "chat.completions",
    "image.generate": "images.generations",
    "audio.speech": "audio.speech",
    "audio.transcribe": "audio.transcription",
    "moderation": "moderations",
    "video.generate": "video.generation",
    "text.embed": "embeddings",
}
#: Catalogue status → the 2025-12 lifecycle name.
STATUS_NAMES = {
    "rumoured": "Rumoured",
    "announced": "Announced",
    "preview": "Announced",
    "active": "Available",
    "deprecated": "Deprecated",
    "retired": "Retired",
}
#: ``include_*`` switches of ``GET /models`` and the lifecycle name each one lets through.
LIFECYCLE_SWITCHES = {"include_rumoured": "Rumoured", "include_deprecated": "Deprecated", "include_retired": "Retired"}
