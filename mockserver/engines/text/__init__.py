"""Text generation, surface-neutral: request reading, the engine, prose, JSON values, routing."""
