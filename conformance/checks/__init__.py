"""The gateway checks, registered with Schemathesis by importing this package.

Built-in Schemathesis checks the suite runs are listed in :data:`BUILTIN_CHECKS`; the
gateway's own are in :data:`GATEWAY_CHECKS` (name → the property it asserts).
"""

from conformance.checks import (  # noqa: F401
    envelopes,
    media,
    money,
    pagination,
    resources,
    robustness,
    round_trips,
    sdk_compat,
    streams,
    tenants,
    usage,
)
from conformance.checks._support import GATEWAY_CHECKS, GatewayCheckFailure

BUILTIN_CHECKS = {
    "not_a_server_error": "no 5xx except designed ones (documented 501 placeholders)",
    "status_code_conformance": "every status is documented for the operation",
    "content_type_conformance": "every Content-Type is documented for the status",
    "response_schema_conformance": "bodies (and each SSE event) validate against the schema",
    "response_headers_conformance": "documented required headers are present and valid",
    "negative_data_rejection": "schema-violating requests get a 4xx",
    "positive_data_acceptance": "schema-valid requests are accepted",
    "ignored_auth": "requests without or with bad credentials are refused",
    "use_after_free": "a deleted resource is gone",
    "ensure_resource_availability": "a created resource can be read",
}
#: Schemathesis built-ins the suite leaves off, with why.
DISABLED_BUILTINS = {
    "unsupported_method": "the gateway answers unknown methods with 404 by design (no 405)",
    "allow_header_conformance": "no 405 answers, hence no Allow header",
    "missing_required_header": "the only required header is Authorization, covered by ignored_auth",
    "object_level_authorization": "needs two identities; the suite runs with one key",
}
ALL_CHECKS = {**BUILTIN_CHECKS, **GATEWAY_CHECKS}

__all__ = ["ALL_CHECKS", "BUILTIN_CHECKS", "DISABLED_BUILTINS", "GATEWAY_CHECKS", "GatewayCheckFailure"]
