#!/usr/bin/env bash
# Create .venv (once) and install Vecinos with the locked versions. `bootstrap.sh test` adds the
# test tools. Re-running is cheap: nothing is reinstalled unless a requirements file changed.
set -euo pipefail
cd "$(dirname "$0")/.."
want=${1:-run}
python=${PYTHON:-python3}
if ! "$python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
  echo "Vecinos needs Python 3.11 (set PYTHON=/path/to/python3.11)." >&2
  exit 1
fi
[ -x .venv/bin/python ] || "$python" -m venv .venv
lock=requirements/lock.txt
[ "$want" = test ] && lock=requirements/test.txt
stamp=".venv/.installed-$want-$(cat requirements/*.txt pyproject.toml | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$lock"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
  rm -f .venv/.installed-"$want"-*
  touch "$stamp"
fi
