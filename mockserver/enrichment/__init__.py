"""Usage, pricing and timing meta added to synthesized answers (pure arithmetic)."""
