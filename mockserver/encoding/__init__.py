"""Encoding: replies and failures into bytes (JSON, SSE frames, binary) and headers."""
