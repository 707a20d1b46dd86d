"""Turn OpenAPI 3.0 schemas into JSON Schema and validate with jsonschema-rs.

OpenAPI 3.0 schemas are a dialect of draft 4: ``nullable`` must become a type list and
the annotation-only keywords must go. Components are translated once per contract and
carried alongside each compiled schema so that local ``$ref``s resolve.
"""

from __future__ import annotations

from typing import Any

import jsonschema_rs

from mockserver.contract.openness import DROPS_UNKNOWN
from mockserver.errors import ValidationDetail
from mockserver.validation.stripping import UnknownKeyDropper
from mockserver.validation.unions import UNION_KEYWORDS, union_details

_DROPPED = {"discriminator", "xml", "externalDocs", "example", "examples", "deprecated", "readOnly", "writeOnly"}
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf")
_SCHEMA_MAPS = ("properties", "patternProperties")
_SCHEMA_SINGLE = ("items", "not", "additionalProperties")
X_JSON = "x-aistats-json"


def to_json_schema(node: Any, *, content_keywords: bool = False, closed: bool = False) -> Any:
    """Translate one OpenAPI schema node (recursively) into draft-4 JSON Schema.

    With ``content_keywords``, ``x-aistats-json`` becomes ``contentMediaType`` and
    ``contentSchema`` (what Schemathesis checks in SSE events). With ``closed``, objects
    that drop unknown keys (``x-aistats-drops-unknown-keys``) refuse them instead: a body
    valid that way has nothing to drop.
    """
    if isinstance(node, list):
        return [to_json_schema(item, content_keywords=content_keywords, closed=closed) for item in node]
    if not isinstance(node, dict):
        return node
    return _translate(node, content_keywords, closed)


def _translate(node: dict[str, Any], content_keywords: bool, closed: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _DROPPED or (key.startswith("x-") and key != X_JSON):
            continue
        if key == X_JSON:
            if content_keywords:
                out["contentMediaType"] = "application/json"
                out["contentSchema"] = to_json_schema(value, content_keywords=True)
            continue
        if key in _SCHEMA_LISTS or key in _SCHEMA_SINGLE:
            out[key] = to_json_schema(value, content_keywords=content_keywords, closed=closed)
        elif key in _SCHEMA_MAPS or key in ("definitions", "schemas"):
            out[key] = {
                name: to_json_schema(sub, content_keywords=content_keywords, closed=closed)
                for name, sub in value.items()
            }
        else:
            out[key] = value
    if closed and node.get(DROPS_UNKNOWN):
        out["additionalProperties"] = False
    _bound_integer_format(out)
    if out.pop("nullable", False):
        _allow_null(out)
    return out


_INTEGER_RANGES = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}


def _bound_integer_format(schema: dict[str, Any]) -> None:
    """OpenAPI's ``int32``/``int64`` formats are ranges; JSON Schema knows no such format."""
    bounds = _INTEGER_RANGES.get(schema.get("format", ""))
    if bounds is None or schema.get("type") not in ("integer", ["integer"]):
        return
    schema.setdefault("minimum", bounds[0])
    schema.setdefault("maximum", bounds[1])


def _allow_null(schema: dict[str, Any]) -> None:
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        schema["type"] = [*types, "null"] if "null" not in types else types
    if "enum" in schema and None not in schema["enum"]:
        schema["enum"] = [*schema["enum"], None]
    for key in ("oneOf", "anyOf"):
        if key in schema:
            schema[key] = [*schema[key], {"type": "null"}]
    if "allOf" in schema and "type" not in schema:
        schema["anyOf"] = [{"allOf": schema.pop("allOf")}, {"type": "null"}]


class SchemaCompiler:
    """Compiled validators for the schemas of one contract, cached by identity."""

    def __init__(self, spec: dict[str, Any]):
        self._raw = spec.get("components", {}).get("schemas", {})
        self._components = {"schemas": {name: to_json_schema(node) for name, node in self._raw.items()}}
        self._closed_components: dict[str, Any] | None = None
        self._cache: dict[int, tuple[Any, Any]] = {}
        self._closed_cache: dict[int, tuple[Any, Any]] = {}
        self._dropper = UnknownKeyDropper(self._raw, self.is_valid)

    def validator(self, schema: dict[str, Any]) -> jsonschema_rs.Draft4Validator:
        cached = self._cache.get(id(schema))
        if cached is not None and cached[0] is schema:
            return cached[1]
        root = dict(to_json_schema(schema))
        root["components"] = self._components
        compiled = jsonschema_rs.Draft4Validator(root, validate_formats=True)
        self._cache[id(schema)] = (schema, compiled)
        return compiled

    def _closed_validator(self, schema: dict[str, Any]) -> jsonschema_rs.Draft4Validator:
        cached = self._closed_cache.get(id(schema))
        if cached is not None and cached[0] is schema:
            return cached[1]
        if self._closed_components is None:
            closed = {name: to_json_schema(node, closed=True) for name, node in self._raw.items()}
            self._closed_components = {"schemas": closed}
        root = dict(to_json_schema(schema, closed=True))
        root["components"] = self._closed_components
        compiled = jsonschema_rs.Draft4Validator(root, validate_formats=True)
        self._closed_cache[id(schema)] = (schema, compiled)
        return compiled

    def drop_unknown_keys(self, schema: dict[str, Any], instance: Any) -> None:
        """Remove, in place, the keys the gateway would drop from a valid ``instance``.

        A body that lists only known keys (the common case) costs one more validation.
        """
        if not self._closed_validator(schema).is_valid(instance):
            self._dropper.drop(schema, instance)

    def errors(
        self, schema: dict[str, Any], instance: Any, prefix: list[str | int] | None = None, limit: int = 20
    ) -> list[ValidationDetail]:
        """Every violation of ``schema`` by ``instance``, as gateway validation details."""
        validator = self.validator(schema)
        details = []
        try:
            if validator.is_valid(instance):
                return []
            for error in validator.iter_errors(instance):
                details.extend(_details(error, list(prefix or [])))
                if len(details) >= limit:
                    break
        except ValueError as exc:  # jsonschema-rs refuses instances nested 256+ deep
            return [ValidationDetail(f"cannot be validated: {exc}", list(prefix or []), "depth")]
        return _deduplicate(details)

    def is_valid(self, schema: dict[str, Any], instance: Any) -> bool:
        return self.validator(schema).is_valid(instance)


def _details(error: jsonschema_rs.ValidationError, prefix: list[str | int]) -> list[ValidationDetail]:
    path = prefix + list(error.instance_path)
    keyword = str(error.schema_path[-1]) if error.schema_path else "schema"
    if keyword == "additionalProperties" and isinstance(error.instance, dict):
        allowed = _allowed_properties(error)
        extras = [key for key in error.instance if key not in allowed] if allowed is not None else []
        if extras:
            return [ValidationDetail(f"Unknown parameter: {key}", [*path, key], "unknown_param") for key in extras]
    if keyword == "required":
        missing = getattr(error.kind, "property", None)
        if isinstance(missing, str):
            return [ValidationDetail(f"Missing required field: {missing}", [*path, missing], "required")]
    if keyword in UNION_KEYWORDS:
        explained = union_details(error, prefix, _details)
        if explained:
            return explained
    return [ValidationDetail(error.message, path, keyword)]


def _allowed_properties(error: jsonschema_rs.ValidationError) -> set[str] | None:
    unexpected, instance = getattr(error.kind, "unexpected", None), error.instance
    if unexpected is None or not isinstance(instance, dict):
        return None
    return set(instance) - set(unexpected)


def _deduplicate(details: list[ValidationDetail]) -> list[ValidationDetail]:
    seen = set()
    unique = []
    for detail in details:
        key = (detail.message, tuple(detail.path), detail.keyword)
        if key not in seen:
            seen.add(key)
            unique.append(detail)
    return unique


def value_errors(schema: dict[str, Any], instance: Any, prefix: list[str | int]) -> list[ValidationDetail]:
    """Every violation of a plain JSON Schema (a tool's parameters, say) by ``instance``,
    compiled for this one check (request-supplied schemas are never cached)."""
    try:
        validator = jsonschema_rs.validator_for(schema)
        errors = [] if validator.is_valid(instance) else list(validator.iter_errors(instance))
    except ValueError as exc:
        return [ValidationDetail(f"cannot be validated: {exc}", list(prefix), "schema")]
    return _deduplicate([detail for error in errors[:20] for detail in _details(error, list(prefix))])
