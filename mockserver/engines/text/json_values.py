"""Values valid against a client's JSON Schema: tool arguments and structured outputs.

The schema comes from the request (a tool's ``parameters``, a ``json_schema`` response
format), so it is plain JSON Schema, not the contract's OpenAPI dialect. Property names
steer the values (a ``city`` gets a city, an ``email`` an address) so that arguments
look like a model wrote them. Every result is checked with ``jsonschema-rs``; a schema the
generator cannot satisfy after a few attempts gives the last attempt (the caller
decides what to do with an invalid value). A schema that asks for more than
:data:`MAX_UNITS` array items, string characters and object properties in all (say
``minItems: 100000000``) is a 400 rather than an answer that never comes.
"""

from __future__ import annotations

import datetime as dt
import functools
import random
from typing import TYPE_CHECKING, Any

import jsonschema_rs
import orjson

from mockserver.engines.numbers import draw_integer, realistic_range
from mockserver.engines.regex import from_regex
from mockserver.errors import GatewayFailure

if TYPE_CHECKING:
    from faker import Faker

#: The most array items + string characters + object properties one value may need.
MAX_UNITS = 100_000
_MAX_DEPTH = 8
_ATTEMPTS = 6
_BASE = dt.datetime(2024, 1, 1)


def valid_value(schema: Any, rng: random.Random, faker: Faker) -> Any:
    """A value that validates against ``schema`` (best effort after a few attempts)."""
    schema = schema if isinstance(schema, dict) else {}
    check = validator_for(schema)
    value: Any = None
    for _ in range(_ATTEMPTS):
        try:
            value = _Values(schema, rng, faker).value(schema, None, 0)
        except _TooLarge as exc:
            raise GatewayFailure(
                400,
                "invalid_request",
                f"the JSON schema asks for {exc} (the mock generates at most {MAX_UNITS} array items, "
                "string characters and object properties in one value)",
            ) from None
        if check is None or check.is_valid(value):
            return value
    return value


class _TooLarge(Exception):
    """The schema needs more than :data:`MAX_UNITS`; the message says what asked for it."""


def validator_for(schema: dict[str, Any]):
    """A validator of the schema's own draft, or None if the schema is broken.

    jsonschema-rs builds one in ~50 µs (python-jsonschema's ``check_schema`` alone takes
    ~4 ms, and this runs for every tool call of every request); clients send the same
    tools on every turn, so validators are also kept by the schema's canonical JSON. As
    with python-jsonschema's defaults, ``format`` is not asserted; remote ``$ref``s are
    never fetched.
    """
    try:
        key = orjson.dumps(schema, option=orjson.OPT_SORT_KEYS)
    except TypeError:
        return _compiled_validator(schema)
    return _kept_validator(key)


@functools.lru_cache(maxsize=256)
def _kept_validator(canonical: bytes):
    return _compiled_validator(orjson.loads(canonical))


def _compiled_validator(schema: Any):
    try:
        return jsonschema_rs.validator_for(schema, validate_formats=False, retriever=_refuse_remote)
    except ValueError:
        return None


def _refuse_remote(uri: str) -> Any:
    raise ValueError(f"remote $ref {uri} is not fetched")


class _Values:
    def __init__(self, root: dict[str, Any], rng: random.Random, faker: Faker):
        self.root = root
        self.rng = rng
        self.faker = faker
        self.left = MAX_UNITS

    def spend(self, units: Any, keyword: str) -> int:
        """Take ``units`` from the budget (raising :class:`_TooLarge` beyond it)."""
        if isinstance(units, float) and units.is_integer():
            units = int(units)
        count = units if isinstance(units, int) and not isinstance(units, bool) else 0
        if count > self.left:
            raise _TooLarge(f"{keyword} {count}" if count < 10**12 else f"{keyword} beyond 10^12")
        self.left -= max(0, count)
        return count

    def resolve(self, schema: Any) -> dict[str, Any]:
        seen = 0
        while isinstance(schema, dict) and "$ref" in schema and seen < 20:
            node: Any = self.root
            for part in schema["$ref"].lstrip("#").strip("/").split("/"):
                if part:
                    node = node.get(part.replace("~1", "/").replace("~0", "~"), {}) if isinstance(node, dict) else {}
            schema, seen = node, seen + 1
        return schema if isinstance(schema, dict) else {}

    def value(self, schema: Any, name: str | None, depth: int) -> Any:
        schema = self.resolve(schema)
        if "const" in schema:
            return schema["const"]
        if schema.get("enum"):
            return self.rng.choice(schema["enum"])
        if "allOf" in schema:
            merged = {k: v for k, v in schema.items() if k != "allOf"}
            for part in schema["allOf"]:
                part = self.resolve(part)
                merged.setdefault("properties", {}).update(part.get("properties", {}))
                merged["required"] = list(dict.fromkeys([*merged.get("required", []), *part.get("required", [])]))
                for key, item in part.items():
                    merged.setdefault(key, item)
            schema = merged
        for key in ("anyOf", "oneOf"):
            if schema.get(key):
                options = [o for o in schema[key] if self.resolve(o).get("type") != "null"] or schema[key]
                return self.value(options[0] if key == "oneOf" else self.rng.choice(options), name, depth + 1)
        kind = schema.get("type")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), "null")
        if kind is None:
            kind = "object" if "properties" in schema else "array" if "items" in schema else "string"
        if depth > _MAX_DEPTH:
            return {"object": {}, "array": [], "string": "", "integer": 0, "number": 0, "boolean": False}.get(kind)
        return getattr(self, f"_{kind}", self._string)(schema, name, depth)

    def _object(self, schema, name, depth):
        properties = schema.get("properties", {})
        required = set(schema.get("required", []))
        out = {}
        for prop, sub in properties.items():
            if prop in required or self.rng.random() < 0.7:
                out[prop] = self.value(sub, prop, depth + 1)
        for prop in required - set(out):
            out[prop] = self.value(schema.get("additionalProperties") or {}, prop, depth + 1)
        minimum = self.spend(schema.get("minProperties", 0), "minProperties")
        extra = schema.get("additionalProperties", True)
        while len(out) < minimum and extra is not False:
            key = self.faker.word()
            key = key if key not in out else f"{key}_{len(out)}"  # Faker has only so many words
            out[key] = self.value(extra if isinstance(extra, dict) else {}, None, depth + 1)
        return out

    def _array(self, schema, name, depth):
        low = self.spend(schema.get("minItems", 1), "minItems")
        high = max(low, min(int(schema.get("maxItems", low + 2)), low + 3))
        items = schema.get("items", {})
        if isinstance(items, list):  # tuple form (draft 4-7)
            return [self.value(item, name, depth + 1) for item in items]
        prefix = schema.get("prefixItems", [])
        values = [self.value(item, name, depth + 1) for item in prefix]
        values += [
            self.value(items, _singular(name), depth + 1)
            for _ in range(max(0, self.rng.randint(low, high) - len(prefix)))
        ]
        if schema.get("uniqueItems"):
            values = _unique(values)
        return values

    def _integer(self, schema, name, depth):
        low, high = realistic_range(name, True, *_bounds(schema, integer=True), default=(1, 100))
        value = draw_integer(self.rng, low, high)
        step = schema.get("multipleOf")
        if isinstance(step, int) and step > 0:
            value = max(int(low), (value // step) * step) if value % step else value
        return value

    def _number(self, schema, name, depth):
        low, high = realistic_range(name, False, *_bounds(schema, integer=False), default=(0.0, 100.0))
        return round(self.rng.uniform(low, high), 2) if high - low >= 0.02 else low

    def _boolean(self, schema, name, depth):
        return self.rng.random() < 0.5

    def _null(self, schema, name, depth):
        return None

    def _string(self, schema, name, depth):
        if "pattern" in schema:
            return from_regex(schema["pattern"], self.rng)
        text = _by_format(self.faker, schema.get("format")) or _by_name(self.faker, (name or "").lower())
        if text is None:
            text = self.faker.sentence(nb_words=self.rng.randint(2, 6)).rstrip(".")
        low, high = self.spend(schema.get("minLength", 0), "minLength"), schema.get("maxLength")
        if len(text) < low:
            parts, size = [text], len(text)
            while size < low:
                word = " " + self.faker.word()
                parts.append(word)
                size += len(word)
            text = "".join(parts)
        return text[: int(high)] if high is not None else text


def _unique(values: list[Any]) -> list[Any]:
    """``values`` without repeats, first kept (by canonical JSON: values may be unhashable)."""
    seen: set[bytes | str] = set()
    kept = []
    for value in values:
        try:
            key: bytes | str = orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
        except TypeError:
            key = repr(value)
        if key not in seen:
            seen.add(key)
            kept.append(value)
    return kept


def _bounds(schema, *, integer: bool) -> tuple[float | None, float | None]:
    """The schema's own bounds, exclusive ones moved inside (draft 4 booleans or draft 6+
    numbers); None where it sets none."""
    low, high = schema.get("minimum"), schema.get("maximum")
    nudge = 1 if integer else 0.01
    exclusive_low, exclusive_high = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")
    if isinstance(exclusive_low, bool):
        low = low + nudge if exclusive_low and low is not None else low
    elif isinstance(exclusive_low, int | float):
        low = exclusive_low + nudge if low is None else max(low, exclusive_low + nudge)
    if isinstance(exclusive_high, bool):
        high = high - nudge if exclusive_high and high is not None else high
    elif isinstance(exclusive_high, int | float):
        high = exclusive_high - nudge if high is None else min(high, exclusive_high - nudge)
    return low, high


def _fixed_instant(faker: Faker) -> dt.datetime:
    """An instant in 2024-2026 (Faker's own date helpers move with the wall clock)."""
    return _BASE + dt.timedelta(seconds=faker.random_int(0, 3 * 365 * 86400))


def _by_format(faker: Faker, fmt: str | None) -> str | None:
    make = _BY_FORMAT.get(fmt or "")
    return make(faker) if make else None


def _by_name(faker: Faker, name: str) -> str | None:
    make = _BY_NAME.get(name)
    return make(faker) if make else None


# Built once: building these tables of Faker methods on every call cost more than the values.
_BY_FORMAT: dict[str, Any] = {
    "date-time": lambda faker: _fixed_instant(faker).strftime("%Y-%m-%dT%H:%M:%SZ"),
    "date": lambda faker: _fixed_instant(faker).date().isoformat(),
    "time": lambda faker: _fixed_instant(faker).strftime("%H:%M:%S"),
    "email": lambda faker: faker.email(),
    "uri": lambda faker: faker.url(),
    "url": lambda faker: faker.url(),
    "uuid": lambda faker: faker.uuid4(),
    "hostname": lambda faker: faker.domain_name(),
    "ipv4": lambda faker: faker.ipv4(),
    "ipv6": lambda faker: faker.ipv6(),
}
_BY_NAME: dict[str, Any] = {}
for _names, _make in (
    (("city", "location", "place", "town"), lambda faker: faker.city()),
    (("country",), lambda faker: faker.country()),
    (("name", "full_name", "username", "author", "person"), lambda faker: faker.name()),
    (("first_name",), lambda faker: faker.first_name()),
    (("last_name", "surname"), lambda faker: faker.last_name()),
    (("email",), lambda faker: faker.email()),
    (("phone", "phone_number"), lambda faker: faker.phone_number()),
    (("address", "street"), lambda faker: faker.street_address()),
    (("company", "organisation", "organization"), lambda faker: faker.company()),
    (("url", "website", "link"), lambda faker: faker.url()),
    (("date", "day"), lambda faker: _fixed_instant(faker).date().isoformat()),
    (("unit", "units"), lambda faker: faker.random_element(["celsius", "fahrenheit"])),
    (("currency",), lambda faker: faker.currency_code()),
    (("language", "lang"), lambda faker: faker.language_name()),
    (("title", "subject", "summary", "headline"), lambda faker: faker.catch_phrase()),
    (("query", "search", "q", "keyword", "topic"), lambda faker: " ".join(faker.words(nb=3))),
    (("description", "text", "content", "message", "body", "answer", "reason"), lambda faker: faker.sentence()),
    (("color", "colour"), lambda faker: faker.color_name()),
    (("id", "identifier"), lambda faker: faker.bothify("id_########")),
):
    for _name in _names:
        _BY_NAME.setdefault(_name, _make)


def _singular(name: str | None) -> str | None:
    if name and name.endswith("s") and not name.endswith("ss"):
        return name[:-1]
    return name
