"""Domain generators; importing this package registers them all."""

from mockserver.synthesis.generators import placeholders  # noqa: F401
from mockserver.synthesis.generators import media_audio, media_images, media_text  # noqa: F401
from mockserver.synthesis.generators import chat, messages, responses  # noqa: F401
from mockserver.synthesis.generators import account, catalogue_views, keys, music, videos  # noqa: F401
from mockserver.synthesis.generators import dec2025, dec2025_catalogue  # noqa: F401
from mockserver.synthesis.generators import derank, key_cache, oauth_clients, pricing_views  # noqa: F401
