"""An index of the operations of a loaded contract.

The index answers the questions the rest of the mock asks of the spec: which operation
a method and path belong to, its route family, its documented statuses, named examples
and schemas. It is built once per contract and never touches the disk.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from mockserver.contract.loader import resolve_ref

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
FAMILIES = ("inference", "job", "control", "oauth", "generations", "files", "public")
_PARAM_RE = re.compile(r"\{([^}/]+)\}")


@dataclass(frozen=True)
class MediaType:
    name: str
    schema: dict[str, Any] | None
    examples: dict[str, Any]


@dataclass(frozen=True)
class ResponseDoc:
    status: str
    description: str
    media_types: dict[str, MediaType]
    headers: dict[str, Any]


@dataclass
class Operation:
    operation_id: str
    method: str
    path: str
    family: str
    priced: bool
    requires_auth: bool
    responses: dict[str, ResponseDoc]
    request_media_types: dict[str, MediaType]
    parameters: list[dict[str, Any]]
    definition: dict[str, Any] = field(repr=False)

    @property
    def success_status(self) -> int:
        codes = sorted(int(code) for code in self.responses if code.isdigit() and code.startswith("2"))
        if codes:
            return codes[0]
        documented = sorted(int(code) for code in self.responses if code.isdigit())
        return documented[0] if documented else 200

    def response(self, status: int | str) -> ResponseDoc | None:
        key = str(status)
        return self.responses.get(key) or self.responses.get(f"{key[0]}XX") or self.responses.get("default")

    def documents(self, status: int) -> bool:
        return self.response(status) is not None

    def extension(self, name: str, default: Any = None) -> Any:
        return self.definition.get(f"x-aistats-{name}", default)


class ContractIndex:
    """Operations of one merged spec, by id and by method + path."""

    def __init__(self, spec: dict[str, Any]):
        self.spec = spec
        self.title = spec.get("info", {}).get("title", "")
        self.base_path = _base_path(spec)
        #: How failures are rendered: None for the current envelopes, else an older contract's
        #: dialect (``x-aistats-dialect``, see mockserver/encoding/dialect_envelopes.py).
        self.dialect: str | None = spec.get("x-aistats-dialect")
        self.operations: dict[str, Operation] = {}
        self._routes: list[tuple[str, re.Pattern[str], Operation]] = []
        global_security = spec.get("security", [])
        for path, item in spec.get("paths", {}).items():
            item = resolve_ref(spec, item)
            shared_params = item.get("parameters", [])
            for method in HTTP_METHODS:
                if method not in item:
                    continue
                operation = self._build(path, method, item[method], shared_params, global_security)
                self.operations[operation.operation_id] = operation
                self._routes.append((method, _path_regex(path), operation))

    def _build(self, path, method, op, shared_params, global_security) -> Operation:
        security = op.get("security", global_security)
        params = {(p["name"], p["in"]): p for p in (resolve_ref(self.spec, x) for x in shared_params)}
        params.update({(p["name"], p["in"]): p for p in (resolve_ref(self.spec, x) for x in op.get("parameters", []))})
        body = resolve_ref(self.spec, op.get("requestBody", {}))
        return Operation(
            operation_id=op.get("operationId") or f"{method}{path}",
            method=method.upper(),
            path=path,
            family=op.get("x-aistats-family", "control"),
            priced=bool(op.get("x-aistats-priced", False)),
            requires_auth=bool(security) and any(bool(req) for req in security),
            responses={str(code): self._response(code, resp) for code, resp in op.get("responses", {}).items()},
            request_media_types=self._media_types(body.get("content", {})),
            parameters=list(params.values()),
            definition=op,
        )

    def _response(self, code, response) -> ResponseDoc:
        response = resolve_ref(self.spec, response)
        headers = {name: resolve_ref(self.spec, h) for name, h in response.get("headers", {}).items()}
        return ResponseDoc(
            str(code), response.get("description", ""), self._media_types(response.get("content", {})), headers
        )

    def _media_types(self, content: dict[str, Any]) -> dict[str, MediaType]:
        media = {}
        for name, media_type in content.items():
            named = media_type.get("examples", {})
            examples = {key: resolve_ref(self.spec, example).get("value") for key, example in named.items()}
            if "example" in media_type:
                examples.setdefault("default", media_type["example"])
            media[name] = MediaType(name, media_type.get("schema"), examples)
        return media

    def match(self, method: str, path: str) -> tuple[Operation, dict[str, str]] | None:
        """The operation serving ``method path`` (path relative to the base path)."""
        method = method.lower()
        for route_method, regex, operation in self._routes:
            if route_method == method and (found := regex.fullmatch(path)):
                return operation, found.groupdict()
        return None

    def schema(self, name: str) -> dict[str, Any]:
        return self.spec["components"]["schemas"][name]


def _base_path(spec: dict[str, Any]) -> str:
    servers = spec.get("servers") or [{"url": "/"}]
    url = servers[0].get("url", "/")
    path = re.sub(r"^[a-z]+://[^/]+", "", url)
    return "/" + path.strip("/") if path.strip("/") else ""


def _path_regex(path: str) -> re.Pattern[str]:
    pattern = ""
    last = 0
    for found in _PARAM_RE.finditer(path):
        pattern += re.escape(path[last : found.start()]) + f"(?P<{_group(found.group(1))}>[^/]+)"
        last = found.end()
    return re.compile(pattern + re.escape(path[last:]))


def _group(name: str) -> str:
    return re.sub(r"\W", "_", name)
