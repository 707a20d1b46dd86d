"""Dialects: other APIs served by adapters around the one dispatcher.

A dialect maps a request of the served surface (an OpenAPI document of ours, e.g.
``spec/providers/``) to the current contract's operation, and the gateway's reply (answer,
stream frames, error) back into the surface's own shapes. Synthesis and encoding never
see a dialect: :class:`~mockserver.dialects.adapter.DialectDispatcher` runs
inbound → dispatcher → outbound.
"""
