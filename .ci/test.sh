#!/usr/bin/env bash
# The whole test suite, as CI runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/ruff check protocol node tests scripts
.venv/bin/mypy protocol
# Two workers, one per core of the CI machine (ATTNSHARE_TEST_WORKERS=0 runs in one process).
.venv/bin/python -m pytest -q -p no:cacheprovider -n "${ATTNSHARE_TEST_WORKERS:-2}" "$@"
