"""``python -m bench.conform_prism [conform options]``: run ``aistats-mock conform`` against
Stoplight Prism 5.16 serving our packaged contract, a gateway implementation nobody here
wrote (installed with npm into bench/.prism on first use, as the benchmark does).

Prism is started on a free port, conform runs against it with the options given (a
well-formed key of its own, a second team's key for tenant isolation), and Prism is
stopped. Exits with conform's code; 2 also when Prism cannot be installed or started.
"""

from __future__ import annotations

import subprocess
import sys

from bench.servers import ServerUnavailable, start_prism
from mockserver.contract.loader import load_contract

KEY = "aistats_v1_sk_prismconform_s3cr3t"
OTHER = "aistats_v1_sk_other.k1_s3cr3t"


def main(argv: list[str]) -> int:
    try:
        prism = start_prism(load_contract(), log=lambda line: print(line, file=sys.stderr))
    except ServerUnavailable as exc:
        print(f"bench.conform_prism: {exc}", file=sys.stderr)
        return 2
    with prism:
        command = [
            sys.executable,
            "-m",
            "mockserver.cli",
            "conform",
            "--base-url",
            prism.origin + prism.prefix,
            "--api-key",
            KEY,
            "--api-key-2",
            OTHER,
            *argv,
        ]
        return subprocess.run(command, check=False).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
