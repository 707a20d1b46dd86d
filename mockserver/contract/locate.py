"""Where a contract writes each path item: the file and line a report can point at."""

from __future__ import annotations

import re
from pathlib import Path

from mockserver.contract.loader import contract_path

#: A path item key directly under ``paths:`` (two-space indent), quoted or not.
_PATH_KEY = re.compile(r"^  (['\"]?)(/[^'\"]*?)\1:\s*(#.*)?$")


def path_locations(name_or_path: str | Path | None = None) -> dict[str, tuple[Path, int]]:
    """``{"/chat/completions": (file, line)}`` over the root file and its ``paths/`` fragments.

    Empty when the contract is not a local file (a URL) or cannot be read.
    """
    try:
        root = contract_path(name_or_path)
    except (OSError, ValueError):
        return {}
    if not root.is_file():
        return {}
    found: dict[str, tuple[Path, int]] = {}
    for file in [root, *sorted(root.parent.glob("paths/*.yaml"))]:
        try:
            lines = file.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            continue
        for number, line in enumerate(lines, 1):
            match = _PATH_KEY.match(line)
            if match:
                found.setdefault(match.group(2), (file, number))
    return found
