#!/usr/bin/env bash
# The whole test suite, as CI runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/ruff check protocol node tests scripts
.venv/bin/mypy protocol
.venv/bin/python -m pytest -q -p no:cacheprovider "$@"
