"""Request bodies as the gateway reads them: an allow-list at the top, open objects below.

The gateway validates bodies with Zod objects, which accept and drop keys they do not
know; only the top-level allow-lists of the text surfaces refuse unknown keys. Our
fragments write every object with ``additionalProperties: false`` (it documents the keys
the gateway reads, and response schemas really are exact). A contract whose root sets
``x-aistats-request-objects: open-below-top-level`` is rewritten here, once, at load:

- the top level of every request body (the body schema itself and the branches of its
  ``oneOf``/``anyOf``/``allOf``) keeps its ``additionalProperties``;
- every object below it loses ``additionalProperties: false``, unless it is marked
  ``x-aistats-strict: true`` (an object the gateway reads with a strict Zod object),
  and says ``x-aistats-drops-unknown-keys: true`` instead: the validator accepts keys
  it does not list, and the mock drops them before reading the body, as Zod does;
- a component reached both from a request body and from elsewhere (a response, a
  parameter) keeps its exact form for those, and the request bodies get an open copy
  named ``<Name>Input``.

The rewritten document is what Connexion, the request validator and Schemathesis all
see, so what the served contract allows is what the mock accepts.
"""

from __future__ import annotations

from typing import Any

OPT_IN = "x-aistats-request-objects"
OPEN_BELOW_TOP = "open-below-top-level"
STRICT = "x-aistats-strict"
#: Left where ``additionalProperties: false`` was taken away: the gateway drops the keys
#: such an object does not list before it reads the body, and so does the mock.
DROPS_UNKNOWN = "x-aistats-drops-unknown-keys"
COPY_SUFFIX = "Input"
_PREFIX = "#/components/schemas/"
_METHODS = ("get", "put", "post", "delete", "patch", "options", "head", "trace")


class OpennessError(ValueError):
    """The rewrite cannot name an open copy (a component of that name already exists)."""


def open_request_objects(spec: dict[str, Any]) -> None:
    """Apply the rule above to ``spec`` in place when its root opts in."""
    if spec.get(OPT_IN) != OPEN_BELOW_TOP:
        return
    schemas = spec.get("components", {}).get("schemas", {})
    bodies = list(_request_body_schemas(spec))
    rewriter = _Rewriter(schemas, _reached_elsewhere(spec, schemas))
    for media in bodies:
        media["schema"] = rewriter.rewrite(media["schema"], top=True)


def _request_body_schemas(spec: dict[str, Any]):
    """Every media-type object (holding ``schema``) of every request body."""
    bodies = spec.get("components", {}).get("requestBodies", {})
    for item in spec.get("paths", {}).values():
        for method in _METHODS:
            body = item.get(method, {}).get("requestBody") if isinstance(item.get(method), dict) else None
            if isinstance(body, dict) and "$ref" not in body:
                yield from _media_with_schema(body)
    for body in bodies.values():
        yield from _media_with_schema(body)


def _media_with_schema(body: dict[str, Any]):
    for media in body.get("content", {}).values():
        if isinstance(media, dict) and isinstance(media.get("schema"), dict):
            yield media


def _reached_elsewhere(spec: dict[str, Any], schemas: dict[str, Any]) -> set[str]:
    """Names of the schema components reachable from anything but a request body."""
    roots: list[Any] = []
    for item in spec.get("paths", {}).values():
        for key, value in item.items():
            if key in _METHODS and isinstance(value, dict):
                roots.extend(v for k, v in value.items() if k != "requestBody")
            elif key not in _METHODS:
                roots.append(value)
    components = spec.get("components", {})
    roots.extend(v for k, v in components.items() if k not in ("schemas", "requestBodies"))
    reached: set[str] = set()
    pending = roots
    while pending:
        node = pending.pop()
        if isinstance(node, list):
            pending.extend(node)
        elif isinstance(node, dict):
            name = _component(node)
            if name is not None and name not in reached and name in schemas:
                reached.add(name)
                pending.append(schemas[name])
            pending.extend(value for key, value in node.items() if key != "$ref")
    return reached


def _component(node: dict[str, Any]) -> str | None:
    ref = node.get("$ref")
    return ref[len(_PREFIX) :] if isinstance(ref, str) and ref.startswith(_PREFIX) else None


class _Rewriter:
    """Rewrites request-body schemas; each (component, level) is rewritten once."""

    def __init__(self, schemas: dict[str, Any], elsewhere: set[str]):
        self.schemas = schemas
        self.elsewhere = elsewhere
        self.originals = dict(schemas)
        self.done: dict[tuple[str, bool], str] = {}

    def rewrite(self, node: Any, *, top: bool) -> Any:
        if isinstance(node, list):
            return [self.rewrite(item, top=top) for item in node]
        if not isinstance(node, dict):
            return node
        name = _component(node)
        if name is not None:
            return {**node, "$ref": _PREFIX + self._target(name, top)} if name in self.originals else node
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key in ("properties", "patternProperties") and isinstance(value, dict):
                out[key] = {prop: self.rewrite(sub, top=False) for prop, sub in value.items()}
            elif key in ("items", "additionalProperties", "not") and isinstance(value, dict):
                out[key] = self.rewrite(value, top=False)
            elif key in ("oneOf", "anyOf", "allOf"):
                out[key] = self.rewrite(value, top=top)
            else:
                out[key] = value
        if not top and out.get("additionalProperties") is False and not node.get(STRICT):
            del out["additionalProperties"]
            out[DROPS_UNKNOWN] = True
        return out

    def _target(self, name: str, top: bool) -> str:
        """The component a request body at this level should refer to instead of ``name``."""
        key = (name, top)
        if key in self.done:
            return self.done[key]
        self.done[key] = name  # provisional: a cycle refers back to the component itself
        original = self.originals[name]
        rewritten = self.rewrite(original, top=top)
        if rewritten == original:
            return name
        shared = name in self.elsewhere or (name, not top) in self.done
        target = f"{name}{COPY_SUFFIX}" if shared else name
        if target != name and target in self.originals:
            raise OpennessError(f"cannot add open copy {target}: a component of that name exists")
        self.schemas[target] = rewritten
        self.done[key] = target
        return target
