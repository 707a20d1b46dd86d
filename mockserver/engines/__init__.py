"""The pure engines the operations use: text, media, job lifecycles, seeded values."""
