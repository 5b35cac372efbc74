#!/usr/bin/env bash
# One-step setup: a venv in .venv with attnshare and its dev tools installed.
# torch is pinned to 2.13.0 (the CPU build on this machine's disk) in pyproject.toml.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/pip install --quiet --upgrade pip
.venv/bin/pip install --quiet -e ".[dev]"
