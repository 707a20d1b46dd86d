"""Pure media synthesis: vectors, moderation scores, audio, transcripts, images, OCR.

Nothing here imports a web framework; the generators in
``mockserver/operations/media_*.py`` turn these into replies, and the
conformance suite can reuse them as an oracle.
"""
