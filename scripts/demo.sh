#!/usr/bin/env bash
# Create .venv, install Vecinos with locked versions, and start the demo (web server + worker).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
exec .venv/bin/vecinos demo "$@"
