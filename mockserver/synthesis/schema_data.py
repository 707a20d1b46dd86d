"""Schema-driven data: a realistic value for any schema of the contract.

Names of properties steer the choice (a ``model`` gets a real model id, a ``created_at``
a timestamp, an ``id`` a gateway-style id), so the fallback for operations without a
domain generator still reads like the gateway, not like ``"string"``.
"""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

from mockserver import ids
from mockserver.contract.loader import resolve_ref
from mockserver.engines.numbers import draw_integer, realistic_range
from mockserver.engines.regex import from_regex
from mockserver.enrichment.pricing import TOKEN_UNIT
from mockserver.synthesis.context import SynthesisContext

_MAX_DEPTH = 12
_PRICE_STRINGS = {"unit_price_usd"}
_ATTEMPTS = 8


def generate(ctx: SynthesisContext, schema: dict[str, Any]) -> Any:
    """A value valid against ``schema``; retries with fresh choices until one validates."""
    value = None
    for attempt in range(_ATTEMPTS):
        value = _Generator(ctx, ctx.fork(f"schema-data-{attempt}")).value(schema, None, 0)
        if ctx.compiler.is_valid(schema, value):
            return value
    return value


class _Generator:
    def __init__(self, ctx: SynthesisContext, rng):
        self.ctx = ctx
        self.rng = rng
        self.spec = ctx.index.spec

    def value(self, schema: Any, name: str | None, depth: int) -> Any:
        schema = resolve_ref(self.spec, schema) if isinstance(schema, dict) else {}
        if "allOf" in schema:
            schema = self._merge_all_of(schema)
        for key in ("oneOf", "anyOf"):
            if key in schema:
                options = [o for o in schema[key] if resolve_ref(self.spec, o).get("type") != "null"] or schema[key]
                return self.value(self.rng.choice(options), name, depth + 1)
        if "enum" in schema:
            choices = [c for c in schema["enum"] if c is not None] or schema["enum"]
            return self.rng.choice(choices)
        if "default" in schema and self.rng.random() < 0.3:
            return schema["default"]
        kind = schema.get("type") or ("object" if "properties" in schema else "string")
        if depth > _MAX_DEPTH:
            return None if schema.get("nullable") else _empty(kind)
        return getattr(self, f"_{kind}", self._string)(schema, name, depth)

    def _merge_all_of(self, schema: dict[str, Any]) -> dict[str, Any]:
        merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
        for part in schema["allOf"]:
            part = resolve_ref(self.spec, part)
            if "allOf" in part:
                part = self._merge_all_of(part)
            merged.setdefault("properties", {}).update(part.get("properties", {}))
            merged["required"] = sorted(set(merged.get("required", [])) | set(part.get("required", [])))
            for key, value in part.items():
                merged.setdefault(key, value)
        return merged

    def _object(self, schema, name, depth):
        required = set(schema.get("required", []))
        out = {}
        for prop, sub in schema.get("properties", {}).items():
            if prop in required or self.rng.random() < 0.6:
                out[prop] = self.value(sub, prop, depth + 1)
        extra = schema.get("additionalProperties")
        if not schema.get("properties") and isinstance(extra, dict) and extra:
            for _ in range(self.rng.randint(1, 3)):
                out[self.ctx.faker.word()] = self.value(extra, None, depth + 1)
        return out

    def _array(self, schema, name, depth):
        low = schema.get("minItems", 1 if depth < 4 else 0)
        high = max(low, min(schema.get("maxItems", low + 2), low + 2))
        items = [
            self.value(schema.get("items", {}), _singular(name), depth + 1) for _ in range(self.rng.randint(low, high))
        ]
        if schema.get("uniqueItems"):
            unique = []
            for item in items:
                if item not in unique:
                    unique.append(item)
            items = unique
        return items

    def _integer(self, schema, name, depth):
        low, high = _bounds(schema)
        lname = (name or "").lower()
        if lname in {"created", "created_at", "completed_at", "expires_at", "timestamp"} or lname.endswith("_at"):
            return int(_clamp(self.ctx.stamp(), low, high))
        if lname == "unit_size" and _admits(schema, TOKEN_UNIT):
            return TOKEN_UNIT
        return draw_integer(self.rng, *realistic_range(name, True, low, high, (0, 1000)))

    def _number(self, schema, name, depth):
        lname = (name or "").lower()
        low, high = _bounds(schema)
        if lname == "unit_size" and _admits(schema, TOKEN_UNIT):
            return TOKEN_UNIT
        if lname == "quantity":
            return draw_integer(self.rng, *realistic_range(name, True, low, high, (0, 1000)))
        low, high = realistic_range(name, False, low, high, (0.0, 1000.0))
        return round(self.rng.uniform(low, high), 4)

    def _boolean(self, schema, name, depth):
        return self.rng.random() < 0.5

    def _null(self, schema, name, depth):
        return None

    def _string(self, schema, name, depth):
        if (name or "").lower() in _PRICE_STRINGS and self.ctx.compiler.is_valid(schema, "0.150000000"):
            # Prices per million tokens in the range real models charge, so that answers
            # made from schema data cost what a real request would.
            return f"{self.rng.uniform(0.02, 15.0):.9f}"
        if "pattern" in schema:
            return from_regex(schema["pattern"], self.rng)
        text = _by_format(self, schema.get("format"), name) or _by_name(self, (name or "").lower())
        if text is None:
            text = self.ctx.faker.sentence(nb_words=self.rng.randint(3, 8)).rstrip(".")
        low, high = schema.get("minLength", 0), schema.get("maxLength")
        if high is not None:
            text = text[:high]
        while len(text) < low:
            text += self.ctx.faker.word()
        return text[:high] if high is not None else text


def _admits(schema, number) -> bool:
    return schema.get("minimum", number) <= number <= schema.get("maximum", number)


def _clamp(value: float, low: float | None, high: float | None) -> float:
    value = value if low is None else max(low, value)
    return value if high is None else min(high, value)


def _bounds(schema) -> tuple[float | None, float | None]:
    """The schema's own bounds (OpenAPI 3.0: boolean exclusives), None where it sets none."""
    low, high = schema.get("minimum"), schema.get("maximum")
    step = 1 if schema.get("type") == "integer" else 1e-6
    if low is not None and schema.get("exclusiveMinimum") is True:
        low = low + step
    if high is not None and schema.get("exclusiveMaximum") is True:
        high = high - step
    return low, high


def _by_format(gen: _Generator, fmt: str | None, name: str | None) -> str | None:
    faker, rng = gen.ctx.faker, gen.rng
    if fmt == "date-time":
        return dt.datetime.fromtimestamp(gen.ctx.stamp(), dt.UTC).isoformat().replace("+00:00", "Z")
    if fmt == "date":
        return dt.date.fromtimestamp(gen.ctx.stamp()).isoformat()
    if fmt in ("uri", "url"):
        return faker.url() + faker.slug()
    if fmt == "uuid":
        return ids.uuid4(rng)
    if fmt == "email":
        return faker.email()
    if fmt in ("byte", "base64"):
        return base64.b64encode(rng.randbytes(24)).decode()
    if fmt == "binary":
        return rng.randbytes(16).hex()
    return None


def _by_name(gen: _Generator, name: str) -> str | None:
    ctx, rng, faker = gen.ctx, gen.rng, gen.ctx.faker
    if name in {"model", "model_id", "modelid"}:
        return rng.choice(ctx.catalogue.ids())
    if name in {"provider", "api_provider_id", "selected_provider", "provider_id"}:
        return rng.choice(sorted(ctx.catalogue.providers))
    if name in {"requestid", "request_id", "generation_id"}:
        return ids.generation_id(rng, ctx.stamp() * 1000)
    if name in {"team_id", "organisation_id"}:
        return "team_" + ids.token(rng, 12)
    if name == "id" or name.endswith("_id") or name.endswith("id"):
        return ids.prefixed(rng, (name[:-3] + "_") if name.endswith("_id") else "id_", 20)
    if name.endswith("url") or name.endswith("uri") or name == "link":
        return faker.url() + faker.slug()
    if name in {"created_at", "updated_at", "last_used_at", "timestamp", "generated_at", "last_updated"}:
        return dt.datetime.fromtimestamp(ctx.stamp(), dt.UTC).isoformat().replace("+00:00", "Z")
    if name in {"release_date", "deprecation_date", "retirement_date", "date"}:
        return dt.date.fromtimestamp(ctx.stamp()).isoformat()
    if name in {"name", "title", "organisation_name", "api_provider_name"}:
        return faker.catch_phrase()
    if name == "currency":
        return "USD"
    if name == "country_code":
        return faker.country_code()
    if name.endswith("colour") or name.endswith("color"):
        return faker.hex_color()
    if name == "email":
        return faker.email()
    if name in {"description", "message", "text", "content", "prompt", "revised_prompt", "reason"}:
        return faker.sentence(nb_words=rng.randint(6, 14))
    return None


def _singular(name: str | None) -> str | None:
    if not name:
        return None
    return name[:-1] if name.endswith("s") and not name.endswith("ss") else name


def _empty(kind: str) -> Any:
    return {"object": {}, "array": [], "string": "", "integer": 0, "number": 0, "boolean": False}.get(kind)
