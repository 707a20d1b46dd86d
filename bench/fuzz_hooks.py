"""Schemathesis hooks for bench/fuzz.py (loaded through SCHEMATHESIS_HOOKS).

Counts every answer by status class, and each 5xx the operation does not document (the
contract documents 501 for placeholders and 503 for the operator routes without a control
secret; anything else in 5xx is a server error of the mock). Written as JSON at exit to the
file named by AISTATS_FUZZ_COUNTS.
"""

from __future__ import annotations

import atexit
import json
import os
import threading
from collections import Counter

import schemathesis

_COUNTS: Counter[str] = Counter()
_LOCK = threading.Lock()


@schemathesis.hook
def after_call(context, case, response) -> None:
    status = response.status_code
    documented = str(status) in case.operation.definition.raw.get("responses", {})
    with _LOCK:
        _COUNTS[f"{status // 100}xx"] += 1
        if status >= 500 and not documented:
            _COUNTS["undocumented 5xx"] += 1
            _COUNTS[f"{case.method} {case.path} -> {status}"] += 1


@atexit.register
def _write() -> None:
    target = os.environ.get("AISTATS_FUZZ_COUNTS")
    if target:
        with open(target, "w", encoding="utf-8") as out:
            json.dump(dict(_COUNTS), out, indent=1, sort_keys=True)
