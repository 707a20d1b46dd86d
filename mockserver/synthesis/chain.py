"""The synthesis chain: domain generator, then spec examples, then schema data."""

from __future__ import annotations

from mockserver.contract.index import MediaType, ResponseDoc
from mockserver.errors import GatewayFailure
from mockserver.model import MockReply
from mockserver.synthesis import schema_data
from mockserver.synthesis.context import SynthesisContext
from mockserver.synthesis.preferences import Preferences
from mockserver.synthesis.registry import generator_for

_JSON = ("application/json", "application/problem+json")


def synthesize(ctx: SynthesisContext, prefs: Preferences) -> MockReply:
    operation = ctx.operation
    status = prefs.code or operation.success_status
    response = operation.response(status)
    if response is None:
        raise GatewayFailure(
            400, "validation_error", f"Prefer code={status} is not documented for {operation.operation_id}"
        )
    if status == operation.success_status and not prefs.dynamic and not prefs.example:
        domain = generator_for(operation.operation_id)
        if domain is not None:
            reply = domain(ctx)
            # Generators price usage from one plan (tests/server/test_generator_consistency.py).
            reply.consistent = True
            return reply
    return from_documentation(ctx, response, prefs, status)


def from_documentation(ctx: SynthesisContext, response: ResponseDoc, prefs: Preferences, status: int) -> MockReply:
    """The documented answer for ``status``, with the headers the spec marks required."""
    reply = _documented_body(ctx, response, prefs, status)
    for name, header in response.headers.items():
        if header.get("required") and "schema" in header:
            reply.headers.setdefault(name, str(schema_data.generate(ctx, header["schema"])))
    return reply


def _documented_body(ctx: SynthesisContext, response: ResponseDoc, prefs: Preferences, status: int) -> MockReply:
    media = _pick_media_type(response)
    if media is None:
        return MockReply(status=status, body=None, media_type="")
    if prefs.example:
        if prefs.example not in media.examples:
            raise GatewayFailure(400, "validation_error", f"no example named {prefs.example!r} for status {status}")
        return _reply(status, media, media.examples[prefs.example])
    if media.examples and not prefs.dynamic:
        return _reply(status, media, next(iter(media.examples.values())))
    if media.schema is None:
        return _reply(status, media, {} if media.name in _JSON else "")
    return _reply(status, media, schema_data.generate(ctx, media.schema))


def _pick_media_type(response: ResponseDoc) -> MediaType | None:
    for name in _JSON:
        if name in response.media_types:
            return response.media_types[name]
    return next(iter(response.media_types.values()), None)


def _reply(status: int, media: MediaType, value) -> MockReply:
    if media.name in _JSON or media.name.endswith("+json"):
        return MockReply(status=status, body=value, media_type=media.name)
    if isinstance(value, bytes):
        return MockReply(status=status, content=value, media_type=media.name)
    return MockReply(status=status, content=str(value).encode(), media_type=media.name)
