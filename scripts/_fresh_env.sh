# Sourced by scripts/lock and scripts/try-newest: a throw-away virtual environment in $FRESH
# with the project's test extra at the NEWEST releases its version ranges admit (no lock).
set -euo pipefail
cd "$(dirname "$0")/.."
FRESH="$(mktemp -d)"
trap 'rm -rf "$FRESH"' EXIT
python3 -m venv "$FRESH/venv"
"$FRESH/venv/bin/pip" install -q --upgrade pip
"$FRESH/venv/bin/pip" install -q ".[test]"
"$FRESH/venv/bin/pip" install -q --no-deps -r requirements-nodeps.txt
