"""Connexion validators that report every offending field in the gateway's terms.

They replace Connexion's defaults (python-jsonschema, first error only, 500 on invalid
UTF-8 or malformed multipart) with jsonschema-rs and :class:`GatewayFailure`s, and leave
the parsed body in the scope for the dispatcher.
"""

from __future__ import annotations

import json
import typing as t

from connexion.datastructures import MediaTypeDict
from connexion.validators import (
    AbstractRequestBodyValidator,
    FormDataValidator,
    JSONRequestBodyValidator,
    MultiPartFormDataValidator,
)
from connexion.validators.parameter import ParameterValidator
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException

from mockserver.encoding.json_input import JsonLimitError, parse_json_body
from mockserver.errors import GatewayFailure, ValidationDetail, invalid_json, validation_failure
from mockserver.model import UploadedFile
from mockserver.pipeline.runtime import Runtime
from mockserver.server.offload import is_large, run_off_loop_if
from mockserver.server.paths import path_params
from mockserver.server.scope import request_state


def validator_map(runtime: Runtime) -> dict[str, t.Any]:
    compiler = runtime.surface.compiler

    def body_is_ignored(scope) -> bool:
        """Placeholder routes (files, batches) answer without ever reading the body."""
        routing = scope.get("extensions", {}).get("connexion_routing", {})
        operation = runtime.surface.index.operations.get(routing.get("operation_id", ""))
        return operation is not None and operation.family == "files"

    class BodyGate(AbstractRequestBodyValidator):
        """Skip bodies the route never reads; name a missing required body like any field."""

        async def wrap_receive(self, receive, *, scope):
            if body_is_ignored(scope):
                return receive, scope
            if self._required and not request_state(scope).raw_body.strip():
                raise validation_failure([ValidationDetail("Request body is required", [], "required")])
            return await super().wrap_receive(receive, scope=scope)

    class JsonBody(JSONRequestBodyValidator):
        """Parses and validates the bytes the edge buffered, never Connexion's stream.

        Connexion's own path decides from ``Content-Length`` whether there is a body at all,
        and re-encodes a validated body (``json.dumps``, a deep copy of the headers) so that
        defaults filled in by validation reach the app. jsonschema-rs fills nothing in and
        the dispatcher reads the parsed body from the scope, so the original bytes are passed
        on unchanged; a large body is parsed and validated off the event loop.
        """

        async def wrap_receive(self, receive, *, scope):
            state = request_state(scope)
            raw = state.raw_body
            if body_is_ignored(scope):
                return receive, scope
            state.body = await run_off_loop_if(is_large(raw), self._checked, raw)
            return receive, scope

        def _checked(self, raw: bytes) -> t.Any:
            body = None
            if raw.strip():
                try:
                    body = parse_json_body(raw)
                except JsonLimitError as exc:
                    detail = ValidationDetail(f"body is beyond the mock's limits: {exc}", exc.path, "invalid_json")
                    raise GatewayFailure(400, "invalid_json", "invalid_json", details=[detail]) from None
                except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
                    raise invalid_json(f"body is not valid JSON: {exc}") from None
            if body is None:
                if self._required and not (raw.strip() and self._nullable):
                    raise validation_failure([ValidationDetail("Request body is required", [], "required")])
                return None
            details = compiler.errors(self._schema, body)
            if details:
                raise validation_failure(details)
            compiler.drop_unknown_keys(self._schema, body)
            return body

    class FormBody(BodyGate, FormDataValidator):
        async def _parse(self, stream, scope):
            state = request_state(scope)
            if not state.raw_body.strip():
                state.body, state.files = {}, {}
                return {}
            try:
                form = await self._form_parser_cls(_headers(scope), stream).parse()
            except (MultiPartException, UnicodeDecodeError, ValueError, KeyError) as exc:
                raise invalid_json(f"body is not valid form data: {exc}") from None
            try:
                fields, files = await _split_form(form)
            finally:
                await form.close()
            state.body, state.files = fields, files
            return _for_validation(fields, files, self._schema)

        def _validate(self, body):
            details = compiler.errors(self._schema, body)
            if details:
                raise validation_failure(details)

    class MultiPartBody(FormBody, MultiPartFormDataValidator):
        pass

    class Parameters(ParameterValidator):
        def validate_request(self, request):
            details: list[ValidationDetail] = []
            for location, getter in (
                ("query", request.query_params),
                ("path", path_params(request.scope, request.path_params)),
                ("header", request.headers),
            ):
                for param in self.parameters.get(location, []):
                    details += _check_parameter(compiler, param, getter, location)
            if details:
                raise validation_failure(details)

    return {
        "parameter": Parameters,
        "body": MediaTypeDict(
            {
                "*/*json": JsonBody,
                "application/x-www-form-urlencoded": FormBody,
                "multipart/form-data": MultiPartBody,
            }
        ),
    }


def _headers(scope):
    from starlette.datastructures import Headers

    return Headers(scope=scope)


async def _split_form(form) -> tuple[dict[str, t.Any], dict[str, list[UploadedFile]]]:
    fields: dict[str, t.Any] = {}
    files: dict[str, list[UploadedFile]] = {}
    for key, value in form.multi_items():
        if isinstance(value, UploadFile):
            data = await value.read()
            files.setdefault(key, []).append(
                UploadedFile(value.filename or key, value.content_type or "application/octet-stream", data)
            )
        else:
            fields.setdefault(key, []).append(value)
    return {
        key: values if len(values) > 1 or key.endswith("[]") else values[0] for key, values in fields.items()
    }, files


def _for_validation(fields: dict[str, t.Any], files: dict[str, list[UploadedFile]], schema: dict) -> dict:
    """Form fields coerced to the schema's types; files stand in as strings."""
    properties = schema.get("properties", {})
    body: dict[str, t.Any] = {}
    for key, value in fields.items():
        name = key[:-2] if key.endswith("[]") else key
        body[name] = _coerce(value, properties.get(name, {}))
    for key, items in files.items():
        name = key[:-2] if key.endswith("[]") else key
        declared = properties.get(name, {})
        body[name] = [item.filename for item in items] if declared.get("type") == "array" else items[0].filename
    return body


def _coerce(value: t.Any, schema: dict) -> t.Any:
    kind = schema.get("type")
    if kind == "array":
        values = value if isinstance(value, list) else [value]
        return [_coerce(v, schema.get("items", {})) for v in values]
    if isinstance(value, list):
        return value
    try:
        if kind == "integer":
            return int(value)
        if kind == "number":
            return float(value)
    except ValueError:
        return value
    if kind == "boolean" and value.lower() in ("true", "false", "1", "0"):
        return value.lower() in ("true", "1")
    return value


def _check_parameter(compiler, param: dict, values, location: str) -> list[ValidationDetail]:
    name = param["name"]
    key = name.replace("-", "_") if location == "path" else name
    value = values.get(key) if location != "header" else values.get(name.lower())
    if value is None:
        if param.get("required"):
            return [ValidationDetail(f"Missing required {location} parameter: {name}", [name], "required")]
        return []
    schema = param.get("schema", {})
    return compiler.errors(schema, _coerce(value, schema) if isinstance(value, str) else value, [name])


__all__ = ["GatewayFailure", "parse_json_body", "validator_map"]
