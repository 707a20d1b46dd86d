"""Contract shapes: how an older contract's answers differ from the current one's.

The domain generators answer in the shapes of the current contract (2026-03). A
contract whose spec names a dialect (``x-aistats-dialect`` at its root) is served through
that dialect over the current contract (:mod:`mockserver.dialects.dec2025`), which maps
the current answers with the tables here: error envelopes in :mod:`mockserver.encoding.dialect_envelopes`,
success bodies and stream frames in :mod:`mockserver.shapes.dec2025` (driven by
:mod:`mockserver.shapes.tables`). Nothing here invents content; it only renames, gates and
reorders what the generators made.
"""
