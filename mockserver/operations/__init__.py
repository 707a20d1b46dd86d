"""Domain generators; importing this package registers them all."""

from mockserver.operations import (  # noqa: F401  (imported to register)
    account,
    catalogue_views,
    chat,
    dec2025,
    dec2025_catalogue,
    derank,
    key_cache,
    keys,
    media_audio,
    media_images,
    media_text,
    messages,
    music,
    oauth_clients,
    placeholders,
    pricing_views,
    responses,
    videos,
)
