"""What every provider dialect shares: ids derived from the request, the gateway error
read back into its parts, the gateway-only keys providers never send.
"""

from __future__ import annotations

import dataclasses
import hashlib
import string
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mockserver.contract.index import Operation
from mockserver.errors import render_path
from mockserver.model import MockReply, MockRequest
from mockserver.scenarios.failures import UPSTREAM_5XX, UPSTREAM_RATE_LIMIT

_ALPHABET = string.digits + string.ascii_letters
#: Keys the gateway adds to answers that no provider sends.
GATEWAY_ONLY_KEYS = ("nativeResponseId", "provider", "meta", "requestId", "gateway")
#: Keys of the gateway's usage objects that providers do not report (its pricing).
PRICING_KEYS = ("pricing", "pricing_breakdown")
#: Seconds a rate-limited client is told to wait (``retry-after``).
RETRY_AFTER_SECONDS = 1


def native_id(prefix: str, generation_id: str, length: int = 29, salt: str = "") -> str:
    """A provider-style id (``chatcmpl-…``) derived from the request's generation id:
    the same request gives the same id, different requests different ones."""
    digest = hashlib.blake2b(f"{salt}:{generation_id}".encode(), digest_size=32).digest()
    number = int.from_bytes(digest, "big")
    chars = []
    for _ in range(length):
        number, rest = divmod(number, len(_ALPHABET))
        chars.append(_ALPHABET[rest])
    return prefix + "".join(chars)


def native_hex(generation_id: str, length: int = 50, salt: str = "") -> str:
    """Hex digits derived from the request's generation id (OpenAI's ``resp_`` ids are hex)."""
    digest = hashlib.blake2b(f"{salt}:{generation_id}".encode(), digest_size=(length + 1) // 2)
    return digest.hexdigest()[:length]


def without_gateway_keys(body: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in body.items() if key not in GATEWAY_ONLY_KEYS}


def native_usage(usage: Any, keep: tuple[str, ...] | None = None) -> dict[str, Any]:
    """A usage object without the gateway's pricing (only the ``keep`` keys when given)."""
    if not isinstance(usage, dict):
        return {}
    kept = {key: value for key, value in usage.items() if key not in PRICING_KEYS}
    return {key: kept[key] for key in keep if key in kept} if keep is not None else kept


@dataclass(frozen=True)
class GatewayError:
    """A gateway error reply read back into its parts (any of the gateway's envelopes)."""

    status: int
    code: str
    message: str
    #: The first offending field (``messages[0].role``), when the error names one.
    field: str | None
    #: Every offending field's message, ``field: message``.
    problems: tuple[str, ...]
    headers: dict[str, str]
    #: True when the gateway passed a provider's own error through (its code and message are
    #: a provider's); False when the gateway decided it (a key limit, every provider failed).
    passthrough: bool = True


#: What a provider says for a status when the gateway's own decision stands in for its error.
PROVIDER_MESSAGES = {429: UPSTREAM_RATE_LIMIT[1], **{status: text for status, (_, text) in UPSTREAM_5XX.items()}}


def read_error(reply: MockReply) -> GatewayError:
    body = reply.body if isinstance(reply.body, dict) else {}
    code = str(body.get("error") or "error")
    message = str(body.get("description") or body.get("message") or body.get("reason") or code)
    details = [detail for detail in body.get("details") or [] if isinstance(detail, dict)]
    problems = tuple(_problem(detail) for detail in details)
    first = next((detail for detail in details if detail.get("path")), None)
    field = render_path(list(first["path"])) if first is not None else None
    passthrough = "error_type" not in body
    if problems:
        message = "; ".join(problems)
    elif not passthrough and reply.status in PROVIDER_MESSAGES:
        message = PROVIDER_MESSAGES[reply.status]
    return GatewayError(reply.status, code, message, field, problems, dict(reply.headers), passthrough)


def _problem(detail: dict[str, Any]) -> str:
    message = str(detail.get("message") or "invalid")
    path = detail.get("path") or []
    return f"{render_path(list(path))}: {message}" if path else message


def error_reply(status: int, body: dict[str, Any], headers: dict[str, str], reply: MockReply) -> MockReply:
    """A provider's error reply in place of the gateway's (same outcome and summary)."""
    reply.status = status
    reply.body = body
    reply.content = None
    reply.stream = None
    reply.media_type = "application/json"
    reply.headers = headers
    reply.pretty = False
    return reply


class ModelNames:
    """A provider's model name as the gateway's catalogue knows it: as sent when the catalogue
    knows it, else under the provider's organisation (``text-embedding-3-small`` →
    ``openai/text-embedding-3-small``); answers always echo the name the client sent."""

    def __init__(self, known: Callable[[str], object | None], organisation: str | None = None):
        self.known = known
        self.organisation = organisation

    def gateway(self, name: Any) -> Any:
        if not isinstance(name, str) or self.organisation is None or "/" in name or self.known(name):
            return name
        qualified = f"{self.organisation}/{name}"
        return qualified if self.known(qualified) else name

    def request(
        self, request: MockRequest, operation: Operation, keep: Callable[[str], bool] | None = None
    ) -> MockRequest:
        """``request`` as the gateway's ``operation`` takes it: of a JSON object body, the keys
        ``keep`` accepts (all by default), with its model by the catalogue's name."""
        body = request.body
        if isinstance(body, dict):
            body = {key: value for key, value in body.items() if keep is None or keep(key)}
            if "model" in body:
                body["model"] = self.gateway(body["model"])
        return dataclasses.replace(request, operation=operation, body=body)
