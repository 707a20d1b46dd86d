"""Keep API keys out of everything the suite prints or writes."""

from __future__ import annotations

import re
from typing import Any

MASK = "[REDACTED]"
#: Any gateway key (ours, or one the run created): ``aistats_v1_<kind>_<kid>_<secret>``.
_KEY_RE = re.compile(r"aistats_v1_[A-Za-z]+_[A-Za-z0-9]+_[A-Za-z0-9_\-]+")
_BEARER_RE = re.compile(r"(?i)(authorization\s*[:=]\s*['\"]?\s*bearer\s+)([^\s'\"\\]+)")


class Redactor:
    """Replaces the configured key, any gateway-shaped key and any bearer token with a mask."""

    def __init__(self, *secrets: str):
        self._secrets = sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True)

    def add(self, secret: str) -> None:
        if secret and len(secret) >= 4 and secret not in self._secrets:
            self._secrets = sorted([*self._secrets, secret], key=len, reverse=True)

    def text(self, value: str) -> str:
        for secret in self._secrets:
            value = value.replace(secret, MASK)
        value = _KEY_RE.sub(MASK, value)
        return _BEARER_RE.sub(lambda m: m.group(1) + MASK, value)

    def data(self, value: Any) -> Any:
        """Redact every string inside a JSON-like value."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.text(str(k)): self.data(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.data(v) for v in value]
        return value
